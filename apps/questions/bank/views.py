"""The question bank's API (docs/questions/bank.md): questions and their review workflow,
images, passages, subjects and setter assignments.

Admins and paper setters only (setters: the subjects assigned to them, other subjects' rows
are 404); every other role gets 403 on every one of these endpoints. Views are thin: they
parse, call a service, render.
"""

from django.http import FileResponse
from drf_spectacular.utils import extend_schema
from rest_framework import mixins, status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import NotFound
from rest_framework.parsers import FormParser, MultiPartParser
from rest_framework.permissions import IsAuthenticated
from rest_framework.response import Response

from apps.core.roles import Role
from apps.core.scoping import RoleAccess, ScopedModelViewSet, scope_for
from apps.questions.bank import selectors, services
from apps.questions.bank.filters import QuestionFilter, SubjectScopedFilter
from apps.questions.bank.serializers import (
    HistorySerializer,
    ImageSerializer,
    ImageUploadSerializer,
    PassageSerializer,
    QuestionSerializer,
    QuestionWriteSerializer,
    ReturnSerializer,
    SetterAssignmentSerializer,
    SubjectSerializer,
    VersionSerializer,
)
from apps.questions.models import QuestionImage, SetterAssignment, Subject
from utils.parsers import JSONParser

BANK_ROLES = frozenset({Role.ADMIN, Role.PAPER_SETTER})
ADMINS = frozenset({Role.ADMIN})
# A UUID, so /api/questions/import/, /export/, /template/ (the formats' routes) never reach
# the detail route.
UUID_PATTERN = "[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}"


class QuestionViewSet(ScopedModelViewSet):
    """Bank questions. Writes go through `apps.questions.bank.services`; content is validated
    by `clean_content` (400 naming the field), workflow conflicts are 409."""

    serializer_class = QuestionSerializer
    read_roles = BANK_ROLES
    write_roles = BANK_ROLES
    lookup_value_regex = UUID_PATTERN
    filterset_class = QuestionFilter
    ordering_fields = ["number", "created_at", "updated_at", "difficulty", "marks", "status", "topic", "type"]
    ordering = ["number"]

    def get_base_queryset(self):
        return selectors.question_list()

    def _render(self, question, code=status.HTTP_200_OK):
        question = self.get_base_queryset().get(pk=question.pk)
        return Response(self.get_serializer(question).data, status=code)

    @extend_schema(request=QuestionWriteSerializer, responses={201: QuestionSerializer})
    def create(self, request, *args, **kwargs):
        form = QuestionWriteSerializer(data=request.data, context=self.get_serializer_context())
        form.is_valid(raise_exception=True)
        data = form.validated_data
        question = services.create_question(
            user=request.user, subject=data["subject"], data=form.content(), passage=data.get("passage")
        )
        return self._render(question, status.HTTP_201_CREATED)

    @extend_schema(request=QuestionWriteSerializer, responses={200: QuestionSerializer})
    def update(self, request, *args, **kwargs):
        question = self.get_object()
        partial = kwargs.pop("partial", False)
        form = QuestionWriteSerializer(data=request.data, partial=partial, context=self.get_serializer_context())
        form.is_valid(raise_exception=True)
        data = form.content()
        for field in ("subject", "passage"):
            if field in form.validated_data:
                data[field] = form.validated_data[field]
        question = services.update_question(user=request.user, question=question, data=data)
        return self._render(question)

    @extend_schema(request=QuestionWriteSerializer, responses={200: QuestionSerializer})
    def partial_update(self, request, *args, **kwargs):
        return self.update(request, *args, partial=True, **kwargs)

    def perform_destroy(self, instance):
        services.delete_question(user=self.request.user, question=instance)

    @extend_schema(request=None, responses={200: QuestionSerializer})
    @action(detail=True, methods=["post"])
    def submit(self, request, pk=None):
        """Draft -> submitted for review."""
        return self._render(services.submit_question(user=request.user, question=self.get_object()))

    @extend_schema(request=None, responses={200: QuestionSerializer})
    @action(detail=True, methods=["post"])
    def approve(self, request, pk=None):
        """Submitted -> approved, by someone who did not write this version (409 otherwise)."""
        return self._render(services.approve_question(user=request.user, question=self.get_object()))

    @extend_schema(request=ReturnSerializer, responses={200: QuestionSerializer})
    @action(detail=True, methods=["post"], url_path="return", url_name="return")
    def return_to_draft(self, request, pk=None):
        """Submitted -> back to draft, with a note saying what to change."""
        question = self.get_object()
        form = ReturnSerializer(data=request.data)
        form.is_valid(raise_exception=True)
        return self._render(services.return_question(user=request.user, question=question, note=form.data["note"]))

    @extend_schema(request=None, responses={200: QuestionSerializer})
    @action(detail=True, methods=["post"])
    def retire(self, request, pk=None):
        """Never drawn again; papers already built keep it."""
        return self._render(services.retire_question(user=request.user, question=self.get_object()))

    @extend_schema(responses={200: HistorySerializer(many=True)})
    @action(detail=True, methods=["get"], filter_backends=[])
    def history(self, request, pk=None):
        """Every change: who, when, which version, `{field: [before, after]}`."""
        rows = self.paginate_queryset(selectors.question_history(self.get_object()))
        return self.get_paginated_response(HistorySerializer(rows, many=True).data)

    @extend_schema(responses={200: VersionSerializer(many=True)})
    @action(detail=True, methods=["get"], filter_backends=[])
    def versions(self, request, pk=None):
        """The approved versions, oldest first: immutable, what papers are built from."""
        rows = self.paginate_queryset(selectors.question_versions(self.get_object()))
        return self.get_paginated_response(VersionSerializer(rows, many=True).data)

    @extend_schema(responses={200: VersionSerializer})
    @action(detail=True, methods=["get"], url_path=r"versions/(?P<n>[0-9]+)", filter_backends=[])
    def version(self, request, pk=None, n=None):
        version = selectors.question_versions(self.get_object()).filter(number=int(n)).first()
        if version is None:
            raise NotFound(f"This question has no version {int(n)}.")
        return Response(VersionSerializer(version).data)

    @extend_schema(request={"multipart/form-data": ImageUploadSerializer}, responses={201: ImageSerializer})
    @action(detail=True, methods=["post"], parser_classes=[MultiPartParser, FormParser])
    def images(self, request, pk=None):
        """Attach an image (JPEG/PNG, judged by content; 413 over MAX_QUESTION_IMAGE_BYTES)."""
        question = self.get_object()
        form = ImageUploadSerializer(data=request.data)
        form.is_valid(raise_exception=True)
        image = services.add_image(
            user=request.user,
            question=question,
            upload=form.validated_data["file"],
            caption=form.validated_data.get("caption", ""),
        )
        return Response(ImageSerializer(image, context=self.get_serializer_context()).data, status=201)


class QuestionImageViewSet(mixins.RetrieveModelMixin, mixins.DestroyModelMixin, viewsets.GenericViewSet):
    """A question's image: GET serves the file (through these checks: MEDIA_ROOT is never
    served), DELETE takes it off the working copy."""

    permission_classes = [IsAuthenticated, RoleAccess]
    read_roles = BANK_ROLES
    write_roles = BANK_ROLES
    lookup_value_regex = UUID_PATTERN
    serializer_class = ImageSerializer

    def get_queryset(self):
        return scope_for(self.request.user, QuestionImage.objects.select_related("question"))

    @extend_schema(responses={(200, "image/png"): bytes, (200, "image/jpeg"): bytes, 404: None})
    def retrieve(self, request, *args, **kwargs):
        image = self.get_object()
        if not image.file or not image.file.storage.exists(image.file.name):
            raise NotFound("The image file is missing.")
        content_type = "image/png" if image.file.name.lower().endswith(".png") else "image/jpeg"
        return FileResponse(image.file.open("rb"), content_type=content_type)

    def perform_destroy(self, instance):
        services.remove_image(user=self.request.user, image=instance)


class SubjectViewSet(ScopedModelViewSet):
    """Subjects: admins write; a paper setter reads the subjects assigned to it."""

    serializer_class = SubjectSerializer
    read_roles = frozenset({Role.PAPER_SETTER})
    write_roles = ADMINS
    lookup_value_regex = UUID_PATTERN
    search_fields = ["code", "name"]
    ordering_fields = ["code", "name", "created_at"]
    ordering = ["code"]

    def get_base_queryset(self):
        return Subject.objects.all()

    def perform_create(self, serializer):
        serializer.instance = services.create_subject(**serializer.validated_data)

    def perform_update(self, serializer):
        serializer.instance = services.update_subject(subject=serializer.instance, data=serializer.validated_data)

    def perform_destroy(self, instance):
        services.delete_subject(subject=instance)


class SetterAssignmentViewSet(ScopedModelViewSet):
    """Which paper setter sets which subject: admins write; a setter reads its own."""

    serializer_class = SetterAssignmentSerializer
    read_roles = frozenset({Role.PAPER_SETTER})
    write_roles = ADMINS
    http_method_names = ["get", "post", "delete", "head", "options"]
    lookup_value_regex = "[0-9]+"
    filterset_class = SubjectScopedFilter
    ordering_fields = ["created_at"]

    def get_base_queryset(self):
        return selectors.assignment_list()

    def perform_create(self, serializer):
        data = serializer.validated_data
        serializer.instance = services.assign_setter(setter=data["user"], subject=data["subject"])

    def perform_destroy(self, instance: SetterAssignment):
        services.unassign_setter(assignment=instance)


class PassageViewSet(ScopedModelViewSet):
    """Shared stems of several questions, in a subject."""

    serializer_class = PassageSerializer
    read_roles = BANK_ROLES
    write_roles = BANK_ROLES
    lookup_value_regex = UUID_PATTERN
    parser_classes = [JSONParser]
    filterset_class = SubjectScopedFilter
    ordering_fields = ["created_at", "title"]

    def get_base_queryset(self):
        return selectors.passage_list()

    def perform_create(self, serializer):
        data = dict(serializer.validated_data)
        subject = data.pop("subject")
        serializer.instance = services.create_passage(user=self.request.user, subject=subject, data=data)

    def perform_update(self, serializer):
        serializer.instance = services.update_passage(
            user=self.request.user, passage=serializer.instance, data=dict(serializer.validated_data)
        )

    def perform_destroy(self, instance):
        services.delete_passage(user=self.request.user, passage=instance)
