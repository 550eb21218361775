"""Attendance: the list, marking one candidate (by id or a sheet's roll number), a bulk
marking, an admit-card scan, and each row's audit."""

import django_filters
from drf_spectacular.utils import extend_schema
from rest_framework import status
from rest_framework.decorators import action
from rest_framework.response import Response

from apps.candidates.models import Candidate
from apps.core.roles import CENTER_ROLES, Role
from apps.core.scoping import ScopedModelViewSet, scoped_or_404
from apps.examday import selectors
from apps.examday.attendance import attendance_mark, attendance_mark_bulk, attendance_scan
from apps.examday.models import Attendance
from apps.examday.serializers import (
    AttendanceAuditSerializer,
    AttendanceBulkSerializer,
    AttendanceMarkSerializer,
    AttendanceScanSerializer,
    AttendanceSerializer,
)
from apps.exams.models import ExamSession


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
        return scoped_or_404(self.request.user, ExamSession.objects.all(), pk=session_id)

    def _answer(self, result):
        body = AttendanceSerializer(result.attendance).data
        return Response(body, status=status.HTTP_201_CREATED if result.created else status.HTTP_200_OK)

    @extend_schema(request=AttendanceMarkSerializer, responses={201: AttendanceSerializer, 200: AttendanceSerializer})
    def create(self, request, *args, **kwargs):
        data = AttendanceMarkSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        session = self._session(data.validated_data["session"])
        if "roll_number" in data.validated_data:  # scanned from an attendance sheet
            lookup = {"exam_id": session.exam_id, "roll_number": data.validated_data["roll_number"]}
        else:
            lookup = {"pk": data.validated_data["candidate"]}
        candidate = scoped_or_404(request.user, Candidate.objects.all(), **lookup)
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
