"""Exam-day models. A center owns attendance, its audit and incidents for its own
candidates (docs/architecture.md, ownership): they are written at the center and travel to
HQ in its results package."""

from django.conf import settings
from django.db import models

from apps.core.models import SyncedModel


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
        db_table = "exams_attendance"  # the name it had in the exams app
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
        db_table = "exams_attendanceaudit"  # the name it had in the exams app
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
        db_table = "exams_incident"  # the name it had in the exams app
        ordering = ["-created_at"]
        indexes = [models.Index(fields=["center", "session"], name="incident_center_session")]

    def __str__(self) -> str:
        return f"{self.kind} at {self.center_id} ({self.session_id})"
