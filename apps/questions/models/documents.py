"""Encrypted question-paper documents, the per-center keys that travel with them, and the
records of releasing and printing them at a center.

* `PaperDocument` (HQ-owned, travels to the centers holding its session): the ciphertext of
  a set PDF or an uploaded paper document (AES-GCM, a random key per document). HQ keeps that
  key wrapped by its master key in `wrapped_key`, which never leaves HQ.
* `DocumentKey` (HQ-owned, travels only to its center): the document key wrapped by a key
  derived from the session's release code for that center. A center can unwrap it only with
  the code HQ reads out on exam day.
* `PaperRelease`, `ReleaseAttempt`, `DocumentDownload` (center-owned, return to HQ in the
  results package): who released, who tried and failed, who printed how many copies.
"""

from django.conf import settings
from django.core.validators import MinValueValidator
from django.db import models
from uuid_utils.compat import uuid4

from apps.core.models import SyncedModel
from apps.questions.choices import DocumentKind, ReleaseOutcome

DOCUMENT_FOLDER = "questions/documents"


def document_upload_to(instance, filename):
    # Random names, and always `.enc`: the file on disk is ciphertext.
    return f"{DOCUMENT_FOLDER}/{uuid4().hex[:2]}/{uuid4().hex}.enc"


class PaperDocument(SyncedModel):
    session = models.ForeignKey("exams.ExamSession", on_delete=models.PROTECT, related_name="paper_documents")
    kind = models.CharField(max_length=10, choices=DocumentKind.choices)
    set_letter = models.CharField(max_length=1, blank=True, help_text="The set a generated PDF prints.")
    title = models.CharField(max_length=200)
    content_type = models.CharField(max_length=100, help_text="Of the plaintext: application/pdf or DOCX.")
    file = models.FileField(upload_to=document_upload_to, help_text="Ciphertext (nonce + AES-GCM output).")
    size = models.PositiveBigIntegerField(help_text="Plaintext size in bytes.")
    sha256 = models.CharField(max_length=64, help_text="Of the plaintext, checked after decryption.")
    wrapped_key = models.BinaryField(default=b"", blank=True, help_text="HQ only: the key, wrapped by the master key.")

    class Meta:
        ordering = ["session", "kind", "set_letter", "created_at"]

    def __str__(self) -> str:
        return self.title


class DocumentKey(SyncedModel):
    """A document's key for one center, wrapped by that center's release key for the session."""

    document = models.ForeignKey(PaperDocument, on_delete=models.CASCADE, related_name="center_keys")
    center = models.ForeignKey("centers.Center", on_delete=models.CASCADE, related_name="+")
    wrapped_key = models.BinaryField()

    class Meta:
        ordering = ["document", "center"]
        constraints = [models.UniqueConstraint(fields=["document", "center"], name="document_key_unique")]

    def __str__(self) -> str:
        return f"key of {self.document_id} for {self.center_id}"


class PaperRelease(SyncedModel):
    """The question paper of a session released at a center: its documents may be printed.

    `local_keys` holds the unwrapped document keys wrapped again by this node's own master
    key, so printing later needs no code; it never leaves the node.
    """

    session = models.ForeignKey("exams.ExamSession", on_delete=models.PROTECT, related_name="+")
    center = models.ForeignKey("centers.Center", on_delete=models.PROTECT, related_name="+")
    released_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    released_at = models.DateTimeField()
    local_keys = models.JSONField(default=dict, blank=True)

    class Meta:
        ordering = ["-released_at"]
        constraints = [models.UniqueConstraint(fields=["session", "center"], name="paper_release_once")]

    def __str__(self) -> str:
        return f"release of {self.session_id} at {self.center_id}"


class ReleaseAttempt(SyncedModel):
    """Every try to release a session's paper at a center, successful or not."""

    session = models.ForeignKey("exams.ExamSession", on_delete=models.PROTECT, related_name="+")
    center = models.ForeignKey("centers.Center", on_delete=models.PROTECT, related_name="+")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    at = models.DateTimeField(db_index=True)
    outcome = models.CharField(max_length=12, choices=ReleaseOutcome.choices)
    client = models.CharField(max_length=64, blank=True, help_text="Client address, or 'command'.")

    class Meta:
        ordering = ["-at"]

    def __str__(self) -> str:
        return f"{self.outcome} at {self.at:%Y-%m-%d %H:%M}" if self.at else self.outcome


class DocumentDownload(SyncedModel):
    """A released document downloaded for printing: who, when, how many copies."""

    document = models.ForeignKey(PaperDocument, on_delete=models.PROTECT, related_name="downloads")
    center = models.ForeignKey("centers.Center", null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    at = models.DateTimeField(db_index=True)
    copies = models.PositiveIntegerField(default=1, validators=[MinValueValidator(1)])
    client = models.CharField(max_length=64, blank=True)

    class Meta:
        ordering = ["-at"]

    def __str__(self) -> str:
        return f"{self.copies} copies of {self.document_id}"
