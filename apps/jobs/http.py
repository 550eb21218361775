"""For the views of long operations: run inline, or start a job and answer 202.

def get(self, request):
    exams = self.filter_queryset(self.get_queryset())
    return start_or_run(
        request,
        kind="exams.export",
        params={"filters": query_filters(request)},
        size=exams.count(),
        run_inline=lambda: export_response(exams),
    )
"""

from collections.abc import Callable

from django.conf import settings
from django.urls import reverse
from drf_spectacular.utils import OpenApiParameter
from rest_framework import status
from rest_framework.exceptions import ValidationError
from rest_framework.response import Response

from apps.jobs.models import Job
from apps.jobs.serializers import JobSerializer
from apps.jobs.services import job_start

_TRUE, _FALSE = {"1", "true", "yes", "on"}, {"0", "false", "no", "off", ""}
ASYNC_PARAM = "async"
# Query parameters that steer the endpoint itself, not the operation's filters.
CONTROL_PARAMS = frozenset({ASYNC_PARAM, "page", "page_size", "format"})
# The schema's description of ?async= on every endpoint that may answer 202 with a job.
ASYNC_PARAMETER = OpenApiParameter(
    ASYNC_PARAM,
    bool,
    description="1: run as a background job (202 + Location: /api/jobs/{id}/). Large work runs as a job anyway.",
)


def async_requested(request) -> bool:
    """`?async=1` → True; `?async=0` or absent → False; anything else is a 400."""
    raw = request.query_params.get(ASYNC_PARAM, "")
    value = raw.strip().lower()
    if value in _TRUE:
        return True
    if value in _FALSE:
        return False
    raise ValidationError({ASYNC_PARAM: [f"Expected 1 or 0, got {raw!r}."]})


def should_run_async(request, *, size: int | None) -> bool:
    """A job when the client asks for one (`?async=1`), and always when `size` (rows)
    exceeds JOBS_ASYNC_THRESHOLD: an HTTP request must not hold work that large, so
    `?async=0` cannot force it inline."""
    wanted = async_requested(request)
    return wanted or (size is not None and size > settings.JOBS_ASYNC_THRESHOLD)


def query_filters(request) -> dict:
    """The request's query parameters minus the control ones, JSON-able for job params."""
    return {key: request.query_params.getlist(key) for key in request.query_params if key not in CONTROL_PARAMS}


def job_accepted(job: Job, request) -> Response:
    """202 Accepted with the job body and `Location: /api/jobs/{id}/`."""
    location = reverse("job-detail", args=[job.pk])
    body = JobSerializer(job, context={"request": request}).data
    return Response(body, status=status.HTTP_202_ACCEPTED, headers={"Location": location})


def start_or_run(
    request,
    *,
    kind: str,
    params: dict,
    size: int | None,
    run_inline: Callable[[], Response],
    upload=None,
) -> Response:
    """Answer a long operation's request: inline below the threshold, as a job above it.

    `params` are what the job's runner needs to do exactly what `run_inline` would
    (JSON only); `upload` is the request's uploaded file, copied to durable storage for
    the worker. The job belongs to `request.user`, so its runner should apply that
    user's scope again.
    """
    if not should_run_async(request, size=size):
        return run_inline()
    job = job_start(kind=kind, user=request.user, params=params, upload=upload)
    return job_accepted(job, request)


def as_querydict(filters: dict):
    """Rebuild a QueryDict from `query_filters()` output, for a FilterSet in a runner."""
    from django.http import QueryDict

    query = QueryDict(mutable=True)
    for key, values in filters.items():
        query.setlist(key, values if isinstance(values, list) else [values])
    return query
