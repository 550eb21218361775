"""Admit cards: one candidate's PDF, or a zip of an exam's (a background job at scale)."""

import shutil
import tempfile
from pathlib import Path

from django.http import FileResponse, Http404
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import permissions
from rest_framework.views import APIView

from apps.candidates.models import Candidate, CandidateStatus
from apps.centers.models import Center
from apps.core.roles import Role
from apps.core.scoping import RoleAccess, scoped_or_404
from apps.core.views import FileView, file_response
from apps.exams.models import Exam
from apps.jobs.http import ASYNC_PARAMETER, start_or_run
from apps.seating.admit_cards import admit_card_render, admit_cards_write_zip
from apps.seating.serializers import AdmitCardsInputSerializer
from apps.sync import keys
from utils.exceptions import ApplicationError


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
        exam = scoped_or_404(request.user, Exam.objects.all(), pk=pk)
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
            kind="seating.admit_cards",
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


class AdmitCardView(FileView):
    """The candidate's admit card as a PDF with an HQ-signed QR code."""

    read_roles = frozenset({Role.ADMIN, Role.EXAM_MANAGER, Role.CENTER_MANAGER})

    @extend_schema(
        responses={(200, "application/pdf"): OpenApiTypes.BINARY, 409: OpenApiResponse(description="no seat")}
    )
    def get(self, request, pk):
        candidate = scoped_or_404(request.user, Candidate.objects.select_related("exam"), pk=pk)
        return file_response(admit_card_render(candidate), "application/pdf", f"admit-card-{candidate.roll_number}.pdf")
