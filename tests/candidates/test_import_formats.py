"""Files as real programs write them: headers, dates, phone numbers, BOMs, xlsx from LibreOffice."""

import datetime as dt

import pytest

from apps.candidates.models import Candidate
from apps.candidates.services.importing import candidates_import
from tests.candidates.conftest import DATA, SAMPLE_CSV, SAMPLE_XLSX, row, write_csv, write_xlsx

pytestmark = pytest.mark.django_db


@pytest.fixture
def exam2026(db):
    from tests.factories import ExamFactory

    return ExamFactory(code="EXAM2026")


def test_shared_sample_xlsx_imports_all_200_rows_exactly(exam2026):
    report = candidates_import(source=SAMPLE_XLSX)
    assert report.file_format == "xlsx"
    assert (report.rows, report.created, report.rejected) == (200, 200, 0)
    first = Candidate.objects.get(application_number="2026000000")
    assert first.name == "Ananya Das" and first.father_name == "Zoya Das"
    assert first.date_of_birth == dt.date(1999, 8, 21)
    assert first.phone == "9960791840"  # a number cell, stored as text without ".0"
    assert first.pwd is True and first.gender == "M" and first.category == "OBC"
    assert first.address == "285, Civil Lines" and first.city == "Aurangabad" and first.state == "Maharashtra"
    assert first.roll_number == "EXAM2026000001"
    assert Candidate.objects.filter(pwd=True).count() == 6
    assert not Candidate.objects.filter(phone__contains=".").exists()
    assert not Candidate.objects.filter(application_number__contains=".").exists()


def test_shared_sample_csv_matches_the_xlsx(exam2026):
    candidates_import(source=SAMPLE_XLSX)
    before = list(Candidate.objects.order_by("application_number").values_list("id", "version"))
    report = candidates_import(source=SAMPLE_CSV)
    assert report.file_format == "csv"
    assert (report.rows, report.created, report.updated, report.unchanged) == (200, 0, 0, 200)
    assert list(Candidate.objects.order_by("application_number").values_list("id", "version")) == before


def test_csv_with_bom_imports_like_without(exam2026, tmp_path):
    path = tmp_path / "bom.csv"
    path.write_bytes(b"\xef\xbb\xbf" + SAMPLE_CSV.read_bytes())
    report = candidates_import(source=path)
    assert (report.created, report.rejected) == (200, 0)
    assert report.ignored_columns == []  # the first header is "Application Number", not "\ufeffApplication..."


def test_file_type_comes_from_content_not_name(exam2026, tmp_path):
    renamed = tmp_path / "candidates.csv"
    renamed.write_bytes(SAMPLE_XLSX.read_bytes())
    report = candidates_import(source=renamed)
    assert report.file_format == "xlsx" and report.created == 200


@pytest.mark.parametrize(
    "title",
    ["Date of Birth", "date_of_birth", "DATE-OF-BIRTH", " date of  birth ", "D.O.B", "DOB", "Date_Of_Birth"],
)
def test_header_matching_ignores_case_space_and_punctuation(exam, tmp_path, title):
    path = tmp_path / "in.csv"
    path.write_text(f"Name,{title},Gender,PwD,Exam Code\nAsha,2001-04-12,F,Yes,EXAM2026\n")
    report = candidates_import(source=path)
    assert report.created == 1
    assert Candidate.objects.get().pwd is True


@pytest.mark.parametrize(
    ("cell", "expected"),
    [
        ("2001-04-12", dt.date(2001, 4, 12)),
        ("12/04/2001", dt.date(2001, 4, 12)),
        ("2/4/2001", dt.date(2001, 4, 2)),
        ("12-04-2001", dt.date(2001, 4, 12)),
        ("12.04.2001", dt.date(2001, 4, 12)),
        ("36993", dt.date(2001, 4, 12)),  # an Excel serial number that became text
        ("2001-04-12 00:00:00", dt.date(2001, 4, 12)),
    ],
)
def test_text_dates(exam, tmp_path, cell, expected):
    path = write_csv(tmp_path / "in.csv", [row(date_of_birth=cell)])
    candidates_import(source=path, exam="EXAM2026")
    assert Candidate.objects.get().date_of_birth == expected


def test_xlsx_date_cells_serial_numbers_and_text_dates(exam, tmp_path):
    header = ["Name", "Date of Birth", "Gender", "Phone", "Application Number"]
    rows = [
        ["A", dt.date(1999, 8, 21), "M", 9876543210, 1001],
        ["B", 36393, "F", 919876543210, 1002],  # serial number
        ["C", 36393.5, "F", "98765 43210", 1003],  # serial with a time of day
        ["D", "21/08/1999", "O", "+91-98765-43210", "1004"],
    ]
    path = write_xlsx(tmp_path / "in.xlsx", rows, header=header)
    report = candidates_import(source=path, exam="EXAM2026")
    assert report.created == 4, report.errors
    people = dict(Candidate.objects.values_list("name", "date_of_birth"))
    assert set(people.values()) == {dt.date(1999, 8, 21)}
    phones = dict(Candidate.objects.values_list("name", "phone"))
    assert phones == {"A": "9876543210", "B": "919876543210", "C": "9876543210", "D": "919876543210"}
    apps = set(Candidate.objects.values_list("application_number", flat=True))
    assert apps == {"1001", "1002", "1003", "1004"}


def test_phone_number_as_big_number_has_no_exponent_or_decimal(exam, tmp_path):
    path = write_xlsx(
        tmp_path / "in.xlsx",
        [["A", dt.date(2000, 1, 1), "M", 919876543210123]],
        header=["name", "dob", "sex", "mobile"],
    )
    candidates_import(source=path, exam="EXAM2026")
    assert Candidate.objects.get().phone == "919876543210123"


def test_whitespace_is_trimmed_and_booleans_and_lists_parsed(exam, tmp_path):
    rows = [
        row(name="  Asha   Verma ", city=" Delhi ", pwd="TRUE", preferred_cities="Delhi; Noida |Agra"),
        row(name="B", email="b@example.in", pwd="0", preferred_cities="Pune, Mumbai"),
        row(name="C", email="c@example.in", pwd="y", preferred_cities=""),
    ]
    path = write_csv(tmp_path / "in.csv", rows)
    candidates_import(source=path, exam="EXAM2026")
    asha = Candidate.objects.get(name="Asha   Verma")
    assert asha.city == "Delhi" and asha.pwd is True
    assert asha.preferred_cities == ["Delhi", "Noida", "Agra"]
    assert Candidate.objects.get(name="B").preferred_cities == ["Pune", "Mumbai"]
    assert Candidate.objects.get(name="B").pwd is False
    assert Candidate.objects.get(name="C").pwd is True


def test_semicolon_separated_csv(exam, tmp_path):
    path = tmp_path / "in.csv"
    path.write_text("Name;Date of Birth;Gender\nAsha;12/04/2001;F\n", encoding="utf-8")
    assert candidates_import(source=path, exam="EXAM2026").created == 1


def test_blank_rows_are_skipped_but_row_numbers_stay_true(exam, tmp_path):
    path = tmp_path / "in.csv"
    path.write_text("Name,Date of Birth,Gender\nAsha,12/04/2001,F\n,,\n\nBad,12/04/2001,Z\n", encoding="utf-8")
    report = candidates_import(source=path, exam="EXAM2026", skip_invalid=True)
    assert report.rows == 2 and report.created == 1
    assert [(e.row, e.field) for e in report.errors] == [(5, "gender")]


# --- files saved by LibreOffice Calc (tests/candidates/data/make_fixtures.sh) ---------------------


def test_libreoffice_real_date_cells_and_numeric_phones(exam):
    report = candidates_import(source=DATA / "lo_real_dates.xlsx")
    assert (report.created, report.rejected) == (3, 0), report.errors
    asha = Candidate.objects.get(application_number="1001")
    assert asha.name == "Asha Verma" and asha.date_of_birth == dt.date(1999, 8, 21)
    assert asha.phone == "9876543210" and asha.pwd is True and asha.extra_time_minutes == 20
    assert asha.category == "OBC" and asha.gender == "F"
    vikram = Candidate.objects.get(application_number="1002")
    assert vikram.gender == "M" and vikram.phone == "919812345678" and vikram.pwd is False
    neha = Candidate.objects.get(application_number="1003")
    assert neha.date_of_birth == dt.date(2000, 2, 29) and neha.category == "SC" and neha.pwd is True


def test_libreoffice_serial_number_dates(exam):
    report = candidates_import(source=DATA / "lo_serial_dates.xlsx")
    assert report.created == 2, report.errors
    assert Candidate.objects.get(application_number="2001").date_of_birth == dt.date(1999, 8, 21)
    sunita = Candidate.objects.get(application_number="2002")
    assert sunita.date_of_birth == dt.date(2002, 1, 1) and sunita.pwd is True and sunita.extra_time_minutes == 15


def test_libreoffice_all_text_cells(exam):
    report = candidates_import(source=DATA / "lo_text.xlsx")
    assert report.created == 2, report.errors
    imran = Candidate.objects.get(application_number="3001")
    assert imran.name == "Imran Khan" and imran.date_of_birth == dt.date(2001, 6, 5)
    assert imran.phone == "919876500003" and imran.extra_time_minutes == 0
    lata = Candidate.objects.get(application_number="3002")
    assert lata.date_of_birth == dt.date(2001, 7, 15) and lata.phone == "09876500004"


def test_hidden_first_sheet_is_skipped_and_data_may_start_lower_right(exam, tmp_path):
    import xlsxwriter

    path = tmp_path / "in.xlsx"
    workbook = xlsxwriter.Workbook(str(path))
    hidden = workbook.add_worksheet("lists")
    hidden.write_row(0, 0, ["GEN", "OBC"])
    hidden.hide()
    sheet = workbook.add_worksheet("candidates")
    sheet.write_row(2, 1, ["Name", "Date of Birth", "Gender"])  # header on row 3, from column B
    sheet.write_row(3, 1, ["Asha", "12/04/2001", "F"])
    sheet.write_row(4, 1, ["Bad", "12/04/2001", "Z"])
    sheet.activate()
    workbook.close()
    report = candidates_import(source=path, exam="EXAM2026", skip_invalid=True)
    assert report.created == 1
    assert [(e.row, e.field) for e in report.errors] == [(5, "gender")]


def test_xlsx_row_count_is_known_in_advance_for_the_progress_bar(tmp_path):
    from utils.spreadsheets import open_table

    with open_table(SAMPLE_XLSX) as table:
        assert (table.format, table.header_row, table.total) == ("xlsx", 1, 200)
        assert sum(1 for _ in table.rows) == 200
    with open_table(SAMPLE_CSV) as table:
        assert (table.format, table.total) == ("csv", None)
