"""API shapes of the question bank. Only shapes: the rules live in the services and in
`clean_content`, so the API, the admin and the importers cannot differ.

Content fields arrive as raw JSON and are judged by `clean_content`, whose errors name the
field (`options[2].text.hi`, `answer.tolerance`). Subjects and passages are looked up only
among those the user may see, so naming another setter's subject is a 400 on `subject`.
"""

from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError as DjangoValidationError
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers
from rest_framework.reverse import reverse

from apps.core.roles import Role
from apps.core.scoping import scope_for
from apps.questions.models import (
    Passage,
    Question,
    QuestionHistory,
    QuestionImage,
    QuestionVersion,
    SetterAssignment,
    Subject,
)

User = get_user_model()


@extend_schema_field(OpenApiTypes.STR)
class ScopedSubjectField(serializers.Field):
    """A subject by code (PHY) or id, among the subjects the requesting user may see."""

    default_error_messages = {"unknown": "No subject {value!r} that you may write to."}

    def to_internal_value(self, data):
        value = str(data).strip()
        visible = scope_for(self.context["request"].user, Subject.objects.all())
        subject = visible.filter(code__iexact=value).first()
        if subject is None:
            try:
                subject = visible.filter(pk=value).first()
            except (ValueError, TypeError, DjangoValidationError):
                subject = None
        if subject is None:
            self.fail("unknown", value=value)
        return subject

    def to_representation(self, value):
        return str(value.pk)


@extend_schema_field(OpenApiTypes.UUID)
class ScopedPassageField(serializers.PrimaryKeyRelatedField):
    def get_queryset(self):
        return scope_for(self.context["request"].user, Passage.objects.all())


@extend_schema_field(OpenApiTypes.STR)
class UserNameField(serializers.RelatedField):
    def to_representation(self, value):
        return value.username


class ImageSerializer(serializers.ModelSerializer):
    url = serializers.SerializerMethodField()

    class Meta:
        model = QuestionImage
        fields = ("id", "url", "caption", "width", "height", "sha256", "created_at")
        read_only_fields = fields

    def get_url(self, image) -> str:
        return reverse("question-image-detail", kwargs={"pk": image.pk}, request=self.context.get("request"))


CONTENT_OUT = Question.CONTENT_FIELDS


class QuestionSerializer(serializers.ModelSerializer):
    """A question as the bank holds it (admins and the subject's setters only)."""

    subject_code = serializers.CharField(source="subject.code", read_only=True)
    author = UserNameField(read_only=True)
    approved_version = serializers.IntegerField(source="approved_version.number", read_only=True, default=None)
    images = serializers.SerializerMethodField()

    class Meta:
        model = Question
        fields = (
            "id",
            "number",
            "subject",
            "subject_code",
            "status",
            "version",
            "approved_version",
            *CONTENT_OUT,
            "images",
            "author",
            "source",
            "created_at",
            "updated_at",
        )
        read_only_fields = fields

    def get_images(self, question) -> list[dict]:
        images = getattr(question, "current_images", None)
        if images is None:
            images = question.images.filter(removed_at__isnull=True)
        return ImageSerializer(images, many=True, context=self.context).data


class QuestionWriteSerializer(serializers.Serializer):
    """What a client sends to create or change a question. On update only the fields sent
    change (the rest of the content is kept, then the whole is validated)."""

    subject = ScopedSubjectField(help_text="Subject code (PHY) or id.")
    type = serializers.CharField(help_text="single, multiple, true_false, numeric, descriptive")
    text = serializers.JSONField(help_text='{"en": "...", "hi": "..."}')
    text_format = serializers.CharField(required=False, help_text="markdown (default) or html")
    options = serializers.JSONField(
        required=False, help_text='[{"text": {"en": ...}, "correct": true, "fixed": false}]'
    )
    answer = serializers.JSONField(
        required=False, allow_null=True, help_text='{"value", "tolerance"} or {"min", "max"}'
    )
    model_answer = serializers.JSONField(required=False)
    marking_scheme = serializers.JSONField(required=False)
    marks = serializers.CharField(required=False)
    negative_marks = serializers.CharField(required=False, allow_null=True)
    difficulty = serializers.CharField(required=False)
    topic = serializers.CharField(required=False, allow_blank=True)
    tags = serializers.JSONField(required=False)
    passage = ScopedPassageField(required=False, allow_null=True)

    def content(self) -> dict:
        """The content fields sent (everything but subject and passage)."""
        return {k: v for k, v in self.validated_data.items() if k not in ("subject", "passage")}


class ReturnSerializer(serializers.Serializer):
    note = serializers.CharField(max_length=500, help_text="What the author must change.")


class ImageUploadSerializer(serializers.Serializer):
    file = serializers.FileField(help_text="A JPEG or PNG image (checked by decoding it).")
    caption = serializers.CharField(required=False, allow_blank=True, max_length=300)


class HistorySerializer(serializers.ModelSerializer):
    actor = UserNameField(read_only=True)

    class Meta:
        model = QuestionHistory
        fields = ("id", "question_number", "version", "action", "actor", "at", "changes", "note")
        read_only_fields = fields


class VersionSerializer(serializers.ModelSerializer):
    author = UserNameField(read_only=True)
    approved_by = UserNameField(read_only=True)

    class Meta:
        model = QuestionVersion
        fields = ("number", *CONTENT_OUT, "images", "author", "approved_by", "approved_at")
        read_only_fields = fields


class SubjectSerializer(serializers.ModelSerializer):
    class Meta:
        model = Subject
        fields = ("id", "code", "name", "created_at")
        read_only_fields = ("id", "created_at")
        validators = []  # uniqueness is the model's (full_clean in the service)

    def get_fields(self):
        fields = super().get_fields()
        fields["code"].validators = []
        return fields


class PassageSerializer(serializers.ModelSerializer):
    subject = ScopedSubjectField(help_text="Subject code or id.")
    subject_code = serializers.CharField(source="subject.code", read_only=True)
    text = serializers.JSONField(help_text='{"en": "...", "hi": "..."}')
    created_by = UserNameField(read_only=True)

    class Meta:
        model = Passage
        fields = ("id", "subject", "subject_code", "title", "text", "text_format", "created_by", "created_at")
        read_only_fields = ("id", "created_by", "created_at")
        extra_kwargs = {"text_format": {"required": False}, "title": {"required": False}}


class SetterAssignmentSerializer(serializers.ModelSerializer):
    user = serializers.PrimaryKeyRelatedField(queryset=User.objects.filter(role=Role.PAPER_SETTER))
    username = serializers.CharField(source="user.username", read_only=True)
    subject = ScopedSubjectField(help_text="Subject code or id.")
    subject_code = serializers.CharField(source="subject.code", read_only=True)

    class Meta:
        model = SetterAssignment
        fields = ("id", "user", "username", "subject", "subject_code", "created_at")
        read_only_fields = ("id", "created_at")
        validators = []  # a second assignment is the service's 409
