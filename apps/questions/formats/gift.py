r"""GIFT, Moodle's text format (docs/questions/formats.md has the full mapping).

    // a comment line
    $CATEGORY: $course$/top/Physics/Mechanics

    ::Title::[html]Question text{=right ~wrong ~%-25%wrong with a penalty}

Questions are separated by blank lines. The answer part in braces decides the kind, in the
order Moodle's own importer checks it: empty -> essay (descriptive); `#` -> numerical
(`{#12.5:0.1}`, `{#1..2}`, or several `=` answers of which the 100 % one is kept); a `~` ->
multiple choice (one `=` option: single; no `=` but positive `%w%` weights: multiple);
`=` with `->` -> matching (not supported); T/TRUE/F/FALSE -> true/false; anything else ->
short answer (not supported). Text after the closing brace makes a "missing word" question:
the braces become `_____` in the text. `\\ \~ \= \# \{ \} \:` are escaped characters and
`\n` a line break. Feedback (`#...` after an option) is not kept. GIFT carries no marks:
questions are imported with 1 mark, and a wrong option's negative weight gives negative
marks as that fraction of the mark.
"""

import io
import re
from collections.abc import Iterator
from decimal import Decimal

from apps.questions.choices import QuestionType, TextFormat
from apps.questions.formats.items import (
    DEFAULT_LANGUAGE,
    ExportRecord,
    ParsedItem,
    category_parts,
    category_path,
    decimal_text,
    format_decimal,
    penalty_marks,
    penalty_percent,
    plain_to_html,
    primary_language,
    skip,
    true_false_options,
)

MAX_LINE = 100_000
MAX_BLOCK_LINES = 10_000

# Escaped characters become private-use characters while the markup is read.
_ESCAPES = {"\\\\": "\ue000", "\\~": "\ue001", "\\=": "\ue002", "\\#": "\ue003", "\\{": "\ue004", "\\}": "\ue005"}
_ESCAPES |= {"\\:": "\ue006", "\\n": "\ue007", "\\-": "\ue008"}
_UNESCAPE = {"\ue000": "\\", "\ue001": "~", "\ue002": "=", "\ue003": "#", "\ue004": "{", "\ue005": "}"}
_UNESCAPE |= {"\ue006": ":", "\ue007": "\n", "\ue008": "-"}
_ESCAPE_RE = re.compile("|".join(re.escape(k) for k in _ESCAPES))
_UNESCAPE_RE = re.compile("[\ue000-\ue008]")
_TITLE = re.compile(r"^::(.*?)::", re.DOTALL)
_FORMAT = re.compile(r"^\s*\[(html|moodle|plain|markdown)\]", re.IGNORECASE)
_WEIGHT = re.compile(r"^%(-?\d+(?:\.\d+)?)%")
_TRUE_FALSE = {"T": True, "TRUE": True, "F": False, "FALSE": False}


def _escape_markup(text: str) -> str:
    return _ESCAPE_RE.sub(lambda m: _ESCAPES[m.group(0)], text)


def _unescape(text: str) -> str:
    return _UNESCAPE_RE.sub(lambda m: _UNESCAPE[m.group(0)], text)


def _blocks(handle) -> Iterator[tuple[int, list[str] | str]]:
    """(first line number, lines) of each blank-line-separated block, comment lines dropped;
    (line, reason) when the file cannot be read on."""
    text = io.TextIOWrapper(handle, encoding="utf-8-sig", newline=None)
    block: list[str] = []
    start = number = 0
    try:
        while True:
            line = text.readline(MAX_LINE + 1)
            if not line:
                break
            number += 1
            if "\x00" in line:
                yield number, f"The file is binary from line {number}; the rest is not read."
                return
            if len(line) > MAX_LINE:
                yield number, f"Line {number} is longer than {MAX_LINE:,} characters; the rest is not read."
                return
            stripped = line.strip()
            if not stripped:
                if block:
                    yield start, block
                block = []
                continue
            if stripped.startswith("//"):
                continue
            if not block:
                start = number
            block.append(line.rstrip("\n"))
            if len(block) > MAX_BLOCK_LINES:
                yield start, f"The question at line {start} runs over {MAX_BLOCK_LINES:,} lines; the rest is not read."
                return
    except UnicodeDecodeError:
        yield number + 1, f"The file stops being UTF-8 text at line {number + 1}; the rest is not read."
        return
    finally:
        text.detach()
    if block:
        yield start, block


def parse(handle) -> Iterator[ParsedItem]:
    """The questions of a GIFT file (a binary file object), in order."""
    category = None
    position = 0
    for line, block in _blocks(handle):
        if isinstance(block, str):
            position += 1
            yield skip(position, line, block)
            return
        if block[0].strip().startswith("$CATEGORY:"):
            category = category_path(category_parts(block[0].strip()[len("$CATEGORY:") :]))
            block = block[1:]
            line += 1
            if not block:
                continue
        position += 1
        item = _question(position, line, "\n".join(block))
        item.category = category
        yield item


def _question(position: int, line: int, raw: str) -> ParsedItem:
    text = _escape_markup(raw.strip())
    name = ""
    title = _TITLE.match(text)
    if title:
        name = _unescape(title.group(1)).strip()
        text = text[title.end() :]
    text_format, as_html = TextFormat.HTML, False
    declared = _FORMAT.match(text)
    if declared:
        kind = declared.group(1).lower()
        text = text[declared.end() :]
        if kind == "markdown":
            text_format = TextFormat.MARKDOWN
        elif kind == "plain":
            as_html = True
    text = text.strip()

    def skipped(reason: str, field_name: str = "") -> ParsedItem:
        return skip(position, line, reason, name=name, field_name=field_name)

    opening = text.find("{")
    if opening == -1:
        return skipped("No answer part in braces: a description, not a question (not supported).")
    closing = text.find("}", opening)
    if closing == -1:
        return skipped("The answer part opened with { is never closed with }.")
    answer = text[opening + 1 : closing].strip()
    after = text[closing + 1 :].strip()
    # As Moodle does: text after the answer part makes it a "missing word" question.
    stem = text[:opening] + "_____" + text[closing + 1 :] if after else text[:opening]
    if "{" in after or "}" in after:
        return skipped("More than one answer part in braces (a cloze question, not supported).")

    def render(value: str) -> str:
        value = _unescape(value).strip()
        return plain_to_html(value) if as_html else value

    content = {"text_format": text_format, "text": {DEFAULT_LANGUAGE: render(stem)}}
    if answer == "":
        return _item(position, line, name, {**content, "type": QuestionType.DESCRIPTIVE})
    if answer.startswith("#"):
        numeric = _numeric(answer[1:])
        if isinstance(numeric, str):
            return skipped(numeric, "answer")
        return _item(position, line, name, {**content, "type": QuestionType.NUMERIC, "answer": numeric})
    if "~" in answer:
        choice = _choices(answer, render)
        if isinstance(choice, str):
            return skipped(choice, "options")
        return _item(position, line, name, {**content, **choice})
    if "=" in answer and "->" in answer:
        return skipped("A matching question (not supported).")
    verdict = _TRUE_FALSE.get(answer.split("#", 1)[0].strip())
    if verdict is not None:
        options = true_false_options(verdict)
        return _item(position, line, name, {**content, "type": QuestionType.TRUE_FALSE, "options": options})
    return skipped("A short-answer question (typed answers are not supported).")


def _item(position, line, name, content) -> ParsedItem:
    return ParsedItem(position=position, line=line, name=name, content=content)


def _choices(answer: str, render) -> dict | str:
    options, weights = [], []
    for part in answer.replace("=", "~=").split("~"):
        part = part.strip()
        if not part:
            continue
        weight = Decimal(0)
        if part.startswith("="):
            weight, part = Decimal(100), part[1:]
        else:
            declared = _WEIGHT.match(part)
            if declared:
                weight, part = Decimal(declared.group(1)), part[declared.end() :]
        text = render(part.split("#", 1)[0])
        options.append(text)
        weights.append(weight)
    full = [i for i, w in enumerate(weights) if w >= 100]
    positive = [i for i, w in enumerate(weights) if w > 0]
    if len(full) > 1:
        return (
            "More than one option is fully right (=); give each right option a %weight% for a multiple-answer question."
        )
    if full:
        kind, correct = QuestionType.SINGLE, set(full)
    elif positive:
        kind, correct = QuestionType.MULTIPLE, set(positive)
    else:
        return "No option is right (mark it with = or a positive %weight%)."
    penalties = [w for i, w in enumerate(weights) if i not in correct and w < 0]
    content = {
        "type": kind,
        "options": [{"text": {DEFAULT_LANGUAGE: text}, "correct": i in correct} for i, text in enumerate(options)],
    }
    if penalties:
        content["negative_marks"] = penalty_marks(Decimal(1), min(penalties))
    return content


def _numeric(answer: str) -> dict | str:
    answer = answer.strip()
    if answer.startswith("="):
        chosen = None
        for part in answer.split("=")[1:]:
            part = part.split("#", 1)[0].strip()
            declared = _WEIGHT.match(part)
            weight = Decimal(declared.group(1)) if declared else Decimal(100)
            if declared:
                part = part[declared.end() :]
            if weight >= 100:
                chosen = part
                break
        if chosen is None:
            return "No numerical answer carries full marks."
        answer = chosen
    else:
        answer = answer.split("#", 1)[0].strip()
    answer = _unescape(answer).strip()
    if ".." in answer:
        low, _, high = answer.partition("..")
        low_text, high_text = decimal_text(low), decimal_text(high)
        if low_text is None or high_text is None:
            return f"{answer!r} is not a range of two numbers (1..2)."
        return {"min": low_text, "max": high_text}
    value, _, tolerance = answer.partition(":")
    value_text = decimal_text(value)
    tolerance_text = decimal_text(tolerance) if tolerance.strip() else "0"
    if value_text is None or tolerance_text is None:
        return f"{answer!r} is not a number with an optional tolerance (12.5:0.1)."
    return {"value": value_text, "tolerance": tolerance_text}


# --- writing ------------------------------------------------------------------------------

_SPECIAL = re.compile(r"[\\~=#{}:]")


def escape(text: str) -> str:
    """GIFT text for `text`: control characters escaped, line breaks as \\n."""
    return _SPECIAL.sub(lambda m: "\\" + m.group(0), text).replace("\r\n", "\n").replace("\n", "\\n")


def _weight(percent: Decimal) -> str:
    return f"%{format_decimal(percent)}%"


class Writer:
    """GIFT text, one question after another, a `$CATEGORY:` line where subject or topic changes.

    One language (English when present); marks are not carried (GIFT has none), negative
    marks as a negative weight on the wrong options, relative to the marks."""

    def __init__(self, out):
        self.out = out
        self.category = None

    def write(self, record: ExportRecord) -> None:
        content = record.content
        category = category_path(["top", record.subject, *[p for p in content["topic"].split("/") if p]])
        parts = []
        if category != self.category:
            parts.append(f"$CATEGORY: $course$/{category}\n\n")
            self.category = category
        language = primary_language(content["text"])
        tag = "[markdown]" if content["text_format"] == TextFormat.MARKDOWN else "[html]"
        parts.append(f"// question {record.number}\n::Q{record.number}::{tag}{escape(content['text'][language])}")
        parts.append(self._answer(content, language))
        parts.append("\n\n")
        self.out.write("".join(parts).encode())

    def _answer(self, content: dict, language: str) -> str:
        kind = content["type"]
        if kind == QuestionType.DESCRIPTIVE:
            return "{}"
        if kind == QuestionType.NUMERIC:
            answer = content["answer"]
            if "min" in answer:
                return f"{{#{answer['min']}..{answer['max']}}}"
            return f"{{#{answer['value']}:{answer['tolerance']}}}"
        options = content["options"]
        if kind == QuestionType.TRUE_FALSE:
            return "{TRUE}" if options[0]["correct"] else "{FALSE}"
        penalty = penalty_percent(content["marks"], content["negative_marks"])
        right = sum(1 for option in options if option["correct"])
        lines = []
        for option in options:
            text = escape(option["text"].get(language, ""))
            if option["correct"] and kind == QuestionType.SINGLE:
                mark = "="
            elif option["correct"]:
                mark = "~" + _weight((Decimal(100) / right).quantize(Decimal("0.00001")))
            else:
                mark = "~" + (_weight(penalty) if penalty else "")
            lines.append(f"\t{mark}{text}")
        return "{\n" + "\n".join(lines) + "\n}"

    def close(self) -> None:
        pass
