"""Marking attendance: by hand, in bulk, or by scanning the admit card's signed QR code.

Rules (issue 5):
* only an invigilator or center manager of the candidate's allocated center may mark
  (others do not see the candidate at all: 404);
* marking is open from `ATTENDANCE_OPEN_MINUTES_BEFORE` minutes before the session
  starts until it ends, in local time (`TIME_ZONE`);
* a candidate has one row per session: marking again updates it; every marking is
  written to `AttendanceAudit` (who, when, old -> new).
"""

import datetime as dt
from dataclasses import dataclass

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from apps.candidates.models import Candidate
from apps.core.roles import CENTER_ROLES
from apps.core.scoping import scope_for
from apps.core.services import synced_save
from apps.examday.models import Attendance, AttendanceAudit, AttendanceSource, AttendanceStatus
from apps.exams.models import ExamSession
from apps.seating.admit_cards import InvalidQR, qr_decode
from apps.seating.models import Allocation
from utils.exceptions import ApplicationError, Conflict


def current_time() -> dt.datetime:
    """The clock attendance is checked against (tests replace it)."""
    return timezone.now()


def session_window(session: ExamSession) -> tuple[dt.datetime, dt.datetime]:
    """(opens, closes) of marking for a session, as aware datetimes in local time."""
    tz = timezone.get_default_timezone()
    start = dt.datetime.combine(session.date, session.start_time, tzinfo=tz)
    end = dt.datetime.combine(session.date, session.end_time, tzinfo=tz)
    return start - dt.timedelta(minutes=settings.ATTENDANCE_OPEN_MINUTES_BEFORE), end


def attendance_window_check(session: ExamSession, *, now: dt.datetime | None = None) -> None:
    now = now or current_time()
    opens, closes = session_window(session)
    if not (opens <= now <= closes):
        raise Conflict(
            "attendance_closed",
            f"Attendance for this session can be marked from {timezone.localtime(opens):%Y-%m-%d %H:%M} "
            f"to {timezone.localtime(closes):%H:%M} ({settings.TIME_ZONE}).",
            extra={"opens": opens.isoformat(), "closes": closes.isoformat()},
        )


@dataclass
class MarkResult:
    attendance: Attendance
    created: bool
    changed: bool


def _allocation_for(*, user, candidate: Candidate, session: ExamSession) -> Allocation:
    if user.role not in CENTER_ROLES or not user.center_id:
        raise ApplicationError(
            "forbidden", "Only the center's invigilators and managers mark attendance.", status_code=403
        )
    allocation = (
        Allocation.objects.filter(candidate=candidate, session=session).only("id", "center_id", "room_id").first()
    )
    if allocation is None:
        # A paper held in shifts: the candidate sits one of them, perhaps another one.
        other = (
            Allocation.objects.filter(candidate=candidate, session__paper_id=session.paper_id)
            .select_related("session")
            .first()
        )
        if other is not None:
            theirs = other.session
            raise Conflict(
                "not_allocated",
                f"Candidate {candidate.roll_number} sits another shift of this paper "
                f"({theirs.date.isoformat()} {theirs.start_time:%H:%M}), not this session.",
                extra={"allocated_session": str(theirs.pk)},
            )
        raise Conflict("not_allocated", f"Candidate {candidate.roll_number} has no seat in this session.")
    if allocation.center_id != user.center_id:
        # Scoping already hides other centers' candidates; this guards a stale allocation.
        raise ApplicationError("not_found", "Not found.", status_code=404)
    return allocation


def _mark(*, user, candidate, session, status, source, now) -> MarkResult:
    allocation = _allocation_for(user=user, candidate=candidate, session=session)
    attendance_window_check(session, now=now)
    # select_for_update: two invigilators marking the same candidate at once queue here
    # instead of both inserting (the unique constraint would turn one into a 409).
    row = Attendance.objects.select_for_update().filter(candidate=candidate, session=session).first()
    created = row is None
    old = "" if created else row.status
    if created:
        row = Attendance(
            candidate=candidate,
            session=session,
            center_id=allocation.center_id,
            status=status,
            marked_by=user,
            marked_at=now,
        )
        synced_save(row)
    elif old != status or row.marked_by_id != user.id:
        row.status, row.marked_by, row.marked_at = status, user, now
        synced_save(row, update_fields=["status", "marked_by", "marked_at"])
    synced_save(
        AttendanceAudit(
            attendance=row,
            center_id=row.center_id,
            old_status=old,
            new_status=status,
            source=source,
            changed_by=user,
            changed_at=now,
        )
    )
    return MarkResult(attendance=row, created=created, changed=created or old != status)


def _visible_candidate(user, candidate_id) -> Candidate:
    candidate = scope_for(user, Candidate.objects.all()).filter(pk=candidate_id).first()
    if candidate is None:
        raise ApplicationError("not_found", "Candidate not found.", status_code=404)
    return candidate


@transaction.atomic
def attendance_mark(
    *, user, candidate: Candidate, session: ExamSession, status: str, source: str = AttendanceSource.MANUAL
) -> MarkResult:
    """Mark one candidate present or absent for a session (create or update, audited)."""
    if status not in AttendanceStatus.values:
        raise ApplicationError("invalid", f"Status must be one of {', '.join(AttendanceStatus.values)}.")
    candidate = _visible_candidate(user, candidate.pk)
    return _mark(user=user, candidate=candidate, session=session, status=status, source=source, now=current_time())


@transaction.atomic
def attendance_mark_bulk(*, user, session: ExamSession, marks: list[tuple[object, str]]) -> list[MarkResult]:
    """Mark many candidates of one session; all or nothing (one bad row rolls back all)."""
    now = current_time()
    attendance_window_check(session, now=now)
    results = []
    for candidate_id, status in marks:
        candidate = _visible_candidate(user, candidate_id)
        results.append(
            _mark(user=user, candidate=candidate, session=session, status=status, source=AttendanceSource.BULK, now=now)
        )
    return results


@transaction.atomic
def attendance_scan(*, user, qr: str, session: ExamSession | None = None) -> MarkResult:
    """Verify an admit card's QR code (HQ signature, offline) and mark its holder present.

    Without `session`, the session is the one of the candidate's that is open now.
    """
    payload = qr_decode(qr)
    candidate = _visible_candidate(user, payload["cid"])
    if candidate.roll_number != payload.get("roll"):
        raise InvalidQR("The admit-card code does not match the candidate's roll number.")
    now = current_time()
    if session is None:
        open_sessions = sorted(
            (
                a.session
                for a in Allocation.objects.filter(candidate=candidate).select_related("session")
                if session_window(a.session)[0] <= now <= session_window(a.session)[1]
            ),
            key=lambda s: session_window(s)[0],
        )
        if not open_sessions:
            raise Conflict("attendance_closed", "None of this candidate's sessions is open for attendance now.")
        # Back-to-back sessions can both be open: the candidate is entering the later one.
        session = open_sessions[-1]
    return _mark(
        user=user, candidate=candidate, session=session, status=AttendanceStatus.PRESENT, source="scan", now=now
    )
