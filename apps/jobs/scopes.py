"""Who sees which jobs: everyone their own; admins all (scope_for lets admins through)."""

from apps.core.scoping import scope_rule
from apps.jobs.models import Job


@scope_rule(Job)
def _own_jobs(user, queryset):
    return queryset.filter(created_by=user)
