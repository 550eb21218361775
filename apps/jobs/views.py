from django.http import FileResponse
from drf_spectacular.utils import extend_schema
from rest_framework import mixins, permissions, status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import NotFound
from rest_framework.response import Response

from apps.core.scoping import scope_for
from apps.jobs import files, selectors, services
from apps.jobs.filters import JobFilter
from apps.jobs.models import JobStatus
from apps.jobs.serializers import JobSerializer


class JobViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """Background jobs: everyone sees their own, admins all. Another user's job is 404."""

    serializer_class = JobSerializer
    permission_classes = [permissions.IsAuthenticated]
    filterset_class = JobFilter
    search_fields = ["kind"]
    ordering_fields = ["created_at", "finished_at", "status", "kind"]
    ordering = ["-created_at"]

    def get_queryset(self):
        return scope_for(self.request.user, selectors.job_list())

    def initial(self, request, *args, **kwargs):
        super().initial(request, *args, **kwargs)
        # Reading jobs is when someone cares whether one is stuck: fail those of dead
        # workers first (one indexed read when there are none).
        services.jobs_reap_stale()

    @extend_schema(responses={(200, "application/octet-stream"): bytes})
    @action(detail=True, methods=["get"])
    def download(self, request, pk=None):
        """The file the job produced (an export, a zip of admit cards, a package)."""
        job = self.get_object()
        path = files.media_path(job.output_file.name) if job.output_file else None
        if job.status != JobStatus.SUCCEEDED or path is None or not path.is_file():
            raise NotFound("This job has no file to download.")
        return FileResponse(path.open("rb"), as_attachment=True, filename=job.output_name or path.name)

    @extend_schema(request=None, responses={200: JobSerializer, 202: JobSerializer, 409: None})
    @action(detail=True, methods=["post"])
    def cancel(self, request, pk=None):
        """A queued job is cancelled at once (200); a running one stops at its next batch
        boundary, its writes rolled back (202, `cancel_requested: true`); a finished one is 409."""
        job = services.job_cancel(job=self.get_object())
        code = status.HTTP_200_OK if job.status == JobStatus.CANCELLED else status.HTTP_202_ACCEPTED
        return Response(self.get_serializer(job).data, status=code)
