from django.contrib import admin

from apps.centers.models import Center, Room
from apps.core.roles import Role
from apps.core.scoping import ScopedAdmin

CENTER_READERS = frozenset({Role.CENTER_MANAGER})


@admin.register(Center)
class CenterAdmin(ScopedAdmin):
    read_roles = CENTER_READERS
    list_display = ("code", "name", "city", "state", "is_active", "version", "origin")
    list_filter = ("is_active", "state")
    search_fields = ("code", "name", "city")
    readonly_fields = ("id", "created_at", "updated_at", "origin", "version")


@admin.register(Room)
class RoomAdmin(ScopedAdmin):
    read_roles = CENTER_READERS
    list_display = ("__str__", "name", "capacity", "rows", "columns", "floor", "is_accessible")
    list_filter = ("is_accessible", "floor")
    search_fields = ("code", "name", "center__code")
    list_select_related = ("center",)
    autocomplete_fields = ("center",)
    readonly_fields = ("id", "created_at", "updated_at", "origin", "version")
