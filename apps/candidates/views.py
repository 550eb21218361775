from django.conf import settings
from django.http import FileResponse
from drf_spectacular.utils import extend_schema
from rest_framework import status
from rest_framework.decorators import action
from rest_framework.exceptions import NotFound
from rest_framework.parsers import FormParser, MultiPartParser
from rest_framework.permissions import IsAuthenticated
from rest_framework.response import Response
from rest_framework.views import APIView

from apps.candidates import selectors, services
from apps.candidates.filters import CandidateFilter
from apps.candidates.serializers import CandidateImportSerializer, CandidateSerializer
from apps.candidates.services.importing import candidates_import
from apps.core.roles import Role
from apps.core.scoping import HQ_STAFF, RoleAccess, ScopedModelViewSet
from apps.jobs import files
from apps.jobs.http import job_accepted, should_run_async
from apps.jobs.services import job_start
from utils.exceptions import ApplicationError
from utils.parsers import JSONParser

CENTER_READERS = frozenset({Role.CENTER_MANAGER, Role.INVIGILATOR})


class CandidateViewSet(ScopedModelViewSet):
    """Candidates of exams. HQ staff write; center staff read the candidates allocated to
    their center. Photos and signatures are sent as multipart files on create/update."""

    serializer_class = CandidateSerializer
    read_roles = CENTER_READERS
    write_roles = HQ_STAFF
    parser_classes = [JSONParser, MultiPartParser, FormParser]
    filterset_class = CandidateFilter
    search_fields = ["name", "roll_number", "application_number"]
    ordering_fields = ["roll_number", "application_number", "name", "date_of_birth", "city", "created_at"]
    ordering = ["roll_number"]

    def get_base_queryset(self):
        return selectors.candidate_list()

    def perform_create(self, serializer):
        serializer.instance = services.candidate_create(**serializer.validated_data)

    def perform_update(self, serializer):
        serializer.instance = services.candidate_update(candidate=serializer.instance, data=serializer.validated_data)

    def perform_destroy(self, instance):
        services.candidate_delete(candidate=instance)

    @extend_schema(responses={(200, "image/jpeg"): bytes, (200, "image/png"): bytes, 404: None})
    @action(detail=True, methods=["get"])
    def photo(self, request, pk=None):
        """The candidate's photo, to whoever may read the candidate (404 when there is none)."""
        return _image_response(self.get_object().photo, "photo")

    @extend_schema(responses={(200, "image/jpeg"): bytes, (200, "image/png"): bytes, 404: None})
    @action(detail=True, methods=["get"])
    def signature(self, request, pk=None):
        """The candidate's signature, to whoever may read the candidate (404 when there is none)."""
        return _image_response(self.get_object().signature, "signature")

    @extend_schema(request=None, responses={200: CandidateSerializer})
    @action(detail=True, methods=["post"])
    def withdraw(self, request, pk=None):
        """Mark the candidate withdrawn (kept for the record); 409 if already withdrawn."""
        candidate = services.candidate_withdraw(candidate=self.get_object())
        return Response(self.get_serializer(candidate).data)


class CandidateImportView(APIView):
    """Bulk import from an .xlsx or CSV file, the same service as `bulk_import_candidates`.

    With `?async=1`, or when the file is large (estimated rows above JOBS_ASYNC_THRESHOLD),
    the import runs as a background job: 202 + `Location: /api/jobs/{id}/`, and the job's
    `result` (or `error.extra` when rows are invalid) holds the same body as below.

    200 with the summary (and the rejected rows when `skip_invalid`); 400 with the full
    error report when anything is wrong (nothing written); 413 when the sheet or the photos
    zip is larger than MAX_IMPORT_UPLOAD_BYTES.
    """

    permission_classes = [IsAuthenticated, RoleAccess]
    write_roles = HQ_STAFF
    parser_classes = [MultiPartParser, FormParser]

    def _too_large(self, size: int) -> ApplicationError:
        limit = settings.MAX_IMPORT_UPLOAD_BYTES
        return ApplicationError(
            "too_large",
            f"The upload is {size:,} bytes; the limit is {limit:,} bytes. Use the bulk_import_candidates command.",
            status_code=status.HTTP_413_REQUEST_ENTITY_TOO_LARGE,
        )

    @extend_schema(request={"multipart/form-data": CandidateImportSerializer}, responses={200: dict})
    def post(self, request):
        # Refuse by the declared length before the body is read and spooled to disk: the
        # sheet and the photos zip may each be up to the limit.
        declared = int(request.META.get("CONTENT_LENGTH") or 0)
        if declared > 2 * settings.MAX_IMPORT_UPLOAD_BYTES + 64 * 1024:
            raise self._too_large(declared)
        form = CandidateImportSerializer(data=request.data)
        form.is_valid(raise_exception=True)
        data = form.validated_data
        for upload in (data["file"], data.get("photos")):
            if upload is not None and upload.size > settings.MAX_IMPORT_UPLOAD_BYTES:
                raise self._too_large(upload.size)
        options = {"exam": data.get("exam") or None, "skip_invalid": data["skip_invalid"], "dry_run": data["dry_run"]}

        def run_inline():
            report = candidates_import(source=data["file"], photos=data.get("photos"), **options)
            body = {"summary": report.summary(), "errors": [vars(e) for e in report.errors]}
            return Response(body, status=status.HTTP_200_OK)

        if should_run_async(request, size=_estimated_rows(data["file"])):
            photos = files.save_input(data["photos"]) if data.get("photos") else None
            return job_accepted(
                job_start(
                    kind="candidates.import",
                    user=request.user,
                    params={**options, "photos": photos, "file_name": data["file"].name},
                    upload=data["file"],
                ),
                request,
            )
        return run_inline()


# Rows are not counted before the job starts (reading a big sheet is the job's work);
# a spreadsheet row of candidate data takes about this many bytes, compressed or not.
BYTES_PER_ROW_ESTIMATE = 100


def _estimated_rows(upload) -> int:
    return upload.size // BYTES_PER_ROW_ESTIMATE


def _image_response(image, what: str) -> FileResponse:
    """A stored photo or signature. MEDIA_ROOT is never served as such: this view, behind the
    viewset's role and scope checks, is the only way to an image."""
    if not image or not image.storage.exists(image.name):
        raise NotFound(f"This candidate has no {what}.")
    content_type = "image/png" if image.name.lower().endswith(".png") else "image/jpeg"
    return FileResponse(image.open("rb"), content_type=content_type)
