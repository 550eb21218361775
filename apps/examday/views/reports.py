"""A center's day report: per session and room allocated / present / absent / not marked, incidents."""

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema
from rest_framework.response import Response

from apps.centers.models import Center
from apps.core.roles import Role
from apps.core.scoping import scoped_or_404
from apps.core.views import FileView, file_response
from apps.examday.reports import RENDERERS, center_report
from apps.examday.serializers import CenterReportQuerySerializer


class CenterReportView(FileView):
    """A center's day: per session and room allocated / present / absent / not marked, incidents."""

    read_roles = frozenset({Role.ADMIN, Role.EXAM_MANAGER, Role.CENTER_MANAGER})

    @extend_schema(parameters=[CenterReportQuerySerializer], responses={200: OpenApiTypes.OBJECT})
    def get(self, request, pk):
        center = scoped_or_404(request.user, Center.objects.all(), pk=pk)
        query = CenterReportQuerySerializer(data=request.query_params)
        query.is_valid(raise_exception=True)
        date, fmt = query.validated_data["date"], query.validated_data["format"]
        report = center_report(center=center, date=date)
        if fmt == "json":
            return Response(report.as_dict())
        render, content_type, ext = RENDERERS[fmt]
        return file_response(render(report), content_type, f"center-report-{center.code}-{date}.{ext}")
