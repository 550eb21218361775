"""Logistics endpoints. Thin: parse, scope, call a service, render."""

import datetime as dt
import shutil
import tempfile
import uuid
from pathlib import Path

import django_filters
from django.http import FileResponse, Http404, HttpResponse
from django.shortcuts import get_object_or_404
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import permissions, status
from rest_framework.decorators import action
from rest_framework.renderers import JSONRenderer
from rest_framework.response import Response
from rest_framework.views import APIView

from apps.authentication.models import CENTER_ROLES, Role
from apps.authentication.scoping import HQ_STAFF, RoleAccess, ScopedModelViewSet, scope_for
from apps.candidates.models import Candidate, CandidateStatus
from apps.centers.models import Center, Room
from apps.exams.logistics import incidents as incident_services
from apps.exams.logistics import selectors
from apps.exams.logistics.admit_cards import admit_card_render, admit_cards_write_zip
from apps.exams.logistics.allocation import allocation_run
from apps.exams.logistics.attendance import attendance_mark, attendance_mark_bulk, attendance_scan
from apps.exams.logistics.models import Allocation, Attendance, Incident, SessionCenter
from apps.exams.logistics.reports import RENDERERS, center_report
from apps.exams.logistics.serializers import (
    AdmitCardsInputSerializer,
    AllocateInputSerializer,
    AllocationSerializer,
    AttendanceAuditSerializer,
    AttendanceBulkSerializer,
    AttendanceMarkSerializer,
    AttendanceScanSerializer,
    AttendanceSerializer,
    IncidentSerializer,
    SessionCenterSerializer,
)
from apps.exams.logistics.sheets import SheetContext, attendance_sheet_pdf, attendance_sheet_xlsx
from apps.exams.models import Exam, ExamSession
from apps.jobs.http import start_or_run
from apps.sync import keys
from apps.sync.services import synced_delete, synced_save
from utils.exceptions import ApplicationError

ASYNC_PARAMETER = OpenApiParameter(
    "async", OpenApiTypes.STR, description="1: run as a background job (202 + Location: /api/jobs/{id}/)."
)
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _file(content: bytes, content_type: str, filename: str) -> HttpResponse:
    response = HttpResponse(content, content_type=content_type)
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


class FileView(APIView):
    """A GET that answers a file; errors are JSON like everywhere else.

    `?format=` selects the file type here, so DRF's own use of that parameter (picking
    a renderer) is switched off by always negotiating JSON.
    """

    permission_classes = [permissions.IsAuthenticated, RoleAccess]
    read_roles: frozenset = frozenset()
    write_roles: frozenset = frozenset()

    def perform_content_negotiation(self, request, force=False):
        renderer = JSONRenderer()
        return renderer, renderer.media_type


def _scoped_or_404(user, queryset, **lookup):
    return get_object_or_404(scope_for(user, queryset), **lookup)


# --- Session venues ---------------------------------------------------------------------------


class SessionCenterFilter(django_filters.FilterSet):
    exam = django_filters.UUIDFilter(field_name="session__exam")

    class Meta:
        model = SessionCenter
        fields = ["session", "center"]


class SessionCenterViewSet(ScopedModelViewSet):
    """Which centers hold which session and how many seats each offers (empty: all rooms).
    A session with no rows here is held by every active center."""

    serializer_class = SessionCenterSerializer
    read_roles = frozenset({Role.PAPER_SETTER, *CENTER_ROLES})
    write_roles = HQ_STAFF
    filterset_class = SessionCenterFilter
    ordering_fields = ["created_at", "seats"]
    ordering = ["session__date", "session__start_time", "center__code"]

    def get_base_queryset(self):
        return selectors.session_center_list()

    def perform_create(self, serializer):
        serializer.instance = synced_save(SessionCenter(**serializer.validated_data))

    def perform_update(self, serializer):
        instance = serializer.instance
        for key, value in serializer.validated_data.items():
            setattr(instance, key, value)
        serializer.instance = synced_save(instance, update_fields=list(serializer.validated_data))

    def perform_destroy(self, instance):
        synced_delete(instance)


# --- Allocation -------------------------------------------------------------------------------


class AllocationFilter(django_filters.FilterSet):
    roll_number = django_filters.CharFilter(field_name="candidate__roll_number")

    class Meta:
        model = Allocation
        fields = ["exam", "session", "center", "room", "candidate", "paper_set"]


class AllocationViewSet(ScopedModelViewSet):
    """Seats (read-only; written by the allocation). Center staff see their own center's."""

    serializer_class = AllocationSerializer
    read_roles = frozenset(CENTER_ROLES)
    write_roles = HQ_STAFF
    http_method_names = ["get", "head", "options"]
    filterset_class = AllocationFilter
    search_fields = ["candidate__roll_number", "candidate__name"]
    ordering_fields = ["seat_number", "created_at"]
    ordering = ["session_id", "room_id", "seat_number"]

    def get_base_queryset(self):
        return selectors.allocation_list()


class AllocateView(APIView):
    """Run the seat allocation of an exam (HQ staff): the report inline, or a background
    job (202 + Location) with `?async=1` or when the exam is larger than JOBS_ASYNC_THRESHOLD."""

    permission_classes = [permissions.IsAuthenticated, RoleAccess]
    write_roles = HQ_STAFF

    @extend_schema(
        request=AllocateInputSerializer,
        parameters=[ASYNC_PARAMETER],
        responses={200: OpenApiTypes.OBJECT, 202: OpenApiTypes.OBJECT},
    )
    def post(self, request, pk):
        exam = _scoped_or_404(request.user, Exam.objects.all(), pk=pk)
        params = AllocateInputSerializer(data=request.data)
        params.is_valid(raise_exception=True)
        size = Candidate.objects.filter(exam=exam).exclude(status=CandidateStatus.WITHDRAWN).count()
        return start_or_run(
            request,
            kind="exams.allocate",
            params={"exam": str(exam.pk), **params.validated_data},
            size=size,
            run_inline=lambda: Response(allocation_run(exam=exam, **params.validated_data).as_dict()),
        )


class AdmitCardsZipView(APIView):
    """Every allocated candidate's admit card, one PDF each, in a zip. HQ staff choose a
    center (or all); a center manager gets its own center's. Large exams (or `?async=1`)
    run as a background job whose download is the zip."""

    permission_classes = [permissions.IsAuthenticated, RoleAccess]
    write_roles = frozenset({Role.ADMIN, Role.EXAM_MANAGER, Role.CENTER_MANAGER})

    @extend_schema(
        request=AdmitCardsInputSerializer,
        parameters=[ASYNC_PARAMETER],
        responses={(200, "application/zip"): OpenApiTypes.BINARY, 202: OpenApiTypes.OBJECT},
    )
    def post(self, request, pk):
        exam = _scoped_or_404(request.user, Exam.objects.all(), pk=pk)
        params = AdmitCardsInputSerializer(data=request.data)
        params.is_valid(raise_exception=True)
        center = params.validated_data.get("center")
        if request.user.role == Role.CENTER_MANAGER:
            if center is not None and center.pk != request.user.center_id:
                raise Http404
            center = request.user.center
        if not keys.node_key_exists():
            raise ApplicationError(
                "no_node_key", "This node has no signing key: run `python manage.py sync_keys --init`.", status_code=503
            )
        candidates = Candidate.objects.filter(exam=exam, status=CandidateStatus.ALLOCATED)
        if center is not None:
            candidates = candidates.filter(center=center)
        return start_or_run(
            request,
            kind="exams.admit_cards",
            params={"exam": str(exam.pk), "center": str(center.pk) if center else None},
            size=candidates.count(),
            run_inline=lambda: _admit_cards_inline(exam, center),
        )


def _admit_cards_inline(exam: Exam, center: Center | None):
    suffix = f"-{center.code}" if center else ""
    # A spooled temporary file: deleted when the response is closed.
    handle = tempfile.TemporaryFile()  # noqa: SIM115  (FileResponse closes it)
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "cards.zip"
        admit_cards_write_zip(exam=exam, center=center, output=path)
        with path.open("rb") as source:
            shutil.copyfileobj(source, handle)
    handle.seek(0)
    return FileResponse(
        handle, as_attachment=True, filename=f"admit-cards-{exam.code}{suffix}.zip", content_type="application/zip"
    )


# --- Admit cards and attendance sheets ----------------------------------------------------------


class AdmitCardView(FileView):
    """The candidate's admit card as a PDF with an HQ-signed QR code."""

    read_roles = frozenset({Role.ADMIN, Role.EXAM_MANAGER, Role.CENTER_MANAGER})

    @extend_schema(
        responses={(200, "application/pdf"): OpenApiTypes.BINARY, 409: OpenApiResponse(description="no seat")}
    )
    def get(self, request, pk):
        candidate = _scoped_or_404(request.user, Candidate.objects.select_related("exam"), pk=pk)
        return _file(admit_card_render(candidate), "application/pdf", f"admit-card-{candidate.roll_number}.pdf")


class AttendanceSheetView(FileView):
    read_roles = frozenset({Role.ADMIN, Role.EXAM_MANAGER, *CENTER_ROLES})

    @extend_schema(
        parameters=[
            OpenApiParameter("center", OpenApiTypes.UUID, description="Default: the user's own center."),
            OpenApiParameter("room", OpenApiTypes.UUID),
            OpenApiParameter("format", OpenApiTypes.STR, enum=["pdf", "xlsx"]),
        ],
        responses={(200, "application/pdf"): OpenApiTypes.BINARY},
    )
    def get(self, request, pk):
        user = request.user
        session = _scoped_or_404(user, ExamSession.objects.select_related("exam", "paper"), pk=pk)
        center_id = request.query_params.get("center") or user.center_id
        if not center_id:
            raise ApplicationError("invalid", "Give ?center=<center id>.", extra={"errors": {"center": ["Required."]}})
        center = _scoped_or_404(user, Center.objects.all(), pk=_uuid_or_404(center_id))
        room = None
        if room_id := request.query_params.get("room"):
            room = get_object_or_404(Room, pk=_uuid_or_404(room_id), center=center)
        fmt = request.query_params.get("format", "pdf")
        ctx = SheetContext(session=session, center=center, room=room)
        name = f"attendance-{session.exam.code}-{session.paper.code}-{center.code}{'-' + room.code if room else ''}"
        if fmt == "xlsx":
            return _file(attendance_sheet_xlsx(ctx), XLSX, f"{name}.xlsx")
        if fmt != "pdf":
            raise ApplicationError(
                "invalid", "format must be pdf or xlsx.", extra={"errors": {"format": ["pdf, xlsx"]}}
            )
        return _file(attendance_sheet_pdf(ctx), "application/pdf", f"{name}.pdf")


def _uuid_or_404(value):
    try:
        return uuid.UUID(str(value))
    except ValueError as exc:
        raise Http404 from exc


# --- Attendance ---------------------------------------------------------------------------------


class AttendanceFilter(django_filters.FilterSet):
    exam = django_filters.UUIDFilter(field_name="session__exam")

    class Meta:
        model = Attendance
        fields = ["session", "center", "candidate", "status"]


class AttendanceViewSet(ScopedModelViewSet):
    """Attendance rows; marking is POST (create or update, audited) by center staff only."""

    serializer_class = AttendanceSerializer
    read_roles = frozenset({Role.ADMIN, Role.EXAM_MANAGER})
    write_roles = frozenset(CENTER_ROLES)
    http_method_names = ["get", "post", "head", "options"]
    filterset_class = AttendanceFilter
    search_fields = ["candidate__roll_number", "candidate__name"]
    ordering_fields = ["marked_at", "status"]
    ordering = ["session_id", "candidate_id"]

    def get_base_queryset(self):
        return selectors.attendance_list()

    def _session(self, session_id) -> ExamSession:
        return _scoped_or_404(self.request.user, ExamSession.objects.all(), pk=session_id)

    def _answer(self, result):
        body = AttendanceSerializer(result.attendance).data
        return Response(body, status=status.HTTP_201_CREATED if result.created else status.HTTP_200_OK)

    @extend_schema(request=AttendanceMarkSerializer, responses={201: AttendanceSerializer, 200: AttendanceSerializer})
    def create(self, request, *args, **kwargs):
        data = AttendanceMarkSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        session = self._session(data.validated_data["session"])
        candidates = Candidate.objects.all()
        if "roll_number" in data.validated_data:  # scanned from an attendance sheet
            lookup = {"exam_id": session.exam_id, "roll_number": data.validated_data["roll_number"]}
        else:
            lookup = {"pk": data.validated_data["candidate"]}
        candidate = _scoped_or_404(request.user, candidates, **lookup)
        result = attendance_mark(
            user=request.user, candidate=candidate, session=session, status=data.validated_data["status"]
        )
        return self._answer(result)

    @extend_schema(responses={200: AttendanceAuditSerializer(many=True)})
    @action(detail=True, methods=["get"])
    def audit(self, request, pk=None):
        """Every marking of this attendance row, oldest first."""
        attendance = self.get_object()
        rows = attendance.audit.select_related("changed_by").order_by("changed_at", "created_at")
        return Response(AttendanceAuditSerializer(rows, many=True).data)

    @extend_schema(request=AttendanceBulkSerializer, responses={200: AttendanceSerializer(many=True)})
    @action(detail=False, methods=["post"])
    def bulk(self, request):
        data = AttendanceBulkSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        marks = [(m["candidate"], m["status"]) for m in data.validated_data["marks"]]
        results = attendance_mark_bulk(
            user=request.user, session=self._session(data.validated_data["session"]), marks=marks
        )
        return Response(
            {
                "created": sum(r.created for r in results),
                "changed": sum(r.changed for r in results),
                "results": AttendanceSerializer([r.attendance for r in results], many=True).data,
            }
        )

    @extend_schema(request=AttendanceScanSerializer, responses={201: AttendanceSerializer, 200: AttendanceSerializer})
    @action(detail=False, methods=["post"])
    def scan(self, request):
        data = AttendanceScanSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        session_id = data.validated_data.get("session")
        session = self._session(session_id) if session_id else None
        return self._answer(attendance_scan(user=request.user, qr=data.validated_data["qr"], session=session))


# --- Incidents ----------------------------------------------------------------------------------


class IncidentFilter(django_filters.FilterSet):
    exam = django_filters.UUIDFilter(field_name="session__exam")
    date = django_filters.DateFilter(field_name="session__date")

    class Meta:
        model = Incident
        fields = ["session", "center", "candidate", "kind"]


class IncidentViewSet(ScopedModelViewSet):
    """Incidents at a center: reported by its staff, read by HQ."""

    serializer_class = IncidentSerializer
    read_roles = frozenset({Role.ADMIN, Role.EXAM_MANAGER})
    write_roles = frozenset(CENTER_ROLES)
    filterset_class = IncidentFilter
    search_fields = ["description", "candidate__roll_number"]
    ordering_fields = ["created_at", "kind"]
    ordering = ["-created_at"]

    def get_base_queryset(self):
        return selectors.incident_list()

    def get_serializer(self, *args, **kwargs):
        serializer = super().get_serializer(*args, **kwargs)
        user = self.request.user
        fields = getattr(serializer, "fields", {})
        # Only what the user may see can be referred to: anything else is "does not exist".
        if "candidate" in fields:
            fields["candidate"].queryset = scope_for(user, Candidate.objects.all())
            fields["session"].queryset = scope_for(user, ExamSession.objects.all())
            fields["center"].queryset = scope_for(user, Center.objects.all())
        return serializer

    def perform_create(self, serializer):
        data = dict(serializer.validated_data)
        data.setdefault("center", self.request.user.center)
        serializer.instance = incident_services.incident_create(reported_by=self.request.user, **data)

    def perform_update(self, serializer):
        serializer.instance = incident_services.incident_update(
            incident=serializer.instance, data=serializer.validated_data
        )

    def perform_destroy(self, instance):
        incident_services.incident_delete(incident=instance)


# --- Center report ------------------------------------------------------------------------------


class CenterReportView(FileView):
    """A center's day: per session and room allocated / present / absent / not marked, incidents."""

    read_roles = frozenset({Role.ADMIN, Role.EXAM_MANAGER, Role.CENTER_MANAGER})

    @extend_schema(
        parameters=[
            OpenApiParameter("date", OpenApiTypes.DATE, required=True),
            OpenApiParameter("format", OpenApiTypes.STR, enum=["json", "pdf", "xlsx"]),
        ],
        responses={200: OpenApiTypes.OBJECT},
    )
    def get(self, request, pk):
        center = _scoped_or_404(request.user, Center.objects.all(), pk=pk)
        raw = request.query_params.get("date", "")
        try:
            date = dt.date.fromisoformat(raw)
        except ValueError:
            raise ApplicationError(
                "invalid", "Give ?date=YYYY-MM-DD.", extra={"errors": {"date": ["Expected YYYY-MM-DD."]}}
            ) from None
        fmt = request.query_params.get("format", "json")
        if fmt not in RENDERERS:
            raise ApplicationError("invalid", "format must be json, pdf or xlsx.")
        report = center_report(center=center, date=date)
        if fmt == "json":
            return Response(report.as_dict())
        render, content_type, ext = RENDERERS[fmt]
        return _file(render(report), content_type, f"center-report-{center.code}-{date}.{ext}")
