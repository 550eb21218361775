"""POST /api/candidates/import/ as a background job: ?async=1 or a large file."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from apps.candidates.models import Candidate
from apps.jobs.models import JobStatus
from tests.candidates.conftest import SAMPLE_XLSX, row, write_csv
from tests.factories import ExamFactory
from tests.jobs.contract import assert_job_accepted

pytestmark = pytest.mark.django_db

URL = "/api/candidates/import/"


@pytest.fixture
def exam2026(db):
    return ExamFactory(code="EXAM2026")


def sheet(path, name="candidates.xlsx"):
    return SimpleUploadedFile(name, path.read_bytes(), content_type="application/octet-stream")


def test_async_import_answers_202_and_the_job_imports_every_row(client_for, exam_manager, exam2026, run_worker):
    client = client_for(exam_manager)
    response = client.post(f"{URL}?async=1", {"file": sheet(SAMPLE_XLSX)}, format="multipart")
    job = assert_job_accepted(response, kind="candidates.import", user=exam_manager)
    assert not Candidate.objects.exists()

    run_worker()
    body = client.get(f"/api/jobs/{job.id}/").json()
    assert body["status"] == "succeeded", body["error"]
    assert body["result"]["summary"]["created"] == 200
    assert body["progress"]["done"] == body["progress"]["total"] > 0
    assert Candidate.objects.filter(exam=exam2026).count() == 200


def test_a_large_file_becomes_a_job_without_asking(client_for, exam_manager, exam2026, settings):
    settings.JOBS_ASYNC_THRESHOLD = 50  # the 200-row sample is estimated above it
    response = client_for(exam_manager).post(URL, {"file": sheet(SAMPLE_XLSX)}, format="multipart")
    assert_job_accepted(response, kind="candidates.import", user=exam_manager)


def test_an_invalid_file_fails_the_job_with_every_bad_row_and_writes_nothing(
    client_for, exam_manager, exam2026, tmp_path, run_worker
):
    path = write_csv(tmp_path / "in.csv", [row(), row(email="b@example.in", gender="?")])
    client = client_for(exam_manager)
    response = client.post(f"{URL}?async=1", {"file": sheet(path, "in.csv"), "exam": "EXAM2026"}, format="multipart")
    job = assert_job_accepted(response, kind="candidates.import", user=exam_manager)
    run_worker()
    body = client.get(f"/api/jobs/{job.id}/").json()
    assert body["status"] == JobStatus.FAILED
    assert body["error"]["code"] == "import_invalid"
    assert [(e["row"], e["field"]) for e in body["error"]["extra"]["errors"]] == [(3, "gender")]
    assert not Candidate.objects.exists()


def test_another_users_import_job_is_404(client_for, exam_manager, admin, exam2026):
    from tests.factories import UserFactory

    other_manager = UserFactory(username="other_em", role="exam_manager")
    response = client_for(exam_manager).post(f"{URL}?async=1", {"file": sheet(SAMPLE_XLSX)}, format="multipart")
    job_id = response.json()["id"]
    assert client_for(other_manager).get(f"/api/jobs/{job_id}/").status_code == 404
    assert client_for(admin).get(f"/api/jobs/{job_id}/").status_code == 200
