from apps.authentication.models import Role
from apps.authentication.scoping import HQ_STAFF, ScopedModelViewSet
from apps.exams import selectors, services
from apps.exams.filters import ExamFilter, ExamSessionFilter, PaperFilter
from apps.exams.serializers import ExamSerializer, ExamSessionSerializer, PaperSerializer

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
