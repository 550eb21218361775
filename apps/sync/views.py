"""Sync API: export a package (streamed file), import one (multipart), the sync history.

Who may do what (docs/architecture.md, roles, apps.sync.access): HQ staff (admin, exam_manager)
everything; a center manager only its own center's results package and packages
addressed to its center; every other role 403.

Export and import are long operations: with `?async=1`, or when they are large, they run
as background jobs (`sync.export`, `sync.import`, apps/sync/jobs.py) and answer 202 +
`Location: /api/jobs/{id}/`. Every check that answers 4xx inline (roles, the center's
scope, the node, the package's container, signature and addressee) runs before the job
is created; the runner checks the job's user again.
"""

import os
import tempfile
from contextlib import contextmanager
from pathlib import Path

from django.conf import settings
from django.http import FileResponse
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import generics, permissions, status
from rest_framework.exceptions import NotFound
from rest_framework.parsers import MultiPartParser
from rest_framework.response import Response
from rest_framework.views import APIView

from apps.jobs.http import ASYNC_PARAMETER, job_accepted, should_run_async, start_or_run
from apps.jobs.services import job_start
from apps.sync.access import export_access_check, import_allowed_target, sync_allowed
from apps.sync.exporter import package_export, package_export_check, package_rows_estimate
from apps.sync.importer import package_check, package_import
from apps.sync.jobs import export_filename, import_body
from apps.sync.models import SyncLog
from apps.sync.nodes import center_by_code_or_id
from apps.sync.package import CENTER_PACKAGE, RESULTS_PACKAGE, PackageRefused
from apps.sync.selectors import sync_log_list
from apps.sync.serializers import ExportQuerySerializer, ImportUploadSerializer, SyncLogSerializer

# A package's rows are not counted before the job starts (that needs the whole file);
# photos and signatures dominate a center package, so an upload is estimated at one row
# per this many bytes (10 MB = 5,000 rows = the default JOBS_ASYNC_THRESHOLD).
BYTES_PER_ROW_ESTIMATE = 2000


class SyncAccess(permissions.BasePermission):
    message = "Your role does not allow sync operations."

    def has_permission(self, request, view):
        return sync_allowed(request.user)


def _work_dir() -> Path:
    path = Path(settings.DATA_DIR) / "tmp"
    path.mkdir(parents=True, exist_ok=True)
    return path


class ExportView(APIView):
    """Write a package and stream it back. At HQ: a center package (HQ staff only). At a
    center: its results package (HQ staff, or that center's manager). With `?async=1`, or
    when more candidates than JOBS_ASYNC_THRESHOLD are allocated to the center, a
    background job `sync.export` whose download is the package."""

    permission_classes = [permissions.IsAuthenticated, SyncAccess]

    @extend_schema(
        parameters=[ExportQuerySerializer, ASYNC_PARAMETER],
        responses={(200, "application/zip"): OpenApiTypes.BINARY, 202: OpenApiTypes.OBJECT},
    )
    def get(self, request):
        query = ExportQuerySerializer(data=request.query_params)
        query.is_valid(raise_exception=True)
        data = query.validated_data
        kind = data.get("kind") or (CENTER_PACKAGE if settings.NODE_CENTER == "HQ" else RESULTS_PACKAGE)
        user = request.user
        center = center_by_code_or_id(data["center"])
        export_access_check(user=user, kind=kind, center=center)
        if center is None:
            raise NotFound("No such center.")
        # Refusals of the node (wrong node, session in progress, no key) answer now, not as a failed job.
        package_export_check(kind=kind, center=center, force=data["force"])
        since, target, force = data.get("since"), data.get("target") or None, data["force"]
        params = {
            "center": str(center.pk),
            "kind": kind,
            "since": since.isoformat() if since else None,
            "target": target,
            "force": force,
        }
        return start_or_run(
            request,
            kind="sync.export",
            params=params,
            size=package_rows_estimate(kind=kind, center=center, since=since),
            run_inline=lambda: _export_inline(
                kind=kind, center=center, user=user, since=since, target=target, force=force
            ),
        )


def _export_inline(*, kind, center, user, since, target, force) -> FileResponse:
    fd, name = tempfile.mkstemp(dir=_work_dir(), prefix="export-", suffix=".zip")
    os.close(fd)
    path = Path(name)
    try:
        result = package_export(
            kind=kind, center=center, output=path, since=since, target=target, force=force, user=user
        )
        handle = open(path, "rb")  # noqa: SIM115  (FileResponse closes it)
    finally:
        # Unlinked at once: the open handle keeps the data until the response is sent.
        path.unlink(missing_ok=True)
    filename = export_filename(kind, center)
    response = FileResponse(handle, as_attachment=True, filename=filename, content_type="application/zip")
    response["Content-Length"] = str(result.size_bytes)
    response["X-Package-Id"] = result.package_id
    response["X-Package-SHA256"] = result.sha256
    return response


class ImportView(APIView):
    """Verify and apply an uploaded package (multipart field `file`); `?dry_run=1` reports
    what would change. 413 above MAX_SYNC_UPLOAD_BYTES. With `?async=1`, or an upload
    estimated above JOBS_ASYNC_THRESHOLD rows (BYTES_PER_ROW_ESTIMATE bytes a row), a
    background job `sync.import` whose `result` is the report below; the quick checks
    (container, signature, addressee) still answer 400/403 before any job exists."""

    permission_classes = [permissions.IsAuthenticated, SyncAccess]
    parser_classes = [MultiPartParser]

    @extend_schema(
        request={"multipart/form-data": ImportUploadSerializer},
        parameters=[
            OpenApiParameter("dry_run", bool, description="Report only; change nothing."),
            ASYNC_PARAMETER,
        ],
        responses={200: OpenApiTypes.OBJECT, 202: OpenApiTypes.OBJECT},
    )
    def post(self, request):
        limit = settings.MAX_SYNC_UPLOAD_BYTES
        try:
            length = int(request.META.get("CONTENT_LENGTH") or 0)
        except ValueError:
            length = 0
        if length > limit:
            return _too_large(limit)
        upload = ImportUploadSerializer(data=request.data)
        upload.is_valid(raise_exception=True)
        file = upload.validated_data["file"]
        if file.size > limit:
            return _too_large(limit)
        dry_run = request.query_params.get("dry_run", "").lower() in ("1", "true", "yes")
        user = request.user
        allowed_target = import_allowed_target(user)
        file_name = Path(file.name or "").name
        run_async = should_run_async(request, size=file.size // BYTES_PER_ROW_ESTIMATE)
        with _upload_path(file) as path:
            try:
                if run_async:
                    package_check(path=path, user=user, allowed_target=allowed_target, file_name=file_name)
                    job = job_start(
                        kind="sync.import",
                        user=user,
                        params={"dry_run": dry_run, "file_name": file_name},
                        upload=file,
                    )
                    return job_accepted(job, request)
                result = package_import(
                    path=path, user=user, dry_run=dry_run, allowed_target=allowed_target, file_name=file_name
                )
            except PackageRefused as exc:
                # Answered here, not raised: the refusal was written to the sync log and
                # must stay there (the error handler would roll an atomic request back).
                code = status.HTTP_403_FORBIDDEN if exc.code == "not_your_center" else status.HTTP_400_BAD_REQUEST
                body = {"code": exc.code, "detail": f"Package refused, nothing changed: {exc.message}"}
                return Response(body, status=code)
        return Response(import_body(result))


@contextmanager
def _upload_path(file):
    """The uploaded file as a path on disk, for as long as the block runs."""
    if hasattr(file, "temporary_file_path"):
        # Django already streamed a large upload to disk: use that file (it removes it).
        yield Path(file.temporary_file_path())
        return
    fd, name = tempfile.mkstemp(dir=_work_dir(), prefix="import-", suffix=".zip")
    path = Path(name)
    try:
        with os.fdopen(fd, "wb") as out:
            for chunk in file.chunks():
                out.write(chunk)
        yield path
    finally:
        path.unlink(missing_ok=True)


def _too_large(limit: int) -> Response:
    return Response(
        {"code": "too_large", "detail": f"The package is larger than the limit of {limit:,} bytes."},
        status=status.HTTP_413_REQUEST_ENTITY_TOO_LARGE,
    )


class SyncLogView(generics.ListAPIView):
    """The sync history: who exported or imported what, when, counts, conflicts, checksum."""

    permission_classes = [permissions.IsAuthenticated, SyncAccess]
    serializer_class = SyncLogSerializer
    filterset_fields = ["direction", "kind", "status", "center", "origin"]
    ordering_fields = ["created_at"]
    ordering = ["-created_at"]

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):  # schema generation: no user
            return SyncLog.objects.none()
        return sync_log_list(user=self.request.user)
