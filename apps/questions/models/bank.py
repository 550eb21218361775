"""The question bank: subjects, who sets them, passages, questions, their approved versions,
images and the history of every change.

The bank stays at HQ: nothing here is registered with sync, so no package carries question
text (docs/questions.md). A question's *working* content lives on `Question`; approving it
freezes that content into a `QuestionVersion`, which is what papers are built from, so editing
an approved question later never changes a paper already built.
"""

import os

from django.conf import settings
from django.core.validators import MinValueValidator
from django.db import models
from uuid_utils.compat import uuid4, uuid7

from apps.centers.models import code_validator
from apps.questions.choices import Difficulty, QuestionStatus, QuestionType, TextFormat


class Subject(models.Model):
    """A subject of the bank (Physics). Moodle's top category maps onto it."""

    id = models.UUIDField(primary_key=True, default=uuid7, editable=False)
    code = models.CharField(max_length=32, unique=True, validators=[code_validator])
    name = models.CharField(max_length=200)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["code"]

    def __str__(self) -> str:
        return self.code


class SetterAssignment(models.Model):
    """A paper setter may see and write the questions of this subject."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="setter_subjects")
    subject = models.ForeignKey(Subject, on_delete=models.CASCADE, related_name="setters")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["subject__code", "user__username"]
        constraints = [models.UniqueConstraint(fields=["user", "subject"], name="setter_assignment_unique")]

    def __str__(self) -> str:
        return f"{self.user_id} sets {self.subject_id}"


class Passage(models.Model):
    """A shared stem (a comprehension passage, a data table) that several questions use.

    Printed once, with its questions kept together after it in every set.
    """

    id = models.UUIDField(primary_key=True, default=uuid7, editable=False)
    subject = models.ForeignKey(Subject, on_delete=models.PROTECT, related_name="passages")
    title = models.CharField(max_length=200, blank=True)
    text = models.JSONField(default=dict, help_text='{"en": "...", "hi": "..."}')
    text_format = models.CharField(max_length=10, choices=TextFormat.choices, default=TextFormat.MARKDOWN)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["subject__code", "created_at"]

    def __str__(self) -> str:
        return self.title or str(self.pk)


class QuestionContent(models.Model):
    """What a question says and expects: shared by the working copy and its frozen versions.

    * `text`: `{language: text}`, Markdown or HTML (sanitised on the way in).
    * `options` (choice types): `[{"text": {language: text}, "correct": bool, "fixed": bool}]`
      in bank order; bank letter A is index 0. `fixed` keeps an option in its place when a
      set shuffles options ("all of the above").
    * `answer` (numeric): `{"value": "12.5", "tolerance": "0.1"}` or `{"min": "1", "max": "2"}`,
      decimals as strings.
    * descriptive: `marks` is the maximum; `model_answer` `{language: text}`;
      `marking_scheme` `[{"part": "a", "description": "...", "marks": "2"}]`.
    """

    type = models.CharField(max_length=12, choices=QuestionType.choices)
    text = models.JSONField(default=dict)
    text_format = models.CharField(max_length=10, choices=TextFormat.choices, default=TextFormat.MARKDOWN)
    options = models.JSONField(default=list, blank=True)
    answer = models.JSONField(null=True, blank=True)
    model_answer = models.JSONField(default=dict, blank=True)
    marking_scheme = models.JSONField(default=list, blank=True)
    marks = models.DecimalField(max_digits=6, decimal_places=2, default=1, validators=[MinValueValidator(0)])
    negative_marks = models.DecimalField(max_digits=6, decimal_places=2, default=0, validators=[MinValueValidator(0)])
    difficulty = models.CharField(max_length=10, choices=Difficulty.choices, default=Difficulty.MEDIUM)
    topic = models.CharField(
        max_length=300, blank=True, db_index=True, help_text="Below the subject: Mechanics/Kinematics"
    )
    tags = models.JSONField(default=list, blank=True)
    passage = models.ForeignKey(Passage, null=True, blank=True, on_delete=models.PROTECT, related_name="+")

    CONTENT_FIELDS = (
        "type",
        "text",
        "text_format",
        "options",
        "answer",
        "model_answer",
        "marking_scheme",
        "marks",
        "negative_marks",
        "difficulty",
        "topic",
        "tags",
        "passage",
    )

    class Meta:
        abstract = True

    @property
    def languages(self) -> list[str]:
        return sorted(self.text)


class Question(QuestionContent):
    """A question of the bank, as its authors currently have it (the working copy).

    `number` is the question's public number, the same in every set and every version
    (answer-key files and results name a question by it).
    """

    id = models.UUIDField(primary_key=True, default=uuid7, editable=False)
    number = models.PositiveIntegerField(unique=True, editable=False)
    subject = models.ForeignKey(Subject, on_delete=models.PROTECT, related_name="questions")
    status = models.CharField(
        max_length=10, choices=QuestionStatus.choices, default=QuestionStatus.DRAFT, db_index=True
    )
    version = models.PositiveIntegerField(
        default=1, help_text="The version the working copy will become when approved."
    )
    approved_version = models.ForeignKey(
        "questions.QuestionVersion",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        help_text="The latest approved version: what new papers draw.",
    )
    author = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    source = models.CharField(max_length=300, blank=True, help_text="Where it came from: an import file and position.")
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["number"]
        indexes = [models.Index(fields=["subject", "status", "topic", "difficulty"], name="question_draw_idx")]

    def __str__(self) -> str:
        return f"Q{self.number}"


class QuestionVersion(QuestionContent):
    """The content of a question as approved: immutable, what papers are built from."""

    id = models.UUIDField(primary_key=True, default=uuid7, editable=False)
    question = models.ForeignKey(Question, on_delete=models.PROTECT, related_name="versions")
    number = models.PositiveIntegerField()
    images = models.JSONField(default=list, blank=True, help_text="Ids of the question's images at approval.")
    author = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    approved_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    approved_at = models.DateTimeField()

    class Meta:
        ordering = ["question__number", "number"]
        constraints = [models.UniqueConstraint(fields=["question", "number"], name="question_version_unique")]

    def __str__(self) -> str:
        return f"Q{self.question.number} v{self.number}" if self.question_id else f"v{self.number}"


IMAGE_FOLDER = "questions/images"


def image_upload_to(instance, filename):
    # A random name: the uploader's file name never reaches the disk.
    ext = os.path.splitext(filename)[1].lower() or ".bin"
    return f"{IMAGE_FOLDER}/{uuid4().hex[:2]}/{uuid4().hex}{ext}"


class QuestionImage(models.Model):
    """An image printed with a question (a figure, a circuit), checked by content on upload."""

    id = models.UUIDField(primary_key=True, default=uuid7, editable=False)
    question = models.ForeignKey(Question, on_delete=models.CASCADE, related_name="images")
    file = models.ImageField(upload_to=image_upload_to)
    sha256 = models.CharField(max_length=64)
    width = models.PositiveIntegerField()
    height = models.PositiveIntegerField()
    caption = models.CharField(max_length=300, blank=True)
    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    # Removed from the working copy but kept: an approved version lists it and still prints it.
    removed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["created_at"]

    def __str__(self) -> str:
        return f"image of Q{self.question.number}" if self.question_id else "image"


class HistoryAction(models.TextChoices):
    CREATED = "created", "Created"
    EDITED = "edited", "Edited"
    SUBMITTED = "submitted", "Submitted"
    APPROVED = "approved", "Approved"
    RETURNED = "returned", "Returned to draft"
    RETIRED = "retired", "Retired"
    IMAGE_ADDED = "image_added", "Image added"
    IMAGE_REMOVED = "image_removed", "Image removed"
    IMPORTED = "imported", "Imported"
    DELETED = "deleted", "Deleted"


class QuestionHistory(models.Model):
    """Who did what to a question, when: `changes` holds `{field: [before, after]}`."""

    id = models.BigAutoField(primary_key=True)
    question = models.ForeignKey(Question, null=True, on_delete=models.SET_NULL, related_name="history")
    question_number = models.PositiveIntegerField(help_text="Kept when the question is deleted.")
    version = models.PositiveIntegerField()
    action = models.CharField(max_length=16, choices=HistoryAction.choices)
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    at = models.DateTimeField(auto_now_add=True, db_index=True)
    changes = models.JSONField(default=dict, blank=True)
    note = models.CharField(max_length=500, blank=True)

    class Meta:
        ordering = ["question_number", "id"]

    def __str__(self) -> str:
        return f"Q{self.question_number} {self.action}"


class QuestionNumberCounter(models.Model):
    """The last question number handed out (one row). Numbers are reserved in blocks by
    `apps.questions.numbering.reserve_numbers`, so concurrent writers never share one."""

    last_value = models.PositiveIntegerField(default=0)

    def __str__(self) -> str:
        return str(self.last_value)
