import django_filters

from apps.jobs.models import Job


class JobFilter(django_filters.FilterSet):
    class Meta:
        model = Job
        fields = ["status", "kind"]
