"""Every bad row is reported (sheet row, column, reason), all at once, and nothing is written."""

import pytest

from apps.candidates.models import Candidate
from apps.candidates.services.importing import candidates_import
from apps.candidates.services.reports import ImportFailed
from tests.candidates.conftest import row, write_csv

pytestmark = pytest.mark.django_db


def failing(tmp_path, rows, **kwargs):
    path = write_csv(tmp_path / "in.csv", rows, header=kwargs.pop("header", None))
    with pytest.raises(ImportFailed) as caught:
        candidates_import(source=path, exam=kwargs.pop("exam", "EXAM2026"), **kwargs)
    return caught.value


def errors_of(failure):
    return [(e.row, e.field) for e in failure.report.errors]


@pytest.mark.parametrize(
    ("field", "value", "reason"),
    [
        ("name", "", "Required."),
        ("name", "x" * 201, "At most 200 characters"),
        ("date_of_birth", "", "Required."),
        ("date_of_birth", "31/02/2001", "not a real date"),
        ("date_of_birth", "12-April-2001", "not a date"),
        ("date_of_birth", "2999-01-01", "not in the past"),
        ("date_of_birth", "1900-01-01", "older than 100"),
        ("date_of_birth", "2020-01-01", "younger than 10"),
        ("gender", "", "Required; use M, F or O."),
        ("gender", "Q", "not a gender"),
        ("category", "VIP", "not a category; use one of GEN, OBC, SC, ST, EWS"),
        ("pwd", "maybe", "not yes or no"),
        ("extra_time_minutes", "lots", "not a whole number"),
        ("extra_time_minutes", "300", "outside 0 to 240"),
        ("email", "asha@", "not an e-mail address"),
        ("phone", "12345", "not a phone number of 10 to 15 digits"),
        ("phone", "9.87654E+09", "scientific notation"),
        ("phone", "98765abcde", "not a phone number"),
        ("city", "c" * 101, "At most 100 characters"),
        ("preferred_cities", ";".join(f"City{i}" for i in range(11)), "At most 10 preferred cities"),
        ("roll_number", "r" * 33, "At most 32 characters"),
    ],
)
def test_each_bad_value_is_reported_with_row_field_and_reason(tmp_path, exam, field, value, reason, frozen_clock):
    # frozen: the birth-date limits count from today
    rows = [row(), dict(row(email="b@example.in"), **{field: value})]
    header = list(rows[0]) + ([field] if field not in rows[0] else [])
    failure = failing(tmp_path, rows, header=header)
    assert len(failure.report.errors) == 1
    error = failure.report.errors[0]
    assert (error.row, error.field) == (3, field)  # header is row 1
    assert reason in error.message
    assert not Candidate.objects.exists()


def test_all_bad_rows_are_reported_at_once_not_only_the_first(tmp_path, exam):
    rows = [
        row(gender="Q"),
        row(),
        row(phone="1", email="nope"),
        row(date_of_birth="soon"),
    ]
    failure = failing(tmp_path, rows)
    assert errors_of(failure) == [(2, "gender"), (4, "email"), (4, "phone"), (5, "date_of_birth")]
    assert failure.report.rejected == 3
    assert failure.report.rows == 4
    assert not Candidate.objects.exists()


def test_missing_required_columns_are_named(tmp_path, exam):
    path = write_csv(tmp_path / "in.csv", [{"name": "A", "city": "B"}])
    with pytest.raises(ImportFailed) as caught:
        candidates_import(source=path)
    fields = {e.field for e in caught.value.report.errors}
    assert fields == {"date_of_birth", "gender", "exam_code"}
    assert "no 'date_of_birth' column" in caught.value.message


def test_two_columns_for_the_same_field_are_refused(tmp_path, exam):
    path = tmp_path / "in.csv"
    path.write_text("Name,Date of Birth,Gender,Mobile,Phone\nA,2001-01-01,M,9876543210,9876543211\n")
    with pytest.raises(ImportFailed, match="header row"):
        candidates_import(source=path, exam="EXAM2026")


def test_unknown_columns_are_ignored_and_listed(tmp_path, exam):
    path = write_csv(tmp_path / "in.csv", [dict(row(), **{"S.No.": "1", "Remarks": "late fee"})])
    report = candidates_import(source=path, exam="EXAM2026")
    assert report.created == 1
    assert report.ignored_columns == ["S.No.", "Remarks"]


def test_unknown_exam_is_refused(tmp_path, exam):
    path = write_csv(tmp_path / "in.csv", [row()])
    with pytest.raises(ImportFailed, match="No exam has the code or id 'NOPE'"):
        candidates_import(source=path, exam="NOPE")


def test_exam_code_column_chooses_exam_and_unknown_codes_are_row_errors(tmp_path, exam, other_exam):
    rows = [row(exam_code="EXAM2026"), row(exam_code="other2026", email="x@example.in"), row(exam_code="NOPE")]
    failure = failing(tmp_path, rows, exam=None)
    assert [(e.row, e.field, e.value) for e in failure.report.errors] == [(4, "exam_code", "NOPE")]
    path = write_csv(tmp_path / "ok.csv", rows[:2])
    report = candidates_import(source=path)
    assert report.created == 2
    assert Candidate.objects.filter(exam=other_exam).count() == 1


def test_exam_code_column_must_agree_with_chosen_exam(tmp_path, exam, other_exam):
    failure = failing(tmp_path, [row(exam_code="OTHER2026")], exam="EXAM2026")
    assert "imported into EXAM2026, not OTHER2026" in failure.report.errors[0].message


def test_duplicates_inside_the_file_are_errors(tmp_path, exam):
    rows = [
        row(roll_number="EXAM2026000001", application_number="A1", name="P1"),
        row(roll_number="EXAM2026000002", application_number="A2", name="P2"),
        row(roll_number="EXAM2026000001", application_number="A3", name="P3"),
        row(roll_number="EXAM2026000004", application_number="A2", name="P4"),
    ]
    failure = failing(tmp_path, rows)
    assert [(e.row, e.field, e.message) for e in failure.report.errors] == [
        (4, "roll_number", "Also on row 2 of this file."),
        (5, "application_number", "Also on row 3 of this file."),
    ]
    assert not Candidate.objects.exists()


def test_row_whose_keys_point_at_two_different_candidates_is_an_error(tmp_path, make_candidate):
    make_candidate(roll_number="EXAM2026000001", application_number="A1")
    make_candidate(roll_number="EXAM2026000002", application_number="A2")
    failure = failing(tmp_path, [row(roll_number="EXAM2026000001", application_number="A2")])
    assert failure.report.errors[0].field == "application_number"
    assert "another candidate" in failure.report.errors[0].message


def test_roll_number_cannot_change_through_application_number(tmp_path, make_candidate):
    make_candidate(roll_number="EXAM2026000001", application_number="A1")
    failure = failing(tmp_path, [row(roll_number="EXAM2026000099", application_number="A1")])
    assert failure.report.errors[0].field == "roll_number"
    assert "registered with roll number EXAM2026000001" in failure.report.errors[0].message


def test_two_rows_reaching_the_same_existing_candidate_by_different_keys(tmp_path, make_candidate):
    make_candidate(roll_number="EXAM2026000001", application_number="A1")
    rows = [row(application_number="A1", roll_number=""), row(roll_number="EXAM2026000001", application_number="")]
    failure = failing(tmp_path, rows)
    assert errors_of(failure) == [(3, "roll_number")]


def test_not_a_spreadsheet_is_refused_by_content(tmp_path, exam):
    from tests.candidates.conftest import pdf_bytes

    path = tmp_path / "candidates.xlsx"
    path.write_bytes(pdf_bytes())
    with pytest.raises(ImportFailed, match=r"neither an \.xlsx workbook nor UTF-8 text|PDF"):
        candidates_import(source=path, exam="EXAM2026")


def test_zip_that_is_not_a_workbook_is_refused(tmp_path, exam):
    import zipfile

    path = tmp_path / "candidates.xlsx"
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr("hello.txt", "hi")
    with pytest.raises(ImportFailed, match="zip archive but not an Excel workbook"):
        candidates_import(source=path, exam="EXAM2026")


def test_latin1_csv_is_refused_with_a_hint(tmp_path, exam):
    path = tmp_path / "in.csv"
    path.write_bytes("name,date_of_birth,gender\nJosé Núñez,2001-01-01,M\n".encode("latin-1"))
    with pytest.raises(ImportFailed, match="UTF-8"):
        candidates_import(source=path, exam="EXAM2026")


def test_empty_file_is_refused(tmp_path, exam):
    path = tmp_path / "in.csv"
    path.write_bytes(b"")
    with pytest.raises(ImportFailed, match="empty"):
        candidates_import(source=path, exam="EXAM2026")


def test_same_person_twice_in_the_file_is_an_error(tmp_path, exam):
    rows = [row(name="Asha Verma", email="a@example.in"), row(name="ASHA VERMA", email="b@example.in")]
    failure = failing(tmp_path, rows)
    assert [(e.row, e.field) for e in failure.report.errors] == [(3, "name")]
    assert "as row 2 of this file" in failure.report.errors[0].message


def test_new_row_for_a_registered_person_without_their_key_is_an_error(tmp_path, make_candidate):
    make_candidate(roll_number="EXAM2026000001", name="Asha Verma", father_name="Ramesh Verma")
    failure = failing(tmp_path, [row(name="Asha Verma", father_name="Ramesh Verma", date_of_birth="2000-05-17")])
    assert failure.report.errors[0].field == "name"
    assert "as candidate EXAM2026000001" in failure.report.errors[0].message


def test_namesake_with_another_father_or_birth_date_is_not_a_duplicate(tmp_path, make_candidate):
    make_candidate(name="Asha Verma", father_name="Ramesh Verma", date_of_birth="2000-05-17")
    rows = [
        row(name="Asha Verma", father_name="Suresh Verma", date_of_birth="2000-05-17"),
        row(name="Asha Verma", father_name="Ramesh Verma", date_of_birth="2001-05-17", email="b@example.in"),
    ]
    path = write_csv(tmp_path / "in.csv", rows)
    assert candidates_import(source=path, exam="EXAM2026").created == 2


def test_csv_that_stops_being_utf8_after_the_first_64_kb_is_refused_not_crashed(tmp_path, exam):
    lines = [b"name,date_of_birth,gender,email\n"]
    lines += [f"Person {i},2001-01-01,M,p{i}@example.in\n".encode() for i in range(3000)]
    path = tmp_path / "in.csv"
    path.write_bytes(b"".join(lines) + b"Bad\xff\xfe,2001-01-01,M\n")
    assert path.stat().st_size > 64 * 1024
    with pytest.raises(ImportFailed, match="UTF-8"):
        candidates_import(source=path, exam="EXAM2026")
    assert not Candidate.objects.exists()


def test_control_characters_in_text_are_row_errors(tmp_path, exam):
    rows = [row(name="Escape\x1bName"), row(name="B", email="b@example.in", city="Bell\x07City")]
    failure = failing(tmp_path, rows)
    assert [(e.row, e.field) for e in failure.report.errors] == [(2, "name"), (3, "city")]
    assert "control character" in failure.report.errors[0].message


def test_nul_byte_past_the_sniffed_head_is_a_row_error(tmp_path, exam):
    # NUL in the first 64 kB makes the file "binary"; later, Python's csv reads it, and
    # PostgreSQL would refuse it in a text column: it must be a row error, never a 500.
    lines = [b"name,date_of_birth,gender,email\n"]
    lines += [f"Person {i},2001-01-01,M,p{i}@example.in\n".encode() for i in range(3000)]
    path = tmp_path / "in.csv"
    path.write_bytes(b"".join(lines) + b"Nul\x00Byte,2001-01-01,M,n@example.in\n")
    with pytest.raises(ImportFailed) as caught:
        candidates_import(source=path, exam="EXAM2026")
    assert [(e.row, e.field) for e in caught.value.report.errors] == [(3002, "name")]


def test_workbook_with_broken_xml_is_refused(tmp_path, exam):
    import zipfile

    path = tmp_path / "broken.xlsx"
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr("[Content_Types].xml", "<Types")
        archive.writestr("xl/workbook.xml", "<workbook><sheets><sheet name=")
    with pytest.raises(ImportFailed, match="cannot be read"):
        candidates_import(source=path, exam="EXAM2026")
