"""Seats: the list (read-only) and running the allocation of an exam."""

import django_filters
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema
from rest_framework import permissions
from rest_framework.response import Response
from rest_framework.views import APIView

from apps.candidates.models import Candidate, CandidateStatus
from apps.core.roles import CENTER_ROLES
from apps.core.scoping import HQ_STAFF, RoleAccess, ScopedModelViewSet, scoped_or_404
from apps.exams.models import Exam
from apps.jobs.http import ASYNC_PARAMETER, start_or_run
from apps.seating import selectors
from apps.seating.allocation import allocation_run
from apps.seating.models import Allocation
from apps.seating.serializers import AllocateInputSerializer, AllocationSerializer


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
        exam = scoped_or_404(request.user, Exam.objects.all(), pk=pk)
        params = AllocateInputSerializer(data=request.data)
        params.is_valid(raise_exception=True)
        size = Candidate.objects.filter(exam=exam).exclude(status=CandidateStatus.WITHDRAWN).count()
        return start_or_run(
            request,
            kind="seating.allocate",
            params={"exam": str(exam.pk), **params.validated_data},
            size=size,
            run_inline=lambda: Response(allocation_run(exam=exam, **params.validated_data).as_dict()),
        )
