from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin

from apps.authentication.models import User
from apps.authentication.services import apply_role_flags
from apps.core.roles import Role
from apps.core.services import synced_delete, synced_save


@admin.register(User)
class UserAdmin(DjangoUserAdmin):
    """Users are managed by admins only, as in the API."""

    list_display = ("username", "role", "center", "is_active", "last_login")
    list_filter = ("role", "is_active", "center")
    list_select_related = ("center",)
    fieldsets = (
        *DjangoUserAdmin.fieldsets,
        ("Exam system", {"fields": ("role", "center", "origin", "version")}),
    )
    add_fieldsets = (
        (None, {"classes": ("wide",), "fields": ("username", "role", "center", "password1", "password2")}),
    )
    readonly_fields = ("origin", "version")

    def _is_admin(self, request):
        return request.user.is_active and getattr(request.user, "role", None) == Role.ADMIN

    def has_module_permission(self, request):
        return self._is_admin(request)

    def has_view_permission(self, request, obj=None):
        return self._is_admin(request)

    def has_add_permission(self, request):
        return self._is_admin(request)

    def has_change_permission(self, request, obj=None):
        return self._is_admin(request)

    def has_delete_permission(self, request, obj=None):
        return self._is_admin(request)

    def save_model(self, request, obj, form, change):
        apply_role_flags(obj)
        synced_save(obj)

    def delete_model(self, request, obj):
        synced_delete(obj)
