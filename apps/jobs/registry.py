"""The registry of job kinds: a name and the runner that does the work.

    register_job_kind("exams.export", run_exams_export, label="Export exams to xlsx")

A runner is `runner(job, params, progress) -> dict`: it calls the same service the
management command calls, passing `progress` through, and returns a JSON-able summary
(stored as the job's `result`). To produce a file it asks `job_output_path(job, ...)`
for a path first and writes there. Runners live in `apps/<app>/jobs.py`, which
`apps.jobs` imports at start-up (like admin.py), so registering is all there is to do.
"""

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from utils.progress import ProgressCallback

Runner = Callable[[Any, dict, ProgressCallback], dict | None]


@dataclass(frozen=True)
class JobKind:
    name: str
    runner: Runner
    label: str


_kinds: dict[str, JobKind] = {}


def register_job_kind(name: str, runner: Runner, *, label: str = "") -> JobKind:
    """Make `name` runnable as a background job. Registering a name twice is an error
    (two apps fighting over one kind), except re-registering the same runner."""
    existing = _kinds.get(name)
    if existing is not None and existing.runner is not runner:
        raise ValueError(f"Job kind {name!r} is already registered by {existing.runner.__module__}.")
    kind = JobKind(name=name, runner=runner, label=label or name)
    _kinds[name] = kind
    return kind


def unregister_job_kind(name: str) -> None:
    """For tests that register throw-away kinds."""
    _kinds.pop(name, None)


def get_job_kind(name: str) -> JobKind | None:
    return _kinds.get(name)


def job_kinds() -> dict[str, JobKind]:
    return dict(_kinds)
