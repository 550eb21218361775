"""The question-paper API (docs/questions/papers.md).

Admins and paper setters (for papers drawing only on their subjects) build papers and sets
and preview the PDFs; only an admin finalises. Exam managers get 403 everywhere except the
answer keys, which they may read once the exam paper's last session has ended. Every other
role gets 403.
"""

from django.http import HttpResponse
from django.shortcuts import get_object_or_404
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import status
from rest_framework.decorators import action
from rest_framework.exceptions import NotFound
from rest_framework.response import Response

from apps.core.roles import Role
from apps.core.scoping import ScopedModelViewSet
from apps.questions.papers import selectors, services
from apps.questions.papers.keys import answer_key
from apps.questions.papers.printing import render_set_pdf
from apps.questions.papers.serializers import (
    PaperSetSerializer,
    PickSerializer,
    QuestionPaperDetailSerializer,
    QuestionPaperSerializer,
    ReorderSerializer,
)
from utils.exceptions import ApplicationError

PAPER_WRITERS = services.PAPER_WRITERS
ADMINS = frozenset({Role.ADMIN})
KEY_READERS = frozenset({Role.EXAM_MANAGER})


class QuestionPaperViewSet(ScopedModelViewSet):
    """Question papers, one per exam session; drafts are built from a blueprint or by hand,
    then sets are built and an admin finalises. A final paper is immutable (409)."""

    read_roles = frozenset()
    write_roles = PAPER_WRITERS
    filterset_fields = ["status", "session", "session__paper", "session__exam"]
    ordering_fields = ["session__date", "session__start_time", "created_at", "status"]
    ordering = ["session__date", "session__start_time"]

    def get_base_queryset(self):
        return selectors.paper_list()

    def get_serializer_class(self):
        if self.action in ("list", "create"):
            return QuestionPaperSerializer
        return QuestionPaperDetailSerializer

    def _fresh(self, paper):
        """The paper again, as the list annotates it (counts), for a response."""
        return self.get_queryset().get(pk=paper.pk)

    def _detail(self, paper, code=status.HTTP_200_OK):
        return Response(QuestionPaperDetailSerializer(self._fresh(paper)).data, status=code)

    def create(self, request, *args, **kwargs):
        serializer = QuestionPaperSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        paper = services.create_paper(
            user=request.user,
            session=data["session"],
            blueprint=data.get("blueprint"),
            seed=data.get("seed"),
            languages=data.get("languages") or ("en",),
            instructions=data.get("instructions"),
        )
        return self._detail(paper, status.HTTP_201_CREATED)

    def update(self, request, *args, **kwargs):
        paper = self.get_object()
        serializer = QuestionPaperSerializer(paper, data=request.data, partial=True)
        serializer.is_valid(raise_exception=True)
        data = {k: v for k, v in serializer.validated_data.items() if k in services.UPDATABLE}
        paper = services.update_paper(user=request.user, paper=paper, data=data)
        return self._detail(paper)

    def perform_destroy(self, instance):
        services.delete_paper(user=self.request.user, paper=instance)

    @extend_schema(request=None, responses={200: QuestionPaperDetailSerializer})
    @action(detail=True, methods=["post"])
    def build(self, request, pk=None):
        """Draw the questions from the blueprint and seed (replacing the paper's questions and
        sets). 400 names each rule the bank cannot satisfy and how many were available."""
        paper = self.get_object()
        services.build_from_blueprint(user=request.user, paper=paper)
        return self._detail(paper)

    @extend_schema(request=PickSerializer, responses={200: QuestionPaperDetailSerializer})
    @action(detail=True, methods=["post"])
    def questions(self, request, pk=None):
        """Add approved questions by hand to a section (`question_ids`: UUIDs or bank numbers)."""
        paper = self.get_object()
        form = PickSerializer(data=request.data)
        form.is_valid(raise_exception=True)
        services.pick_questions(user=request.user, paper=paper, **form.validated_data)
        return self._detail(paper)

    @extend_schema(request=None, responses={200: QuestionPaperDetailSerializer})
    @action(detail=True, methods=["delete"], url_path=r"questions/(?P<position>[0-9]+)")
    def remove_question(self, request, pk=None, position=None):
        """Remove the question at `position`; the others close up."""
        paper = self.get_object()
        services.remove_question(user=request.user, paper=paper, position=int(position))
        return self._detail(paper)

    @extend_schema(request=ReorderSerializer, responses={200: QuestionPaperDetailSerializer})
    @action(detail=True, methods=["post"])
    def reorder(self, request, pk=None):
        """Put the questions in a new master order: `order` lists every current position once."""
        paper = self.get_object()
        form = ReorderSerializer(data=request.data)
        form.is_valid(raise_exception=True)
        services.reorder_questions(user=request.user, paper=paper, order=form.validated_data["order"])
        return self._detail(paper)

    @extend_schema(request=None, responses={200: PaperSetSerializer(many=True), 201: PaperSetSerializer(many=True)})
    @action(detail=True, methods=["get", "post"], pagination_class=None, filter_backends=[])
    def sets(self, request, pk=None):
        """GET: the paper's sets. POST: build them (Paper.set_count, lettered A, B, C...)."""
        paper = self.get_object()
        code = status.HTTP_200_OK
        if request.method == "POST":
            services.build_sets(user=request.user, paper=paper)
            code = status.HTTP_201_CREATED
        return Response(PaperSetSerializer(selectors.paper_sets(paper), many=True).data, status=code)

    @extend_schema(
        parameters=[OpenApiParameter("set", OpenApiTypes.STR, description="One set's letter (default: all)")],
        responses={200: OpenApiTypes.OBJECT},
    )
    @action(
        detail=True,
        methods=["get"],
        url_path="answer-key",
        read_roles=KEY_READERS,
        pagination_class=None,
        filter_backends=[],
    )
    def answer_key(self, request, pk=None):
        """Each set's key: position -> bank question and its correct options in that set's
        lettering. Exam managers may read it once the exam paper's last session has ended."""
        paper = self.get_object()
        if request.user.role == Role.EXAM_MANAGER and not selectors.keys_open_to_exam_managers(paper):
            opens = selectors.last_session_end(paper)
            raise ApplicationError(
                "permission_denied",
                f"Answer keys open to exam managers when the paper's last session ends, "
                f"{opens:%Y-%m-%d %H:%M} ({opens.tzinfo}).",
                status_code=status.HTTP_403_FORBIDDEN,
            )
        sets = paper.sets.order_by("letter")
        wanted = request.query_params.get("set")
        if wanted:
            sets = sets.filter(letter=wanted.upper())
            if not sets.exists():
                raise NotFound(f"The paper has no set {wanted!r}.")
        body = [{"letter": paper_set.letter, "key": answer_key(paper_set)} for paper_set in sets]
        return Response({"paper": str(paper.pk), "status": paper.status, "sets": body})

    @extend_schema(responses={(200, "application/pdf"): OpenApiTypes.BINARY})
    @action(detail=True, methods=["get"], url_path=r"sets/(?P<letter>[A-Za-z])/pdf")
    def set_pdf(self, request, pk=None, letter=None):
        """A preview of one set's printable PDF, rendered now (not stored, not a print record)."""
        paper = self.get_object()
        paper_set = get_object_or_404(paper.sets.select_related("paper__session__paper__exam"), letter=letter.upper())
        languages = request.query_params.getlist("language") or None
        pdf = render_set_pdf(paper_set, languages=languages)
        response = HttpResponse(pdf, content_type="application/pdf")
        response["Content-Disposition"] = f'inline; filename="preview-set-{paper_set.letter}.pdf"'
        return response

    @extend_schema(request=None, responses={200: QuestionPaperDetailSerializer})
    @action(detail=True, methods=["post"], write_roles=ADMINS)
    def finalise(self, request, pk=None):
        """Make the paper final (admins): its sets must be built and every question still approved."""
        paper = self.get_object()
        services.finalise_paper(user=request.user, paper=paper)
        return self._detail(paper)
