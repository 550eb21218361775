"""Background jobs: long work off the request path, with progress (issue 6).

How it fits together
--------------------
* `Job` (models.py) is the user-facing record; django-tasks' `DBTaskResult` is the
  backend's. One generic task, `apps.jobs.tasks.run_job`, runs every kind of job in
  `manage.py db_worker` (the backend's worker, extended here with a reaper of jobs whose
  worker died).
* `execution.job_execute` claims the job, runs its kind's runner with a `JobMonitor` as
  the progress callback, and records succeeded / failed (with the `ApplicationError`'s
  code, message and extra) / cancelled. The monitor thread saves progress at most every
  JOBS_PROGRESS_INTERVAL seconds and a heartbeat, on its own connection and in a live
  file (SQLite holds its single write lock for the service's whole transaction), and
  makes the callback raise `OperationCancelled` once a cancel is requested, so the
  service stops at a batch boundary and its transaction rolls back.
* `services.jobs_reap_stale` fails running jobs without a heartbeat for
  JOBS_HEARTBEAT_TIMEOUT seconds; `services.jobs_prune` deletes old ones.

Wiring a new long operation (a few lines)
-----------------------------------------
1. The service takes `progress: ProgressCallback | None = None` and calls
   `utils.progress.report(progress, done, total, message)` at each batch boundary,
   inside its one transaction (the management command passes `TerminalProgress`).
2. In `apps/<app>/jobs.py` (imported at start-up by this app), register a runner, as
   apps/candidates/jobs.py does::

       from apps.candidates.services.importing import candidates_import
       from apps.jobs.registry import register_job_kind

       def run_candidates_import(job, params, progress):
           report = candidates_import(source=job.input_file.path, exam=params.get("exam"),
                                      skip_invalid=params["skip_invalid"],
                                      dry_run=params["dry_run"], progress=progress)
           # JSON: becomes the job's `result`
           return {"summary": report.summary(), "errors": [vars(e) for e in report.errors]}

       register_job_kind("candidates.import", run_candidates_import)

   A runner that produces a file writes it to
   `job_output_path(job, suffix=".zip", filename="admit-cards.zip")`
   (from apps.jobs.services).
3. In the view, hand the decision to `start_or_run`, as the exams export does::

       from apps.jobs.http import query_filters, start_or_run

       return start_or_run(request, kind="exams.export",
                           params={"filters": query_filters(request)},
                           size=schedule_export_size(exams), run_inline=run_inline)

   It answers 202 + `Location: /api/jobs/{id}/` when `?async=1` or `size` exceeds
   JOBS_ASYNC_THRESHOLD, and otherwise returns `run_inline()`. An upload the runner needs
   is passed as `upload=` and reaches it as `job.input_file`.
4. Test the contract with `tests.jobs.contract.assert_job_accepted(response, kind=..., user=...)`
   and the work itself with the `run_worker` fixture of tests/conftest.py.
"""
