from rest_framework import serializers

from apps.questions.models import DocumentDownload, PaperDocument, PaperRelease, ReleaseAttempt


class PaperDocumentSerializer(serializers.ModelSerializer):
    """A document's description: never its content or any key."""

    class Meta:
        model = PaperDocument
        fields = ["id", "session", "kind", "set_letter", "title", "content_type", "size", "sha256", "created_at"]
        read_only_fields = fields


class PaperDocumentUploadSerializer(serializers.Serializer):
    file = serializers.FileField()
    title = serializers.CharField(max_length=200)


class ReleaseRequestSerializer(serializers.Serializer):
    code = serializers.CharField(max_length=64)


class ReleaseCodeSerializer(serializers.Serializer):
    center = serializers.UUIDField()
    center_code = serializers.CharField()
    center_name = serializers.CharField()
    code = serializers.CharField()


class PaperReleaseSerializer(serializers.ModelSerializer):
    class Meta:
        model = PaperRelease
        fields = ["id", "session", "center", "released_by", "released_at"]
        read_only_fields = fields


class ReleaseAttemptSerializer(serializers.ModelSerializer):
    class Meta:
        model = ReleaseAttempt
        fields = ["id", "session", "center", "user", "at", "outcome", "client"]
        read_only_fields = fields


class DocumentDownloadSerializer(serializers.ModelSerializer):
    class Meta:
        model = DocumentDownload
        fields = ["id", "document", "center", "user", "at", "copies", "client"]
        read_only_fields = fields
