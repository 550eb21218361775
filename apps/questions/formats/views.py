"""Import, export and the template over HTTP: thin views over the services of this package.

Admins and paper setters (for their subjects) only; every other role gets 403.
"""

import io

from django.conf import settings
from django.http import FileResponse
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers, status
from rest_framework.negotiation import DefaultContentNegotiation
from rest_framework.parsers import FormParser, MultiPartParser
from rest_framework.permissions import IsAuthenticated
from rest_framework.renderers import JSONRenderer
from rest_framework.response import Response
from rest_framework.views import APIView

from apps.core.scoping import RoleAccess
from apps.jobs.http import ASYNC_PARAMETER, async_requested, job_accepted
from apps.jobs.services import job_start
from apps.questions.formats import xlsx
from apps.questions.formats.exporting import (
    CONTENT_TYPE,
    export_filename,
    export_questions,
    exportable_questions,
)
from apps.questions.formats.importing import IMPORT_ROLES, import_questions
from apps.questions.formats.items import FORMATS
from utils.exceptions import ApplicationError
from utils.spreadsheets import XLSX_CONTENT_TYPE

TEMPLATE_FILENAME = "question-template.xlsx"


class _FormatIsOurs(DefaultContentNegotiation):
    """`?format=` names the question file format here, not one of DRF's renderers."""

    def select_renderer(self, request, renderers, format_suffix=None):
        return renderers[0], renderers[0].media_type


class _FormatsView(APIView):
    permission_classes = [IsAuthenticated, RoleAccess]
    read_roles = IMPORT_ROLES
    write_roles = IMPORT_ROLES
    renderer_classes = [JSONRenderer]
    content_negotiation_class = _FormatIsOurs


class ImportForm(serializers.Serializer):
    file = serializers.FileField()
    format = serializers.ChoiceField(choices=FORMATS, required=False, allow_blank=True)
    subject = serializers.CharField(required=False, allow_blank=True)
    dry_run = serializers.BooleanField(default=False)


def _too_large(size: int) -> ApplicationError:
    limit = settings.QUESTION_IMPORT_MAX_BYTES
    return ApplicationError(
        "too_large",
        f"The file is {size:,} bytes; the limit is {limit:,} bytes (QUESTION_IMPORT_MAX_BYTES).",
        status_code=status.HTTP_413_REQUEST_ENTITY_TOO_LARGE,
    )


class QuestionImportView(_FormatsView):
    """Import a Moodle XML, GIFT, Aiken or xlsx file (multipart `file`, optional `format`,
    `subject`, `dry_run`). 200 with the report; 400 with the report when nothing could be
    imported; 413 above QUESTION_IMPORT_MAX_BYTES. A file above QUESTION_IMPORT_ASYNC_BYTES
    (or `?async=1`) runs as a background job: 202 + the job, whose result is the report."""

    parser_classes = [MultiPartParser, FormParser]

    @extend_schema(
        request={"multipart/form-data": ImportForm}, responses={200: dict, 202: dict}, parameters=[ASYNC_PARAMETER]
    )
    def post(self, request):
        declared = int(request.META.get("CONTENT_LENGTH") or 0)
        if declared > settings.QUESTION_IMPORT_MAX_BYTES + 64 * 1024:
            raise _too_large(declared)
        form = ImportForm(data=request.data)
        form.is_valid(raise_exception=True)
        data = form.validated_data
        upload = data["file"]
        if upload.size > settings.QUESTION_IMPORT_MAX_BYTES:
            raise _too_large(upload.size)
        options = {
            "format": data.get("format") or None,
            "subject": data.get("subject") or None,
            "dry_run": data["dry_run"],
        }
        if async_requested(request) or upload.size > settings.QUESTION_IMPORT_ASYNC_BYTES:
            job = job_start(
                kind="questions.import", user=request.user, params={**options, "file_name": upload.name}, upload=upload
            )
            return job_accepted(job, request)
        report = import_questions(source=upload, user=request.user, name=upload.name, **options)
        body = report.as_dict()
        if not report.imported and report.skipped_count:
            raise ApplicationError("nothing_imported", "No question of the file could be imported.", extra=body)
        return Response(body, status=status.HTTP_200_OK)


class QuestionExportView(_FormatsView):
    """The questions the user may see (retired ones left out) as a file in `?format=`
    (moodle_xml, gift, aiken, xlsx), of `?subject=` (code or id) when given. More than
    QUESTION_EXPORT_ASYNC_QUESTIONS questions (or `?async=1`): a background job, 202."""

    @extend_schema(
        parameters=[
            OpenApiParameter("format", str, enum=list(FORMATS), required=True),
            OpenApiParameter("subject", str),
            ASYNC_PARAMETER,
        ],
        responses={(200, "application/octet-stream"): bytes, 202: dict},
    )
    def get(self, request):
        file_format = request.query_params.get("format", "")
        if file_format not in FORMATS:
            raise ApplicationError("invalid_format", f"Give ?format= one of {', '.join(FORMATS)}.")
        subject = request.query_params.get("subject") or None
        questions = exportable_questions(user=request.user, subject=subject)
        if async_requested(request) or questions.count() > settings.QUESTION_EXPORT_ASYNC_QUESTIONS:
            job = job_start(
                kind="questions.export", user=request.user, params={"format": file_format, "subject": subject}
            )
            return job_accepted(job, request)
        buffer = io.BytesIO()
        export_questions(user=request.user, format=file_format, subject=subject, output=buffer)
        buffer.seek(0)
        return FileResponse(
            buffer,
            as_attachment=True,
            filename=export_filename(file_format, subject),
            content_type=CONTENT_TYPE[file_format],
        )


class QuestionTemplateView(_FormatsView):
    """The empty xlsx template with one filled example row (and a sheet explaining the columns)."""

    @extend_schema(responses={(200, XLSX_CONTENT_TYPE): bytes})
    def get(self, request):
        buffer = io.BytesIO()
        xlsx.write_template(buffer)
        buffer.seek(0)
        return FileResponse(buffer, as_attachment=True, filename=TEMPLATE_FILENAME, content_type=XLSX_CONTENT_TYPE)
