"""Django admin for seats, with the API's scoping (ScopedAdmin)."""

from django.contrib import admin

from apps.core.roles import CENTER_ROLES, Role
from apps.core.scoping import ScopedAdmin
from apps.seating.models import Allocation


@admin.register(Allocation)
class AllocationAdmin(ScopedAdmin):
    """Read-only: seats are written by the allocation service (command or API)."""

    read_roles = frozenset({Role.ADMIN, Role.EXAM_MANAGER, *CENTER_ROLES})
    write_roles = frozenset()
    list_display = ("candidate", "session", "center", "room", "seat_number", "row", "column", "paper_set")
    list_filter = ("exam", "paper_set")
    search_fields = ("candidate__roll_number", "candidate__name")
    list_select_related = ("candidate", "session__paper__exam", "center", "room__center")
    raw_id_fields = ("candidate", "exam", "session", "center", "room")
    show_full_result_count = False  # a million rows: skip the second COUNT(*)
