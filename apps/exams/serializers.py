from rest_framework import serializers

from apps.centers.serializers import SYNC_FIELDS
from apps.exams.models import Exam, ExamSession, Paper, SessionCenter


class ExamSerializer(serializers.ModelSerializer):
    class Meta:
        model = Exam
        fields = ("id", "code", "name", "description", "start_date", "end_date", "status", *SYNC_FIELDS)
        read_only_fields = ("id", *SYNC_FIELDS)

    def validate(self, attrs):
        start = attrs.get("start_date", getattr(self.instance, "start_date", None))
        end = attrs.get("end_date", getattr(self.instance, "end_date", None))
        if start and end and end < start:
            raise serializers.ValidationError({"end_date": "The end date cannot be before the start date."})
        return attrs


class PaperSerializer(serializers.ModelSerializer):
    exam_code = serializers.CharField(source="exam.code", read_only=True)

    class Meta:
        model = Paper
        fields = (
            "id",
            "exam",
            "exam_code",
            "code",
            "name",
            "max_marks",
            "pass_marks",
            "duration_minutes",
            "kind",
            "set_count",
            *SYNC_FIELDS,
        )
        read_only_fields = ("id", *SYNC_FIELDS)


class ExamSessionSerializer(serializers.ModelSerializer):
    exam_code = serializers.CharField(source="exam.code", read_only=True)
    paper_code = serializers.CharField(source="paper.code", read_only=True)

    class Meta:
        model = ExamSession
        fields = (
            "id",
            "exam",
            "exam_code",
            "paper",
            "paper_code",
            "date",
            "start_time",
            "end_time",
            *SYNC_FIELDS,
        )
        read_only_fields = ("id", *SYNC_FIELDS)


class SessionCenterSerializer(serializers.ModelSerializer):
    center_code = serializers.CharField(source="center.code", read_only=True)

    class Meta:
        model = SessionCenter
        fields = ("id", "session", "center", "center_code", "seats", *SYNC_FIELDS)
        read_only_fields = ("id", *SYNC_FIELDS)
