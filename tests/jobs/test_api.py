"""GET /api/jobs/, /api/jobs/{id}/, /download/, POST /cancel/: owners, admins, others."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from apps.jobs.files import media_path
from apps.jobs.models import Job, JobStatus
from apps.jobs.services import job_start

pytestmark = pytest.mark.django_db


@pytest.fixture
def jobs(exam_manager, manager_a):
    mine = job_start(kind="test.generate", user=exam_manager, params={"batches": 1, "per_batch": 1})
    done = job_start(kind="test.file", user=exam_manager, params={"text": "hi"})
    theirs = job_start(kind="test.generate", user=manager_a, params={"batches": 1, "per_batch": 1})
    Job.objects.filter(pk=done.pk).update(status=JobStatus.SUCCEEDED)
    return {"mine": mine, "done": done, "theirs": theirs}


def test_list_shows_only_own_jobs_newest_first(client_for, exam_manager, jobs, django_assert_num_queries):
    client = client_for(exam_manager)
    for _ in range(3):  # more rows, same queries
        job_start(kind="test.generate", user=exam_manager, params={"batches": 1, "per_batch": 1})
    # user, reaper check, count, page (created_by joined)
    with django_assert_num_queries(4):
        response = client.get("/api/jobs/?page_size=2")
    assert response.status_code == 200
    assert response.data["count"] == 5
    response = client.get("/api/jobs/?kind=test.generate&ordering=created_at")
    assert response.data["results"][0]["id"] == str(jobs["mine"].pk)
    assert [row["id"] for row in client.get("/api/jobs/?status=succeeded").data["results"]] == [str(jobs["done"].pk)]
    row = response.data["results"][0]
    assert row["kind"] == "test.generate"
    assert row["status"] == "queued"
    assert row["progress"] == {"done": 0, "total": None, "message": "", "percent": None}
    assert row["created_by_username"] == "exam_manager"
    assert row["url"] == f"/api/jobs/{jobs['mine'].pk}/"
    assert row["download_url"] is None
    for field in ("created_at", "started_at", "finished_at", "result", "error", "cancel_requested", "params"):
        assert field in row


def test_list_filters_by_status_and_kind(client_for, exam_manager, jobs):
    client = client_for(exam_manager)
    assert [r["id"] for r in client.get("/api/jobs/?status=succeeded").data["results"]] == [str(jobs["done"].pk)]
    assert [r["id"] for r in client.get("/api/jobs/?kind=test.generate").data["results"]] == [str(jobs["mine"].pk)]
    assert client.get("/api/jobs/?status=nonsense").status_code == 400


def test_admin_sees_every_job(client_for, admin, jobs):
    response = client_for(admin).get("/api/jobs/")
    assert response.status_code == 200
    assert response.data["count"] == 3
    assert client_for(admin).get(f"/api/jobs/{jobs['theirs'].pk}/").status_code == 200


def test_someone_elses_job_is_404_everywhere(client_for, exam_manager, jobs):
    client = client_for(exam_manager)
    theirs = jobs["theirs"]
    assert client.get(f"/api/jobs/{theirs.pk}/").status_code == 404
    assert client.get(f"/api/jobs/{theirs.pk}/download/").status_code == 404
    assert client.post(f"/api/jobs/{theirs.pk}/cancel/").status_code == 404
    theirs.refresh_from_db()
    assert theirs.status == JobStatus.QUEUED and not theirs.cancel_requested


def test_anonymous_gets_401(api, jobs):
    assert api.get("/api/jobs/").status_code == 401
    assert api.get(f"/api/jobs/{jobs['mine'].pk}/").status_code == 401


def test_detail_of_own_job(client_for, exam_manager, jobs):
    response = client_for(exam_manager).get(f"/api/jobs/{jobs['mine'].pk}/")
    assert response.status_code == 200
    assert response.data["id"] == str(jobs["mine"].pk)
    assert response.data["params"] == {"batches": 1, "per_batch": 1}


def test_cancel_queued_job_answers_200_cancelled(client_for, exam_manager, jobs):
    response = client_for(exam_manager).post(f"/api/jobs/{jobs['mine'].pk}/cancel/")
    assert response.status_code == 200
    assert response.data["status"] == "cancelled"
    assert response.data["cancel_requested"] is True
    job = Job.objects.get(pk=jobs["mine"].pk)
    assert job.status == JobStatus.CANCELLED and job.finished_at is not None


def test_cancel_finished_job_is_409(client_for, exam_manager, jobs):
    response = client_for(exam_manager).post(f"/api/jobs/{jobs['done'].pk}/cancel/")
    assert response.status_code == 409
    assert response.data["code"] == "job_finished"
    assert Job.objects.get(pk=jobs["done"].pk).status == JobStatus.SUCCEEDED


def test_cancel_running_job_sets_the_flag_and_answers_202(client_for, exam_manager, jobs):
    Job.objects.filter(pk=jobs["mine"].pk).update(status=JobStatus.RUNNING)
    response = client_for(exam_manager).post(f"/api/jobs/{jobs['mine'].pk}/cancel/")
    assert response.status_code == 202
    assert response.data["status"] == "running"
    assert response.data["cancel_requested"] is True
    assert Job.objects.get(pk=jobs["mine"].pk).cancel_requested


def test_download_of_a_produced_file(client_for, exam_manager, admin, manager_a, run_worker):
    job = job_start(kind="test.file", user=exam_manager, params={"text": "exam day"})
    run_worker()
    job.refresh_from_db()
    assert job.status == JobStatus.SUCCEEDED
    assert job.output_file.name.startswith("jobs/outputs/") and job.output_file.name.endswith(".txt")
    assert job.output_name == "hello.txt"

    response = client_for(exam_manager).get(f"/api/jobs/{job.pk}/download/")
    assert response.status_code == 200
    assert b"".join(response.streaming_content) == b"exam day"
    assert 'filename="hello.txt"' in response["Content-Disposition"]
    assert client_for(exam_manager).get(f"/api/jobs/{job.pk}/").data["download_url"] == f"/api/jobs/{job.pk}/download/"
    assert client_for(admin).get(f"/api/jobs/{job.pk}/download/").status_code == 200
    assert client_for(manager_a).get(f"/api/jobs/{job.pk}/download/").status_code == 404


def test_download_without_a_file_is_404(client_for, exam_manager, jobs):
    response = client_for(exam_manager).get(f"/api/jobs/{jobs['done'].pk}/download/")
    assert response.status_code == 404


def test_failed_job_keeps_no_file(exam_manager, run_worker):
    job = job_start(kind="test.file_then_fail", user=exam_manager)
    run_worker()
    job.refresh_from_db()
    assert job.status == JobStatus.FAILED
    assert not job.output_file
    assert list(media_path("jobs/outputs").glob("*")) == []


def test_uploaded_input_is_saved_under_a_random_name_before_enqueueing(exam_manager):
    upload = SimpleUploadedFile("candidates.xlsx", b"sheet bytes")
    job = job_start(kind="test.generate", user=exam_manager, params={"batches": 1, "per_batch": 1}, upload=upload)
    assert job.input_file.name.startswith("jobs/inputs/")
    assert job.input_file.name.endswith(".xlsx")
    assert "candidates" not in job.input_file.name
    assert media_path(job.input_file.name).read_bytes() == b"sheet bytes"


def test_unknown_kind_is_refused(exam_manager):
    from utils.exceptions import ApplicationError

    with pytest.raises(ApplicationError) as excinfo:
        job_start(kind="no.such.kind", user=exam_manager)
    assert excinfo.value.code == "unknown_job_kind"
    assert not Job.objects.exists()


def test_cancel_mark_left_while_the_database_was_busy_still_cancels_a_queued_job(exam_manager, run_worker):
    from apps.jobs import live

    job = job_start(kind="test.generate", user=exam_manager, params={"batches": 1, "per_batch": 1})
    live.request_cancel(job.pk)  # what job_cancel leaves when SQLite is locked

    run_worker()

    job.refresh_from_db()
    assert job.status == JobStatus.CANCELLED
    assert job.started_at is None


def test_admin_site_lists_jobs_for_admins_only(client, admin, exam_manager, jobs):
    client.force_login(admin)
    response = client.get("/admin/jobs/job/")
    assert response.status_code == 200
    assert str(jobs["theirs"].pk) in response.content.decode()
    assert client.get(f"/admin/jobs/job/{jobs['mine'].pk}/delete/").status_code == 403
    client.force_login(exam_manager)
    assert client.get("/admin/jobs/job/").status_code == 403
