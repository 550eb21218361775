"""Logistics models. Ownership (DESIGN.md §4): HQ owns `SessionCenter` and `Allocation`;
a center owns `Attendance`, `AttendanceAudit` and `Incident` for its own candidates."""

from django.conf import settings
from django.core.validators import MinValueValidator
from django.db import models

from apps.sync.models import SyncedModel

SET_LETTERS = "ABCDEFGHIJKLMNOPQRSTUVWXYZ"


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


class Allocation(SyncedModel):
    """One candidate's seat for one session. HQ-owned; written in bulk by the allocation service.

    `row`/`column` are 1-based positions in the room's grid; `seat_number` is
    (row - 1) * columns + column; `paper_set` a letter A, B, C...
    """

    # A million rows per exam: the composite indexes below lead with candidate, session,
    # exam and center, so those foreign keys skip their own single-column index.
    candidate = models.ForeignKey(
        "candidates.Candidate", on_delete=models.CASCADE, related_name="allocations", db_index=False
    )
    exam = models.ForeignKey("exams.Exam", on_delete=models.CASCADE, related_name="allocations", db_index=False)
    session = models.ForeignKey(
        "exams.ExamSession", on_delete=models.CASCADE, related_name="allocations", db_index=False
    )
    center = models.ForeignKey("centers.Center", on_delete=models.PROTECT, related_name="allocations", db_index=False)
    room = models.ForeignKey("centers.Room", on_delete=models.PROTECT, related_name="allocations")
    row = models.PositiveIntegerField()
    column = models.PositiveIntegerField()
    seat_number = models.PositiveIntegerField()
    paper_set = models.CharField(max_length=2)

    class Meta:
        ordering = ["session_id", "room_id", "seat_number"]
        constraints = [
            models.UniqueConstraint(fields=["candidate", "session"], name="allocation_one_seat_per_session"),
            models.UniqueConstraint(fields=["session", "room", "seat_number"], name="allocation_seat_taken_once"),
        ]
        indexes = [
            models.Index(fields=["exam", "center"], name="allocation_exam_center"),
            models.Index(fields=["center", "session"], name="allocation_center_session"),
        ]

    def __str__(self) -> str:
        return f"{self.candidate_id} {self.session_id} {self.room_id}#{self.seat_number}"


class AttendanceStatus(models.TextChoices):
    PRESENT = "present", "Present"
    ABSENT = "absent", "Absent"


class AttendanceSource(models.TextChoices):
    MANUAL = "manual", "Marked"
    BULK = "bulk", "Bulk"
    SCAN = "scan", "Admit-card scan"


class Attendance(SyncedModel):
    """Whether a candidate sat a session. Center-owned; one row per candidate and session."""

    candidate = models.ForeignKey("candidates.Candidate", on_delete=models.CASCADE, related_name="attendance")
    session = models.ForeignKey("exams.ExamSession", on_delete=models.CASCADE, related_name="attendance")
    center = models.ForeignKey("centers.Center", on_delete=models.PROTECT, related_name="attendance")
    status = models.CharField(max_length=8, choices=AttendanceStatus.choices)
    marked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    marked_at = models.DateTimeField()

    class Meta:
        ordering = ["session_id", "candidate_id"]
        constraints = [
            models.UniqueConstraint(fields=["candidate", "session"], name="attendance_once_per_session"),
        ]
        indexes = [models.Index(fields=["center", "session"], name="attendance_center_session")]

    def __str__(self) -> str:
        return f"{self.candidate_id} {self.session_id}: {self.status}"


class AttendanceAudit(SyncedModel):
    """Every marking (also the first): who changed which attendance from what to what, when.

    Center-owned, append-only, travels with the attendance to HQ.
    """

    attendance = models.ForeignKey(Attendance, on_delete=models.CASCADE, related_name="audit")
    center = models.ForeignKey("centers.Center", on_delete=models.PROTECT, related_name="+")
    old_status = models.CharField(max_length=8, blank=True, default="")
    new_status = models.CharField(max_length=8, choices=AttendanceStatus.choices)
    source = models.CharField(max_length=8, choices=AttendanceSource.choices, default=AttendanceSource.MANUAL)
    changed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    changed_at = models.DateTimeField()

    class Meta:
        ordering = ["changed_at"]

    def __str__(self) -> str:
        return f"{self.attendance_id}: {self.old_status or '-'} -> {self.new_status}"


class IncidentKind(models.TextChoices):
    MALPRACTICE = "malpractice", "Malpractice"
    LATE_ARRIVAL = "late_arrival", "Late arrival"
    MEDICAL = "medical", "Medical"
    PAPER_SHORTAGE = "paper_shortage", "Paper shortage"
    OTHER = "other", "Other"


class Incident(SyncedModel):
    """Something that happened at a center during a session. Center-owned."""

    session = models.ForeignKey("exams.ExamSession", on_delete=models.PROTECT, related_name="incidents")
    center = models.ForeignKey("centers.Center", on_delete=models.PROTECT, related_name="incidents")
    candidate = models.ForeignKey(
        "candidates.Candidate", on_delete=models.PROTECT, null=True, blank=True, related_name="incidents"
    )
    kind = models.CharField(max_length=16, choices=IncidentKind.choices)
    description = models.TextField()
    reported_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    class Meta:
        ordering = ["-created_at"]
        indexes = [models.Index(fields=["center", "session"], name="incident_center_session")]

    def __str__(self) -> str:
        return f"{self.kind} at {self.center_id} ({self.session_id})"
