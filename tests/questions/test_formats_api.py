"""POST /api/questions/import/, GET /api/questions/export/ and /template/: who may, what they answer."""

import io

import openpyxl
import pytest

from apps.jobs.models import Job, JobStatus
from apps.questions.models import Question, Subject
from tests.questions.formats_support import GIFT_EXAMPLES, MOODLE_XML, every_type, upload

pytestmark = pytest.mark.django_db

IMPORT, EXPORT, TEMPLATE = "/api/questions/import/", "/api/questions/export/", "/api/questions/template/"
OTHERS = ("exam_manager", "manager_a", "invigilator_a", "manager_b", "evaluator")


def test_admin_imports_and_gets_the_report(client_for, admin):
    response = client_for(admin).post(IMPORT, {"file": upload(MOODLE_XML)}, format="multipart")
    assert response.status_code == 200, response.content
    body = response.json()
    assert (body["format"], body["found"], body["imported"], body["subjects_created"]) == ("moodle_xml", 5, 5, ["IOTA"])
    assert Question.objects.count() == 5


def test_setter_imports_into_an_assigned_subject(client_for, setter):
    form = {"file": upload(GIFT_EXAMPLES), "subject": "PHY"}
    body = client_for(setter).post(IMPORT, form, format="multipart").json()
    assert (body["imported"], body["skipped_count"]) == (31, 12)
    assert body["skipped"][0] == {
        "position": 4,
        "line": 14,
        "reason": "A short-answer question (typed answers are not supported).",
    }


def test_nothing_importable_is_a_400_with_the_report(client_for, setter):
    response = client_for(setter).post(IMPORT, {"file": upload(MOODLE_XML)}, format="multipart")
    assert response.status_code == 400
    body = response.json()
    assert body["code"] == "nothing_imported" and body["skipped_count"] == 5
    assert "names no subject" in body["skipped"][0]["reason"]
    assert not Subject.objects.filter(code="IOTA").exists()


def test_dry_run_over_the_api_writes_nothing(client_for, admin):
    form = {"file": upload(MOODLE_XML), "dry_run": "true"}
    body = client_for(admin).post(IMPORT, form, format="multipart").json()
    assert body["dry_run"] is True and body["imported"] == 5
    assert not Question.objects.exists() and not Subject.objects.exists()


def test_unreadable_and_oversized_files(client_for, admin, settings):
    client = client_for(admin)
    response = client.post(IMPORT, {"file": upload(b"\x00\x01\x02binary", "x.bin")}, format="multipart")
    assert response.status_code == 400 and response.json()["code"] == "unreadable_file"
    settings.QUESTION_IMPORT_MAX_BYTES = 1000
    response = client.post(IMPORT, {"file": upload(GIFT_EXAMPLES)}, format="multipart")
    assert response.status_code == 413 and response.json()["code"] == "too_large"


@pytest.mark.parametrize("role", OTHERS)
def test_every_other_role_is_refused(client_for, cast, physics, role):
    client = client_for(cast[role])
    assert client.post(IMPORT, {"file": upload(MOODLE_XML)}, format="multipart").status_code == 403
    assert client.get(EXPORT, {"format": "gift"}).status_code == 403
    assert client.get(TEMPLATE).status_code == 403
    assert not Question.objects.exists()


def test_a_large_file_runs_as_a_job(client_for, admin, settings, run_worker):
    settings.QUESTION_IMPORT_ASYNC_BYTES = 100
    response = client_for(admin).post(IMPORT, {"file": upload(MOODLE_XML)}, format="multipart")
    assert response.status_code == 202
    assert response["Location"] == f"/api/jobs/{response.json()['id']}/"
    assert not Question.objects.exists()
    run_worker()
    job = Job.objects.get()
    assert job.kind == "questions.import" and job.status == JobStatus.SUCCEEDED, job.error
    assert (job.result["imported"], job.result["file_name"]) == (5, "moodle_xml_nested_categories.xml")
    assert Question.objects.count() == 5


def test_export_downloads_a_file_that_imports_back(client_for, admin, physics):
    every_type(physics)
    response = client_for(admin).get(EXPORT, {"format": "moodle_xml", "subject": "PHY"})
    assert response.status_code == 200
    assert response["Content-Disposition"] == 'attachment; filename="questions-PHY.xml"'
    data = b"".join(response.streaming_content)
    # Six questions in five categories: PHY, and PHY/Mechanics, .../Laws, .../Kinematics, PHY/Optics.
    assert data.count(b'<question type="') == 11
    assert data.count(b'<question type="category">') == 5
    back = client_for(admin).post(IMPORT, {"file": upload(data, "back.xml")}, format="multipart").json()
    assert back["imported"] == 6


def test_a_large_export_runs_as_a_job(client_for, admin, physics, settings, run_worker):
    every_type(physics)
    settings.QUESTION_EXPORT_ASYNC_QUESTIONS = 2
    client = client_for(admin)
    response = client.get(EXPORT, {"format": "xlsx"})
    assert response.status_code == 202
    run_worker()
    job = Job.objects.get()
    assert job.kind == "questions.export" and job.status == JobStatus.SUCCEEDED, job.error
    assert job.result["written"] == 6
    download = client.get(f"/api/jobs/{job.pk}/download/")
    assert download.status_code == 200
    sheet = openpyxl.load_workbook(io.BytesIO(b"".join(download.streaming_content))).worksheets[0]
    assert sheet.max_row == 7


def test_export_needs_a_known_format(client_for, admin):
    response = client_for(admin).get(EXPORT, {"format": "pdf"})
    assert response.status_code == 400 and response.json()["code"] == "invalid_format"


def test_template_has_the_columns_and_an_example_that_imports(client_for, setter):
    response = client_for(setter).get(TEMPLATE)
    assert response.status_code == 200
    data = b"".join(response.streaming_content)
    book = openpyxl.load_workbook(io.BytesIO(data))
    header = [c.value for c in book.worksheets[0][1]]
    assert header[:4] == ["subject", "topic", "type", "text"] and "option_f" in header and "text_hi" in header
    assert book.sheetnames == ["Questions", "Columns"]
    body = client_for(setter).post(IMPORT, {"file": upload(data, "template.xlsx")}, format="multipart").json()
    assert (body["imported"], body["by_type"]) == (1, {"single": 1})
    assert Question.objects.get().languages == ["en", "hi"]
