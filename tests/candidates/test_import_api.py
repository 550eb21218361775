"""POST /api/candidates/import/: the same service as the command, over multipart."""

import io
import re
import zipfile

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from apps.candidates.models import Candidate
from tests.candidates.conftest import SAMPLE_XLSX, jpeg_bytes, pdf_bytes, row, write_csv

pytestmark = pytest.mark.django_db

URL = "/api/candidates/import/"


def upload(path_or_bytes, name="candidates.xlsx"):
    data = path_or_bytes if isinstance(path_or_bytes, bytes) else path_or_bytes.read_bytes()
    return SimpleUploadedFile(name, data, content_type="application/octet-stream")


@pytest.fixture
def exam2026(db):
    from tests.factories import ExamFactory

    return ExamFactory(code="EXAM2026")


def test_import_returns_summary(client_for, exam_manager, exam2026):
    response = client_for(exam_manager).post(URL, {"file": upload(SAMPLE_XLSX)}, format="multipart")
    assert response.status_code == 200, response.json()
    summary = response.json()["summary"]
    assert (summary["rows"], summary["created"], summary["rejected"]) == (200, 200, 0)
    assert summary["written"] is True and summary["rows_per_second"] > 0
    assert Candidate.objects.count() == 200


def test_bad_rows_give_400_with_full_report_and_write_nothing(client_for, exam_manager, exam2026, tmp_path):
    rows = [row(), row(email="b@example.in", gender="?"), row(email="c@example.in", phone="1")]
    path = write_csv(tmp_path / "in.csv", rows)
    response = client_for(exam_manager).post(
        URL, {"file": upload(path, "in.csv"), "exam": "EXAM2026"}, format="multipart"
    )
    assert response.status_code == 400
    body = response.json()
    assert body["code"] == "import_invalid"
    assert [(e["row"], e["field"]) for e in body["errors"]] == [(3, "gender"), (4, "phone")]
    assert body["summary"]["rejected"] == 2 and body["summary"]["written"] is False
    assert not Candidate.objects.exists()


def test_skip_invalid_and_dry_run_as_form_fields(client_for, exam_manager, exam2026, tmp_path):
    rows = [row(), row(email="b@example.in", gender="?")]
    path = write_csv(tmp_path / "in.csv", rows)
    client = client_for(exam_manager)
    form = {"file": upload(path, "in.csv"), "exam": "EXAM2026", "dry_run": "true", "skip_invalid": "1"}
    dry = client.post(URL, form, format="multipart")
    assert dry.status_code == 200 and dry.json()["summary"]["dry_run"] is True
    assert not Candidate.objects.exists()
    real = client.post(
        URL, {"file": upload(path, "in.csv"), "exam": "EXAM2026", "skip_invalid": "true"}, format="multipart"
    )
    assert real.status_code == 200
    assert real.json()["summary"]["created"] == 1
    assert [e["field"] for e in real.json()["errors"]] == ["gender"]
    assert Candidate.objects.count() == 1


@pytest.mark.parametrize("limit", [1000, 20_000])  # refused by Content-Length / by the file's size
def test_upload_over_limit_is_413(client_for, exam_manager, exam2026, settings, limit):
    settings.MAX_IMPORT_UPLOAD_BYTES = limit
    assert SAMPLE_XLSX.stat().st_size > limit
    response = client_for(exam_manager).post(URL, {"file": upload(SAMPLE_XLSX)}, format="multipart")
    assert response.status_code == 413
    assert response.json()["code"] == "too_large"
    assert not Candidate.objects.exists()


@pytest.mark.parametrize(
    ("content", "reason"),
    [
        (pdf_bytes(), "PDF|neither"),
        (jpeg_bytes(), "neither|binary"),
        (b"PK\x03\x04 not really a zip", "damaged|zip"),
    ],
)
def test_content_that_is_not_a_spreadsheet_is_refused(client_for, exam_manager, exam2026, content, reason):
    response = client_for(exam_manager).post(URL, {"file": upload(content, "candidates.xlsx")}, format="multipart")
    assert response.status_code == 400
    assert response.json()["code"] == "import_invalid"
    assert re.search(reason, response.json()["detail"])


def test_missing_file_is_400(client_for, exam_manager):
    response = client_for(exam_manager).post(URL, {"exam": "EXAM2026"}, format="multipart")
    assert response.status_code == 400
    assert "file" in response.json()["errors"]


@pytest.mark.parametrize("role", ["manager_a", "invigilator_a", "paper_setter", "evaluator"])
def test_only_hq_staff_may_import(client_for, cast, exam2026, role):
    response = client_for(cast[role]).post(URL, {"file": upload(SAMPLE_XLSX)}, format="multipart")
    assert response.status_code == 403
    assert not Candidate.objects.exists()


def test_photos_zip_with_import(client_for, exam_manager, exam2026, tmp_path):
    path = write_csv(tmp_path / "in.csv", [row(roll_number="EXAM2026000001")])
    archive = io.BytesIO()
    with zipfile.ZipFile(archive, "w") as bundle:
        bundle.writestr("photos/EXAM2026000001.jpg", jpeg_bytes())
    response = client_for(exam_manager).post(
        URL,
        {"file": upload(path, "in.csv"), "exam": "EXAM2026", "photos": upload(archive.getvalue(), "p.zip")},
        format="multipart",
    )
    assert response.status_code == 200, response.json()
    assert response.json()["summary"]["photos_stored"] == 1
    assert Candidate.objects.get().photo.name.endswith(".jpg")
