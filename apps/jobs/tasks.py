"""The one django-tasks task that runs every kind of job (see apps.jobs.execution)."""

from django_tasks import task

from apps.jobs.execution import job_execute


@task()
def run_job(job_id: str) -> str:
    return str(job_execute(job_id=job_id))
