from django.urls import reverse
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from apps.jobs import selectors
from apps.jobs.models import Job


class JobProgressSerializer(serializers.Serializer):
    done = serializers.IntegerField()
    total = serializers.IntegerField(allow_null=True)
    message = serializers.CharField(allow_blank=True)
    percent = serializers.FloatField(allow_null=True)


class JobSerializer(serializers.ModelSerializer):
    progress = serializers.SerializerMethodField()
    cancel_requested = serializers.SerializerMethodField()
    created_by_username = serializers.CharField(source="created_by.username", read_only=True, default=None)
    url = serializers.SerializerMethodField()
    download_url = serializers.SerializerMethodField()

    class Meta:
        model = Job
        fields = (
            "id",
            "url",
            "kind",
            "status",
            "progress",
            "params",
            "result",
            "error",
            "cancel_requested",
            "download_url",
            "output_name",
            "created_by",
            "created_by_username",
            "created_at",
            "started_at",
            "finished_at",
            "heartbeat_at",
        )
        read_only_fields = fields

    @extend_schema_field(JobProgressSerializer)
    def get_progress(self, job) -> dict:
        return selectors.job_progress(job)

    def get_cancel_requested(self, job) -> bool:
        return selectors.job_cancel_requested(job)

    def get_url(self, job) -> str:
        return reverse("job-detail", args=[job.pk])

    def get_download_url(self, job) -> str | None:
        return reverse("job-download", args=[job.pk]) if job.output_file else None
