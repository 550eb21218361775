from rest_framework import serializers

from apps.centers.serializers import SYNC_FIELDS
from apps.examday.models import Attendance, AttendanceAudit, AttendanceStatus, Incident


class AttendanceSerializer(serializers.ModelSerializer):
    roll_number = serializers.CharField(source="candidate.roll_number", read_only=True)
    marked_by_username = serializers.CharField(source="marked_by.username", read_only=True, default=None)

    class Meta:
        model = Attendance
        fields = (
            "id",
            "candidate",
            "roll_number",
            "session",
            "center",
            "status",
            "marked_by",
            "marked_by_username",
            "marked_at",
            *SYNC_FIELDS,
        )
        read_only_fields = fields


class AttendanceAuditSerializer(serializers.ModelSerializer):
    changed_by_username = serializers.CharField(source="changed_by.username", read_only=True, default=None)

    class Meta:
        model = AttendanceAudit
        fields = ("id", "old_status", "new_status", "source", "changed_by", "changed_by_username", "changed_at")
        read_only_fields = fields


class AttendanceMarkSerializer(serializers.Serializer):
    # Plain UUIDs: which candidates a user may see is decided by scoping (404), not here.
    candidate = serializers.UUIDField(required=False)
    roll_number = serializers.CharField(
        required=False, max_length=32, help_text="Instead of `candidate`: the roll number read from a sheet's QR code."
    )
    session = serializers.UUIDField()
    status = serializers.ChoiceField(choices=AttendanceStatus.choices)

    def validate(self, attrs):
        if ("candidate" in attrs) == ("roll_number" in attrs):
            raise serializers.ValidationError({"candidate": "Give either candidate or roll_number."})
        return attrs


class AttendanceBulkItemSerializer(serializers.Serializer):
    candidate = serializers.UUIDField()
    status = serializers.ChoiceField(choices=AttendanceStatus.choices)


class AttendanceBulkSerializer(serializers.Serializer):
    session = serializers.UUIDField()
    marks = AttendanceBulkItemSerializer(many=True, allow_empty=False, max_length=2000)


class AttendanceScanSerializer(serializers.Serializer):
    qr = serializers.CharField(max_length=2000)
    session = serializers.UUIDField(required=False, help_text="Default: the candidate's session open now.")


class IncidentSerializer(serializers.ModelSerializer):
    reported_by_username = serializers.CharField(source="reported_by.username", read_only=True, default=None)
    roll_number = serializers.CharField(source="candidate.roll_number", read_only=True, default=None)

    class Meta:
        model = Incident
        fields = (
            "id",
            "session",
            "center",
            "candidate",
            "roll_number",
            "kind",
            "description",
            "reported_by",
            "reported_by_username",
            *SYNC_FIELDS,
        )
        read_only_fields = ("id", "reported_by", *SYNC_FIELDS)
        extra_kwargs = {"center": {"required": False}}


class CenterReportQuerySerializer(serializers.Serializer):
    date = serializers.DateField(help_text="The day to report, YYYY-MM-DD.")
    format = serializers.ChoiceField(choices=["json", "pdf", "xlsx"], default="json")
