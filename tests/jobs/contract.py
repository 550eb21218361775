"""For the tests of every long endpoint: the 202 + Location contract in one call.

job = assert_job_accepted(client.post("/api/candidates/import/?async=1", ...),
                          kind="candidates.import", user=exam_manager)
"""

from apps.jobs.models import Job, JobStatus


def assert_job_accepted(response, *, kind: str, user) -> Job:
    """The response is 202 with `Location: /api/jobs/{id}/` and the queued job's body;
    the job exists, belongs to `user` and has its backend task. Returns the job."""
    assert response.status_code == 202, getattr(response, "data", response.content)
    job = Job.objects.get(pk=response.data["id"])
    assert response["Location"] == f"/api/jobs/{job.pk}/"
    assert response.data["kind"] == kind == job.kind
    assert response.data["status"] == JobStatus.QUEUED == job.status
    assert response.data["url"] == response["Location"]
    assert job.created_by == user
    assert job.task_result_id is not None
    return job
