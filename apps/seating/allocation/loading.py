"""Seat allocation, loading: what planning needs, read from the database as compact tuples.

Reads only. Rows are read with `values_list()` in chunks (no model instances), so a
million candidates stay a few hundred megabytes.
"""

from collections.abc import Iterator

from django.db.models import Exists, OuterRef

from apps.candidates.models import Candidate, CandidateStatus
from apps.centers.models import Center, Room
from apps.exams.models import Exam, ExamSession, SessionCenter
from apps.seating.allocation.planning import Center as PlannedCenter
from apps.seating.allocation.planning import Schedule, build_centers
from apps.seating.models import Allocation

READ_CHUNK = 20_000
CANDIDATE_COLUMNS = ("id", "roll_number", "city", "preferred_cities")
# With papers held in shifts the candidates' preferred shifts are read too.
CANDIDATE_COLUMNS_SHIFTS = (*CANDIDATE_COLUMNS, "preferred_shifts")


def exam_sessions(exam: Exam) -> list[ExamSession]:
    """The exam's sessions in date order, with their papers (set counts)."""
    return list(ExamSession.objects.filter(exam=exam).select_related("paper").order_by("date", "start_time"))


def schedule(sessions: list[ExamSession]) -> Schedule:
    """The exam's sessions as planning sees them: papers held once, papers held in shifts."""
    return Schedule.of((s.id, s.paper.code, s.date.isoformat(), f"{s.start_time:%H:%M}") for s in sessions)


def centers(sessions: list[ExamSession], plan: Schedule) -> list[PlannedCenter]:
    """The active centers that can take the exam's candidates, with their rooms and seats
    per seat group (planning.build_centers)."""
    venues = SessionCenter.objects.filter(session__in=sessions).values_list("session_id", "center_id", "seats")
    rooms = (
        Room.objects.filter(center__is_active=True)
        .order_by("center_id", "code")
        .values_list("id", "center_id", "rows", "columns", "capacity", "floor", "is_accessible")
    )
    active = Center.objects.filter(is_active=True).order_by("code").values_list("id", "code", "city", "state")
    return build_centers(active, rooms, venues, plan)


def withdrawn_allocations(exam: Exam):
    """The exam's allocations whose candidates have withdrawn (their seats are released)."""
    return Allocation.objects.filter(exam=exam, candidate__status=CandidateStatus.WITHDRAWN)


def kept_allocations(exam: Exam):
    """The exam's allocations a re-run keeps."""
    return Allocation.objects.filter(exam=exam).exclude(candidate__status=CandidateStatus.WITHDRAWN)


def candidates_with_seats(allocations) -> int:
    return allocations.values("candidate_id").distinct().count()


def seats(allocations) -> Iterator[tuple]:
    """(center_id, session_id, room_id, seat_number) of `allocations`."""
    rows = allocations.values_list("center_id", "session_id", "room_id", "seat_number")
    return rows.iterator(chunk_size=READ_CHUNK)


def candidate_total(exam: Exam, *, reset_dry: bool) -> int:
    """How many candidates the run considers (for progress)."""
    statuses = [CandidateStatus.REGISTERED]
    if reset_dry:  # a dry run of a reset sees the allocated candidates as they would be after it
        statuses.append(CandidateStatus.ALLOCATED)
    return Candidate.objects.filter(exam=exam, status__in=statuses).count()


def candidates(exam: Exam, *, pwd: bool, rerun: bool, reset_dry: bool, shifts: bool = False) -> Iterator[tuple]:
    """The candidates to place, (id, roll_number, city, preferred_cities[, preferred_shifts
    when `shifts`]) in roll-number order: `registered` ones without a seat; for the dry run
    of a reset, the `allocated` ones too (as they would be after the reset)."""
    if reset_dry:
        statuses = [CandidateStatus.REGISTERED, CandidateStatus.ALLOCATED]
        qs = Candidate.objects.filter(exam=exam, status__in=statuses, pwd=pwd)
    else:
        qs = Candidate.objects.filter(exam=exam, status=CandidateStatus.REGISTERED, pwd=pwd)
        if rerun:  # a registered candidate that somehow kept a seat is not seated twice
            qs = qs.exclude(Exists(Allocation.objects.filter(candidate=OuterRef("pk"))))
    columns = CANDIDATE_COLUMNS_SHIFTS if shifts else CANDIDATE_COLUMNS
    yield from qs.order_by("roll_number").values_list(*columns).iterator(chunk_size=READ_CHUNK)


def seated_in_session(session: ExamSession) -> int:
    return Allocation.objects.filter(session=session).count()


def seated_in_any(session_ids: list) -> int:
    return Allocation.objects.filter(session_id__in=session_ids).count()


def seats_missing_session(exam: Exam, session: ExamSession, common: list) -> Iterator[tuple]:
    """The seats of allocated candidates who have none in `session` (added after they
    were seated), taken from their seat in the papers held once (`common`, the sessions
    that share one seat): (candidate_id, center_id, room_id, row, column, seat_number),
    one per candidate."""
    with_seats = Allocation.objects.filter(
        exam=exam, candidate__status=CandidateStatus.ALLOCATED, session_id__in=[s for s in common if s != session.id]
    )
    missing = with_seats.exclude(candidate__allocations__session=session)
    rows = missing.order_by("candidate_id").values_list(
        "candidate_id", "center_id", "room_id", "row", "column", "seat_number"
    )
    seen = set()
    for row in rows.iterator(chunk_size=READ_CHUNK):
        if row[0] not in seen:
            seen.add(row[0])
            yield row
