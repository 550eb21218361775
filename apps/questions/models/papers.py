"""Question papers: one per exam session, its questions in master order, and its sets.

A paper is built (from a blueprint, or by hand) from approved question *versions*; a final
paper is immutable. Every set holds the same questions: `SetQuestion` gives each set's order
and, for choice questions, the order its options print in, from which the set's answer key
is derived (bank option index -> the letter printed in that set).
"""

from django.conf import settings
from django.db import models
from uuid_utils.compat import uuid7

from apps.questions.choices import PaperStatus


class QuestionPaper(models.Model):
    """The question paper of one exam session (each shift of a paper gets its own)."""

    id = models.UUIDField(primary_key=True, default=uuid7, editable=False)
    session = models.OneToOneField("exams.ExamSession", on_delete=models.PROTECT, related_name="question_paper")
    status = models.CharField(max_length=8, choices=PaperStatus.choices, default=PaperStatus.DRAFT, db_index=True)
    blueprint = models.JSONField(
        default=list,
        blank=True,
        help_text='[{"title": "Physics", "rules": [{"subject", "topic", "difficulty", "count", "marks", '
        '"negative_marks"}]}]; empty when picked by hand.',
    )
    seed = models.BigIntegerField(default=0, help_text="Draws and set shuffles are reproducible from it.")
    languages = models.JSONField(default=list, help_text='Print languages, e.g. ["en"] or ["en", "hi"].')
    instructions = models.JSONField(default=dict, blank=True, help_text="{language: text} printed on the cover.")
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    finalised_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    finalised_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["session__date", "session__start_time"]

    def __str__(self) -> str:
        return f"question paper of {self.session}" if self.session_id else "question paper"


class PaperQuestion(models.Model):
    """A question of a paper, in master order, with the marks it carries in this paper."""

    id = models.BigAutoField(primary_key=True)
    paper = models.ForeignKey(QuestionPaper, on_delete=models.CASCADE, related_name="questions")
    section = models.PositiveSmallIntegerField(default=0, help_text="Index into the paper's sections (0-based).")
    section_title = models.CharField(max_length=200, blank=True)
    position = models.PositiveIntegerField(help_text="1-based, across the whole paper, in master order.")
    question = models.ForeignKey("questions.Question", on_delete=models.PROTECT, related_name="+")
    version = models.ForeignKey("questions.QuestionVersion", on_delete=models.PROTECT, related_name="+")
    marks = models.DecimalField(max_digits=6, decimal_places=2)
    negative_marks = models.DecimalField(max_digits=6, decimal_places=2, default=0)

    class Meta:
        ordering = ["paper", "position"]
        constraints = [
            models.UniqueConstraint(fields=["paper", "position"], name="paper_question_position_unique"),
            models.UniqueConstraint(fields=["paper", "question"], name="paper_question_once"),
        ]

    def __str__(self) -> str:
        return f"{self.position}: Q{self.question.number}" if self.question_id else str(self.position)


class PaperSet(models.Model):
    """One lettered set (A, B, C...) of a paper."""

    id = models.BigAutoField(primary_key=True)
    paper = models.ForeignKey(QuestionPaper, on_delete=models.CASCADE, related_name="sets")
    letter = models.CharField(max_length=1)

    class Meta:
        ordering = ["paper", "letter"]
        constraints = [models.UniqueConstraint(fields=["paper", "letter"], name="paper_set_letter_unique")]

    def __str__(self) -> str:
        return f"set {self.letter}"


class SetQuestion(models.Model):
    """Where a paper question prints in one set, and the order of its options there.

    `option_order[i]` is the bank index of the option printed i-th (as letter A + i).
    """

    id = models.BigAutoField(primary_key=True)
    paper_set = models.ForeignKey(PaperSet, on_delete=models.CASCADE, related_name="items")
    position = models.PositiveIntegerField()
    paper_question = models.ForeignKey(PaperQuestion, on_delete=models.CASCADE, related_name="placements")
    option_order = models.JSONField(default=list, blank=True)

    class Meta:
        ordering = ["paper_set", "position"]
        constraints = [
            models.UniqueConstraint(fields=["paper_set", "position"], name="set_question_position_unique"),
            models.UniqueConstraint(fields=["paper_set", "paper_question"], name="set_question_once"),
        ]

    def __str__(self) -> str:
        return f"{self.paper_set_id}:{self.position}"
