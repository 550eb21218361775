"""Aiken: Moodle's simplest format, single-choice questions only.

    The Moodle project was started by:
    A) Petr Skoda
    B) Martin Dougiamas
    ANSWER: B

The stem may run over several lines (until the first option); options are lettered from A
in order, `A)` or `A.`, with or without a space after; `ANSWER: X` closes the question.
Blank lines are ignored. The text is plain: it is stored as HTML that shows it exactly
(`<` stays a character, as Moodle's own importer does with htmlspecialchars). Aiken carries
no marks, negative marks, topic or subject: imported questions get the defaults (1 mark).
"""

import io
import re
from collections.abc import Iterable, Iterator

from apps.questions.choices import QuestionType, TextFormat
from apps.questions.formats.items import (
    DEFAULT_LANGUAGE,
    ExportRecord,
    NotExpressible,
    ParsedItem,
    html_to_plain,
    plain_to_html,
    primary_language,
    skip,
)

_OPTION = re.compile(r"^([A-Z])[.)]\s*(.*)$")
_ANSWER = re.compile(r"^ANSWER\s*:\s*(.*)$", re.IGNORECASE)
MAX_LINE = 100_000


class _Question:
    def __init__(self, position: int, line: int):
        self.position = position
        self.line = line
        self.stem: list[str] = []
        self.options: list[str] = []
        self.stray = False  # an option came before any question text


def _finish(question: _Question, answer: str, line: int) -> ParsedItem:
    where = f"line {line}"
    if question.stray or not question.stem:
        return skip(question.position, question.line, f"An option comes before any question text ({where}).")
    if len(question.options) < 2:
        return skip(
            question.position,
            question.line,
            f"A question needs at least two options; this one has {len(question.options)} ({where}).",
            field_name="options",
        )
    letter = answer.strip()[:1].upper()
    index = ord(letter) - ord("A") if letter.isascii() and letter.isalpha() else -1
    if not 0 <= index < len(question.options):
        last = chr(ord("A") + len(question.options) - 1)
        return skip(
            question.position,
            question.line,
            f"ANSWER must be one of the option letters A-{last}, not {answer.strip()!r} ({where}).",
            field_name="answer",
        )
    content = {
        "type": QuestionType.SINGLE,
        "text_format": TextFormat.HTML,
        "text": {DEFAULT_LANGUAGE: plain_to_html("\n".join(question.stem))},
        "options": [
            {"text": {DEFAULT_LANGUAGE: plain_to_html(text)}, "correct": i == index}
            for i, text in enumerate(question.options)
        ],
    }
    return ParsedItem(position=question.position, line=question.line, content=content)


def _lines(handle) -> Iterator[tuple[int, str | None]]:
    """(line number, text) of a UTF-8 file; text None once it stops being UTF-8 text."""
    text = io.TextIOWrapper(handle, encoding="utf-8-sig", newline=None)
    number = 0
    try:
        while True:
            line = text.readline(MAX_LINE)
            if not line:
                return
            number += 1
            if "\x00" in line:
                yield number, None
                return
            yield number, line.rstrip("\n")
    except UnicodeDecodeError:
        yield number + 1, None
    finally:
        text.detach()


def parse(handle) -> Iterator[ParsedItem]:
    """The questions of an Aiken file (a binary file object), in order."""
    current: _Question | None = None
    position = 0
    for number, line in _lines(handle):
        if line is None:
            position += 1
            yield skip(position, number, f"The file stops being UTF-8 text at line {number}; the rest is not read.")
            return
        text = line.strip()
        if not text:
            continue
        answer = _ANSWER.match(text)
        option = _OPTION.match(text)
        if answer:
            if current is None:
                position += 1
                yield skip(position, number, f"An ANSWER line without a question (line {number}).")
            else:
                yield _finish(current, answer.group(1), number)
            current = None
        elif option and (current is None or option.group(1) == chr(ord("A") + len(current.options))):
            if current is None:
                position += 1
                current = _Question(position, number)
                current.stray = True
            current.options.append(option.group(2).strip())
        elif current is not None and current.options:
            # Question text after options: the previous question never got its ANSWER line.
            if current.stray:
                reason = f"An option comes before any question text (line {current.line})."
            else:
                reason = f"The question has no ANSWER line before the next question starts (line {number})."
            yield skip(current.position, current.line, reason)
            position += 1
            current = _Question(position, number)
            current.stem.append(text)
        else:
            if current is None:
                position += 1
                current = _Question(position, number)
            current.stem.append(text)
    if current is not None:
        yield skip(current.position, current.line, "The file ends before the question's ANSWER line.")


class Writer:
    """Aiken text: single-choice questions in one language; anything else is not expressible."""

    def __init__(self, out):
        self.out = out

    def write(self, record: ExportRecord) -> None:
        content = record.content
        if content["type"] != QuestionType.SINGLE:
            raise NotExpressible(f"Aiken carries single-choice questions only, not {content['type']}.")
        if len(content["options"]) > 26:
            raise NotExpressible("Aiken letters options A-Z only.")
        language = primary_language(content["text"])
        lines = _plain_lines(content["text"][language], content["text_format"])
        for index, option in enumerate(content["options"]):
            text = " ".join(_plain_lines(option["text"].get(language, ""), content["text_format"]))
            lines.append(f"{chr(ord('A') + index)}) {text}")
        correct = next(i for i, option in enumerate(content["options"]) if option["correct"])
        lines.append(f"ANSWER: {chr(ord('A') + correct)}")
        self.out.write(("\n".join(lines) + "\n\n").encode())

    def close(self) -> None:
        pass


def _plain_lines(text: str, text_format: str) -> list[str]:
    plain = html_to_plain(text) if text_format == TextFormat.HTML else text
    return [line.strip() for line in plain.split("\n") if line.strip()]


def write_all(records: Iterable[ExportRecord], out) -> None:
    writer = Writer(out)
    for record in records:
        writer.write(record)
