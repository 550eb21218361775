"""The exams.export job kind end to end: the 202 + Location contract, inline below the
threshold, the worker, the download; the same service behind `export_schedule`."""

import io

import openpyxl
import pytest
from django.core.management import call_command

from apps.exams.models import ExamStatus
from apps.jobs.models import Job, JobStatus
from tests.factories import ExamFactory, ExamSessionFactory, PaperFactory
from tests.jobs.contract import assert_job_accepted

pytestmark = pytest.mark.django_db


@pytest.fixture
def schedule():
    exam = ExamFactory(code="NEET26", status=ExamStatus.SCHEDULED)
    paper = PaperFactory(exam=exam, code="P1")
    PaperFactory(exam=exam, code="P2")
    ExamSessionFactory(paper=paper)
    draft = ExamFactory(code="DRAFT1", status=ExamStatus.DRAFT)
    PaperFactory(exam=draft, code="D1")
    return exam


def _sheets(content: bytes) -> dict:
    book = openpyxl.load_workbook(io.BytesIO(content), read_only=True)
    return {ws.title: [list(row) for row in ws.iter_rows(values_only=True)] for ws in book.worksheets}


def test_async_export_answers_202_with_location_and_job_body(client_for, exam_manager, schedule):
    response = client_for(exam_manager).get("/api/exams/export/?async=1&status=scheduled")

    job = assert_job_accepted(response, kind="exams.export", user=exam_manager)
    assert response.data["id"] == str(job.pk)
    assert job.params == {"filters": {"status": ["scheduled"]}}
    assert Job.objects.count() == 1


def test_export_switches_to_a_job_above_the_threshold(client_for, exam_manager, schedule, settings):
    settings.JOBS_ASYNC_THRESHOLD = 3  # the export has 7 rows
    client = client_for(exam_manager)

    assert client.get("/api/exams/export/").status_code == 202
    assert client.get("/api/exams/export/?async=0").status_code == 202  # too big to hold a request
    assert Job.objects.count() == 2
    settings.JOBS_ASYNC_THRESHOLD = 7
    assert client.get("/api/exams/export/?async=0").status_code == 200
    assert Job.objects.count() == 2


def test_small_export_runs_inline_and_returns_the_workbook(client_for, exam_manager, schedule):
    response = client_for(exam_manager).get("/api/exams/export/")

    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    sheets = _sheets(b"".join(response.streaming_content))
    assert [row[0] for row in sheets["Exams"][1:]] == ["DRAFT1", "NEET26"]
    assert len(sheets["Papers"]) == 1 + 3
    assert sheets["Sessions"][1][:2] == ["NEET26", "P1"]
    assert not Job.objects.exists()


def test_bad_async_value_is_400(client_for, exam_manager, schedule):
    response = client_for(exam_manager).get("/api/exams/export/?async=maybe")
    assert response.status_code == 400
    assert "async" in response.data["errors"]
    assert not Job.objects.exists()


def test_evaluator_cannot_export_and_anonymous_must_log_in(client_for, api, evaluator, schedule):
    assert client_for(evaluator).get("/api/exams/export/?async=1").status_code == 403
    assert api.get("/api/exams/export/?async=1").status_code == 401
    assert not Job.objects.exists()


def test_bad_filter_is_400_not_a_failed_job(client_for, exam_manager, schedule):
    response = client_for(exam_manager).get("/api/exams/export/?async=1&start_after=not-a-date")
    assert response.status_code == 400
    assert "start_after" in response.data["errors"]
    assert not Job.objects.exists()


def test_export_job_runs_in_the_worker_and_its_file_downloads(client_for, manager_a, schedule, run_worker):
    client = client_for(manager_a)
    location = client.get("/api/exams/export/?async=1")["Location"]

    run_worker()

    body = client.get(location).data
    assert body["status"] == "succeeded", body
    # A center manager's job exports what a center manager may see: no draft exams.
    assert body["result"] == {"exams": 1, "papers": 2, "sessions": 1, "rows": 4}
    assert body["progress"]["done"] == 4
    download = client.get(body["download_url"])
    assert download.status_code == 200
    assert 'filename="exam-schedule.xlsx"' in download["Content-Disposition"]
    sheets = _sheets(b"".join(download.streaming_content))
    assert [row[0] for row in sheets["Exams"][1:]] == ["NEET26"]
    assert Job.objects.get().status == JobStatus.SUCCEEDED


def test_export_schedule_command_writes_the_same_workbook(tmp_path, schedule):
    out = tmp_path / "schedule.xlsx"
    stdout = io.StringIO()

    call_command("export_schedule", "--output", str(out), "--status", "scheduled", stdout=stdout, verbosity=1)

    assert "Wrote 1 exam(s), 2 paper(s) and 1 session(s)" in stdout.getvalue()
    sheets = _sheets(out.read_bytes())
    assert [row[0] for row in sheets["Exams"][1:]] == ["NEET26"]
    assert not (tmp_path / "schedule.xlsx.part").exists()
