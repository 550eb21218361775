"""Seating models. HQ owns allocations (docs/architecture.md, ownership): they are written in
bulk by the allocation service and travel to the centers in their packages."""

from django.db import models

from apps.core.models import SyncedModel


class Allocation(SyncedModel):
    """One candidate's seat for one session. HQ-owned; written in bulk by the allocation service.

    `row`/`column` are 1-based positions in the room's grid; `seat_number` is
    (row - 1) * columns + column; `paper_set` a letter A, B, C... (allocation.planning).
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
        # The table keeps the name it had when this model lived in the exams app.
        db_table = "exams_allocation"
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
