"""Read-only admin pages of question documents and of their release and printing records.

Documents are written only by finalising a paper or uploading through the API (encryption
happens there); nothing here shows a key or a document's content."""

from django.contrib import admin

from apps.core.roles import Role
from apps.core.scoping import ReadOnlyAdmin
from apps.questions.models import DocumentDownload, PaperDocument, PaperRelease, ReleaseAttempt

READERS = frozenset({Role.ADMIN, Role.EXAM_MANAGER, Role.CENTER_MANAGER})


class _ReadOnly(ReadOnlyAdmin):
    read_roles = READERS


@admin.register(PaperDocument)
class PaperDocumentAdmin(_ReadOnly):
    read_roles = frozenset({Role.ADMIN, Role.PAPER_SETTER, Role.CENTER_MANAGER})
    list_display = ["title", "session", "kind", "set_letter", "size", "created_at"]
    list_filter = ["kind"]
    fields = ["title", "session", "kind", "set_letter", "content_type", "size", "sha256", "created_at"]
    readonly_fields = fields


@admin.register(PaperRelease)
class PaperReleaseAdmin(_ReadOnly):
    list_display = ["session", "center", "released_by", "released_at"]
    fields = ["session", "center", "released_by", "released_at"]
    readonly_fields = fields


@admin.register(ReleaseAttempt)
class ReleaseAttemptAdmin(_ReadOnly):
    list_display = ["session", "center", "user", "at", "outcome", "client"]
    list_filter = ["outcome"]
    fields = list_display
    readonly_fields = fields


@admin.register(DocumentDownload)
class DocumentDownloadAdmin(_ReadOnly):
    list_display = ["document", "center", "user", "at", "copies"]
    fields = ["document", "center", "user", "at", "copies", "client"]
    readonly_fields = fields
