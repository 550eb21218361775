"""Enqueue → worker → outcome: success, progress, failure, crash, cancellation."""

import time

import pytest
from django_tasks_db.models import DBTaskResult

from apps.centers.models import Center
from apps.jobs import execution, live
from apps.jobs.models import Job, JobStatus
from apps.jobs.services import job_cancel, job_start

pytestmark = pytest.mark.django_db


def test_queued_job_runs_to_succeeded_with_its_result(exam_manager, run_worker):
    job = job_start(kind="test.generate", user=exam_manager, params={"batches": 3, "per_batch": 4})
    assert job.status == JobStatus.QUEUED
    assert DBTaskResult.objects.get(pk=job.task_result_id).status == "READY"

    run_worker()

    job.refresh_from_db()
    assert job.status == JobStatus.SUCCEEDED
    assert job.result == {"created": 12}
    assert job.error is None
    assert (job.progress_done, job.progress_total) == (12, 12)
    assert job.started_at <= job.finished_at
    assert job.worker
    assert Center.objects.filter(code__startswith="T").count() == 12
    assert DBTaskResult.objects.get(pk=job.task_result_id).status == "SUCCESSFUL"


def test_application_error_fails_the_job_with_its_code_and_rolls_back(exam_manager, run_worker):
    job = job_start(kind="test.generate", user=exam_manager, params={"batches": 3, "per_batch": 4, "fail_at": 2})

    run_worker()

    job.refresh_from_db()
    assert job.status == JobStatus.FAILED
    assert job.error == {"code": "bad_row", "message": "Row 8 is invalid.", "extra": {"row": 8}}
    assert job.result is None
    assert not Center.objects.filter(code__startswith="T").exists()  # all or nothing


def test_unexpected_error_fails_the_job_and_keeps_the_traceback_in_the_task_row(exam_manager, run_worker):
    job = job_start(kind="test.crash", user=exam_manager)

    run_worker()

    job.refresh_from_db()
    assert job.status == JobStatus.FAILED
    assert job.error["code"] == "job_crashed"
    assert "ValueError: the disk is on fire" in job.error["message"]
    task_row = DBTaskResult.objects.get(pk=job.task_result_id)
    assert task_row.status == "FAILED"
    assert "the disk is on fire" in task_row.traceback


def test_a_summary_that_is_not_json_fails_the_job_instead_of_leaving_it_running(exam_manager, run_worker):
    bad_result = job_start(kind="test.bad_result", user=exam_manager)
    bad_extra = job_start(kind="test.bad_result", user=exam_manager, params={"bad_extra": True})

    run_worker()

    bad_result.refresh_from_db()
    bad_extra.refresh_from_db()
    assert bad_result.status == JobStatus.FAILED
    assert bad_result.error["code"] == "job_bad_result"
    assert bad_extra.status == JobStatus.FAILED
    assert bad_extra.error["code"] == "odd"
    assert bad_extra.error["extra"]["when"].startswith("<object")


def test_a_kind_that_is_no_longer_registered_fails_cleanly(exam_manager, run_worker):
    job = job_start(kind="test.generate", user=exam_manager, params={"batches": 1, "per_batch": 1})
    Job.objects.filter(pk=job.pk).update(kind="gone.away")

    run_worker()

    job.refresh_from_db()
    assert job.status == JobStatus.FAILED
    assert job.error["code"] == "unknown_job_kind"


def test_cancelled_queued_job_never_runs(exam_manager, run_worker):
    job = job_start(kind="test.generate", user=exam_manager, params={"batches": 1, "per_batch": 2})
    job = job_cancel(job=job)
    assert job.status == JobStatus.CANCELLED

    run_worker()

    job.refresh_from_db()
    assert job.status == JobStatus.CANCELLED
    assert job.started_at is None
    assert not Center.objects.filter(code__startswith="T").exists()


@pytest.mark.django_db(transaction=True)
def test_progress_is_saved_while_the_service_runs_and_increases(exam_manager, run_worker, monkeypatch):
    saved = []
    real_save = execution.save_progress

    def recording_save(job_id, *, done, total, message):
        saved.append(done)
        return real_save(job_id, done=done, total=total, message=message)

    monkeypatch.setattr(execution, "save_progress", recording_save)
    seen_live = []
    real_write = live.write

    def recording_write(job_id, *, done, total, message):
        seen_live.append(done)
        return real_write(job_id, done=done, total=total, message=message)

    monkeypatch.setattr(live, "write", recording_write)
    job = job_start(kind="test.generate", user=exam_manager, params={"batches": 6, "per_batch": 5, "pause": 0.1})

    run_worker()

    job.refresh_from_db()
    assert job.status == JobStatus.SUCCEEDED
    assert (job.progress_done, job.progress_total) == (30, 30)
    # Saved while the service's transaction was still open (live file on SQLite, the row
    # too on PostgreSQL), more than once, never going backwards.
    during = seen_live + saved
    assert len(set(seen_live)) >= 3, seen_live
    assert seen_live == sorted(seen_live)
    assert saved == sorted(saved)
    assert max(during) >= 10
    assert not live.read(job.pk)  # the live file goes away with the job's end


@pytest.mark.django_db(transaction=True)
def test_running_job_cancelled_through_the_api_stops_at_a_batch_and_rolls_back(exam_manager, client_for, worker_thread):
    client = client_for(exam_manager)  # before the worker: making a token writes a row
    job = job_start(kind="test.generate", user=exam_manager, params={"batches": 200, "per_batch": 2, "pause": 0.05})
    thread = worker_thread()
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        beat = live.read(job.pk)
        if beat and beat["done"] >= 4:
            break
        time.sleep(0.02)
    else:
        pytest.fail("the job never reported progress")

    response = client.post(f"/api/jobs/{job.pk}/cancel/")

    assert response.status_code == 202, response.content
    assert response.data["status"] == JobStatus.RUNNING
    assert response.data["cancel_requested"] is True
    thread.join(timeout=15)
    assert not thread.is_alive()
    job.refresh_from_db()
    assert job.status == JobStatus.CANCELLED
    assert job.cancel_requested
    assert 4 <= job.progress_done < 400  # stopped part-way, at a batch boundary
    assert job.finished_at is not None
    assert not Center.objects.filter(code__startswith="T").exists()  # nothing half-written


@pytest.mark.django_db(transaction=True)
def test_heartbeats_keep_a_job_without_progress_alive_past_the_timeout(exam_manager, run_worker, settings):
    settings.JOBS_HEARTBEAT_TIMEOUT = 1
    job = job_start(kind="test.silent", user=exam_manager, params={"seconds": 1.6})

    run_worker()

    job.refresh_from_db()
    assert job.status == JobStatus.SUCCEEDED
    assert job.result == {"reaped": 0}  # the reaper ran after 1.6 s of silence and left it alone
