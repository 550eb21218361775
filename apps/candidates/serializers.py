from rest_framework import serializers
from rest_framework.reverse import reverse

from apps.candidates.models import PERSONAL_FIELDS, Candidate
from apps.centers.serializers import SYNC_FIELDS


class ImageLinkField(serializers.FileField):
    """An uploaded file in; out, the link to the API view that serves it with the API's checks
    (`/api/candidates/{id}/photo/`), never a MEDIA_ROOT address."""

    def __init__(self, *, url_name: str, **kwargs):
        self.url_name = url_name
        super().__init__(**kwargs)

    def to_representation(self, value):
        if not value:
            return None
        return reverse(self.url_name, kwargs={"pk": value.instance.pk}, request=self.context.get("request"))


class CandidateSerializer(serializers.ModelSerializer):
    """Shapes only; the rules (roll numbers, image checks, exam fixed) live in the services.

    `photo`/`signature` are plain files here: they are judged by decoding in the service
    (utils/images.py), not by DRF's ImageField, so every refusal says why in one place.
    """

    exam_code = serializers.CharField(source="exam.code", read_only=True)
    center_code = serializers.CharField(source="center.code", read_only=True, default=None)
    roll_number = serializers.CharField(max_length=32, required=False, allow_blank=True)
    preferred_cities = serializers.ListField(child=serializers.CharField(max_length=100), required=False, max_length=10)
    preferred_shifts = serializers.ListField(
        child=serializers.CharField(max_length=20),
        required=False,
        max_length=10,
        help_text="Dates (2026-12-01) or dates and start times (2026-12-01 14:00), most preferred first.",
    )
    photo = ImageLinkField(required=False, allow_null=True, url_name="candidate-photo")
    signature = ImageLinkField(required=False, allow_null=True, url_name="candidate-signature")

    class Meta:
        model = Candidate
        fields = (
            "id",
            "exam",
            "exam_code",
            "roll_number",
            "application_number",
            *PERSONAL_FIELDS,
            "photo",
            "signature",
            "center",
            "center_code",
            "status",
            *SYNC_FIELDS,
        )
        read_only_fields = ("id", "center", "status", *SYNC_FIELDS)
        # Uniqueness is checked by the model (full_clean in the service) with clearer messages.
        validators = []


class CandidateImportSerializer(serializers.Serializer):
    file = serializers.FileField(help_text="An .xlsx workbook or a UTF-8 CSV file (detected from the content).")
    exam = serializers.CharField(required=False, help_text="Exam code or id for every row (else the exam_code column).")
    skip_invalid = serializers.BooleanField(default=False)
    dry_run = serializers.BooleanField(default=False)
    photos = serializers.FileField(required=False, help_text="A zip of ROLLNUMBER.jpg/.png files.")
