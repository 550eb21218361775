from django.contrib import admin

from apps.core.models import Tombstone
from apps.core.roles import Role
from apps.core.scoping import ReadOnlyAdmin
from apps.sync.models import SyncLog, TrustedKey


@admin.register(SyncLog)
class SyncLogAdmin(ReadOnlyAdmin):
    read_roles = frozenset({Role.ADMIN, Role.EXAM_MANAGER, Role.CENTER_MANAGER})
    list_display = ("created_at", "direction", "kind", "status", "center", "origin", "user", "conflict_count")
    list_filter = ("direction", "kind", "status", "center")
    search_fields = ("package_id", "sha256", "file_name", "message")
    list_select_related = ("user",)


@admin.register(TrustedKey)
class TrustedKeyAdmin(ReadOnlyAdmin):
    read_roles = frozenset({Role.ADMIN})
    list_display = ("node", "version", "origin", "updated_at")


@admin.register(Tombstone)
class TombstoneAdmin(ReadOnlyAdmin):
    read_roles = frozenset({Role.ADMIN})
    list_display = ("model", "object_id", "version", "origin", "deleted_at")
    list_filter = ("model",)
