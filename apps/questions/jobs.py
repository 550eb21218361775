"""Job kinds of this app (imported at start-up by apps.jobs)."""

from apps.jobs.registry import register_job_kind
from apps.jobs.services import job_output_path
from apps.questions.formats.exporting import SUFFIX, export_filename, export_questions
from apps.questions.formats.importing import import_questions
from utils.exceptions import ApplicationError


def run_questions_import(job, params, progress):
    """params: {"format", "subject", "dry_run", "file_name"} as POST /api/questions/import/
    took them; the file is the job's input file. The job's `result` is the import report;
    a file from which nothing could be imported fails the job with the report in `error.extra`."""
    report = import_questions(
        source=job.input_file.path,
        format=params.get("format"),
        user=job.created_by,
        subject=params.get("subject"),
        dry_run=params.get("dry_run", False),
        progress=progress,
        name=params.get("file_name"),
    )
    body = report.as_dict()
    if not report.imported and report.skipped_count:
        raise ApplicationError("nothing_imported", "No question of the file could be imported.", extra=body)
    return body


def run_questions_export(job, params, progress):
    """params: {"format", "subject"} as GET /api/questions/export/ took them; the file is the
    job's output, with the questions the job's owner may see."""
    file_format = params["format"]
    path = job_output_path(
        job, suffix=SUFFIX[file_format], filename=export_filename(file_format, params.get("subject"))
    )
    report = export_questions(
        user=job.created_by, format=file_format, subject=params.get("subject"), output=path, progress=progress
    )
    return report.as_dict()


register_job_kind("questions.import", run_questions_import, label="Import questions (Moodle XML, GIFT, Aiken, xlsx)")
register_job_kind("questions.export", run_questions_export, label="Export questions (Moodle XML, GIFT, Aiken, xlsx)")
