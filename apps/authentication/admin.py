from django.contrib import admin, messages
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.http import HttpResponseRedirect

from apps.authentication import services
from apps.authentication.models import User
from apps.authentication.services import apply_role_flags
from apps.core.roles import Role
from apps.core.services import synced_save
from utils.exceptions import ApplicationError


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
        if obj is not None and (obj.pk == request.user.pk or services.is_last_active_admin(obj)):
            return False  # as in the API: not oneself, not the last active admin
        return self._is_admin(request)

    def changeform_view(self, request, object_id=None, form_url="", extra_context=None):
        try:
            return super().changeform_view(request, object_id, form_url, extra_context)
        except ApplicationError as exc:
            # The service refused; the view's transaction rolled back. Say why on the same page.
            self.message_user(request, f"Not saved: {exc.message}", level=messages.ERROR)
            return HttpResponseRedirect(request.get_full_path())

    def save_model(self, request, obj, form, change):
        apply_role_flags(obj)
        if change:
            services.check_access_change(user=obj, role=obj.role, is_active=obj.is_active, actor=request.user)
        synced_save(obj)

    def delete_model(self, request, obj):
        services.user_delete(user=obj, actor=request.user)

    def delete_queryset(self, request, queryset):
        for obj in queryset:
            self.delete_model(request, obj)
