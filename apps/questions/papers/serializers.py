"""API shapes of question papers. The paper's content checks (blueprint, languages...) are
the services'; these serializers only carry the values."""

from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from apps.exams.models import ExamSession
from apps.questions.models import PaperQuestion, PaperSet, QuestionPaper


class PaperQuestionSerializer(serializers.ModelSerializer):
    """A question's place in the paper (no text: the bank's endpoints serve that)."""

    number = serializers.IntegerField(source="question.number", read_only=True)
    subject = serializers.CharField(source="question.subject.code", read_only=True)
    version = serializers.IntegerField(source="version.number", read_only=True)
    type = serializers.CharField(source="version.type", read_only=True)
    topic = serializers.CharField(source="version.topic", read_only=True)
    difficulty = serializers.CharField(source="version.difficulty", read_only=True)
    passage = serializers.UUIDField(source="version.passage_id", read_only=True)

    class Meta:
        model = PaperQuestion
        fields = (
            "position",
            "section",
            "section_title",
            "question",
            "number",
            "subject",
            "version",
            "type",
            "topic",
            "difficulty",
            "passage",
            "marks",
            "negative_marks",
        )
        read_only_fields = fields


class QuestionPaperSerializer(serializers.ModelSerializer):
    session = serializers.PrimaryKeyRelatedField(queryset=ExamSession.objects.all())
    exam_code = serializers.CharField(source="session.exam.code", read_only=True)
    paper_code = serializers.CharField(source="session.paper.code", read_only=True)
    session_date = serializers.DateField(source="session.date", read_only=True)
    session_start = serializers.TimeField(source="session.start_time", read_only=True)
    set_count = serializers.IntegerField(source="session.paper.set_count", read_only=True)
    question_count = serializers.IntegerField(read_only=True)
    # A plain string in the schema: "draft" or "final" (an enum would collide with the other
    # apps' "status" enums in the OpenAPI names).
    status = serializers.CharField(read_only=True, help_text="draft or final")
    sets_built = serializers.IntegerField(source="set_count_built", read_only=True)
    blueprint = serializers.JSONField(required=False)
    languages = serializers.JSONField(required=False)
    instructions = serializers.JSONField(required=False)
    seed = serializers.IntegerField(required=False, allow_null=True)

    class Meta:
        model = QuestionPaper
        fields = (
            "id",
            "session",
            "exam_code",
            "paper_code",
            "session_date",
            "session_start",
            "status",
            "blueprint",
            "seed",
            "languages",
            "instructions",
            "set_count",
            "sets_built",
            "question_count",
            "created_at",
            "updated_at",
            "finalised_at",
        )
        read_only_fields = ("id", "status", "created_at", "updated_at", "finalised_at")

    def validate_session(self, session):
        if self.instance is not None and session != self.instance.session:
            raise serializers.ValidationError("A paper stays with its session; delete the draft to move it.")
        return session


class QuestionPaperDetailSerializer(QuestionPaperSerializer):
    questions = serializers.SerializerMethodField()

    class Meta(QuestionPaperSerializer.Meta):
        fields = (*QuestionPaperSerializer.Meta.fields, "questions")

    @extend_schema_field(PaperQuestionSerializer(many=True))
    def get_questions(self, paper):
        rows = paper.questions.select_related("question__subject", "version").order_by("position")
        return PaperQuestionSerializer(rows, many=True).data


class PickSerializer(serializers.Serializer):
    section = serializers.IntegerField(min_value=0, default=0)
    section_title = serializers.CharField(required=False, allow_blank=True, max_length=200)
    question_ids = serializers.ListField(
        child=serializers.JSONField(), allow_empty=False, help_text="Question UUIDs or bank numbers."
    )


class ReorderSerializer(serializers.Serializer):
    order = serializers.ListField(child=serializers.IntegerField(min_value=1), allow_empty=False)


class PaperSetSerializer(serializers.ModelSerializer):
    question_count = serializers.IntegerField(read_only=True)

    class Meta:
        model = PaperSet
        fields = ("letter", "question_count")
        read_only_fields = fields
