from django.db.models import QuerySet

from apps.jobs import live
from apps.jobs.models import Job, JobStatus


def job_list() -> QuerySet[Job]:
    return Job.objects.select_related("created_by")


def job_progress(job: Job) -> dict:
    """{done, total, message} of a job, from its live file when that is fresher than the
    row (SQLite holds row writes back while the job's transaction is open)."""
    done, total, message = job.progress_done, job.progress_total, job.progress_message
    if job.status == JobStatus.RUNNING:
        beat = live.read(job.pk)
        if beat is not None and (job.heartbeat_at is None or beat["at"] > job.heartbeat_at):
            done, total, message = beat["done"], beat["total"], beat["message"]
    percent = round(100 * done / total, 1) if total else None
    return {"done": done, "total": total, "message": message, "percent": percent}


def job_cancel_requested(job: Job) -> bool:
    return job.cancel_requested or (not job.is_finished and live.cancel_requested(job.pk))
