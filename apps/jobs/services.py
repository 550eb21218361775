"""Writes on jobs: start, cancel, reap dead ones, prune old ones.

The work itself runs in `apps.jobs.execution` (in the worker). Everything here is
quick and safe to call from a request.
"""

import json
import logging
from contextlib import contextmanager
from datetime import timedelta
from pathlib import Path

from django.conf import settings
from django.db import DatabaseError, connection, transaction
from django.utils import timezone

from apps.jobs import files, live
from apps.jobs.models import FINISHED_STATUSES, Job, JobStatus
from apps.jobs.registry import get_job_kind
from utils.exceptions import ApplicationError, Conflict

logger = logging.getLogger("apps.jobs")

WORKER_LOST = "worker_lost"


def job_start(*, kind: str, user, params: dict | None = None, upload=None) -> Job:
    """Create a queued job of a registered `kind` and enqueue its task.

    `params` must be JSON-able; `upload` (an uploaded file, optional) is first copied to
    MEDIA_ROOT/jobs/inputs/ under a random name, because the request's temporary file is
    gone by the time a worker runs. The job row and the backend's task row are written
    in one transaction: a worker never sees one without the other.
    """
    from apps.jobs.tasks import run_job  # the task module imports execution, which imports this one

    if get_job_kind(kind) is None:
        raise ApplicationError("unknown_job_kind", f"There is no job kind {kind!r}.")
    params = params or {}
    try:
        json.dumps(params)
    except (TypeError, ValueError) as exc:
        raise ApplicationError("invalid_job_params", f"Job parameters must be JSON: {exc}") from exc

    input_name = files.save_input(upload) if upload is not None else ""
    try:
        with transaction.atomic():
            job = Job.objects.create(kind=kind, params=params, created_by=user, input_file=input_name)
            task_result = run_job.enqueue(str(job.pk))
            job.task_result_id = task_result.id
            job.save(update_fields=["task_result_id", "updated_at"])
    except BaseException:
        files.delete_file(input_name)
        raise
    return job


def job_output_path(job: Job, *, suffix: str, filename: str) -> Path:
    """Where a runner writes the file its job produces; offered for download as `filename`.

    The file is kept only if the job succeeds; on failure or cancellation it is deleted.
    """
    name, path = files.new_output(suffix)
    job.output_file.name = name
    job.output_name = filename
    return path


@contextmanager
def _short_lock_wait(milliseconds: int = 200):
    """On SQLite, wait at most `milliseconds` for the write lock instead of the usual 30 s.

    A job's service may hold the only write lock for minutes; a cancel request must not
    hang that long. Other databases lock rows, not the file: nothing to change.
    """
    if connection.vendor != "sqlite":
        yield
        return
    connection.ensure_connection()
    raw = connection.connection
    previous = raw.execute("PRAGMA busy_timeout").fetchone()[0]
    raw.execute(f"PRAGMA busy_timeout = {int(milliseconds)}")
    try:
        yield
    finally:
        raw.execute(f"PRAGMA busy_timeout = {int(previous)}")


def job_cancel(*, job: Job) -> Job:
    """Cancel a job: a queued one at once, a running one at its next batch boundary.

    Returns the job as it now stands. A finished job raises `Conflict` (409). When
    SQLite's write lock is held (by a running job's transaction) the request is left as
    a live mark instead (see `apps.jobs.live`), which the worker's monitor also reads.
    """
    if job.status in FINISHED_STATUSES:
        raise Conflict("job_finished", f"The job has already {job.status}; there is nothing to cancel.")
    now = timezone.now()
    accepted = True
    try:
        with _short_lock_wait(), transaction.atomic():
            accepted = bool(
                Job.objects.filter(pk=job.pk, status=JobStatus.QUEUED).update(
                    status=JobStatus.CANCELLED, cancel_requested=True, finished_at=now, updated_at=now
                )
                or Job.objects.filter(pk=job.pk, status=JobStatus.RUNNING).update(cancel_requested=True, updated_at=now)
            )
    except DatabaseError:
        # SQLite is locked by a running job's transaction: the live mark carries the request
        # to the worker (whose monitor reads it), and `cancel_requested` shows it meanwhile.
        live.request_cancel(job.pk)
        logger.info("Job %s: database busy, cancel request left as a live mark", job.pk)
    job.refresh_from_db()
    if job.status == JobStatus.CANCELLED:
        live.clear(job.pk)
    elif not accepted:  # it finished between our read and the update
        live.clear(job.pk)
        raise Conflict("job_finished", f"The job has already {job.status}; there is nothing to cancel.")
    return job


def _fail_task_result(task_result_id, message: str, now) -> None:
    """Mark the backend's row of a dead job failed too, so it does not read RUNNING forever."""
    if task_result_id is None:
        return
    from django_tasks_db.models import DBTaskResult

    DBTaskResult.objects.filter(pk=task_result_id, status="RUNNING").update(
        status="FAILED",
        finished_at=now,
        exception_class_path="apps.jobs.services.WorkerLost",
        traceback=message,
    )


def jobs_reap_stale(*, now=None) -> int:
    """Mark failed every running job whose worker stopped sending heartbeats.

    A worker that is killed or loses power leaves its job `running`; its transaction was
    rolled back by the database, so nothing it wrote remains. After
    JOBS_HEARTBEAT_TIMEOUT seconds without a heartbeat (in the row or the live file,
    whichever is fresher) the job is failed with the reason. Cheap when there is nothing
    to reap: one indexed read, no write. Returns the number of jobs reaped.
    """
    now = now or timezone.now()
    timeout = settings.JOBS_HEARTBEAT_TIMEOUT
    cutoff = now - timedelta(seconds=timeout)
    candidates = list(
        Job.objects.filter(status=JobStatus.RUNNING, heartbeat_at__lt=cutoff).values_list("pk", "task_result_id")
    )
    reaped = 0
    for pk, task_result_id in candidates:
        beat = live.read(pk)
        if beat is not None and beat["at"] >= cutoff:
            continue  # alive: its transaction holds SQLite's lock, so only the file moves
        message = (
            f"The worker running this job stopped sending heartbeats for more than {timeout} seconds "
            "(it was killed, crashed or the machine went off). Nothing the job was writing was kept; "
            "start it again."
        )
        with transaction.atomic():
            updated = Job.objects.filter(pk=pk, status=JobStatus.RUNNING, heartbeat_at__lt=cutoff).update(
                status=JobStatus.FAILED,
                finished_at=now,
                updated_at=now,
                error={"code": WORKER_LOST, "message": message, "extra": {}},
            )
            if updated:
                _fail_task_result(task_result_id, message, now)
        if updated:
            live.clear(pk)
            logger.warning("Job %s failed: worker lost (no heartbeat for %s s)", pk, timeout)
            reaped += 1
    return reaped


def jobs_prune(*, days: int | None = None, now=None) -> dict:
    """Delete finished jobs older than `days` (default JOBS_RETENTION_DAYS), their files
    and the backend's task rows; also files under MEDIA_ROOT/jobs/ that no job refers to
    any more (left by a killed worker) and that are older than the cut-off."""
    from django_tasks_db.models import DBTaskResult

    days = settings.JOBS_RETENTION_DAYS if days is None else days
    now = now or timezone.now()
    cutoff = now - timedelta(days=days)
    old = Job.objects.filter(status__in=FINISHED_STATUSES, finished_at__lt=cutoff)
    rows = list(old.values_list("pk", "input_file", "output_file", "task_result_id"))
    ids = [row[0] for row in rows]
    with transaction.atomic():
        Job.objects.filter(pk__in=ids).delete()
        tasks_deleted, _ = DBTaskResult.objects.filter(pk__in=[row[3] for row in rows if row[3]]).delete()
    file_count = 0
    for pk, input_name, output_name, _task in rows:
        for name in (input_name, output_name):
            if name and files.media_path(name).exists():
                files.delete_file(name)
                file_count += 1
        live.clear(pk)
    file_count += _prune_orphan_files(cutoff)
    return {"jobs": len(ids), "tasks": tasks_deleted, "files": file_count}


def _prune_orphan_files(cutoff) -> int:
    referenced = set()
    for input_name, output_name in Job.objects.values_list("input_file", "output_file").iterator():
        referenced.update(n for n in (input_name, output_name) if n)
    live_stems = {
        live.file_stem(pk) for pk in Job.objects.exclude(status__in=FINISHED_STATUSES).values_list("pk", flat=True)
    }
    count = 0
    for folder in (files.INPUTS, files.OUTPUTS, files.LIVE):
        root = files.media_path(folder)
        if not root.is_dir():
            continue
        for path in root.iterdir():
            name = f"{folder}/{path.name}"
            if name in referenced or path.name.split(".")[0] in live_stems:
                continue
            if path.is_file() and path.stat().st_mtime < cutoff.timestamp():
                path.unlink(missing_ok=True)
                count += 1
    return count
