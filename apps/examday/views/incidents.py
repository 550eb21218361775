"""Incidents at a center: reported by its staff, read by HQ."""

import django_filters

from apps.candidates.models import Candidate
from apps.centers.models import Center
from apps.core.roles import CENTER_ROLES, Role
from apps.core.scoping import ScopedModelViewSet, scope_for
from apps.examday import incidents as incident_services
from apps.examday import selectors
from apps.examday.models import Incident
from apps.examday.serializers import IncidentSerializer
from apps.exams.models import ExamSession


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
