"""export_candidates writes the import's columns; export -> import changes nothing."""

import csv
import datetime as dt

import pytest
from django.core.management import call_command
from python_calamine import CalamineWorkbook

from apps.candidates.models import Candidate
from apps.candidates.services.columns import COLUMNS
from apps.candidates.services.importing import candidates_import
from tests.candidates.conftest import SAMPLE_XLSX
from tests.factories import ExamFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def imported(db):
    exam = ExamFactory(code="EXAM2026")
    candidates_import(source=SAMPLE_XLSX)
    # Values the sample lacks: preferred cities and extra time.
    first = Candidate.objects.order_by("roll_number").first()
    Candidate.objects.filter(pk=first.pk).update(preferred_cities=["Pune", "Nagpur"], extra_time_minutes=20)
    return exam


def state():
    return list(Candidate.objects.order_by("roll_number").values_list("id", "version", "updated_at"))


@pytest.mark.parametrize("file_format", ["xlsx", "csv"])
def test_export_then_import_round_trips_unchanged(imported, tmp_path, file_format):
    before = state()
    output = tmp_path / f"out.{file_format}"
    call_command("export_candidates", "--exam", "EXAM2026", "--format", file_format, "--output", str(output))
    report = candidates_import(source=output)
    assert (report.rows, report.created, report.updated, report.unchanged, report.rejected) == (200, 0, 0, 200, 0)
    assert report.ignored_columns == []
    assert state() == before


def test_export_into_a_fresh_exam_reproduces_every_value(imported, tmp_path):
    output = tmp_path / "out.xlsx"
    call_command("export_candidates", "--exam", "EXAM2026", "--output", str(output))
    original = list(Candidate.objects.order_by("roll_number").values(*COLUMNS[:-1]))
    Candidate.objects.all().delete()
    candidates_import(source=output)
    assert list(Candidate.objects.order_by("roll_number").values(*COLUMNS[:-1])) == original


def test_xlsx_export_keeps_numbers_as_text_and_dates_as_dates(imported, tmp_path):
    output = tmp_path / "out.xlsx"
    call_command("export_candidates", "--exam", "EXAM2026", "--format", "xlsx", "--output", str(output))
    rows = CalamineWorkbook.from_path(str(output)).get_sheet_by_index(0).to_python()
    assert tuple(rows[0]) == COLUMNS
    first = dict(zip(COLUMNS, rows[1], strict=True))
    assert first["roll_number"] == "EXAM2026000001"
    assert first["phone"] == "9960791840" and first["application_number"] == "2026000000"  # text cells
    assert isinstance(first["date_of_birth"], dt.date)
    assert first["preferred_cities"] == "Pune; Nagpur"
    assert first["pwd"] == "Yes" and first["exam_code"] == "EXAM2026"


def test_csv_export_is_utf8_with_bom_for_excel(imported, tmp_path):
    output = tmp_path / "out.csv"
    call_command("export_candidates", "--exam", "EXAM2026", "--output", str(output))
    assert output.read_bytes().startswith(b"\xef\xbb\xbf")
    with output.open(encoding="utf-8-sig", newline="") as handle:
        rows = list(csv.reader(handle))
    assert len(rows) == 201 and rows[1][COLUMNS.index("date_of_birth")] == "1999-08-21"


def test_export_of_unknown_exam_fails(db, tmp_path):
    from django.core.management import CommandError

    with pytest.raises(CommandError, match="No exam"):
        call_command("export_candidates", "--exam", "NOPE", "--output", str(tmp_path / "x.xlsx"))
