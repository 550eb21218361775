"""`prune_jobs` deletes finished jobs past retention, their files and task rows."""

import io
from datetime import timedelta

import pytest
from django.core.management import call_command
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from apps.jobs.files import media_path
from apps.jobs.models import Job, JobStatus
from apps.jobs.services import job_start

pytestmark = [pytest.mark.django_db, pytest.mark.clock]  # stamps relative to now, rerun around midnight in CI


def _finished(user, *, days_ago: int, status=JobStatus.SUCCEEDED) -> Job:
    job = job_start(kind="test.file", user=user)
    out = media_path(f"jobs/outputs/{job.pk}.txt")
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text("x")
    Job.objects.filter(pk=job.pk).update(
        status=status, finished_at=timezone.now() - timedelta(days=days_ago), output_file=f"jobs/outputs/{job.pk}.txt"
    )
    return Job.objects.get(pk=job.pk)


def test_prune_deletes_old_finished_jobs_with_their_files_and_task_rows(exam_manager, settings):
    settings.JOBS_RETENTION_DAYS = 14
    old = _finished(exam_manager, days_ago=20)
    old_failed = _finished(exam_manager, days_ago=30, status=JobStatus.FAILED)
    recent = _finished(exam_manager, days_ago=2)
    queued = job_start(kind="test.generate", user=exam_manager, params={"batches": 1, "per_batch": 1})
    orphan = media_path("jobs/outputs/left-by-a-killed-worker.xlsx")
    orphan.write_text("partial")
    ancient = (timezone.now() - timedelta(days=40)).timestamp()
    import os

    os.utime(orphan, (ancient, ancient))
    out = io.StringIO()

    call_command("prune_jobs", stdout=out)

    assert set(Job.objects.values_list("pk", flat=True)) == {recent.pk, queued.pk}
    assert not media_path(old.output_file.name).exists()
    assert not media_path(old_failed.output_file.name).exists()
    assert media_path(recent.output_file.name).exists()
    assert not orphan.exists()
    assert not DBTaskResult.objects.filter(pk__in=[old.task_result_id, old_failed.task_result_id]).exists()
    assert DBTaskResult.objects.filter(pk=recent.task_result_id).exists()
    assert "Deleted 2 job(s), 2 task row(s) and 3 file(s)" in out.getvalue()


def test_prune_days_option_and_dry_run(exam_manager):
    job = _finished(exam_manager, days_ago=3)
    out = io.StringIO()
    call_command("prune_jobs", "--days", "1", "--dry-run", stdout=out)
    assert "Would delete 1 job(s)" in out.getvalue()
    assert Job.objects.filter(pk=job.pk).exists()

    call_command("prune_jobs", "--days", "1", stdout=io.StringIO())
    assert not Job.objects.filter(pk=job.pk).exists()
