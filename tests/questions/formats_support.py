"""Helpers of the formats suites: the real sample files, a bank covering every type, and
what a question looks like once imported (to compare round trips)."""

import io
import zipfile
from decimal import Decimal
from pathlib import Path

from django.core.files.uploadedfile import SimpleUploadedFile

from apps.questions.choices import QuestionStatus
from apps.questions.models import Question
from apps.questions.numbering import reserve_numbers
from apps.questions.validation import clean_content

DATA = Path(__file__).resolve().parent.parent / "data" / "questions"
AIKEN_GOOD = DATA / "moodle_aiken_questions.txt"
AIKEN_ERRORS = DATA / "moodle_aiken_errors.txt"
GIFT_EXAMPLES = DATA / "moodle_gift_examples.txt"
MOODLE_XML = DATA / "moodle_xml_nested_categories.xml"
LIBREOFFICE_XLSX = DATA / "template_libreoffice.xlsx"

CARRIED = ("type", "text", "text_format", "options", "answer", "marks", "negative_marks", "topic")


def snapshot(questions, fields=CARRIED, *, as_exported: bool = False) -> list[dict]:
    """The content of `questions` as plain data, in number order (or in the order an export
    writes them, by subject and topic, when `as_exported`)."""
    rows = []
    order = ("subject__code", "topic", "number") if as_exported else ("number",)
    for question in questions.order_by(*order):
        row = {name: getattr(question, name) for name in fields}
        row["subject"] = question.subject.code
        for name in ("marks", "negative_marks"):
            if name in row:
                row[name] = Decimal(row[name])
        rows.append(row)
    return rows


def imported_from(file_name: str):
    return Question.objects.filter(source__startswith=f"{file_name} #")


def add_question(subject, author=None, **content) -> Question:
    cleaned = clean_content(content)
    return Question.objects.create(
        subject=subject, number=reserve_numbers(1), status=QuestionStatus.DRAFT, author=author, **cleaned
    )


def option_list(texts: list[str], correct: list[int], *, hi: list[str] | None = None) -> list[dict]:
    options = []
    for i, text in enumerate(texts):
        option = {"text": {"en": text}, "correct": i in correct}
        if hi:
            option["text"]["hi"] = hi[i]
        options.append(option)
    return options


def every_type(subject, *, bilingual: bool = False) -> list[Question]:
    """One bank question of each type (and a range numeric), with awkward characters."""
    hi = {"hi": "प्रश्न"} if bilingual else {}

    def texts(en: str, hindi: str = "") -> dict:
        return {"en": en, **({"hi": hindi or f"{en} (हिंदी)"} if bilingual else {})}

    q = [
        add_question(
            subject,
            type="single",
            text=texts("Which law gives F = ma? {not a GIFT brace} ~ # : \\ done"),
            options=option_list(
                ["Newton's first", "Newton's second", "Hooke's", "Ohm's"],
                [1],
                hi=["न्यूटन का पहला", "न्यूटन का दूसरा", "हुक का", "ओम का"] if bilingual else None,
            ),
            marks="4",
            negative_marks="1",
            topic="Mechanics/Laws",
            difficulty="hard",
            tags=["laws", "newton"],
        ),
        add_question(
            subject,
            type="multiple",
            text_format="html",
            text=texts("<p>Which are <strong>vectors</strong>? a &lt; b</p>"),
            options=option_list(
                ["Velocity", "Speed", "Force", "Mass"], [0, 2], hi=["वेग", "चाल", "बल", "द्रव्यमान"] if bilingual else None
            ),
            marks="2",
            negative_marks="0.5",
            topic="Mechanics",
        ),
        add_question(
            subject,
            type="true_false",
            text=texts("Light travels faster than sound."),
            options=option_list(["True", "False"], [0], hi=["सत्य", "असत्य"] if bilingual else None),
            marks="1",
            topic="Optics",
        ),
        add_question(
            subject, type="numeric", text=texts("g in m/s²?"), answer={"value": "9.8", "tolerance": "0.1"}, marks="3"
        ),
        add_question(
            subject, type="numeric", text=texts("A value between 1 and 2?"), answer={"min": "1", "max": "2"}, marks="2"
        ),
        add_question(
            subject,
            type="descriptive",
            text=texts("Derive the equations of motion.\n\nShow each step."),
            model_answer=texts("v = u + at, then s = ut + at²/2."),
            marking_scheme=[{"part": "a", "marks": "3", "description": "first"}, {"part": "b", "marks": "2"}],
            marks="5",
            topic="Mechanics/Kinematics",
        ),
    ]
    del hi
    return q


def upload(path_or_bytes, name: str | None = None) -> SimpleUploadedFile:
    if isinstance(path_or_bytes, Path):
        return SimpleUploadedFile(name or path_or_bytes.name, path_or_bytes.read_bytes())
    return SimpleUploadedFile(name or "questions.txt", path_or_bytes)


def xlsx_bomb() -> bytes:
    """A template workbook with one cell at XFD1048576 and a used range that covers it: 512 GiB
    for the reader's grid, in a couple of kilobytes."""
    from apps.questions.formats import xlsx

    buffer = io.BytesIO()
    xlsx.write_template(buffer)
    source = zipfile.ZipFile(io.BytesIO(buffer.getvalue()))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for info in source.infolist():
            data = source.read(info)
            if info.filename == "xl/worksheets/sheet1.xml":
                data = data.replace(b'<dimension ref="', b'<dimension ref="A1:XFD1048576" x="')
                far = b'<row r="1048576"><c r="XFD1048576" t="inlineStr"><is><t>x</t></is></c></row></sheetData>'
                data = data.replace(b"</sheetData>", far)
            target.writestr(info.filename, data)
    return out.getvalue()
