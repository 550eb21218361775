"""Question text (Markdown or HTML) to reportlab Paragraph markup.

The text goes through `apps.questions.richtext.to_html` (the bank's one sanitiser) and the
safe HTML is then reduced to what a Paragraph understands: bold (printed in the bold font),
underline, sub- and superscripts and line breaks. Italic prints upright (no italic font is
shipped). Lists become lines starting "•" or "1."; a table becomes one line per row with
its cells separated by "|". Every text run carries the font of its script (fonts.py).
"""

import re
from dataclasses import dataclass
from html import escape
from html.parser import HTMLParser

from apps.questions.papers.fonts import font_for, script_runs
from apps.questions.richtext import to_html

BLOCKS = {"p", "div", "blockquote", "pre", "table", "ul", "ol", "hr"}
BREAKS = {"tr"}
_SPACES = re.compile(r"\s+")


@dataclass(frozen=True)
class Markup:
    text: str
    shaped: bool  # contains a script that needs shaping (Devanagari)


class _Run:
    __slots__ = ("font", "text")

    def __init__(self, font: str, text: str):
        self.font, self.text = font, text

    def __str__(self):
        return f'<font name="{self.font}">{escape(self.text, quote=True)}</font>'


class _Converter(HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.out: list = []  # markup strings and text runs
        self.bold = 0
        self.pre = 0
        self.lists: list[list] = []  # [kind, counter]
        self.cells_in_row = 0
        self.shaped = False
        self.pending_break = False

    def _break(self):
        if self.out:
            self.pending_break = True

    def _emit(self, markup):
        if self.pending_break:
            self.out.append("<br/>")
            self.pending_break = False
        self.out.append(markup)

    def handle_starttag(self, tag, attrs):
        if tag in ("b", "strong", "th"):
            self.bold += 1
        if tag in BLOCKS or tag in BREAKS:
            self._break()
        if tag == "pre":
            self.pre += 1
        elif tag in ("ul", "ol"):
            self.lists.append([tag, 0])
        elif tag == "li":
            self._break()
            if self.lists:
                self.lists[-1][1] += 1
                kind, n = self.lists[-1]
                indent = "\u00a0\u00a0" * (len(self.lists) - 1)
                self._text(f"{indent}{n}. " if kind == "ol" else f"{indent}\u2022 ")
        elif tag == "br":
            self._emit("<br/>")
        elif tag == "u":
            self._emit("<u>")
        elif tag == "sub":
            self._emit("<sub>")
        elif tag == "sup":
            self._emit("<super>")
        elif tag == "tr":
            self.cells_in_row = 0
        elif tag in ("td", "th"):
            if self.cells_in_row:
                self._text(" | ")
            self.cells_in_row += 1

    def handle_endtag(self, tag):
        if tag in ("b", "strong", "th"):
            self.bold = max(0, self.bold - 1)
        if tag == "pre":
            self.pre = max(0, self.pre - 1)
        elif tag in ("ul", "ol") and self.lists:
            self.lists.pop()
        elif tag == "u":
            self._emit("</u>")
        elif tag == "sub":
            self._emit("</sub>")
        elif tag == "sup":
            self._emit("</super>")
        if tag in BLOCKS or tag in BREAKS or tag == "li":
            self._break()

    def handle_data(self, data):
        if not self.pre:
            data = _SPACES.sub(" ", data)
            if not self.out or self.pending_break:
                data = data.lstrip()
            if not data:
                return
        else:
            data = data.strip("\n")
        lines = data.split("\n")
        for i, line in enumerate(lines):
            if i:
                self._emit("<br/>")
            self._text(line)

    def _text(self, text: str):
        for script, run in script_runs(text):
            if script == "deva":
                self.shaped = True
            font = font_for(script, bold=self.bold > 0)
            if not self.pending_break and self.out and isinstance(self.out[-1], _Run) and self.out[-1].font == font:
                self.out[-1].text += run  # one run per font: fewer fragments to lay out
            else:
                self._emit(_Run(font, run))


def html_markup(html: str) -> Markup:
    converter = _Converter()
    converter.feed(html)
    converter.close()
    return Markup("".join(map(str, converter.out)), converter.shaped)


def to_markup(text: str, text_format: str) -> Markup:
    """Paragraph markup of a question's (or option's, or passage's) text."""
    return html_markup(to_html(text or "", text_format))


def plain_markup(text: str, *, bold: bool = False) -> Markup:
    """Paragraph markup of plain text (headings, instructions typed on the paper)."""
    parts, shaped = [], False
    for i, line in enumerate((text or "").split("\n")):
        if i:
            parts.append("<br/>")
        for script, run in script_runs(line):
            shaped = shaped or script == "deva"
            parts.append(f'<font name="{font_for(script, bold=bold)}">{escape(run, quote=True)}</font>')
    return Markup("".join(parts), shaped)
