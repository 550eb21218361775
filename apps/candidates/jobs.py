"""Job kinds of this app (imported at start-up by apps.jobs)."""

from apps.candidates.services.importing import candidates_import
from apps.jobs import files
from apps.jobs.registry import register_job_kind


def run_candidates_import(job, params, progress):
    """params: {"exam", "skip_invalid", "dry_run", "photos", "file_name"} as POST
    /api/candidates/import/ took them; the sheet is the job's input file (`file_name` its
    name as uploaded, for messages), the photos zip (if any) a second input."""
    photos = files.media_path(params["photos"]) if params.get("photos") else None
    report = candidates_import(
        source=job.input_file.path,
        exam=params.get("exam"),
        skip_invalid=params["skip_invalid"],
        dry_run=params["dry_run"],
        photos=photos,
        progress=progress,
        source_name=params.get("file_name"),
    )
    return {"summary": report.summary(), "errors": [vars(e) for e in report.errors]}


register_job_kind("candidates.import", run_candidates_import, label="Import candidates from xlsx/CSV")
