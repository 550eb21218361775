import io

from django.http import FileResponse
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework.decorators import action

from apps.core.roles import CENTER_ROLES, Role
from apps.core.scoping import HQ_STAFF, ScopedModelViewSet
from apps.exams import selectors, services
from apps.exams.exports import exams_for_export, schedule_export, schedule_export_size
from apps.exams.filters import ExamFilter, ExamSessionFilter, PaperFilter, SessionCenterFilter
from apps.exams.serializers import ExamSerializer, ExamSessionSerializer, PaperSerializer, SessionCenterSerializer
from apps.jobs.http import ASYNC_PARAM, query_filters, start_or_run
from apps.jobs.serializers import JobSerializer
from utils.spreadsheets import XLSX_CONTENT_TYPE

SCHEDULE_READERS = frozenset({Role.PAPER_SETTER, Role.CENTER_MANAGER, Role.INVIGILATOR})


class ExamViewSet(ScopedModelViewSet):
    """Exams. Status moves forward only (draft → scheduled → ongoing → completed →
    results_published); an admin may reopen."""

    serializer_class = ExamSerializer
    read_roles = SCHEDULE_READERS
    write_roles = HQ_STAFF
    filterset_class = ExamFilter
    search_fields = ["code", "name"]
    ordering_fields = ["code", "name", "start_date", "end_date", "status", "created_at"]
    ordering = ["-start_date", "code"]

    def get_base_queryset(self):
        return selectors.exam_list()

    def perform_create(self, serializer):
        serializer.instance = services.exam_create(**serializer.validated_data)

    def perform_update(self, serializer):
        serializer.instance = services.exam_update(
            exam=serializer.instance, data=serializer.validated_data, user=self.request.user
        )

    def perform_destroy(self, instance):
        services.exam_delete(exam=instance)

    @extend_schema(
        parameters=[OpenApiParameter(ASYNC_PARAM, OpenApiTypes.BOOL, description="1: run as a background job")],
        responses={(200, XLSX_CONTENT_TYPE): OpenApiTypes.BINARY, 202: JobSerializer},
    )
    @action(detail=False, methods=["get"], url_path="export", filter_backends=[], pagination_class=None)
    def export(self, request):
        """The exams you can see (same filters as the list), with papers and sessions, as
        xlsx. Above JOBS_ASYNC_THRESHOLD rows, or with `?async=1`, it runs as a job:
        202 with `Location: /api/jobs/{id}/`, the file at `/api/jobs/{id}/download/`."""
        exams = exams_for_export(user=request.user, filters=request.query_params)

        def run_inline():
            buffer = io.BytesIO()
            schedule_export(exams=exams, output=buffer)
            buffer.seek(0)
            return FileResponse(
                buffer, as_attachment=True, filename="exam-schedule.xlsx", content_type=XLSX_CONTENT_TYPE
            )

        return start_or_run(
            request,
            kind="exams.export",
            params={"filters": query_filters(request)},
            size=schedule_export_size(exams),
            run_inline=run_inline,
        )


class PaperViewSet(ScopedModelViewSet):
    serializer_class = PaperSerializer
    read_roles = SCHEDULE_READERS
    write_roles = HQ_STAFF
    filterset_class = PaperFilter
    search_fields = ["code", "name", "exam__code"]
    ordering_fields = ["code", "name", "max_marks", "duration_minutes", "created_at"]
    ordering = ["exam__code", "code"]

    def get_base_queryset(self):
        return selectors.paper_list()

    def perform_create(self, serializer):
        serializer.instance = services.paper_create(**serializer.validated_data)

    def perform_update(self, serializer):
        serializer.instance = services.paper_update(paper=serializer.instance, data=serializer.validated_data)

    def perform_destroy(self, instance):
        services.paper_delete(paper=instance)


class ExamSessionViewSet(ScopedModelViewSet):
    serializer_class = ExamSessionSerializer
    read_roles = SCHEDULE_READERS
    write_roles = HQ_STAFF
    filterset_class = ExamSessionFilter
    search_fields = ["paper__code", "paper__name", "exam__code"]
    ordering_fields = ["date", "start_time", "end_time", "created_at"]
    ordering = ["date", "start_time"]

    def get_base_queryset(self):
        return selectors.session_list()

    def perform_create(self, serializer):
        serializer.instance = services.session_create(**serializer.validated_data)

    def perform_update(self, serializer):
        serializer.instance = services.session_update(session=serializer.instance, data=serializer.validated_data)

    def perform_destroy(self, instance):
        services.session_delete(session=instance)


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
        serializer.instance = services.session_center_create(**serializer.validated_data)

    def perform_update(self, serializer):
        serializer.instance = services.session_center_update(venue=serializer.instance, data=serializer.validated_data)

    def perform_destroy(self, instance):
        services.session_center_delete(venue=instance)
