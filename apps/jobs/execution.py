"""Running one job inside a worker: claim it, run its kind's runner with a progress
reporter, record the outcome.

The runner's service does its writes in one transaction of the worker's main thread.
Progress, heartbeat and the cancel check are handled by a `JobMonitor` thread with its
own database connection, so they are saved while that transaction is still open (and
on SQLite, whose single write lock the transaction holds, through the live file).
"""

import json
import logging
import os
import socket
import threading
import time

from django.conf import settings
from django.db import DatabaseError, connection
from django.utils import timezone

from apps.jobs import files, live
from apps.jobs.models import Job, JobStatus
from apps.jobs.registry import get_job_kind
from utils.exceptions import ApplicationError
from utils.progress import OperationCancelled

logger = logging.getLogger("apps.jobs")

WORKER_NAME = f"{socket.gethostname()}:{os.getpid()}"[:128]


class JobMonitor:
    """The progress callback handed to a runner, and the thread that persists it.

    `monitor(done, total, message)` only records the numbers in memory (runners may
    call it for every row) and raises `OperationCancelled` once a cancel was seen. The
    thread wakes every JOBS_PROGRESS_INTERVAL seconds: it writes the live file and the
    job row when progress changed or a heartbeat is due, and looks for a cancel request.
    """

    def __init__(self, job_id, *, interval: float | None = None):
        self.job_id = job_id
        self.interval = settings.JOBS_PROGRESS_INTERVAL if interval is None else interval
        # A heartbeat at least four times per timeout, even when progress stands still
        # (reading a large file before the first batch).
        self.heartbeat_every = max(self.interval, min(5.0, settings.JOBS_HEARTBEAT_TIMEOUT / 4))
        self.done, self.total, self.message = 0, None, ""
        self._lock = threading.Lock()
        self._dirty = True
        self._last_db_write = 0.0
        self._cancelled = threading.Event()
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name=f"job-monitor-{job_id}", daemon=True)

    # --- the runner's side ---------------------------------------------------------
    def __call__(self, done: int, total: int | None, message: str = "") -> None:
        with self._lock:
            self.done, self.total, self.message = int(done), total, (message or "")[:255]
            self._dirty = True
        if self._cancelled.is_set():
            raise OperationCancelled(f"Job {self.job_id} was cancelled.")

    def snapshot(self) -> tuple[int, int | None, str]:
        with self._lock:
            return self.done, self.total, self.message

    # --- the thread ------------------------------------------------------------------
    def start(self) -> None:
        self._beat_file()
        self._thread.start()

    def stop(self) -> None:
        self._stop.set()
        self._thread.join(timeout=10)

    def _run(self) -> None:
        try:
            if connection.vendor == "sqlite":
                # Never queue behind the job's own transaction for long: skip this beat.
                connection.ensure_connection()
                connection.connection.execute("PRAGMA busy_timeout = 100")
            while not self._stop.wait(self.interval):
                self.beat()
        finally:
            connection.close()  # this thread's own connection

    def _beat_file(self) -> None:
        done, total, message = self.snapshot()
        try:
            live.write(self.job_id, done=done, total=total, message=message)
        except OSError:
            logger.exception("Job %s: cannot write its live file", self.job_id)

    def beat(self) -> None:
        """One heartbeat: persist progress when due, look for a cancel request."""
        with self._lock:
            dirty, self._dirty = self._dirty, False
        self._beat_file()
        now = time.monotonic()
        try:
            if dirty or now - self._last_db_write >= self.heartbeat_every:
                done, total, message = self.snapshot()
                save_progress(self.job_id, done=done, total=total, message=message)
                self._last_db_write = now
            row = Job.objects.filter(pk=self.job_id).values_list("status", "cancel_requested").first()
        except DatabaseError:
            # Locked by the job's own transaction (SQLite): the live file carries this beat.
            with self._lock:
                self._dirty = self._dirty or dirty
            row = None
        stopped_elsewhere = row is not None and (row[1] or row[0] != JobStatus.RUNNING)
        if stopped_elsewhere or live.cancel_requested(self.job_id):
            self._cancelled.set()


def save_progress(job_id, *, done: int, total: int | None, message: str) -> int:
    """The throttled progress write: one short UPDATE of the running job's row."""
    now = timezone.now()
    return Job.objects.filter(pk=job_id, status=JobStatus.RUNNING).update(
        progress_done=done, progress_total=total, progress_message=message, heartbeat_at=now, updated_at=now
    )


def _finish(job: Job, *, status: str, monitor: JobMonitor | None, result=None, error=None) -> bool:
    """The final write, retried briefly when SQLite is busy. False if the job was no
    longer running (the reaper failed it meanwhile): its file is then discarded."""
    now = timezone.now()
    fields = {"status": status, "finished_at": now, "updated_at": now, "result": result, "error": error}
    if status == JobStatus.CANCELLED:
        fields["cancel_requested"] = True  # it may have come as a live mark only
    if monitor is not None:
        fields["progress_done"], fields["progress_total"], fields["progress_message"] = monitor.snapshot()
        fields["heartbeat_at"] = now
    keep_file = (
        status == JobStatus.SUCCEEDED and job.output_file.name and files.media_path(job.output_file.name).exists()
    )
    if keep_file:
        fields["output_file"] = job.output_file.name
        fields["output_name"] = job.output_name
    for attempt in range(5):
        try:
            updated = Job.objects.filter(pk=job.pk, status=JobStatus.RUNNING).update(**fields)
            break
        except DatabaseError:
            if attempt == 4:
                raise
            time.sleep(0.5 * (attempt + 1))
    if not (keep_file and updated):
        files.delete_file(job.output_file.name)
    live.clear(job.pk)
    return bool(updated)


def _is_json(value) -> bool:
    try:
        json.dumps(value)
    except (TypeError, ValueError):
        return False
    return True


def _error(code: str, message: str, extra: dict | None = None) -> dict:
    return {"code": code, "message": message, "extra": extra or {}}


def job_execute(*, job_id) -> str:
    """Run the job `job_id` in this process and return its final status.

    Preconditions: called by the generic task in a worker, outside any transaction.
    A job that is no longer queued (cancelled meanwhile, or already run) is left alone.
    Unexpected exceptions are recorded on the job and re-raised, so the backend's task
    row keeps the traceback.
    """
    job = Job.objects.filter(pk=job_id).first()
    if job is None:
        return "missing"  # pruned before a worker reached it
    now = timezone.now()
    if job.status == JobStatus.QUEUED and (job.cancel_requested or live.cancel_requested(job.pk)):
        Job.objects.filter(pk=job.pk, status=JobStatus.QUEUED).update(
            status=JobStatus.CANCELLED, cancel_requested=True, finished_at=now, updated_at=now
        )
        live.clear(job.pk)
        return JobStatus.CANCELLED
    claimed = Job.objects.filter(pk=job.pk, status=JobStatus.QUEUED).update(
        status=JobStatus.RUNNING, started_at=now, heartbeat_at=now, updated_at=now, worker=WORKER_NAME
    )
    if not claimed:
        return Job.objects.values_list("status", flat=True).get(pk=job.pk)
    job.refresh_from_db()

    kind = get_job_kind(job.kind)
    if kind is None:
        _finish(
            job, status=JobStatus.FAILED, monitor=None, error=_error("unknown_job_kind", f"No job kind {job.kind!r}.")
        )
        return JobStatus.FAILED

    monitor = JobMonitor(job.pk)
    monitor.start()
    crash: BaseException | None = None
    result = error = None
    try:
        summary = kind.runner(job, dict(job.params), monitor)
        status, result = JobStatus.SUCCEEDED, summary if summary is not None else {}
    except OperationCancelled:
        status = JobStatus.CANCELLED
    except ApplicationError as exc:
        status, error = JobStatus.FAILED, _error(exc.code, exc.message, exc.extra)
    except Exception as exc:
        logger.exception("Job %s (%s) crashed", job.pk, job.kind)
        status = JobStatus.FAILED
        error = _error("job_crashed", f"The job stopped on an unexpected error: {type(exc).__name__}: {exc}")
        crash = exc
    except BaseException as exc:  # SystemExit / KeyboardInterrupt: the worker is being stopped
        status = JobStatus.FAILED
        error = _error("worker_stopped", "The worker was stopped while the job ran; nothing was kept. Start it again.")
        crash = exc
    finally:
        monitor.stop()
    if result is not None and not _is_json(result):
        status, result = JobStatus.FAILED, None
        error = _error("job_bad_result", f"The {job.kind} runner returned a summary that is not JSON.")
    if error is not None and not _is_json(error):
        error["extra"] = json.loads(json.dumps(error["extra"], default=str))
    _finish(job, status=status, monitor=monitor, result=result, error=error)
    if crash is not None:
        raise crash
    return status
