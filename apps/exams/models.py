from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models

from apps.centers.models import code_validator
from apps.core.models import SyncedModel


class ExamStatus(models.TextChoices):
    DRAFT = "draft", "Draft"
    SCHEDULED = "scheduled", "Scheduled"
    ONGOING = "ongoing", "Ongoing"
    COMPLETED = "completed", "Completed"
    RESULTS_PUBLISHED = "results_published", "Results published"


# The life cycle runs forward only; an admin may reopen (move back).
EXAM_STATUS_ORDER = [s.value for s in ExamStatus]


class Exam(SyncedModel):
    code = models.CharField(max_length=32, unique=True, validators=[code_validator])
    name = models.CharField(max_length=200)
    description = models.TextField(blank=True)
    start_date = models.DateField()
    end_date = models.DateField()
    status = models.CharField(max_length=20, choices=ExamStatus.choices, default=ExamStatus.DRAFT, db_index=True)

    class Meta:
        ordering = ["-start_date", "code"]
        constraints = [
            models.CheckConstraint(
                name="exam_end_not_before_start", condition=models.Q(end_date__gte=models.F("start_date"))
            )
        ]

    def __str__(self) -> str:
        return self.code

    def clean(self):
        super().clean()
        if self.start_date and self.end_date and self.end_date < self.start_date:
            raise ValidationError({"end_date": "The end date cannot be before the start date."})


class PaperKind(models.TextChoices):
    OBJECTIVE = "objective", "Objective (OMR)"
    DESCRIPTIVE = "descriptive", "Descriptive (answer scripts)"
    MIXED = "mixed", "Mixed"


class Paper(SyncedModel):
    exam = models.ForeignKey(Exam, on_delete=models.PROTECT, related_name="papers")
    code = models.CharField(max_length=32, validators=[code_validator])
    name = models.CharField(max_length=200)
    max_marks = models.DecimalField(max_digits=7, decimal_places=2, validators=[MinValueValidator(0)])
    pass_marks = models.DecimalField(max_digits=7, decimal_places=2, validators=[MinValueValidator(0)])
    duration_minutes = models.PositiveIntegerField(validators=[MinValueValidator(1)])
    kind = models.CharField(max_length=12, choices=PaperKind.choices, default=PaperKind.OBJECTIVE)
    set_count = models.PositiveSmallIntegerField(
        default=4,
        validators=[MinValueValidator(1), MaxValueValidator(26)],
        help_text="Question-paper sets (A, B, C...). Neighbours never share a set; with 4+ not even diagonally.",
    )

    class Meta:
        ordering = ["exam__code", "code"]
        constraints = [
            models.UniqueConstraint(fields=["exam", "code"], name="paper_code_unique_in_exam"),
            models.CheckConstraint(
                name="paper_pass_not_above_max", condition=models.Q(pass_marks__lte=models.F("max_marks"))
            ),
        ]

    def __str__(self) -> str:
        return f"{self.exam.code}/{self.code}" if self.exam_id else self.code

    def clean(self):
        super().clean()
        if self.pass_marks is not None and self.max_marks is not None and self.pass_marks > self.max_marks:
            raise ValidationError({"pass_marks": "Pass marks cannot exceed maximum marks."})


class ExamSession(SyncedModel):
    """One sitting of a paper: a date and a time window."""

    exam = models.ForeignKey(Exam, on_delete=models.PROTECT, related_name="sessions")
    paper = models.ForeignKey(Paper, on_delete=models.PROTECT, related_name="sessions")
    date = models.DateField(db_index=True)
    start_time = models.TimeField()
    end_time = models.TimeField()

    class Meta:
        ordering = ["date", "start_time"]
        constraints = [
            models.CheckConstraint(
                name="session_end_after_start", condition=models.Q(end_time__gt=models.F("start_time"))
            )
        ]

    def __str__(self) -> str:
        return f"{self.paper} {self.date} {self.start_time:%H:%M}" if self.paper_id else str(self.date)

    def clean(self):
        super().clean()
        errors = {}
        if self.paper_id and self.exam_id and self.paper.exam_id != self.exam_id:
            errors["paper"] = "The paper belongs to another exam."
        if self.exam_id and self.date:
            exam = self.exam
            if not (exam.start_date <= self.date <= exam.end_date):
                errors["date"] = (
                    f"The session must fall within the exam's dates ({exam.start_date} to {exam.end_date})."
                )
        if self.start_time and self.end_time and self.end_time <= self.start_time:
            errors["end_time"] = "The end time must be after the start time."
        if errors:
            raise ValidationError(errors)


class SessionCenter(SyncedModel):
    """A center holds a session, offering `seats` seats (empty: every seat of its rooms).

    When a session has no rows here, every active center holds it with all its rooms.
    HQ-owned.
    """

    session = models.ForeignKey("exams.ExamSession", on_delete=models.CASCADE, related_name="venues")
    center = models.ForeignKey("centers.Center", on_delete=models.PROTECT, related_name="session_venues")
    seats = models.PositiveIntegerField(
        null=True, blank=True, validators=[MinValueValidator(1)], help_text="Empty: all seats of the center's rooms."
    )

    class Meta:
        ordering = ["session__date", "session__start_time", "center__code"]
        constraints = [models.UniqueConstraint(fields=["session", "center"], name="session_center_unique")]

    def __str__(self) -> str:
        return f"{self.session} at {self.center.code}" if self.center_id else str(self.session_id)
