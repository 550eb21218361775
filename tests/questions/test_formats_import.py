"""The import and export services: Moodle's real files, subjects and who may import where,
dry runs, round trips through every format, a workbook made by LibreOffice, a bomb."""

import io
from decimal import Decimal

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from apps.questions.formats.exporting import export_questions
from apps.questions.formats.importing import import_questions
from apps.questions.models import HistoryAction, Question, QuestionHistory, QuestionImage, Subject
from tests.questions.formats_support import (
    AIKEN_ERRORS,
    AIKEN_GOOD,
    GIFT_EXAMPLES,
    LIBREOFFICE_XLSX,
    MOODLE_XML,
    add_question,
    every_type,
    imported_from,
    option_list,
    snapshot,
    xlsx_bomb,
)
from utils.exceptions import ApplicationError

pytestmark = pytest.mark.django_db


def run(path, user, **options):
    options.setdefault("format", None)
    return import_questions(source=path, user=user, **options)


def test_moodle_xml_sample_creates_its_subject_for_an_admin(admin):
    report = run(MOODLE_XML, admin)
    assert (report.found, report.imported, report.skipped_count) == (5, 5, 0)
    assert report.by_type == {"descriptive": 1, "true_false": 4}
    assert report.subjects_created == ["IOTA"]
    iota = Subject.objects.get(code="IOTA")
    assert iota.name == "Iota"
    questions = imported_from(MOODLE_XML.name)
    assert [(q.topic, q.type, q.status) for q in questions.order_by("number")] == [
        ("", "true_false", "draft"),
        ("Kappa", "descriptive", "draft"),
        ("Kappa", "true_false", "draft"),
        ("Kappa/Lambda", "true_false", "draft"),
        ("Mu", "true_false", "draft"),
    ]
    lambda_question = questions.get(topic="Kappa/Lambda")
    assert lambda_question.text == {"en": "<p>Testing Lambda Question</p>"}
    assert [o["correct"] for o in lambda_question.options] == [True, False]
    assert lambda_question.source == "moodle_xml_nested_categories.xml #4 (Lambda Question)"
    assert lambda_question.author == admin
    history = QuestionHistory.objects.filter(question__in=questions)
    assert history.count() == 5 and set(history.values_list("action", flat=True)) == {HistoryAction.IMPORTED}


def test_a_setter_cannot_create_subjects_and_each_question_says_so(setter):
    report = run(MOODLE_XML, setter)
    assert report.imported == 0 and report.skipped_count == 5
    assert report.skipped[0]["reason"] == (
        "The category 'Iota' names no subject of the bank (an admin's import would create it)."
    )
    assert report.skipped[0]["field"] == "category"
    assert not Subject.objects.filter(code="IOTA").exists()


def test_a_setter_imports_into_assigned_subjects_only(setter, chemistry):
    data = b"$CATEGORY: PHY/Optics\n\nLight is a wave.{T}\n\n$CATEGORY: Chemistry\n\nWater is H2O.{T}\n"
    report = import_questions(source=io.BytesIO(data), format="gift", user=setter, name="mixed.gift")
    assert report.imported == 1
    assert report.skipped == [
        {
            "position": 2,
            "line": 7,
            "reason": "You are not assigned to the subject CHE (category 'Chemistry').",
            "field": "category",
        }
    ]
    assert Question.objects.get().subject.code == "PHY"
    with pytest.raises(ApplicationError) as refused:
        run(GIFT_EXAMPLES, setter, subject="CHE")
    assert refused.value.status_code == 403


def test_subject_overrides_the_categories(admin, physics):
    report = run(MOODLE_XML, admin, subject="PHY")
    assert report.imported == 5 and report.subjects_created == []
    topics = sorted(imported_from(MOODLE_XML.name).values_list("topic", flat=True))
    assert topics == ["Iota", "Iota/Kappa", "Iota/Kappa", "Iota/Kappa/Lambda", "Iota/Mu"]
    assert set(imported_from(MOODLE_XML.name).values_list("subject__code", flat=True)) == {"PHY"}


def test_gift_examples_exact_counts_and_answers(admin, physics):
    report = run(GIFT_EXAMPLES, admin, subject="PHY")
    assert (report.found, report.imported, report.skipped_count) == (43, 31, 12)
    assert report.by_type == {"multiple": 2, "numeric": 8, "single": 16, "true_false": 5}
    assert {(s["position"], s["line"]) for s in report.skipped} >= {(4, 14), (14, 55), (21, 90), (39, 177)}
    pi = Question.objects.get(source="moodle_gift_examples.txt #18")
    assert pi.answer == {"min": "3.141", "max": "3.142"}
    tomb = Question.objects.get(source="moodle_gift_examples.txt #31")
    assert [o["text"]["en"] for o in tomb.options if o["correct"]] == ["Grant", "Grant's wife"]
    assert (tomb.marks, tomb.negative_marks) == (Decimal("1"), Decimal("0.5"))


def test_aiken_files_exact_counts_and_answers(admin, physics):
    good = run(AIKEN_GOOD, admin, subject="PHY")
    assert (good.imported, good.skipped_count) == (2, 0)
    moodle = Question.objects.get(source="moodle_aiken_questions.txt #1")
    assert [o["text"]["en"] for o in moodle.options if o["correct"]] == ["Martin Dougiamas"]
    errors = run(AIKEN_ERRORS, admin, subject="PHY")
    assert (errors.found, errors.imported, errors.skipped_count) == (5, 2, 3)
    assert [(s["position"], s["line"]) for s in errors.skipped] == [(1, 1), (2, 5), (4, 14)]


def test_aiken_needs_a_subject(admin):
    with pytest.raises(ApplicationError, match="names no subject"):
        run(AIKEN_GOOD, admin)


def test_dry_run_changes_nothing(admin):
    report = run(MOODLE_XML, admin, dry_run=True)
    assert (report.imported, report.subjects_created, report.dry_run) == (5, ["IOTA"], True)
    assert not Subject.objects.exists() and not Question.objects.exists() and not QuestionHistory.objects.exists()


def test_libreoffice_workbook_imports_with_errors_by_row_and_column(admin, physics):
    report = run(LIBREOFFICE_XLSX, admin)
    assert report.format == "xlsx"
    assert (report.found, report.imported, report.skipped_count) == (8, 6, 2)
    assert report.skipped == [
        {
            "position": 7,
            "line": 8,
            "reason": "Row 8, column answer: 'G' is not a set of option letters A-C.",
            "field": "answer",
        },
        {"position": 8, "line": 9, "reason": "Row 9, column option_b: Same text as option A.", "field": "option_b"},
    ]
    ball = Question.objects.get(source="template_libreoffice.xlsx #1")
    assert ball.languages == ["en", "hi"]
    assert (ball.marks, ball.negative_marks, ball.topic, ball.tags) == (
        Decimal(4),
        Decimal(1),
        "Mechanics/Kinematics",
        ["kinematics", "motion"],
    )
    colours = Question.objects.get(source="template_libreoffice.xlsx #2")
    assert [o["text"]["en"] for o in colours.options if o["correct"]] == ["Red", "Green", "Blue"]
    laws = Question.objects.get(source="template_libreoffice.xlsx #6")
    assert laws.type == "descriptive" and laws.marking_scheme[0] == {
        "part": "a",
        "description": "the first law",
        "marks": "2",
    }


def test_a_bomb_workbook_is_refused_before_it_is_read(admin, physics):
    with pytest.raises(ApplicationError) as refused:
        import_questions(source=io.BytesIO(xlsx_bomb()), format=None, user=admin, name="bomb.xlsx")
    assert refused.value.code == "unreadable_file" and "XFD1048576" in refused.value.message
    assert not Question.objects.exists()


def test_images_are_checked_by_content(admin, physics):
    from tests.questions.test_formats_parsers import PNG, moodle

    def question(data: bytes) -> str:
        import base64

        return (
            '<question type="truefalse"><questiontext format="html"><text>Figure?</text>'
            f'<file name="f.png" encoding="base64">{base64.b64encode(data).decode()}</file></questiontext>'
            '<answer fraction="100"><text>true</text></answer><answer fraction="0"><text>false</text></answer>'
            "</question>"
        )

    source = moodle(question(PNG) + question(b"%PDF-1.4 not an image"))
    report = import_questions(source=source, format=None, user=admin, subject="PHY", name="img.xml")
    assert report.imported == 1 and report.images == 1
    assert "not a JPEG or PNG image" in report.skipped[0]["reason"]
    image = QuestionImage.objects.get()
    assert image.file.read().startswith(b"\x89PNG")


# --- round trips ---------------------------------------------------------------------------


def export(user, file_format, subject=None) -> bytes:
    buffer = io.BytesIO()
    export_questions(user=user, format=file_format, subject=subject, output=buffer)
    return buffer.getvalue()


def again(user, data: bytes, file_format: str, name: str, subject=None):
    report = import_questions(source=io.BytesIO(data), format=file_format, user=user, name=name, subject=subject)
    assert report.skipped_count == 0, report.skipped
    return imported_from(name)


@pytest.mark.parametrize(
    ("path", "file_format", "subject"),
    [
        (MOODLE_XML, "moodle_xml", None),
        (GIFT_EXAMPLES, "gift", "PHY"),
        (AIKEN_GOOD, "aiken", "PHY"),
        (LIBREOFFICE_XLSX, "xlsx", None),
    ],
)
def test_real_files_round_trip_through_their_own_format(admin, physics, path, file_format, subject):
    run(path, admin, subject=subject)
    first = snapshot(imported_from(path.name), as_exported=True)
    second = again(admin, export(admin, file_format), file_format, f"again.{file_format}", subject=subject)
    assert snapshot(second) == first


def test_every_type_round_trips_through_moodle_xml(admin, physics):
    originals = every_type(physics)
    data = export(admin, "moodle_xml")
    back = snapshot(again(admin, data, "moodle_xml", "back.xml"), fields=(*CARRIED_XML, "tags", "model_answer"))
    expected = snapshot(
        Question.objects.filter(pk__in=[q.pk for q in originals]),
        fields=(*CARRIED_XML, "tags", "model_answer"),
        as_exported=True,
    )
    # Moodle has no range: 1..2 comes back as the same interval, 1.5 with a tolerance of 0.5.
    ranged = next(row for row in expected if row["answer"] and "min" in row["answer"])
    ranged["answer"] = {"value": "1.5", "tolerance": "0.5"}
    assert back == expected


CARRIED_XML = ("type", "text", "text_format", "options", "answer", "marks", "negative_marks", "topic")


def test_every_type_round_trips_through_gift_without_marks(admin, physics):
    originals = every_type(physics)
    back = snapshot(again(admin, export(admin, "gift"), "gift", "back.gift"))
    expected = snapshot(Question.objects.filter(pk__in=[q.pk for q in originals]), as_exported=True)
    for row in expected:  # GIFT has no marks: 1 mark each, the penalty as the same fraction of it
        row["negative_marks"] = (row["negative_marks"] / row["marks"]).quantize(Decimal("0.01"))
        row["marks"] = Decimal(1)
    assert back == expected


def test_aiken_export_carries_single_choice_only(admin, physics):
    every_type(physics)
    buffer = io.BytesIO()
    report = export_questions(user=admin, format="aiken", output=buffer)
    assert report.written == 1 and len(report.left_out) == 5
    assert {entry["reason"] for entry in report.left_out} == {
        f"Aiken carries single-choice questions only, not {kind}."
        for kind in ("multiple", "true_false", "numeric", "descriptive")
    }
    back = again(admin, buffer.getvalue(), "aiken", "back.txt", subject="PHY").get()
    assert [o["text"]["en"] for o in back.options if o["correct"]] == ["Newton's second"]
    assert back.text == {"en": "Which law gives F = ma? {not a GIFT brace} ~ # : \\ done"}
    text = buffer.getvalue().decode()
    assert "ANSWER: B" in text and "A) Newton's first" in text


def test_every_type_in_two_languages_round_trips_through_xlsx(admin, physics):
    originals = every_type(physics, bilingual=True)
    fields = (*CARRIED_XML, "tags", "difficulty", "model_answer", "marking_scheme")
    back = snapshot(again(admin, export(admin, "xlsx"), "xlsx", "back.xlsx"), fields=fields)
    assert back == snapshot(Question.objects.filter(pk__in=[q.pk for q in originals]), fields=fields, as_exported=True)
    assert back[0]["text"]["hi"].endswith("(हिंदी)")


def test_a_setter_exports_only_assigned_subjects(setter, physics, chemistry):
    add_question(physics, type="true_false", text={"en": "Physics?"}, options=option_list(["True", "False"], [0]))
    add_question(chemistry, type="true_false", text={"en": "Chemistry?"}, options=option_list(["True", "False"], [0]))
    text = export(setter, "gift").decode()
    assert "Physics?" in text and "Chemistry?" not in text
    with pytest.raises(ApplicationError, match="no subject CHE"):
        export(setter, "gift", subject="CHE")


# --- commands --------------------------------------------------------------------------------


def test_commands_import_and_export(admin, physics, tmp_path, capsys):
    call_command("import_questions", "--file", str(GIFT_EXAMPLES), "--subject", "PHY", "--verbosity", "0")
    out = capsys.readouterr().out
    assert "imported 31" in out and "skipped 12" in out
    target = tmp_path / "bank.xml"
    call_command("export_questions", "--format", "moodle_xml", "--output", str(target), "--verbosity", "0")
    assert "Wrote 31 questions" in capsys.readouterr().out
    assert target.read_bytes().startswith(b'<?xml version="1.0" encoding="UTF-8"?>\n<quiz>')


def test_import_command_fails_when_nothing_imports(setter):
    with pytest.raises(CommandError, match="Nothing was imported"):
        call_command("import_questions", "--file", str(MOODLE_XML), "--user", setter.username, "--verbosity", "0")
    assert not Question.objects.exists()


def test_import_command_dry_run(admin, capsys):
    call_command("import_questions", "--file", str(MOODLE_XML), "--dry-run", "--verbosity", "0")
    assert capsys.readouterr().out.startswith("Dry run, nothing written.")
    assert not Question.objects.exists()
