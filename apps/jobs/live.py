"""A job's live state in a small file next to the database: heartbeat, progress, cancel.

Why a file as well as the job row: on SQLite (the embedded default at a center) a
service that runs in one transaction holds the database's only write lock until it
commits, so no other connection can save progress, a heartbeat or a cancel request
meanwhile. The worker therefore also writes `MEDIA_ROOT/jobs/live/<key>.json`
(atomically, by rename) and the API reads it; a cancel request drops `<key>.cancel` next
to it. On PostgreSQL the row is updated too, so workers on other machines stay visible;
readers take whichever is fresher.
"""

import json
import os
import time
from datetime import UTC, datetime

from django.utils.crypto import salted_hmac

from apps.jobs.files import LIVE, media_path


def file_stem(job_id) -> str:
    """The live files' name: keyed by the job but not guessable from its (time-ordered,
    public) id, should MEDIA_ROOT ever be exposed (nothing serves it)."""
    return salted_hmac("apps.jobs.live", str(job_id)).hexdigest()[:32]


def _path(job_id, ext: str):
    return media_path(f"{LIVE}/{file_stem(job_id)}.{ext}")


def write(job_id, *, done: int, total: int | None, message: str) -> None:
    path = _path(job_id, "json")
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(f".{os.getpid()}.tmp")
    payload = {"done": done, "total": total, "message": message, "at": time.time(), "pid": os.getpid()}
    tmp.write_text(json.dumps(payload))
    os.replace(tmp, path)


def read(job_id) -> dict | None:
    """{done, total, message, at: datetime} or None when there is no live file."""
    try:
        data = json.loads(_path(job_id, "json").read_text())
    except (FileNotFoundError, ValueError):
        return None
    data["at"] = datetime.fromtimestamp(data["at"], tz=UTC)
    return data


def request_cancel(job_id) -> None:
    path = _path(job_id, "cancel")
    path.parent.mkdir(parents=True, exist_ok=True)
    path.touch()


def cancel_requested(job_id) -> bool:
    return _path(job_id, "cancel").exists()


def clear(job_id) -> None:
    for ext in ("json", "cancel"):
        _path(job_id, ext).unlink(missing_ok=True)
