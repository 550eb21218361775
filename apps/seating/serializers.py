from rest_framework import serializers

from apps.centers.models import Center
from apps.centers.serializers import SYNC_FIELDS
from apps.seating.models import Allocation


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


class AttendanceSheetQuerySerializer(serializers.Serializer):
    # Ids stay plain text: a malformed or foreign one answers 404 through scoping, like a missing one.
    center = serializers.CharField(required=False, help_text="Center UUID. Default: the user's own center.")
    room = serializers.CharField(required=False, help_text="Room UUID: only this room's seats.")
    format = serializers.ChoiceField(choices=["pdf", "xlsx"], default="pdf")
