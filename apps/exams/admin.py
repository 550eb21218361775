from django import forms
from django.contrib import admin
from django.core.exceptions import ValidationError

from apps.core.roles import CENTER_ROLES, Role
from apps.core.scoping import HQ_STAFF, ScopedAdmin
from apps.exams.models import Exam, ExamSession, Paper, SessionCenter
from apps.exams.services import exam_status_check

SCHEDULE_READERS = frozenset({Role.PAPER_SETTER, Role.CENTER_MANAGER})
SYNC_READONLY = ("id", "created_at", "updated_at", "origin", "version")


class ExamAdminForm(forms.ModelForm):
    class Meta:
        model = Exam
        fields = ("code", "name", "description", "start_date", "end_date", "status")

    def clean_status(self):
        new = self.cleaned_data["status"]
        if self.instance.pk:
            old = Exam.objects.values_list("status", flat=True).get(pk=self.instance.pk)
            try:
                exam_status_check(old=old, new=new, user=self.current_user)
            except ValidationError as exc:
                raise ValidationError(exc.message_dict["status"]) from exc
        return new


@admin.register(Exam)
class ExamAdmin(ScopedAdmin):
    form = ExamAdminForm
    read_roles = SCHEDULE_READERS
    list_display = ("code", "name", "start_date", "end_date", "status")
    list_filter = ("status",)
    search_fields = ("code", "name")
    readonly_fields = SYNC_READONLY

    def get_form(self, request, obj=None, **kwargs):
        form = super().get_form(request, obj, **kwargs)
        form.current_user = request.user
        return form


@admin.register(Paper)
class PaperAdmin(ScopedAdmin):
    read_roles = SCHEDULE_READERS
    list_display = ("__str__", "name", "kind", "max_marks", "pass_marks", "duration_minutes")
    list_filter = ("kind", "exam")
    search_fields = ("code", "name", "exam__code")
    list_select_related = ("exam",)
    readonly_fields = SYNC_READONLY


@admin.register(ExamSession)
class ExamSessionAdmin(ScopedAdmin):
    read_roles = SCHEDULE_READERS
    list_display = ("__str__", "exam", "date", "start_time", "end_time")
    list_filter = ("exam", "date")
    list_select_related = ("exam", "paper__exam")
    readonly_fields = SYNC_READONLY


@admin.register(SessionCenter)
class SessionCenterAdmin(ScopedAdmin):
    read_roles = frozenset({Role.PAPER_SETTER, *CENTER_ROLES})
    write_roles = HQ_STAFF
    list_display = ("session", "center", "seats")
    list_filter = ("session__exam",)
    list_select_related = ("session__paper__exam", "center")
    raw_id_fields = ("session", "center")
    readonly_fields = SYNC_READONLY
