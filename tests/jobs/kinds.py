"""Throw-away job kinds for the tests: a service that writes rows in batches inside one
transaction, reporting progress, so cancellation and failure can be checked for
all-or-nothing. Imported by the tests and by the subprocess worker (worker_main.py)."""

import time

from django.db import transaction

from apps.centers.models import Center
from apps.jobs.registry import register_job_kind, unregister_job_kind
from apps.jobs.services import job_output_path
from utils.exceptions import ApplicationError
from utils.progress import report


@transaction.atomic
def centers_generate(*, batches: int, per_batch: int, pause: float = 0.0, fail_at: int | None = None, progress=None):
    """Create batches * per_batch centers; optionally fail after batch `fail_at`."""
    total = batches * per_batch
    done = 0
    report(progress, 0, total, "starting")
    for batch in range(batches):
        Center.objects.bulk_create(
            Center(code=f"T{batch:03d}{i:03d}", name=f"Generated {batch}-{i}", city="Pune", state="MH")
            for i in range(per_batch)
        )
        done += per_batch
        if fail_at is not None and batch + 1 == fail_at:
            raise ApplicationError("bad_row", f"Row {done} is invalid.", extra={"row": done})
        time.sleep(pause)
        report(progress, done, total, f"batch {batch + 1} of {batches}")
    return {"created": done}


def run_generate(job, params, progress):
    return centers_generate(progress=progress, **params)


def run_crash(job, params, progress):
    raise ValueError("the disk is on fire")


def run_file(job, params, progress):
    path = job_output_path(job, suffix=".txt", filename="hello.txt")
    path.write_text(params.get("text", "hello"))
    return {"bytes": path.stat().st_size}


def run_file_then_fail(job, params, progress):
    run_file(job, params, progress)
    raise ValueError("late failure")


def run_bad_result(job, params, progress):
    if params.get("bad_extra"):
        raise ApplicationError("odd", "An odd failure.", extra={"when": object()})
    return {"when": object()}


def run_silent(job, params, progress):
    """Long work that reports no progress (reading a big file), then asks the reaper."""
    from apps.jobs.services import jobs_reap_stale

    time.sleep(params["seconds"])
    return {"reaped": jobs_reap_stale()}


KINDS = {
    "test.silent": run_silent,
    "test.bad_result": run_bad_result,
    "test.generate": run_generate,
    "test.crash": run_crash,
    "test.file": run_file,
    "test.file_then_fail": run_file_then_fail,
}


def register():
    for name, runner in KINDS.items():
        register_job_kind(name, runner)


def unregister():
    for name in KINDS:
        unregister_job_kind(name)
