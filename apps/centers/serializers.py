from rest_framework import serializers

from apps.centers.models import Center, Room

SYNC_FIELDS = ("created_at", "updated_at", "origin", "version")


class CenterSerializer(serializers.ModelSerializer):
    capacity = serializers.IntegerField(source="capacity_total", read_only=True, help_text="Sum of room capacities.")
    room_count = serializers.IntegerField(read_only=True)

    class Meta:
        model = Center
        fields = (
            "id",
            "code",
            "name",
            "address",
            "city",
            "state",
            "contact_phone",
            "is_active",
            "capacity",
            "room_count",
            *SYNC_FIELDS,
        )
        read_only_fields = ("id", *SYNC_FIELDS)


class RoomSerializer(serializers.ModelSerializer):
    center_code = serializers.CharField(source="center.code", read_only=True)

    class Meta:
        model = Room
        fields = (
            "id",
            "center",
            "center_code",
            "code",
            "name",
            "capacity",
            "rows",
            "columns",
            "floor",
            "is_accessible",
            *SYNC_FIELDS,
        )
        read_only_fields = ("id", *SYNC_FIELDS)

    def validate(self, attrs):
        rows = attrs.get("rows", getattr(self.instance, "rows", None))
        columns = attrs.get("columns", getattr(self.instance, "columns", None))
        capacity = attrs.get("capacity", getattr(self.instance, "capacity", None))
        if rows and columns and capacity and capacity > rows * columns:
            raise serializers.ValidationError(
                {"capacity": f"Capacity {capacity} exceeds the {rows} x {columns} seating grid."}
            )
        return attrs
