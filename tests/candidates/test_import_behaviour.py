"""All-or-nothing, re-import idempotence, updates, --skip-invalid, --dry-run, progress and cancel."""

import csv

import pytest
from django.core.management import CommandError, call_command

from apps.candidates.models import Candidate, RollNumberCounter
from apps.candidates.services.importing import candidates_import
from apps.candidates.services.reports import ImportFailed
from tests.candidates.conftest import row, write_csv
from tests.factories import CandidateFactory
from utils.progress import OperationCancelled

pytestmark = pytest.mark.django_db

HEADER = ["roll_number", "application_number", *row().keys()]


def good_rows(count=5):
    return [row(application_number=f"A{i}", name=f"Person {i}", email=f"p{i}@example.in") for i in range(count)]


def snapshot():
    return sorted(Candidate.objects.values_list("roll_number", "application_number", "name", "city", "version"))


def test_one_bad_row_writes_nothing_and_leaves_database_unchanged(tmp_path, make_candidate):
    make_candidate(roll_number="EXAM2026000001", application_number="A0", city="Agra")
    before = snapshot()
    rows = [*good_rows(5), row(application_number="A9", gender="?")]
    rows[0]["city"] = "Changed"  # an update that must not happen either
    path = write_csv(tmp_path / "in.csv", rows, header=HEADER)
    with pytest.raises(ImportFailed) as caught:
        candidates_import(source=path, exam="EXAM2026")
    assert caught.value.report.written is False
    assert caught.value.report.rejected == 1
    assert snapshot() == before
    assert not RollNumberCounter.objects.filter(last_value__gt=0).exists()


def test_import_creates_rows_with_generated_roll_numbers_in_file_order(tmp_path, exam):
    path = write_csv(tmp_path / "in.csv", good_rows(3), header=HEADER)
    report = candidates_import(source=path, exam="EXAM2026")
    assert (report.created, report.updated, report.unchanged, report.rejected) == (3, 0, 0, 0)
    assert report.written and report.rows == 3
    people = list(Candidate.objects.order_by("roll_number").values_list("roll_number", "name", "version", "origin"))
    assert people == [
        ("EXAM2026000001", "Person 0", 1, "HQ"),
        ("EXAM2026000002", "Person 1", 1, "HQ"),
        ("EXAM2026000003", "Person 2", 1, "HQ"),
    ]
    assert RollNumberCounter.objects.get(exam=exam).last_value == 3


def test_reimporting_the_same_file_is_a_no_op(tmp_path, exam):
    path = write_csv(tmp_path / "in.csv", good_rows(4), header=HEADER)
    candidates_import(source=path, exam="EXAM2026")
    before = list(Candidate.objects.order_by("roll_number").values_list("id", "version", "updated_at"))
    report = candidates_import(source=path, exam="EXAM2026")
    assert (report.created, report.updated, report.unchanged) == (0, 0, 4)
    after = list(Candidate.objects.order_by("roll_number").values_list("id", "version", "updated_at"))
    assert after == before
    assert RollNumberCounter.objects.get(exam=exam).last_value == 4


def test_row_with_existing_key_updates_only_that_candidate_and_bumps_version(tmp_path, make_candidate):
    kept = make_candidate(roll_number="EXAM2026000001", application_number="A0", name="Person 0", city="Delhi")
    make_candidate(roll_number="EXAM2026000002", application_number="A1", name="Person 1", city="Delhi")
    rows = [
        row(roll_number="EXAM2026000001", name="Person 0", city="Pune"),
        row(application_number="A1", name="Person 1 Renamed"),
    ]
    path = write_csv(tmp_path / "in.csv", rows, header=HEADER)
    report = candidates_import(source=path, exam="EXAM2026")
    assert (report.created, report.updated, report.unchanged) == (0, 2, 0)
    kept.refresh_from_db()
    assert kept.city == "Pune" and kept.version == 2 and kept.origin == "HQ"
    renamed = Candidate.objects.get(application_number="A1")
    assert renamed.name == "Person 1 Renamed" and renamed.roll_number == "EXAM2026000002"


def test_absent_columns_do_not_overwrite_existing_values(tmp_path, make_candidate):
    candidate = make_candidate(roll_number="EXAM2026000001", address="12 Civil Lines", state="Delhi")
    path = tmp_path / "in.csv"
    path.write_text("roll_number,name,date_of_birth,gender\nEXAM2026000001,New Name,2000-05-17,F\n")
    report = candidates_import(source=path, exam="EXAM2026")
    assert report.updated == 1
    candidate.refresh_from_db()
    assert candidate.name == "New Name"
    assert candidate.address == "12 Civil Lines" and candidate.state == "Delhi"


def test_skip_invalid_writes_good_rows_and_reports_bad_ones(tmp_path, exam):
    rows = [*good_rows(3), row(application_number="A8", phone="12"), row(application_number="A0")]
    path = write_csv(tmp_path / "in.csv", rows, header=HEADER)
    report = candidates_import(source=path, exam="EXAM2026", skip_invalid=True)
    assert (report.created, report.rejected) == (3, 2)
    assert [(e.row, e.field) for e in report.errors] == [(5, "phone"), (6, "application_number")]
    assert report.written
    assert Candidate.objects.count() == 3


def test_dry_run_reports_but_writes_nothing(tmp_path, make_candidate):
    make_candidate(roll_number="EXAM2026000009", application_number="A0", name="Person 0", city="Agra")
    before = snapshot()
    path = write_csv(tmp_path / "in.csv", good_rows(3), header=HEADER)
    report = candidates_import(source=path, exam="EXAM2026", dry_run=True)
    assert (report.created, report.updated, report.unchanged) == (2, 1, 0)
    assert report.dry_run and not report.written
    assert snapshot() == before


def test_progress_is_reported_per_batch(tmp_path, exam, monkeypatch):
    monkeypatch.setattr("apps.candidates.services.importing.BATCH_SIZE", 2)
    calls = []
    path = write_csv(tmp_path / "in.csv", good_rows(5), header=HEADER)
    candidates_import(source=path, exam="EXAM2026", progress=lambda *args: calls.append(args))
    assert (2, None, "checking") in calls
    assert calls[-1] == (5, 5, "writing")


def test_cancel_from_progress_callback_propagates_and_rolls_back(tmp_path, exam, monkeypatch):
    monkeypatch.setattr("apps.candidates.services.importing.BATCH_SIZE", 2)

    def cancel(done, total, message):
        if message == "writing" and done >= 2:
            raise OperationCancelled

    path = write_csv(tmp_path / "in.csv", good_rows(5), header=HEADER)
    with pytest.raises(OperationCancelled):
        candidates_import(source=path, exam="EXAM2026", progress=cancel)
    assert not Candidate.objects.exists()


def test_batches_larger_than_sqlite_parameter_limit(tmp_path, exam):
    # 1,200 existing candidates looked up by two keys: more than 999 parameters per batch.
    Candidate.objects.bulk_create(
        CandidateFactory.build(exam=exam, roll_number=f"EXAM2026{i:06d}", application_number=f"A{i}", name=f"P{i}")
        for i in range(1200)
    )
    rows = [row(roll_number=f"EXAM2026{i:06d}", application_number=f"A{i}", name=f"P{i}") for i in range(1200)]
    path = write_csv(tmp_path / "in.csv", rows, header=HEADER)
    report = candidates_import(source=path, exam="EXAM2026")
    assert report.updated == 1200  # the factory's other values differ from the sheet's


# --- the management command ---------------------------------------------------------


def test_command_prints_summary(tmp_path, exam, capsys):
    path = write_csv(tmp_path / "in.csv", good_rows(3), header=HEADER)
    call_command("bulk_import_candidates", "--file", str(path), "--exam", "EXAM2026", verbosity=1)
    out = capsys.readouterr().out
    assert "3 rows in" in out and "rows/s" in out
    assert "created 3, updated 0, unchanged 0, rejected 0" in out


def test_command_fails_non_zero_and_writes_error_report(tmp_path, exam, capsys):
    rows = [*good_rows(2), row(application_number="A7", email="bad", phone="1")]
    path = write_csv(tmp_path / "in.csv", rows, header=HEADER)
    errors_out = tmp_path / "errors.csv"
    with pytest.raises(CommandError, match="Nothing was imported"):
        call_command(
            "bulk_import_candidates", "--file", str(path), "--exam", "EXAM2026", "--errors-out", str(errors_out)
        )
    with errors_out.open() as handle:
        report = list(csv.DictReader(handle))
    assert [(r["row"], r["field"], r["value"]) for r in report] == [("4", "email", "bad"), ("4", "phone", "1")]
    assert not Candidate.objects.exists()
    assert "row 4, email" in capsys.readouterr().err


def test_command_skip_invalid_and_dry_run(tmp_path, exam, capsys):
    rows = [*good_rows(2), row(application_number="A7", gender="?")]
    path = write_csv(tmp_path / "in.csv", rows, header=HEADER)
    call_command("bulk_import_candidates", "--file", str(path), "--exam", "EXAM2026", "--dry-run", "--skip-invalid")
    assert "Dry run, nothing written" in capsys.readouterr().out
    assert not Candidate.objects.exists()
    call_command("bulk_import_candidates", "--file", str(path), "--exam", "EXAM2026", "--skip-invalid")
    assert Candidate.objects.count() == 2


def test_command_refuses_missing_file(tmp_path):
    with pytest.raises(CommandError, match="No such file"):
        call_command("bulk_import_candidates", "--file", str(tmp_path / "nope.xlsx"))


def test_candidate_changed_between_check_and_write_fails_the_import(tmp_path, make_candidate):
    candidate = make_candidate(roll_number="EXAM2026000001", name="Person 0", city="Agra")
    rows = [row(roll_number="EXAM2026000001", name="Person 0", city="Pune"), *good_rows(2)[1:]]
    path = write_csv(tmp_path / "in.csv", rows, header=HEADER)

    def someone_else_writes(done, total, message):
        if message == "checked":  # between the check pass and the write pass
            Candidate.objects.filter(pk=candidate.pk).update(city="Nagpur", version=5)

    with pytest.raises(ImportFailed, match="Run the import again"):
        candidates_import(source=path, exam="EXAM2026", progress=someone_else_writes)
    candidate.refresh_from_db()
    assert (candidate.city, candidate.version) == ("Nagpur", 5)
    assert Candidate.objects.count() == 1


def test_error_report_is_capped_but_bad_rows_are_still_rejected(tmp_path, exam, monkeypatch):
    monkeypatch.setattr("apps.candidates.services.reports.MAX_ERRORS_KEPT", 2)
    bad = [row(application_number=f"B{i}", name=f"Bad {i}", gender="?") for i in range(4)]
    path = write_csv(tmp_path / "in.csv", [*good_rows(2), *bad], header=HEADER)
    report = candidates_import(source=path, exam="EXAM2026", skip_invalid=True)
    assert (report.created, report.rejected, report.error_count) == (2, 4, 4)
    assert len(report.errors) == 2 and report.errors_truncated
    assert Candidate.objects.count() == 2
