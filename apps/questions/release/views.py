"""The API of encrypted question-paper documents and their release at a center
(docs/questions.md, release).

HQ: admins upload paper documents and read the release codes; admins and paper setters may
download a document (HQ's master copy of its key). A center: its manager releases a
session's paper with the code and downloads it for printing; each download is recorded.
Invigilators, evaluators and exam managers get 403 on codes, releases and downloads.
"""

from django.conf import settings
from django.db import transaction
from django.http import HttpResponse
from django.utils.decorators import method_decorator
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import permissions, serializers, status
from rest_framework.decorators import action
from rest_framework.parsers import MultiPartParser
from rest_framework.response import Response
from rest_framework.views import APIView

from apps.authentication.lockout import client_ip
from apps.core.roles import Role
from apps.core.scoping import RoleAccess, ScopedModelViewSet, scoped_or_404
from apps.exams.models import ExamSession
from apps.questions.choices import DocumentKind
from apps.questions.models import DocumentDownload, PaperDocument, PaperRelease, ReleaseAttempt
from apps.questions.release import codes, release, storage, uploads
from apps.questions.release.serializers import (
    DocumentDownloadSerializer,
    PaperDocumentSerializer,
    PaperDocumentUploadSerializer,
    PaperReleaseSerializer,
    ReleaseAttemptSerializer,
    ReleaseCodeSerializer,
    ReleaseRequestSerializer,
)
from utils.exceptions import ApplicationError, Conflict

ADMINS = frozenset({Role.ADMIN})
MANAGERS = frozenset({Role.CENTER_MANAGER})
RECORD_READERS = frozenset({Role.ADMIN, Role.EXAM_MANAGER, Role.CENTER_MANAGER})
DOCUMENT_READERS = frozenset({Role.ADMIN, Role.PAPER_SETTER, Role.CENTER_MANAGER})


def _at_hq() -> bool:
    return settings.NODE_CENTER == "HQ"


def _client(request) -> str:
    return client_ip(request) or ""


def _session(request, pk) -> ExamSession:
    return scoped_or_404(request.user, ExamSession.objects.select_related("exam", "paper"), pk=pk)


class ReleaseCodesView(APIView):
    """The release code of a session for every center holding it (admins, at HQ). Reading
    them also gives every center that started holding the session later its copy of the keys."""

    permission_classes = [permissions.IsAuthenticated, RoleAccess]
    read_roles = ADMINS

    @extend_schema(responses=ReleaseCodeSerializer(many=True))
    def get(self, request, pk):
        if not _at_hq():
            raise Conflict("not_at_hq", "Release codes are made at HQ only.")
        session = _session(request, pk)
        storage.ensure_center_keys(session)
        rows = [
            {"center": c.pk, "center_code": c.code, "center_name": c.name, "code": codes.release_code(session.pk, c.pk)}
            for c in storage.centers_holding(session).order_by("code")
        ]
        return Response(ReleaseCodeSerializer(rows, many=True).data)


@method_decorator(transaction.non_atomic_requests, name="dispatch")
class ReleasePaperView(APIView):
    """Release a session's question paper at the user's center with HQ's code. Never inside a
    request-wide transaction (ATOMIC_REQUESTS): a refused try must stay recorded."""

    permission_classes = [permissions.IsAuthenticated, RoleAccess]
    write_roles = MANAGERS

    @extend_schema(request=ReleaseRequestSerializer, responses={200: PaperReleaseSerializer})
    def post(self, request, pk):
        session = _session(request, pk)
        body = ReleaseRequestSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        done = release.release_paper(
            session=session,
            center=request.user.center,
            code=body.validated_data["code"],
            user=request.user,
            client=_client(request),
        )
        return Response(PaperReleaseSerializer(done).data)


class SessionDocumentUploadView(APIView):
    """Upload a question-paper document (PDF or DOCX, checked by content) for a session: it is
    stored encrypted, with a key copy for every center holding the session (admins, at HQ)."""

    permission_classes = [permissions.IsAuthenticated, RoleAccess]
    write_roles = ADMINS
    parser_classes = [MultiPartParser]

    @extend_schema(
        request={"multipart/form-data": PaperDocumentUploadSerializer}, responses={201: PaperDocumentSerializer}
    )
    def post(self, request, pk):
        if not _at_hq():
            raise Conflict("not_at_hq", "Question-paper documents are uploaded at HQ.")
        session = _session(request, pk)
        body = PaperDocumentUploadSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        data, content_type = uploads.checked_document(body.validated_data["file"])
        document = storage.store_document(
            session=session,
            kind=DocumentKind.UPLOADED,
            title=body.validated_data["title"],
            content_type=content_type,
            data=data,
            user=request.user,
        )
        return Response(PaperDocumentSerializer(document).data, status=status.HTTP_201_CREATED)


class CopiesSerializer(serializers.Serializer):
    copies = serializers.IntegerField(min_value=1, max_value=10_000, default=1)


class PaperDocumentViewSet(ScopedModelViewSet):
    """Question-paper documents: descriptions for the roles that may see them; the content only
    through `download/` (a center after the release; HQ's admins and paper setters)."""

    serializer_class = PaperDocumentSerializer
    read_roles = DOCUMENT_READERS
    write_roles = frozenset()
    http_method_names = ["get", "head", "options"]
    filterset_fields = ["session", "kind", "set_letter"]
    ordering = ["session", "kind", "set_letter"]

    def get_base_queryset(self):
        return PaperDocument.objects.all()

    @extend_schema(
        parameters=[OpenApiParameter("copies", OpenApiTypes.INT, description="Copies to be printed (recorded).")],
        responses={(200, "application/pdf"): OpenApiTypes.BINARY},
    )
    @action(detail=True, methods=["get"])
    def download(self, request, pk=None):
        document = self.get_object()
        query = CopiesSerializer(data=request.query_params)
        query.is_valid(raise_exception=True)
        user = request.user
        if user.role == Role.CENTER_MANAGER:
            center = user.center
        elif user.role in (Role.ADMIN, Role.PAPER_SETTER) and _at_hq():
            center = None
        else:
            raise ApplicationError(
                "forbidden", "Documents are printed at the center that released them.", status_code=403
            )
        content = release.download_document(
            document=document, user=user, copies=query.validated_data["copies"], center=center, client=_client(request)
        )
        extension = "pdf" if document.content_type == uploads.PDF else "docx"
        response = HttpResponse(content, content_type=document.content_type)
        response["Content-Disposition"] = f'attachment; filename="paper-{document.pk}.{extension}"'
        response["Cache-Control"] = "no-store"
        return response


class _RecordViewSet(ScopedModelViewSet):
    read_roles = RECORD_READERS
    write_roles = frozenset()
    http_method_names = ["get", "head", "options"]


class PaperReleaseViewSet(_RecordViewSet):
    serializer_class = PaperReleaseSerializer
    filterset_fields = ["session", "center"]
    ordering = ["-released_at"]

    def get_base_queryset(self):
        return PaperRelease.objects.all()


class ReleaseAttemptViewSet(_RecordViewSet):
    serializer_class = ReleaseAttemptSerializer
    filterset_fields = ["session", "center", "outcome"]
    ordering = ["-at"]

    def get_base_queryset(self):
        return ReleaseAttempt.objects.all()


class DocumentDownloadViewSet(_RecordViewSet):
    serializer_class = DocumentDownloadSerializer
    filterset_fields = ["document", "center"]
    ordering = ["-at"]

    def get_base_queryset(self):
        return DocumentDownload.objects.all()
