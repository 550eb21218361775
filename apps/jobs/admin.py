from django.contrib import admin

from apps.core.roles import Role
from apps.core.scoping import ScopedAdmin
from apps.jobs.models import Job


@admin.register(Job)
class JobAdmin(ScopedAdmin):
    """Read-only: jobs are started through the API and run by workers."""

    read_roles = frozenset({Role.ADMIN})
    write_roles = frozenset()
    list_display = (
        "id",
        "kind",
        "status",
        "progress_done",
        "progress_total",
        "created_by",
        "created_at",
        "finished_at",
    )
    list_filter = ("status", "kind")
    search_fields = ("id", "kind", "created_by__username")
    list_select_related = ("created_by",)
    date_hierarchy = "created_at"
    readonly_fields = [f.name for f in Job._meta.fields]
