"""Where job files live: MEDIA_ROOT/jobs/{inputs,outputs,live}/ with random names.

Random names keep one user's file from being guessed by another; the files are served
only through `GET /api/jobs/{id}/download/`, which checks the owner.
"""

import secrets
from pathlib import Path

from django.conf import settings
from django.core.files.storage import default_storage

JOBS_DIR = "jobs"
INPUTS = f"{JOBS_DIR}/inputs"
OUTPUTS = f"{JOBS_DIR}/outputs"
LIVE = f"{JOBS_DIR}/live"


def media_path(name: str) -> Path:
    return Path(settings.MEDIA_ROOT) / name


def random_name(folder: str, suffix: str = "") -> str:
    """A new relative name under MEDIA_ROOT, e.g. jobs/outputs/Xy3...q.xlsx."""
    return f"{folder}/{secrets.token_urlsafe(24)}{suffix.lower()}"


def save_input(upload) -> str:
    """Copy an uploaded file to durable storage before the job is enqueued.

    A request's upload is a temporary file deleted when the request ends; the worker
    runs later, in another process. Returns the relative name stored on the job.
    """
    suffix = Path(upload.name or "").suffix[:16]
    return default_storage.save(random_name(INPUTS, suffix), upload)


def new_output(suffix: str) -> tuple[str, Path]:
    """A fresh (relative name, absolute path) for a produced file; the folder exists."""
    name = random_name(OUTPUTS, suffix)
    path = media_path(name)
    path.parent.mkdir(parents=True, exist_ok=True)
    return name, path


def delete_file(name: str) -> None:
    if name:
        media_path(name).unlink(missing_ok=True)
