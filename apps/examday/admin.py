"""Django admin for the exam-day models, with the API's scoping (ScopedAdmin)."""

from django.contrib import admin

from apps.core.roles import CENTER_ROLES, Role
from apps.core.scoping import ScopedAdmin
from apps.examday.models import Attendance, AttendanceAudit, Incident

SYNC_READONLY = ("id", "created_at", "updated_at", "origin", "version")
CENTER_STAFF = frozenset(CENTER_ROLES)


class AttendanceAuditInline(admin.TabularInline):
    model = AttendanceAudit
    extra = 0
    can_delete = False
    fields = ("old_status", "new_status", "source", "changed_by", "changed_at")
    readonly_fields = fields

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(Attendance)
class AttendanceAdmin(ScopedAdmin):
    """Read-only here: marking goes through the API so the window and the audit apply."""

    read_roles = frozenset({Role.ADMIN, Role.EXAM_MANAGER, *CENTER_STAFF})
    write_roles = frozenset()
    list_display = ("candidate", "session", "center", "status", "marked_by", "marked_at")
    list_filter = ("status", "center")
    search_fields = ("candidate__roll_number", "candidate__name")
    list_select_related = ("candidate", "session__paper__exam", "center", "marked_by")
    raw_id_fields = ("candidate", "session", "center", "marked_by")
    inlines = [AttendanceAuditInline]


@admin.register(Incident)
class IncidentAdmin(ScopedAdmin):
    read_roles = frozenset({Role.ADMIN, Role.EXAM_MANAGER})
    write_roles = CENTER_STAFF
    list_display = ("created_at", "kind", "center", "session", "candidate", "reported_by")
    list_filter = ("kind", "center")
    search_fields = ("description", "candidate__roll_number")
    list_select_related = ("center", "session__paper__exam", "candidate", "reported_by")
    raw_id_fields = ("session", "center", "candidate", "reported_by")
    readonly_fields = SYNC_READONLY
