"""The attendance sheet of a session at a center (or one room), as PDF or xlsx."""

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema

from apps.centers.models import Center, Room
from apps.core.roles import CENTER_ROLES, Role
from apps.core.scoping import scoped_or_404
from apps.core.views import FileView, file_response
from apps.exams.models import ExamSession
from apps.seating.serializers import AttendanceSheetQuerySerializer
from apps.seating.sheets import SheetContext, attendance_sheet_pdf, attendance_sheet_xlsx
from utils.exceptions import ApplicationError
from utils.spreadsheets import XLSX_CONTENT_TYPE


class AttendanceSheetView(FileView):
    read_roles = frozenset({Role.ADMIN, Role.EXAM_MANAGER, *CENTER_ROLES})

    @extend_schema(
        parameters=[AttendanceSheetQuerySerializer], responses={(200, "application/pdf"): OpenApiTypes.BINARY}
    )
    def get(self, request, pk):
        user = request.user
        session = scoped_or_404(user, ExamSession.objects.select_related("exam", "paper"), pk=pk)
        query = AttendanceSheetQuerySerializer(data=request.query_params)
        query.is_valid(raise_exception=True)
        center_id = query.validated_data.get("center") or user.center_id
        if not center_id:
            raise ApplicationError("invalid", "Give ?center=<center id>.", extra={"errors": {"center": ["Required."]}})
        center = scoped_or_404(user, Center.objects.all(), pk=center_id)
        room = None
        if room_id := query.validated_data.get("room"):
            room = scoped_or_404(user, Room.objects.filter(center=center), pk=room_id)
        ctx = SheetContext(session=session, center=center, room=room)
        name = f"attendance-{session.exam.code}-{session.paper.code}-{center.code}{'-' + room.code if room else ''}"
        if query.validated_data["format"] == "xlsx":
            return file_response(attendance_sheet_xlsx(ctx), XLSX_CONTENT_TYPE, f"{name}.xlsx")
        return file_response(attendance_sheet_pdf(ctx), "application/pdf", f"{name}.pdf")
