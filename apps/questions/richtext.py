"""Question text in, safe HTML out.

Authors write Markdown or HTML (Moodle exports HTML). HTML is cleaned with nh3 (a maintained
sanitiser, the Rust `ammonia`) when it enters the bank, so a stored question never carries a
script, an event handler or a remote image; Markdown is stored as written and rendered with
raw HTML disabled, then cleaned the same way.
"""

import nh3
from markdown_it import MarkdownIt

from apps.questions.choices import TextFormat

# What question text needs: emphasis, lists, tables, sub/superscripts, code, line breaks.
ALLOWED_TAGS = {
    "p",
    "br",
    "b",
    "strong",
    "i",
    "em",
    "u",
    "sub",
    "sup",
    "ul",
    "ol",
    "li",
    "table",
    "thead",
    "tbody",
    "tr",
    "th",
    "td",
    "code",
    "pre",
    "span",
    "div",
    "blockquote",
    "hr",
}
ALLOWED_ATTRIBUTES: dict[str, set[str]] = {"td": {"colspan", "rowspan"}, "th": {"colspan", "rowspan"}}

_markdown = MarkdownIt("commonmark", {"html": False}).enable("table")


def clean_html(html: str) -> str:
    """`html` with everything but the allowed tags and attributes removed."""
    return nh3.clean(html, tags=ALLOWED_TAGS, attributes=ALLOWED_ATTRIBUTES, url_schemes=set(), link_rel=None)


def clean_text(text: str, text_format: str) -> str:
    """What the bank stores: HTML cleaned, Markdown as written (it is rendered safely)."""
    return clean_html(text) if text_format == TextFormat.HTML else text


def to_html(text: str, text_format: str) -> str:
    """Safe HTML for display or printing."""
    html = text if text_format == TextFormat.HTML else _markdown.render(text)
    return clean_html(html)
