from django.contrib import admin

from apps.centers import services as center_services
from apps.centers.models import Center, Room
from apps.core.roles import Role
from apps.core.scoping import AdminServices, ScopedAdmin

CENTER_READERS = frozenset({Role.CENTER_MANAGER})


@admin.register(Center)
class CenterAdmin(ScopedAdmin):
    read_roles = CENTER_READERS
    list_display = ("code", "name", "city", "state", "is_active", "version", "origin")
    list_filter = ("is_active", "state")
    search_fields = ("code", "name", "city")
    readonly_fields = ("id", "created_at", "updated_at", "origin", "version")
    services = AdminServices(
        create=lambda data, user: center_services.center_create(**data),
        update=lambda center, data, user: center_services.center_update(center=center, data=data),
        delete=lambda center: center_services.center_delete(center=center),
    )


@admin.register(Room)
class RoomAdmin(ScopedAdmin):
    read_roles = CENTER_READERS
    list_display = ("__str__", "name", "capacity", "rows", "columns", "floor", "is_accessible")
    list_filter = ("is_accessible", "floor")
    search_fields = ("code", "name", "center__code")
    list_select_related = ("center",)
    autocomplete_fields = ("center",)
    readonly_fields = ("id", "created_at", "updated_at", "origin", "version")
    services = AdminServices(
        create=lambda data, user: center_services.room_create(**data),
        update=lambda room, data, user: center_services.room_update(room=room, data=data),
        delete=lambda room: center_services.room_delete(room=room),
    )
