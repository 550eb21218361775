"""The spreadsheet template: one row a question, for banks kept in Excel or LibreOffice.

Columns (headers in any case, in any order; docs/questions/formats.md has the table):
`subject`, `topic`, `type`, `text`, `option_a` ... `option_f`, `answer`, `marks`,
`negative_marks`, `difficulty`, `tags`, and optionally `text_format` (markdown, the
default, or html), `model_answer` and `marking_scheme` (descriptive questions).

A second language: the same column name with `_<code>` appended, e.g. `text_hi`,
`option_a_hi`, `model_answer_hi`. Columns without a suffix are English (`en`);
`text_en` means the same as `text`.

`answer`: option letters (`B`, `AC`); for numeric a value with a tolerance (`12.5~0.1`,
`12.5`) or a range (`1..2`); for true/false `TRUE` or `FALSE`; empty for descriptive.
Read with the project's bomb-checked reader (utils/spreadsheets.py): a workbook is checked
against the size limits before it is opened. A CSV file (UTF-8) with the same columns is
read too. Written through utils.safe_cells, so no text becomes a formula.
"""

import datetime
import re
from collections.abc import Iterator
from decimal import Decimal

from apps.questions.choices import Difficulty, QuestionType, TextFormat
from apps.questions.formats.items import (
    DEFAULT_LANGUAGE,
    ExportRecord,
    FormatError,
    NotExpressible,
    ParsedItem,
    decimal_text,
    format_decimal,
    skip,
)
from utils.safe_cells import new_workbook
from utils.spreadsheets import UnreadableFile, open_table

LETTERS = "abcdef"
OPTION_COLUMNS = [f"option_{letter}" for letter in LETTERS]
TRANSLATED = ("text", *OPTION_COLUMNS, "model_answer")
COLUMNS = [
    "subject",
    "topic",
    "type",
    "text",
    *OPTION_COLUMNS,
    "answer",
    "marks",
    "negative_marks",
    "difficulty",
    "tags",
    "text_format",
    "model_answer",
    "marking_scheme",
]
REQUIRED = ("type", "text")
_TRANSLATED_COLUMN = re.compile(r"^(text|option_[a-f]|model_answer)_([a-z]{2,8})$")
_NUMERIC_ANSWER = re.compile(r"^\s*([^~]+?)\s*(?:~\s*(.+?)\s*)?$")
_SCHEME_PART = re.compile(r"^\s*([^:]+?)\s*:\s*([^:]+?)\s*(?::\s*(.*))?$")
TYPE_ALIASES = dict.fromkeys(("true/false", "truefalse", "tf"), QuestionType.TRUE_FALSE)

HELP = [
    ("subject", "Subject code or name (must exist, unless an admin imports: then it is created)."),
    ("topic", "Below the subject, levels separated by /: Mechanics/Kinematics."),
    ("type", "single, multiple, true_false, numeric or descriptive."),
    ("text", "The question, in English (Markdown unless text_format is html)."),
    ("option_a .. option_f", "The options of single and multiple questions (true/false: leave empty for True/False)."),
    ("answer", "Letters of the right options (B, AC); numeric: 12.5~0.1 or 1..2; true/false: TRUE or FALSE."),
    ("marks", "Marks for a right answer (the maximum for descriptive). Default 1."),
    ("negative_marks", "Marks taken off for a wrong answer. Default 0."),
    ("difficulty", "easy, medium or hard. Default medium."),
    ("tags", "Words separated by commas."),
    ("text_format", "markdown (default) or html."),
    ("model_answer", "Descriptive: the model answer."),
    ("marking_scheme", "Descriptive: one part a line, 'a: 2: what earns the marks'; the parts add up to marks."),
    ("text_hi, option_a_hi, ...", "A second language: the same column with _<language code> appended."),
]

EXAMPLE = {
    "subject": "PHY",
    "topic": "Mechanics/Kinematics",
    "type": "single",
    "text": "A body starts from rest with an acceleration of 2 m/s². Its speed after 3 s is:",
    "option_a": "3 m/s",
    "option_b": "6 m/s",
    "option_c": "9 m/s",
    "option_d": "5 m/s",
    "answer": "B",
    "marks": 4,
    "negative_marks": 1,
    "difficulty": "easy",
    "tags": "kinematics, speed",
    "text_format": "markdown",
    "text_hi": "एक पिंड विराम से 2 m/s² के त्वरण से चलता है। 3 s बाद उसकी चाल है:",
    "option_a_hi": "3 m/s",
    "option_b_hi": "6 m/s",
    "option_c_hi": "9 m/s",
    "option_d_hi": "5 m/s",
}


def _header(value) -> str:
    return re.sub(r"\s+", "_", str(value or "").strip().lower())


def _column_key(name: str) -> tuple[str, str] | None:
    """("option_a", "hi") for `option_a_hi`; (name, "en") for a known column; None if unknown."""
    if name in COLUMNS:
        return name, DEFAULT_LANGUAGE
    match = _TRANSLATED_COLUMN.match(name)
    if match:
        return match.group(1), match.group(2)
    return None


def _cell(value) -> str:
    """A cell as text: numbers without a trailing .0, booleans as TRUE/FALSE."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, float):
        return format_decimal(Decimal(repr(value)))
    if isinstance(value, int):
        return str(value)
    if isinstance(value, datetime.datetime | datetime.date):
        return value.isoformat()
    return str(value).strip()


def column_for(field_name: str) -> str:
    """The sheet column a content field's error is about (`options[2].text.hi` -> option_c_hi)."""
    match = re.match(r"^options\[(\d+)\](?:\.text(?:\.([a-z]+))?)?", field_name)
    if match:
        index = int(match.group(1))
        base = f"option_{LETTERS[index]}" if index < len(LETTERS) else "options"
        language = match.group(2)
        return base if not language or language == DEFAULT_LANGUAGE else f"{base}_{language}"
    head, _, rest = field_name.partition(".")
    if head in ("text", "model_answer") and rest and rest != DEFAULT_LANGUAGE:
        return f"{head}_{rest}"
    if head == "options":
        return "option_a..option_f"
    return head


def parse(source, *, name: str | None = None) -> Iterator[ParsedItem]:
    """The questions of a template workbook (or CSV), row by row. Raises FormatError when
    the file is not a readable sheet or its header lacks `type`/`text` or has unknown columns."""
    try:
        table = open_table(source, name=name)
    except UnreadableFile as exc:
        raise FormatError(str(exc)) from None
    with table:
        columns: list[tuple[str, str] | None] = []
        unknown = []
        for value in table.header:
            header = _header(value)
            key = _column_key(header) if header else None
            if header and key is None:
                unknown.append(str(value))
            columns.append(key)
        if unknown:
            raise FormatError(
                f"Unknown column(s) {', '.join(repr(u) for u in unknown)} in row {table.header_row}; "
                f"the columns are {', '.join(COLUMNS)} (and text_<language>, option_a_<language>, ...)."
            )
        present = {key[0] for key in columns if key}
        missing = [column for column in REQUIRED if column not in present]
        if missing:
            raise FormatError(f"The header row {table.header_row} has no {' or '.join(missing)} column.")
        position = 0
        try:
            for row_number, cells in table.rows:
                position += 1
                values: dict[tuple[str, str], str] = {}
                for key, value in zip(columns, cells, strict=False):
                    if key is not None:
                        text = _cell(value)
                        if text:
                            values[key] = text
                yield _row(position, row_number, values)
        except UnreadableFile as exc:
            yield skip(position + 1, 0, f"{exc} The rest of the sheet is not read.")


def _row(position: int, row: int, values: dict[tuple[str, str], str]) -> ParsedItem:
    def get(column: str) -> str:
        return values.get((column, DEFAULT_LANGUAGE), "")

    def skipped(column: str, reason: str) -> ParsedItem:
        return skip(position, row, f"Row {row}, column {column}: {reason}", field_name=column)

    languages = sorted({language for (_column, language) in values} | {DEFAULT_LANGUAGE})

    def texts(column: str) -> dict[str, str]:
        return {language: values[(column, language)] for language in languages if (column, language) in values}

    raw_type = get("type").lower().replace(" ", "_")
    kind = TYPE_ALIASES.get(raw_type, raw_type)
    if kind not in QuestionType.values:
        return skipped("type", f"{get('type')!r} is not one of {', '.join(QuestionType.values)}.")
    content = {
        "type": kind,
        "text": texts("text"),
        "text_format": get("text_format").lower() or TextFormat.MARKDOWN,
        "topic": get("topic"),
        "difficulty": get("difficulty").lower() or Difficulty.MEDIUM,
        "tags": [tag.strip() for tag in re.split(r"[,;]", get("tags")) if tag.strip()],
        "marks": get("marks") or "1",
        "negative_marks": get("negative_marks") or "0",
    }
    answer = get("answer")
    if kind in (QuestionType.SINGLE, QuestionType.MULTIPLE):
        options = [(column, texts(column)) for column in OPTION_COLUMNS]
        while options and not options[-1][1]:
            options.pop()
        for column, option in options:
            if not option:
                return skipped(column, "An option is empty while a later one is filled.")
        letters = re.sub(r"[\s,;]", "", answer).upper()
        if not letters:
            return skipped("answer", "Give the letters of the right options (B, AC).")
        bad = [letter for letter in letters if letter not in "ABCDEF"[: len(options)]]
        if bad or len(set(letters)) != len(letters):
            last = "ABCDEF"[max(len(options) - 1, 0)]
            return skipped("answer", f"{answer!r} is not a set of option letters A-{last}.")
        content["options"] = [
            {"text": option, "correct": "ABCDEF"[i] in letters} for i, (_column, option) in enumerate(options)
        ]
    elif kind == QuestionType.TRUE_FALSE:
        verdict = {"TRUE": True, "T": True, "A": True, "FALSE": False, "F": False, "B": False}.get(answer.upper())
        if verdict is None:
            return skipped("answer", f"{answer!r}: a true/false answer is TRUE or FALSE.")
        first = texts("option_a") or dict.fromkeys(content["text"] or [DEFAULT_LANGUAGE], "True")
        second = texts("option_b") or dict.fromkeys(content["text"] or [DEFAULT_LANGUAGE], "False")
        content["options"] = [{"text": first, "correct": verdict}, {"text": second, "correct": not verdict}]
    elif kind == QuestionType.NUMERIC:
        parsed = _numeric(answer)
        if parsed is None:
            return skipped(
                "answer", f"{answer!r} is not a number (12.5), a number with a tolerance (12.5~0.1) or a range (1..2)."
            )
        content["answer"] = parsed
    else:
        content["model_answer"] = texts("model_answer")
        scheme = []
        for part in re.split(r"[\n;]", get("marking_scheme")):
            if not part.strip():
                continue
            match = _SCHEME_PART.match(part)
            if match is None:
                return skipped("marking_scheme", f"{part.strip()!r} is not 'part: marks: description'.")
            scheme.append({"part": match.group(1), "marks": match.group(2), "description": match.group(3) or ""})
        content["marking_scheme"] = scheme
    return ParsedItem(position=position, line=row, content=content, subject=get("subject"))


def _numeric(answer: str) -> dict | None:
    if ".." in answer:
        low, _, high = answer.partition("..")
        low_text, high_text = decimal_text(low), decimal_text(high)
        return None if low_text is None or high_text is None else {"min": low_text, "max": high_text}
    match = _NUMERIC_ANSWER.match(answer)
    if not match:
        return None
    value, tolerance = decimal_text(match.group(1)), decimal_text(match.group(2) or "0")
    return None if value is None or tolerance is None else {"value": value, "tolerance": tolerance}


# --- writing ------------------------------------------------------------------------------


def header_for(languages: list[str]) -> list[str]:
    extra = [language for language in sorted(languages) if language != DEFAULT_LANGUAGE]
    return COLUMNS + [f"{column}_{language}" for language in extra for column in TRANSLATED]


def _answer_cell(content: dict) -> str:
    kind = content["type"]
    if kind in (QuestionType.SINGLE, QuestionType.MULTIPLE):
        return "".join("ABCDEF"[i] for i, option in enumerate(content["options"]) if option["correct"])
    if kind == QuestionType.TRUE_FALSE:
        return "TRUE" if content["options"][0]["correct"] else "FALSE"
    if kind == QuestionType.NUMERIC:
        answer = content["answer"]
        return f"{answer['min']}..{answer['max']}" if "min" in answer else f"{answer['value']}~{answer['tolerance']}"
    return ""


def _number(value):
    number = Decimal(str(value))
    return int(number) if number == number.to_integral_value() else float(number)


def row_for(record: ExportRecord, header: list[str]) -> list:
    content = record.content
    if len(content.get("options") or []) > len(LETTERS):
        raise NotExpressible(f"The template has options A-F only; this question has {len(content['options'])}.")
    cells: dict[str, object] = {
        "subject": record.subject,
        "topic": content["topic"],
        "type": content["type"],
        "answer": _answer_cell(content),
        "marks": _number(content["marks"]),
        "negative_marks": _number(content["negative_marks"]),
        "difficulty": content["difficulty"],
        "tags": ", ".join(content["tags"]),
        "text_format": content["text_format"],
        "marking_scheme": "\n".join(
            f"{part['part']}: {part['marks']}: {part['description']}".rstrip(": ")
            if part["description"]
            else f"{part['part']}: {part['marks']}"
            for part in content["marking_scheme"]
        ),
    }

    def put(column: str, texts: dict) -> None:
        for language, text in texts.items():
            cells[column if language == DEFAULT_LANGUAGE else f"{column}_{language}"] = text

    put("text", content["text"])
    put("model_answer", content["model_answer"])
    for index, option in enumerate(content["options"]):
        put(OPTION_COLUMNS[index], option["text"])
    return [cells.get(column, "") for column in header]


class Writer:
    """The template's columns, one row a question, every language of the export."""

    def __init__(self, out, *, languages: list[str] | None = None):
        self.workbook = new_workbook(out, {"constant_memory": True})
        self.sheet = self.workbook.add_worksheet("Questions")
        self.header = header_for(languages or [DEFAULT_LANGUAGE])
        self.sheet.write_row(0, 0, self.header)
        self.row = 1

    def write(self, record: ExportRecord) -> None:
        self.sheet.write_row(self.row, 0, row_for(record, self.header))
        self.row += 1

    def close(self) -> None:
        _help_sheet(self.workbook)
        self.workbook.close()


def _help_sheet(workbook) -> None:
    sheet = workbook.add_worksheet("Columns")
    sheet.write_row(0, 0, ["column", "what it holds"])
    for row, (column, text) in enumerate(HELP, start=1):
        sheet.write_row(row, 0, [column, text])
    sheet.set_column(0, 0, 26)
    sheet.set_column(1, 1, 100)


def write_template(out) -> None:
    """An empty template: the header row (English and Hindi columns) and one example row."""
    workbook = new_workbook(out)
    sheet = workbook.add_worksheet("Questions")
    header = header_for([DEFAULT_LANGUAGE, "hi"])
    sheet.write_row(0, 0, header)
    sheet.write_row(1, 0, [EXAMPLE.get(column, "") for column in header])
    sheet.freeze_panes(1, 0)
    _help_sheet(workbook)
    workbook.close()
