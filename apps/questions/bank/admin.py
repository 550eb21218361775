"""Django admin of the question bank: admins and paper setters only, with the API's scoping,
writing through the same services (apps/questions/bank/services.py). History and approved
versions are read-only; the workflow steps are list actions."""

import re

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import ValidationError

from apps.core.roles import Role
from apps.core.scoping import AdminServices, ScopedAdmin, scope_for
from apps.questions.bank import services
from apps.questions.models import (
    Passage,
    Question,
    QuestionHistory,
    QuestionImage,
    QuestionVersion,
    SetterAssignment,
    Subject,
)
from apps.questions.validation import clean_content
from utils.exceptions import ApplicationError

BANK_ROLES = frozenset({Role.ADMIN, Role.PAPER_SETTER})
ADMINS = frozenset({Role.ADMIN})
SETTERS = frozenset({Role.PAPER_SETTER})


class _ScopedChoices:
    """Foreign-key dropdowns list only the subjects and passages the user may see."""

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.related_model in (Subject, Passage):
            kwargs["queryset"] = scope_for(request.user, db_field.related_model.objects.all())
        return super().formfield_for_foreignkey(db_field, request, **kwargs)


@admin.register(Subject)
class SubjectAdmin(ScopedAdmin):
    read_roles = SETTERS
    write_roles = ADMINS
    list_display = ("code", "name", "created_at")
    search_fields = ("code", "name")
    services = AdminServices(
        create=lambda data, user: services.create_subject(code=data.get("code"), name=data.get("name")),
        update=lambda subject, data, user: services.update_subject(subject=subject, data=data),
        delete=lambda subject: services.delete_subject(subject=subject),
    )


@admin.register(SetterAssignment)
class SetterAssignmentAdmin(ScopedAdmin):
    read_roles = SETTERS
    write_roles = ADMINS
    list_display = ("user", "subject", "created_at")
    list_filter = ("subject",)
    list_select_related = ("user", "subject")
    services = AdminServices(
        create=lambda data, user: services.assign_setter(setter=data["user"], subject=data["subject"]),
        update=lambda assignment, data, user: _no_change(),
        delete=lambda assignment: services.unassign_setter(assignment=assignment),
    )

    def has_change_permission(self, request, obj=None):
        return False  # assign again instead

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.name == "user":
            kwargs["queryset"] = db_field.related_model.objects.filter(role=Role.PAPER_SETTER)
        return super().formfield_for_foreignkey(db_field, request, **kwargs)


def _no_change():
    raise ValidationError("An assignment is not edited: delete it and assign again.")


class _WithUserDelete:
    """AdminServices.delete takes no user; the bank's deletes record who deleted."""

    delete_service = None

    def delete_model(self, request, obj):
        try:
            type(self).delete_service(user=request.user, obj=obj)
        except ApplicationError as exc:
            self.message_user(request, f"Not deleted: {exc.message}", level=messages.ERROR)


@admin.register(Passage)
class PassageAdmin(_WithUserDelete, _ScopedChoices, ScopedAdmin):
    read_roles = BANK_ROLES
    write_roles = BANK_ROLES
    list_display = ("__str__", "subject", "text_format", "created_by", "created_at")
    list_filter = ("subject",)
    list_select_related = ("subject", "created_by")
    fields = ("subject", "title", "text", "text_format")
    services = AdminServices(
        create=lambda data, user: services.create_passage(
            user=user, subject=data["subject"], data={k: v for k, v in data.items() if k != "subject"}
        ),
        update=lambda passage, data, user: services.update_passage(user=user, passage=passage, data=data),
        delete=None,
    )

    @staticmethod
    def delete_service(*, user, obj):
        services.delete_passage(user=user, passage=obj)


class QuestionAdminForm(forms.ModelForm):
    """The content is judged by clean_content here too, so each reason shows by its field."""

    class Meta:
        model = Question
        fields = ("subject", "passage", *services.CLEANED_FIELDS)

    def clean(self):
        cleaned = super().clean()
        content = {f: cleaned.get(f, getattr(self.instance, f, None)) for f in services.CLEANED_FIELDS}
        try:
            clean_content(content)
        except ValidationError as exc:
            for key, reasons in exc.message_dict.items():
                field = re.split(r"[.\[]", key)[0]
                for reason in reasons:
                    self.add_error(field if field in self.fields else None, f"{key}: {reason}")
        return cleaned


class QuestionImageInline(admin.TabularInline):
    model = QuestionImage
    extra = 0
    can_delete = False
    fields = ("id", "caption", "width", "height", "removed_at", "uploaded_by", "created_at")
    readonly_fields = fields

    def has_add_permission(self, request, obj=None):
        return False  # uploads go through POST /api/questions/{id}/images/ (checked by content)

    def has_change_permission(self, request, obj=None):
        return False


def _create_question(data, user):
    data = dict(data)
    return services.create_question(
        user=user, subject=data.pop("subject"), passage=data.pop("passage", None), data=data
    )


@admin.register(Question)
class QuestionAdmin(_WithUserDelete, _ScopedChoices, ScopedAdmin):
    form = QuestionAdminForm
    read_roles = BANK_ROLES
    write_roles = BANK_ROLES
    list_display = ("number", "subject", "type", "status", "version", "topic", "difficulty", "updated_at")
    list_filter = ("status", "type", "difficulty", "subject")
    search_fields = ("=number", "topic")
    list_select_related = ("subject",)
    readonly_fields = ("number", "status", "version", "approved_version", "author", "source")
    inlines = [QuestionImageInline]
    actions = ["submit", "approve", "retire"]
    services = AdminServices(
        create=_create_question,
        update=lambda question, data, user: services.update_question(user=user, question=question, data=data),
        delete=None,
    )

    @staticmethod
    def delete_service(*, user, obj):
        services.delete_question(user=user, question=obj)

    def _step(self, request, queryset, step, verb):
        done = 0
        for question in queryset:
            try:
                step(user=request.user, question=question)
                done += 1
            except ApplicationError as exc:
                self.message_user(request, f"Q{question.number}: {exc.message}", level=messages.ERROR)
        if done:
            self.message_user(request, f"{done} question(s) {verb}.")

    @admin.action(description="Submit for review")
    def submit(self, request, queryset):
        self._step(request, queryset, services.submit_question, "submitted")

    @admin.action(description="Approve (not your own)")
    def approve(self, request, queryset):
        self._step(request, queryset, services.approve_question, "approved")

    @admin.action(description="Retire")
    def retire(self, request, queryset):
        self._step(request, queryset, services.retire_question, "retired")


class _ReadOnly(ScopedAdmin):
    read_roles = BANK_ROLES
    write_roles = frozenset()


@admin.register(QuestionVersion)
class QuestionVersionAdmin(_ReadOnly):
    list_display = ("__str__", "type", "approved_by", "approved_at")
    list_select_related = ("question", "approved_by")
    search_fields = ("=question__number",)


@admin.register(QuestionHistory)
class QuestionHistoryAdmin(_ReadOnly):
    list_display = ("question_number", "version", "action", "actor", "at")
    list_filter = ("action",)
    list_select_related = ("actor",)
    search_fields = ("=question_number",)
