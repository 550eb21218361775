from django import forms
from django.contrib import admin
from django.urls import reverse

from apps.candidates.models import PERSONAL_FIELDS, Candidate, CandidateStatus
from apps.candidates.services.registration import candidate_create, candidate_delete, candidate_update
from apps.core.roles import Role
from apps.core.scoping import AdminServices, ScopedAdmin
from utils.images import ImageRejected, clean_image

CENTER_READERS = frozenset({Role.CENTER_MANAGER})
SYNC_READONLY = ("id", "created_at", "updated_at", "origin", "version")


class _Linked:
    """A stored file as the file widget shows it: its name, linked to `url`."""

    def __init__(self, name: str, url: str):
        self.name, self.url = name, url

    def __str__(self):
        return self.name


class ApiImageInput(forms.ClearableFileInput):
    """The stored image links to its API view (role and scope checked, the admin's session
    suffices), not to MEDIA_ROOT, which nothing serves."""

    link: str | None = None

    def get_context(self, name, value, attrs):
        context = super().get_context(name, value, attrs)
        if context["widget"]["is_initial"]:
            if self.link is None:
                context["widget"]["is_initial"] = False
            else:
                context["widget"]["value"] = _Linked(str(value), self.link)
        return context


class CandidateAdminForm(forms.ModelForm):
    """Photos and signatures pass the same check as API uploads and are stored re-encoded."""

    class Meta:
        model = Candidate
        fields = (
            "exam",
            "roll_number",
            "application_number",
            *PERSONAL_FIELDS,
            "photo",
            "signature",
        )
        # Plain file fields: the image is judged once, by utils.images, with its reasons.
        field_classes = {"photo": forms.FileField, "signature": forms.FileField}
        widgets = {"photo": ApiImageInput, "signature": ApiImageInput}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance.pk is not None:
            for field in ("photo", "signature"):
                if field in self.fields:
                    self.fields[field].widget.link = reverse(f"candidate-{field}", kwargs={"pk": self.instance.pk})
        if "roll_number" in self.fields:
            self.fields["roll_number"].required = False
            self.fields["roll_number"].help_text = "Leave empty to generate <EXAM CODE><6-digit sequence>."

    def _clean_image(self, field):
        upload = self.cleaned_data.get(field)
        # An unchanged field holds the stored FieldFile; only new uploads are judged.
        if not upload or not hasattr(upload, "content_type"):
            return upload
        try:
            return clean_image(upload).as_file(field)
        except ImageRejected as exc:
            raise forms.ValidationError(str(exc)) from None

    def clean_photo(self):
        return self._clean_image("photo")

    def clean_signature(self):
        return self._clean_image("signature")


@admin.register(Candidate)
class CandidateAdmin(ScopedAdmin):
    form = CandidateAdminForm
    read_roles = CENTER_READERS
    list_display = ("roll_number", "name", "exam", "category", "city", "center", "status", "version")
    list_filter = ("status", "category", "pwd", "exam")
    search_fields = ("roll_number", "application_number", "name")
    list_select_related = ("exam", "center")
    readonly_fields = ("center", "status", *SYNC_READONLY)
    list_per_page = 100
    show_full_result_count = False  # COUNT(*) over a million rows on every page is slow
    # Registration's rules (roll numbers generated or noted, duplicates, images) as in the API.
    services = AdminServices(
        create=lambda data, user: candidate_create(**data),
        update=lambda candidate, data, user: candidate_update(candidate=candidate, data=data),
        delete=lambda candidate: candidate_delete(candidate=candidate),
    )

    def get_readonly_fields(self, request, obj=None):
        fields = super().get_readonly_fields(request, obj)
        # Roll numbers belong to their exam: the exam is fixed once registered.
        return (*fields, "exam") if obj is not None else fields

    def has_delete_permission(self, request, obj=None):
        # As in the API: only a candidate still `registered` may be deleted.
        if obj is not None and obj.status != CandidateStatus.REGISTERED:
            return False
        return super().has_delete_permission(request, obj)
