"""Sync API: export a package (streamed file), import one (multipart), the sync history.

Who may do what (DESIGN.md §6): HQ staff (admin, exam_manager) everything; a center
manager only its own center's results package and packages addressed to its center;
every other role 403.
"""

import os
import tempfile
from pathlib import Path

from django.conf import settings
from django.http import FileResponse
from django.utils import timezone
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import generics, permissions, status
from rest_framework.exceptions import NotFound, PermissionDenied
from rest_framework.parsers import MultiPartParser
from rest_framework.response import Response
from rest_framework.views import APIView

from apps.authentication.models import Role
from apps.centers.selectors import center_by_code_or_id
from apps.sync.exporter import package_export
from apps.sync.importer import package_import
from apps.sync.models import SyncLog
from apps.sync.package import CENTER_PACKAGE, RESULTS_PACKAGE, PackageRefused
from apps.sync.selectors import sync_log_list
from apps.sync.serializers import ExportQuerySerializer, ImportUploadSerializer, SyncLogSerializer

HQ_SYNC_ROLES = frozenset({Role.ADMIN, Role.EXAM_MANAGER})
SYNC_ROLES = HQ_SYNC_ROLES | {Role.CENTER_MANAGER}


class SyncAccess(permissions.BasePermission):
    message = "Your role does not allow sync operations."

    def has_permission(self, request, view):
        user = request.user
        return bool(user and user.is_authenticated and user.role in SYNC_ROLES)


def _work_dir() -> Path:
    path = Path(settings.DATA_DIR) / "tmp"
    path.mkdir(parents=True, exist_ok=True)
    return path


class ExportView(APIView):
    """Write a package and stream it back. At HQ: a center package (HQ staff only). At a
    center: its results package (HQ staff, or that center's manager)."""

    permission_classes = [permissions.IsAuthenticated, SyncAccess]

    @extend_schema(
        parameters=[ExportQuerySerializer],
        responses={(200, "application/zip"): OpenApiTypes.BINARY},
    )
    def get(self, request):
        query = ExportQuerySerializer(data=request.query_params)
        query.is_valid(raise_exception=True)
        data = query.validated_data
        kind = data.get("kind") or (CENTER_PACKAGE if settings.NODE_CENTER == "HQ" else RESULTS_PACKAGE)
        user = request.user
        center = center_by_code_or_id(data["center"])
        if user.role == Role.CENTER_MANAGER and (
            kind != RESULTS_PACKAGE or center is None or center.pk != user.center_id
        ):
            raise PermissionDenied("A center manager may only export its own center's results package.")
        if center is None:
            raise NotFound("No such center.")
        fd, name = tempfile.mkstemp(dir=_work_dir(), prefix="export-", suffix=".zip")
        os.close(fd)
        path = Path(name)
        try:
            result = package_export(
                kind=kind,
                center=center,
                output=path,
                since=data.get("since"),
                target=data.get("target"),
                force=data["force"],
                user=user,
            )
            handle = open(path, "rb")  # noqa: SIM115  (FileResponse closes it)
        finally:
            # Unlinked at once: the open handle keeps the data until the response is sent.
            path.unlink(missing_ok=True)
        filename = f"{kind}-{center.code}-{timezone.now():%Y%m%dT%H%M%S}.zip"
        response = FileResponse(handle, as_attachment=True, filename=filename, content_type="application/zip")
        response["Content-Length"] = str(result.size_bytes)
        response["X-Package-Id"] = result.package_id
        response["X-Package-SHA256"] = result.sha256
        return response


class ImportView(APIView):
    """Verify and apply an uploaded package (multipart field `file`); `?dry_run=1` reports
    what would change. 413 above MAX_SYNC_UPLOAD_BYTES."""

    permission_classes = [permissions.IsAuthenticated, SyncAccess]
    parser_classes = [MultiPartParser]

    @extend_schema(
        request={"multipart/form-data": ImportUploadSerializer},
        parameters=[OpenApiParameter("dry_run", bool, description="Report only; change nothing.")],
        responses={200: OpenApiTypes.OBJECT},
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
        allowed_target = user.center.code if user.role == Role.CENTER_MANAGER else None
        if hasattr(file, "temporary_file_path"):
            # Django already streamed a large upload to disk: use that file (it removes it).
            path, own_copy = Path(file.temporary_file_path()), False
        else:
            fd, name = tempfile.mkstemp(dir=_work_dir(), prefix="import-", suffix=".zip")
            path, own_copy = Path(name), True
            with os.fdopen(fd, "wb") as out:
                for chunk in file.chunks():
                    out.write(chunk)
        try:
            result = package_import(path=path, user=user, dry_run=dry_run, allowed_target=allowed_target)
        except PackageRefused as exc:
            # Answered here, not raised: the refusal was written to the sync log and
            # must stay there (the error handler would roll an atomic request back).
            code = status.HTTP_403_FORBIDDEN if exc.code == "not_your_center" else status.HTTP_400_BAD_REQUEST
            body = {"code": exc.code, "detail": f"Package refused, nothing changed: {exc.message}"}
            return Response(body, status=code)
        finally:
            if own_copy:
                path.unlink(missing_ok=True)
        body = result.as_dict()
        body["conflicts"] = body["conflicts"][:1000]
        return Response(body)


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
