"""Job kinds of this app (discovered at start-up by apps.jobs)."""

from apps.exams.exports import exams_for_export, schedule_export
from apps.jobs.http import as_querydict
from apps.jobs.registry import register_job_kind
from apps.jobs.services import job_output_path

EXPORT_FILENAME = "exam-schedule.xlsx"


def run_exams_export(job, params, progress):
    """params: {"filters": {name: [values]}} as the export endpoint received them."""
    exams = exams_for_export(user=job.created_by, filters=as_querydict(params.get("filters", {})))
    path = job_output_path(job, suffix=".xlsx", filename=EXPORT_FILENAME)
    return schedule_export(exams=exams, output=path, progress=progress)


register_job_kind("exams.export", run_exams_export, label="Export exams, papers and sessions (xlsx)")
