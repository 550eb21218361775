"""A running job whose worker stopped sending heartbeats ends `failed`, never `running`
forever: reaped by the worker, by reads of the job, and by `reap_jobs`."""

import io
from datetime import timedelta

import pytest
from django.core.management import call_command, get_commands
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from apps.jobs import live
from apps.jobs.models import Job, JobStatus
from apps.jobs.services import job_start, jobs_reap_stale

pytestmark = [pytest.mark.django_db, pytest.mark.clock]  # stamps relative to now, rerun around midnight in CI


@pytest.fixture
def stuck(exam_manager):
    """A job a worker claimed, then vanished: running, heartbeat 10 minutes old."""
    job = job_start(kind="test.generate", user=exam_manager, params={"batches": 1, "per_batch": 1})
    old = timezone.now() - timedelta(minutes=10)
    Job.objects.filter(pk=job.pk).update(status=JobStatus.RUNNING, started_at=old, heartbeat_at=old)
    DBTaskResult.objects.filter(pk=job.task_result_id).update(status="RUNNING", started_at=old)
    return job


def test_stale_running_job_is_failed_with_the_reason(stuck):
    assert jobs_reap_stale() == 1

    stuck.refresh_from_db()
    assert stuck.status == JobStatus.FAILED
    assert stuck.error["code"] == "worker_lost"
    assert "stopped sending heartbeats for more than 60 seconds" in stuck.error["message"]
    assert stuck.finished_at is not None
    task_row = DBTaskResult.objects.get(pk=stuck.task_result_id)
    assert task_row.status == "FAILED"
    assert task_row.finished_at is not None


def test_fresh_heartbeat_is_left_alone(stuck):
    Job.objects.filter(pk=stuck.pk).update(heartbeat_at=timezone.now())
    assert jobs_reap_stale() == 0
    stuck.refresh_from_db()
    assert stuck.status == JobStatus.RUNNING


def test_fresh_live_file_keeps_a_job_alive_while_sqlite_holds_its_row(stuck):
    # On SQLite the row cannot be written during the job's transaction; the file can.
    live.write(stuck.pk, done=5, total=10, message="batch 1")
    assert jobs_reap_stale() == 0
    stuck.refresh_from_db()
    assert stuck.status == JobStatus.RUNNING


def test_reading_the_job_reaps_it(client_for, exam_manager, stuck):
    response = client_for(exam_manager).get(f"/api/jobs/{stuck.pk}/")
    assert response.status_code == 200
    assert response.data["status"] == "failed"
    assert response.data["error"]["code"] == "worker_lost"


def test_reap_jobs_command(stuck):
    out = io.StringIO()
    call_command("reap_jobs", stdout=out)
    assert "Reaped 1 job(s)" in out.getvalue()
    assert Job.objects.get(pk=stuck.pk).status == JobStatus.FAILED


def test_running_job_shows_live_progress_fresher_than_its_row(client_for, exam_manager, stuck):
    Job.objects.filter(pk=stuck.pk).update(heartbeat_at=timezone.now() - timedelta(seconds=5))
    live.write(stuck.pk, done=7, total=10, message="batch 7")
    body = client_for(exam_manager).get(f"/api/jobs/{stuck.pk}/").data
    assert body["status"] == "running"
    assert body["progress"] == {"done": 7, "total": 10, "message": "batch 7", "percent": 70.0}


def test_manage_py_db_worker_is_the_worker_with_the_reaper():
    assert get_commands()["db_worker"] == "apps.jobs"


def test_worker_reaps_at_start_up(stuck, monkeypatch):
    from django_tasks_db.management.commands.db_worker import Command as BackendWorkerCommand

    from apps.jobs.management.commands import db_worker

    ran = []
    monkeypatch.setattr(BackendWorkerCommand, "handle", lambda self, *a, **kw: ran.append(kw))
    monkeypatch.setattr(db_worker, "_reap_forever", lambda stop, every: None)  # no thread left behind
    monkeypatch.setattr(db_worker.connection, "close", lambda: None)  # keep the test's transaction

    db_worker.Command().handle(reload=False, batch=True)

    assert ran  # then the backend's worker loop runs as usual
    assert Job.objects.get(pk=stuck.pk).status == JobStatus.FAILED
