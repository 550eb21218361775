from rest_framework import serializers

from apps.sync.models import SyncLog


class SyncLogSerializer(serializers.ModelSerializer):
    username = serializers.CharField(source="user.username", read_only=True, default=None)

    class Meta:
        model = SyncLog
        fields = (
            "id",
            "created_at",
            "user",
            "username",
            "node",
            "direction",
            "kind",
            "status",
            "message",
            "package_id",
            "origin",
            "target",
            "center",
            "file_name",
            "sha256",
            "size_bytes",
            "counts",
            "conflicts",
            "conflict_count",
            "duration_seconds",
            "free_disk_bytes",
            "database_bytes",
        )
        read_only_fields = fields


class ExportQuerySerializer(serializers.Serializer):
    center = serializers.CharField(help_text="Center code or UUID.")
    kind = serializers.ChoiceField(choices=["center-package", "results-package"], required=False)
    since = serializers.DateTimeField(required=False, help_text="Only rows changed after this time.")
    target = serializers.CharField(required=False, help_text="Results package: the node it is addressed to.")
    force = serializers.BooleanField(required=False, default=False)


class ImportUploadSerializer(serializers.Serializer):
    file = serializers.FileField(help_text="The package file (zip, any name).")
