"""Moodle XML, the format Moodle exports question banks in (docs/questions/formats.md).

    <quiz>
      <question type="category"><category><text>$course$/top/Physics/Mechanics</text></category></question>
      <question type="multichoice">
        <name><text>Q1</text></name>
        <questiontext format="html"><text><![CDATA[<p>...</p>]]></text>
          <file name="fig.png" path="/" encoding="base64">iVBOR...</file></questiontext>
        <defaultgrade>4</defaultgrade>
        <single>true</single>
        <answer fraction="100" format="html"><text>...</text></answer>
        <answer fraction="-25" format="html"><text>...</text></answer>
      </question>
    </quiz>

Supported: `multichoice` (single: the 100 % option is right; multiple: every option with a
positive fraction is), `truefalse`, `numerical` (the 100 % answer and its tolerance) and
`essay` (descriptive; the grader information is the model answer). A category "question"
sets the category of those after it. `defaultgrade` gives the marks; the most negative
fraction on a wrong option gives the negative marks (-25 % of 4 marks = 1). Every other
kind is reported and skipped. Text formats: `html` stays HTML (cleaned), `moodle_auto_format`
is HTML whose line breaks count, `plain_text` is shown as written, `markdown` stays Markdown.
Images in `<file encoding="base64">` become attachments, checked by content on import.
"""

import base64
import binascii
import re
from collections.abc import Iterator
from decimal import Decimal, InvalidOperation
from xml.sax.saxutils import escape, quoteattr

from apps.questions.choices import QuestionType, TextFormat
from apps.questions.formats.items import (
    DEFAULT_LANGUAGE,
    Attachment,
    ExportRecord,
    ParsedItem,
    category_parts,
    category_path,
    decimal_text,
    format_decimal,
    html_to_plain,
    penalty_marks,
    penalty_percent,
    plain_to_html,
    primary_language,
    skip,
    true_false_options,
)
from apps.questions.formats.safexml import XMLRefused, iter_children
from apps.questions.richtext import to_html

DEFAULT_MAX_BYTES = 200 * 1024 * 1024
MAX_FILES_PER_QUESTION = 20

UNSUPPORTED = {
    "shortanswer": "a short-answer question (typed answers are not supported)",
    "match": "a matching question (not supported)",
    "matching": "a matching question (not supported)",
    "cloze": "an embedded-answers (cloze) question (not supported)",
    "multianswer": "an embedded-answers (cloze) question (not supported)",
    "ddwtos": "a drag-and-drop into text question (not supported)",
    "ddimageortext": "a drag-and-drop onto image question (not supported)",
    "ddmarker": "a drag-and-drop markers question (not supported)",
    "gapselect": "a select-missing-words question (not supported)",
    "calculated": "a calculated question (not supported)",
    "calculatedsimple": "a simple calculated question (not supported)",
    "calculatedmulti": "a calculated multichoice question (not supported)",
    "description": "a description, not a question (not supported)",
    "randomsamatch": "a random short-answer matching question (not supported)",
}


def _text(element, path: str = "text") -> str:
    found = element.find(path) if element is not None else None
    return (found.text or "") if found is not None else ""


def _texted(element, *, question_format: str | None = None) -> tuple[str, str]:
    """(text format, text) of an element holding `<text>` with a Moodle `format` attribute;
    with `question_format`, converted to that format (options follow their question)."""
    raw = _text(element).strip()
    moodle = (element.get("format") if element is not None else None) or "html"
    if moodle == "markdown":
        text_format, text = TextFormat.MARKDOWN, raw
    elif moodle == "plain_text":
        text_format, text = TextFormat.HTML, plain_to_html(raw)
    elif moodle == "moodle_auto_format":
        text_format, text = TextFormat.HTML, raw.replace("\r\n", "\n").replace("\n", "<br>")
    else:
        text_format, text = TextFormat.HTML, raw
    if question_format is None or question_format == text_format:
        return text_format, text
    if question_format == TextFormat.HTML:
        return question_format, to_html(text, text_format)
    return question_format, html_to_plain(text)


def _fraction(answer) -> Decimal | None:
    try:
        value = Decimal((answer.get("fraction") or "0").strip())
    except InvalidOperation:
        return None
    return value if value.is_finite() else None


def _marks(question) -> Decimal | None:
    raw = _text(question, "defaultgrade").strip()
    if not raw:
        return Decimal(1)
    text = decimal_text(raw)
    return Decimal(text).quantize(Decimal("0.01")) if text is not None else None


def parse(handle, *, max_bytes: int = DEFAULT_MAX_BYTES) -> Iterator[ParsedItem]:
    """The questions of a Moodle XML file (a binary file object), in order."""
    category = None
    position = 0
    line = 1
    try:
        for element, line in iter_children(handle, root="quiz", max_bytes=max_bytes):
            if element.tag != "question":
                continue
            kind = element.get("type") or ""
            if kind == "category":
                category = category_path(category_parts(_text(element, "category/text")))
                continue
            position += 1
            item = _question(position, line, kind, element)
            item.category = category
            yield item
    except XMLRefused as exc:
        position += 1
        yield skip(position, exc.line, f"{exc} at line {exc.line}; the rest of the file is not read.")
    except (OSError, ValueError) as exc:
        position += 1
        yield skip(position, line, f"The file cannot be read: {exc}; the rest is not read.")


def _question(position: int, line: int, kind: str, element) -> ParsedItem:
    name = _text(element, "name/text").strip()

    def skipped(reason: str, field_name: str = "") -> ParsedItem:
        return skip(position, line, reason, name=name, field_name=field_name)

    if kind in UNSUPPORTED:
        return skipped(UNSUPPORTED[kind][0].upper() + UNSUPPORTED[kind][1:] + ".")
    if kind not in ("multichoice", "truefalse", "numerical", "essay"):
        return skipped(f"The Moodle question type {kind!r} is not supported.")
    marks = _marks(element)
    if marks is None:
        return skipped(f"defaultgrade {_text(element, 'defaultgrade')!r} is not a number.", "marks")
    questiontext = element.find("questiontext")
    text_format, text = _texted(questiontext)
    content = {"text_format": text_format, "text": {DEFAULT_LANGUAGE: text}, "marks": marks}
    tags = [(_text(tag) or "").strip() for tag in element.findall("tags/tag")]
    if tags:
        content["tags"] = [tag for tag in tags if tag]
    attachments = []
    for index, file in enumerate(questiontext.findall("file") if questiontext is not None else []):
        if index >= MAX_FILES_PER_QUESTION:
            return skipped(f"More than {MAX_FILES_PER_QUESTION} files in the question text.")
        if (file.get("encoding") or "base64") != "base64":
            return skipped(f"The file {file.get('name')!r} is not base64-encoded.")
        try:
            data = base64.b64decode("".join((file.text or "").split()), validate=True)
        except (binascii.Error, ValueError):
            return skipped(f"The file {file.get('name')!r} is not valid base64.")
        attachments.append(Attachment(name=(file.get("name") or f"image{index + 1}")[:200], data=data))
    answers = element.findall("answer")
    fractions = [_fraction(answer) for answer in answers]
    if any(f is None for f in fractions):
        return skipped("An answer's fraction is not a number.", "options")

    if kind == "essay":
        content["type"] = QuestionType.DESCRIPTIVE
        grader = element.find("graderinfo")
        _, model = _texted(grader, question_format=text_format) if grader is not None else ("", "")
        if model.strip():
            content["model_answer"] = {DEFAULT_LANGUAGE: model}
    elif kind == "numerical":
        chosen = next((a for a, f in zip(answers, fractions, strict=True) if f >= 100), None)
        if chosen is None:
            return skipped("No numerical answer carries full marks.", "answer")
        value = decimal_text(_text(chosen))
        tolerance = decimal_text(_text(chosen, "tolerance") or "0")
        if value is None or tolerance is None:
            return skipped(f"The answer {_text(chosen)!r} is not a number with a numeric tolerance.", "answer")
        content["type"] = QuestionType.NUMERIC
        content["answer"] = {"value": value, "tolerance": format_decimal(abs(Decimal(tolerance)))}
    else:
        options = []
        for answer in answers:
            _, option_text = _texted(answer, question_format=text_format)
            options.append(option_text)
        if kind == "truefalse":
            right = [_text(a).strip().lower() for a, f in zip(answers, fractions, strict=True) if f >= 100]
            if len(right) != 1 or right[0] not in ("true", "false"):
                return skipped("A true/false question needs exactly one right answer, true or false.", "options")
            content["type"] = QuestionType.TRUE_FALSE
            content["options"] = true_false_options(right[0] == "true")
            correct = {0 if right[0] == "true" else 1}
        else:
            single = _text(element, "single").strip().lower() in ("true", "1")
            full = {i for i, f in enumerate(fractions) if f >= 100}
            if single:
                if len(full) != 1:
                    return skipped(
                        f"A one-answer question needs exactly one option at 100 %, not {len(full)}.", "options"
                    )
                correct = full
            else:
                correct = {i for i, f in enumerate(fractions) if f > 0}
                if not correct:
                    return skipped("No option carries a positive fraction.", "options")
            content["type"] = QuestionType.SINGLE if single else QuestionType.MULTIPLE
            content["options"] = [
                {"text": {DEFAULT_LANGUAGE: text}, "correct": i in correct} for i, text in enumerate(options)
            ]
        penalties = [f for i, f in enumerate(fractions) if i not in correct and f < 0]
        if penalties:
            content["negative_marks"] = penalty_marks(marks, min(penalties))
    return ParsedItem(position=position, line=line, name=name, content=content, attachments=attachments)


# --- writing ------------------------------------------------------------------------------

_FORMAT = {TextFormat.HTML: "html", TextFormat.MARKDOWN: "markdown"}
_SAFE_NAME = re.compile(r"[^A-Za-z0-9._-]")


def _text_element(text: str) -> str:
    return f"<text>{escape(text)}</text>"


class Writer:
    """Moodle XML for every type, one language (English when present), images as files."""

    def __init__(self, out):
        self.out = out
        self.category = None
        self.out.write(b'<?xml version="1.0" encoding="UTF-8"?>\n<quiz>\n')

    def write(self, record: ExportRecord) -> None:
        content = record.content
        parts = []
        category = category_path(["top", record.subject, *[p for p in content["topic"].split("/") if p]])
        if category != self.category:
            self.category = category
            parts.append(
                '  <question type="category">\n'
                f"    <category>{_text_element('$course$/' + category)}</category>\n"
                "  </question>\n"
            )
        language = primary_language(content["text"])
        text_format = _FORMAT[content["text_format"]]
        kind = content["type"]
        moodle_type = {
            QuestionType.SINGLE: "multichoice",
            QuestionType.MULTIPLE: "multichoice",
            QuestionType.TRUE_FALSE: "truefalse",
            QuestionType.NUMERIC: "numerical",
            QuestionType.DESCRIPTIVE: "essay",
        }[kind]
        files = "".join(
            f'\n      <file name={quoteattr(_SAFE_NAME.sub("_", image.name))} path="/" encoding="base64">'
            f"{base64.b64encode(image.data).decode()}</file>"
            for image in record.images
        )
        parts.append(
            f'  <question type="{moodle_type}">\n'
            f"    <name>{_text_element(f'Q{record.number}')}</name>\n"
            f'    <questiontext format="{text_format}">\n      {_text_element(content["text"][language])}{files}\n'
            "    </questiontext>\n"
            f"    <defaultgrade>{format_decimal(Decimal(str(content['marks'])))}</defaultgrade>\n"
        )
        penalty = penalty_percent(content["marks"], content["negative_marks"])
        if kind in (QuestionType.SINGLE, QuestionType.MULTIPLE):
            right = sum(1 for option in content["options"] if option["correct"])
            share = Decimal(100) if kind == QuestionType.SINGLE else (Decimal(100) / right).quantize(Decimal("0.00001"))
            parts.append(f"    <single>{'true' if kind == QuestionType.SINGLE else 'false'}</single>\n")
            parts.append("    <shuffleanswers>true</shuffleanswers>\n    <answernumbering>ABCD</answernumbering>\n")
            for option in content["options"]:
                fraction = share if option["correct"] else penalty
                parts.append(
                    f'    <answer fraction="{format_decimal(fraction)}" format="{text_format}">'
                    f"{_text_element(option['text'].get(language, ''))}</answer>\n"
                )
        elif kind == QuestionType.TRUE_FALSE:
            true_right = content["options"][0]["correct"]
            for word, right in (("true", true_right), ("false", not true_right)):
                fraction = Decimal(100) if right else penalty
                parts.append(
                    f'    <answer fraction="{format_decimal(fraction)}" format="moodle_auto_format">'
                    f"{_text_element(word)}</answer>\n"
                )
        elif kind == QuestionType.NUMERIC:
            answer = content["answer"]
            if "min" in answer:  # Moodle has no range: the same interval as a value and a tolerance
                low, high = Decimal(answer["min"]), Decimal(answer["max"])
                value, tolerance = (low + high) / 2, (high - low) / 2
            else:
                value, tolerance = Decimal(answer["value"]), Decimal(answer["tolerance"])
            parts.append(
                f'    <answer fraction="100" format="moodle_auto_format">{_text_element(format_decimal(value))}'
                f"<tolerance>{format_decimal(tolerance)}</tolerance></answer>\n"
            )
        else:
            model = content["model_answer"].get(language, "")
            parts.append(
                "    <responseformat>editor</responseformat>\n"
                f'    <graderinfo format="{text_format}">{_text_element(model)}</graderinfo>\n'
            )
        if content["tags"]:
            tags = "".join(f"<tag>{_text_element(tag)}</tag>" for tag in content["tags"])
            parts.append(f"    <tags>{tags}</tags>\n")
        parts.append("  </question>\n")
        self.out.write("".join(parts).encode())

    def close(self) -> None:
        self.out.write(b"</quiz>\n")
