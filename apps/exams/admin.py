from django import forms
from django.contrib import admin

from apps.core.roles import CENTER_ROLES, Role
from apps.core.scoping import HQ_STAFF, AdminServices, ScopedAdmin
from apps.exams import services as exam_services
from apps.exams.models import Exam, ExamSession, Paper, SessionCenter

SCHEDULE_READERS = frozenset({Role.PAPER_SETTER, Role.CENTER_MANAGER})
SYNC_READONLY = ("id", "created_at", "updated_at", "origin", "version")


class ExamAdminForm(forms.ModelForm):
    class Meta:
        model = Exam
        fields = ("code", "name", "description", "start_date", "end_date", "status")

    def clean(self):
        cleaned = super().clean()
        if self.instance.pk and not self.errors:
            # The service's own rules (status forward only, sessions inside the dates),
            # checked here too so the admin shows the reason on the form.
            stored = Exam.objects.get(pk=self.instance.pk)
            changed = {name: cleaned[name] for name in self.changed_data if name in cleaned}
            exam_services.exam_change_check(exam=stored, data=changed, user=self.current_user)
        return cleaned


@admin.register(Exam)
class ExamAdmin(ScopedAdmin):
    form = ExamAdminForm
    read_roles = SCHEDULE_READERS
    list_display = ("code", "name", "start_date", "end_date", "status")
    list_filter = ("status",)
    search_fields = ("code", "name")
    readonly_fields = SYNC_READONLY
    services = AdminServices(
        create=lambda data, user: exam_services.exam_create(**data),
        update=lambda exam, data, user: exam_services.exam_update(exam=exam, data=data, user=user),
        delete=lambda exam: exam_services.exam_delete(exam=exam),
    )

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
    services = AdminServices(
        create=lambda data, user: exam_services.paper_create(**data),
        update=lambda paper, data, user: exam_services.paper_update(paper=paper, data=data),
        delete=lambda paper: exam_services.paper_delete(paper=paper),
    )


@admin.register(ExamSession)
class ExamSessionAdmin(ScopedAdmin):
    read_roles = SCHEDULE_READERS
    list_display = ("__str__", "exam", "date", "start_time", "end_time")
    list_filter = ("exam", "date")
    list_select_related = ("exam", "paper__exam")
    readonly_fields = SYNC_READONLY
    services = AdminServices(
        create=lambda data, user: exam_services.session_create(**data),
        update=lambda session, data, user: exam_services.session_update(session=session, data=data),
        delete=lambda session: exam_services.session_delete(session=session),
    )


@admin.register(SessionCenter)
class SessionCenterAdmin(ScopedAdmin):
    read_roles = frozenset({Role.PAPER_SETTER, *CENTER_ROLES})
    write_roles = HQ_STAFF
    list_display = ("session", "center", "seats")
    list_filter = ("session__exam",)
    list_select_related = ("session__paper__exam", "center")
    raw_id_fields = ("session", "center")
    readonly_fields = SYNC_READONLY
    services = AdminServices(
        create=lambda data, user: exam_services.session_center_create(**data),
        update=lambda venue, data, user: exam_services.session_center_update(venue=venue, data=data),
        delete=lambda venue: exam_services.session_center_delete(venue=venue),
    )
