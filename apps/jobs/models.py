"""The user-facing record of a background job.

A `Job` wraps one django-tasks task: the task framework's `DBTaskResult` is the backend's
bookkeeping (which worker claimed what), the `Job` is what the API shows (kind, progress,
result, produced file) and what access rules apply to. Jobs are local to this node: they
never travel in packages, so this is a plain model with a UUID key.
"""

from django.conf import settings
from django.db import models
from uuid_utils.compat import uuid7


class JobStatus(models.TextChoices):
    QUEUED = "queued", "Queued"
    RUNNING = "running", "Running"
    SUCCEEDED = "succeeded", "Succeeded"
    FAILED = "failed", "Failed"
    CANCELLED = "cancelled", "Cancelled"


FINISHED_STATUSES = frozenset({JobStatus.SUCCEEDED, JobStatus.FAILED, JobStatus.CANCELLED})


class Job(models.Model):
    id = models.UUIDField(primary_key=True, default=uuid7, editable=False)
    kind = models.CharField(max_length=64, db_index=True, help_text="A registered job kind, e.g. exams.export.")
    status = models.CharField(max_length=10, choices=JobStatus.choices, default=JobStatus.QUEUED, db_index=True)
    params = models.JSONField(default=dict, blank=True, help_text="What the runner needs; JSON only.")

    progress_done = models.PositiveBigIntegerField(default=0)
    progress_total = models.PositiveBigIntegerField(null=True, blank=True)
    progress_message = models.CharField(max_length=255, blank=True)

    result = models.JSONField(null=True, blank=True, help_text="The runner's summary, once succeeded.")
    error = models.JSONField(null=True, blank=True, help_text="{code, message, extra} once failed.")
    cancel_requested = models.BooleanField(default=False)

    # Files live under MEDIA_ROOT/jobs/ with random names; they are served only through
    # the download endpoint, which checks the owner.
    input_file = models.FileField(max_length=255, blank=True)
    output_file = models.FileField(max_length=255, blank=True)
    output_name = models.CharField(max_length=255, blank=True, help_text="File name offered on download.")

    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="jobs"
    )
    task_result_id = models.UUIDField(null=True, blank=True, help_text="The backend's DBTaskResult id.")
    worker = models.CharField(max_length=128, blank=True, help_text="host:pid of the worker that ran it.")

    created_at = models.DateTimeField(auto_now_add=True, db_index=True)
    updated_at = models.DateTimeField(auto_now=True)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    heartbeat_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        indexes = [
            # The reaper's query: running jobs with an old heartbeat.
            models.Index(fields=["status", "heartbeat_at"], name="job_status_heartbeat_idx"),
            # "My jobs, newest first".
            models.Index(fields=["created_by", "-created_at"], name="job_owner_created_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.kind} {self.id} ({self.status})"

    @property
    def is_finished(self) -> bool:
        return self.status in FINISHED_STATUSES
