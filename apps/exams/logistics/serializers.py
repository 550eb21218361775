from rest_framework import serializers

from apps.centers.models import Center
from apps.centers.serializers import SYNC_FIELDS
from apps.exams.logistics.models import (
    Allocation,
    Attendance,
    AttendanceAudit,
    AttendanceStatus,
    Incident,
    SessionCenter,
)


class SessionCenterSerializer(serializers.ModelSerializer):
    center_code = serializers.CharField(source="center.code", read_only=True)

    class Meta:
        model = SessionCenter
        fields = ("id", "session", "center", "center_code", "seats", *SYNC_FIELDS)
        read_only_fields = ("id", *SYNC_FIELDS)


class AllocationSerializer(serializers.ModelSerializer):
    roll_number = serializers.CharField(source="candidate.roll_number", read_only=True)
    candidate_name = serializers.CharField(source="candidate.name", read_only=True)
    center_code = serializers.CharField(source="center.code", read_only=True)
    room_code = serializers.CharField(source="room.code", read_only=True)

    class Meta:
        model = Allocation
        fields = (
            "id",
            "candidate",
            "roll_number",
            "candidate_name",
            "exam",
            "session",
            "center",
            "center_code",
            "room",
            "room_code",
            "row",
            "column",
            "seat_number",
            "paper_set",
            *SYNC_FIELDS,
        )
        read_only_fields = fields


class AllocateInputSerializer(serializers.Serializer):
    seed = serializers.IntegerField(default=0, min_value=0, max_value=2**31 - 1)
    dry_run = serializers.BooleanField(default=False)
    reset = serializers.BooleanField(default=False)


class AdmitCardsInputSerializer(serializers.Serializer):
    center = serializers.PrimaryKeyRelatedField(
        queryset=Center.objects.all(), required=False, allow_null=True, help_text="Only this center's candidates."
    )


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
