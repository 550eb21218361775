"""What every parser yields, and the helpers the parsers share (pure Python, no database).

A parser reads a file and yields one `ParsedItem` per question it finds, good or bad, in
file order: either `content` ready for `apps.questions.validation.clean_content` (plus the
category path it sits in and its name), or the `reason` it is skipped. Parsers never raise
on bad input: whatever the bytes, the worst outcome is an item saying why the rest of the
file could not be read.
"""

import dataclasses
import html
import re
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

# Text that the formats carry in one language is stored under this code.
DEFAULT_LANGUAGE = "en"

MOODLE_XML = "moodle_xml"
GIFT = "gift"
AIKEN = "aiken"
XLSX = "xlsx"
FORMATS = (MOODLE_XML, GIFT, AIKEN, XLSX)


@dataclass
class Attachment:
    """An image shipped inside the file (Moodle XML `<file encoding="base64">`), unchecked."""

    name: str
    data: bytes


@dataclass
class ParsedItem:
    position: int  # 1-based question number in the file (categories are not counted)
    line: int  # line (or sheet row) where the question starts
    content: dict | None = None
    category: str | None = None  # "Physics/Mechanics": subject, then topic; None = none given
    name: str = ""
    reason: str = ""
    field: str = ""  # the content field (or sheet column) the reason is about, when known
    attachments: list[Attachment] = dataclasses.field(default_factory=list)
    subject: str = ""  # xlsx: the subject column (the other formats name it in `category`)

    @property
    def skipped(self) -> bool:
        return self.content is None


def skip(position: int, line: int, reason: str, *, name: str = "", field_name: str = "") -> ParsedItem:
    return ParsedItem(position=position, line=line, reason=reason, name=name, field=field_name)


# Moodle writes category paths as `$course$/top/Physics/Mechanics`; the `$...$` context and
# Moodle's own `top` level say where the category lives in Moodle, not what it is about.
_CONTEXT = re.compile(r"^\$[a-z]+\$$")
_PATH_SEPARATOR = re.compile(r"(?<!/)/(?!/)")  # Moodle escapes a "/" inside a name as "//"


def category_parts(path: str) -> list[str]:
    """`$course$/top/Physics/Mechanics` -> ["Physics", "Mechanics"]."""
    parts = [part.replace("//", "/").strip() for part in _PATH_SEPARATOR.split(path.strip())]
    parts = [part for part in parts if part]
    if parts and _CONTEXT.match(parts[0]):
        parts = parts[1:]
    if parts and parts[0].lower() == "top":
        parts = parts[1:]
    return parts


def category_path(parts: list[str]) -> str:
    return "/".join(part.replace("/", "//") for part in parts)


def plain_to_html(text: str) -> str:
    """Plain text as HTML that shows exactly it (line breaks kept)."""
    return "<br>".join(html.escape(line, quote=False) for line in text.split("\n"))


_BREAKS = re.compile(r"<br\s*/?>|</p>\s*<p[^>]*>|</(?:p|div|li|tr)>", re.IGNORECASE)
_TAGS = re.compile(r"<[^>]*>")


def html_to_plain(text: str) -> str:
    """What HTML shows, as plain text: tags dropped, breaks as new lines, entities decoded."""
    text = _BREAKS.sub("\n", text)
    text = _TAGS.sub("", text)
    lines = [html.unescape(line).strip() for line in text.split("\n")]
    return "\n".join(line for line in lines if line)


def decimal_text(value) -> str | None:
    """A decimal written plainly ("12.5", "-3"), or None when it is not a number."""
    try:
        number = Decimal(str(value).strip())
    except (InvalidOperation, ValueError):
        return None
    if not number.is_finite():
        return None
    return format_decimal(number)


def format_decimal(number: Decimal) -> str:
    text = format(number.normalize(), "f")
    return "0" if text in ("-0", "") else text


def penalty_marks(marks: Decimal, fraction_percent: Decimal) -> Decimal:
    """Negative marks from a wrong option's negative weight (-25 % of 4 marks = 1)."""
    return (marks * abs(fraction_percent) / 100).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)


def penalty_percent(marks, negative_marks) -> Decimal:
    """The weight (percent, negative) that carries `negative_marks` on a wrong option."""
    marks, negative = Decimal(str(marks)), Decimal(str(negative_marks))
    if not negative or not marks:
        return Decimal(0)
    return -(negative * 100 / marks).quantize(Decimal("0.00001"), rounding=ROUND_HALF_UP)


def primary_language(texts: dict) -> str:
    """The language a one-language format writes: English when present, else the first."""
    if DEFAULT_LANGUAGE in texts:
        return DEFAULT_LANGUAGE
    return sorted(texts)[0] if texts else DEFAULT_LANGUAGE


def true_false_options(correct_is_true: bool) -> list[dict]:
    return [
        {"text": {DEFAULT_LANGUAGE: "True"}, "correct": correct_is_true},
        {"text": {DEFAULT_LANGUAGE: "False"}, "correct": not correct_is_true},
    ]


@dataclass
class ExportRecord:
    """One bank question as the writers receive it: its content (as `clean_content` returns
    it), its subject's code and its public number, and its images."""

    number: int
    subject: str
    content: dict
    images: list[Attachment] = dataclasses.field(default_factory=list)


class NotExpressible(Exception):
    """The format cannot carry this question (Aiken and a numeric question); the message says why."""


class FormatError(ValueError):
    """The file is not in the format at all (no question can be read); the message says why."""
