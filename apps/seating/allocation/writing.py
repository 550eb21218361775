"""Seat allocation, writing: placements into allocations, releases into tombstones.

Allocations and tombstones go through the shared bulk insert (apps/core/bulk.py: one
`executemany` per batch on SQLite and PostgreSQL, the ORM elsewhere) and are stamped by
apps/core/stamping.py; the seated candidates are updated with one ORM UPDATE joined to
their new allocations.
"""

import time
from contextlib import contextmanager

from django.db import connection
from django.db.models import Exists, OuterRef, Subquery
from django.utils import timezone

from apps.candidates.models import Candidate, CandidateStatus
from apps.core.bulk import bulk_insert
from apps.core.models import Tombstone
from apps.core.stamping import NEW_ROW_FIELDS, TOMBSTONE_FIELDS, new_row_stamps, stamp_update, tombstone_rows
from apps.exams.models import Exam, ExamSession
from apps.seating.allocation import loading
from apps.seating.allocation.planning import (
    COMMON,
    AllocationReport,
    Center,
    Schedule,
    paper_set_letter,
    seat_candidates,
    seat_groups,
)
from apps.seating.models import Allocation
from utils.progress import ProgressCallback, report

WRITE_BATCH = 20_000
ALLOCATION_FIELDS = [
    *NEW_ROW_FIELDS,
    "candidate",
    "exam",
    "session",
    "center",
    "room",
    "row",
    "column",
    "seat_number",
    "paper_set",
]


@contextmanager
def big_sqlite_cache(kib: int = 256 * 1024):
    """Give SQLite a larger page cache for the run (its default is 2 MB).

    Inserting a million rows updates several B-tree indexes at random places; with the
    default cache most of those pages are evicted and re-read. Guarded to SQLite and
    restored afterwards, so the connection goes back to its normal footprint.
    """
    if connection.vendor != "sqlite":
        yield
        return
    with connection.cursor() as cursor:
        cursor.execute("PRAGMA cache_size")
        previous = cursor.fetchone()[0]
        cursor.execute(f"PRAGMA cache_size = -{int(kib)}")
    try:
        yield
    finally:
        with connection.cursor() as cursor:
            cursor.execute(f"PRAGMA cache_size = {int(previous)}")


def lock_exam(exam: Exam) -> None:
    """Two runs for one exam queue here (a row lock on PostgreSQL; SQLite's IMMEDIATE
    transactions already serialise writers) instead of both seating."""
    Exam.objects.select_for_update().filter(pk=exam.pk).values_list("pk", flat=True).first()


def reset(exam: Exam) -> None:
    """Remove the exam's allocations and return its allocated candidates to `registered`."""
    drop_allocations(Allocation.objects.filter(exam=exam))
    Candidate.objects.filter(exam=exam, status=CandidateStatus.ALLOCATED).update(
        **stamp_update(status=CandidateStatus.REGISTERED, center=None)
    )


def drop_allocations(allocations) -> None:
    """Delete allocations, leaving tombstones (bulk) so the centers that got them drop them too."""
    deleted = allocations.values_list("id", "version").iterator(chunk_size=loading.READ_CHUNK)
    # An id is tombstoned once: allocation ids are never reused.
    bulk_insert(Tombstone, TOMBSTONE_FIELDS, tombstone_rows(Allocation._meta.label, deleted))
    allocations.delete()


def write_seats(
    exam: Exam,
    sessions: list[ExamSession],
    plan: Schedule,
    centers: list[Center],
    seed: int,
    result: AllocationReport,
    progress: ProgressCallback | None,
) -> None:
    """Seat the candidates planning chose for each center (planning.seat_candidates): one
    allocation per session of the papers held once (the same seat in each) and one in the
    shift of each paper in shifts that assign_shifts chose; mark them `allocated` at their
    center."""
    started = time.monotonic()
    now = timezone.now()
    stamps = new_row_stamps(now=now)
    set_counts = {s.id: s.paper.set_count for s in sessions}
    group_sessions = {COMMON: [(s, set_counts[s]) for s in plan.common]}
    group_sessions.update({s: [(s, set_counts[s])] for s in plan.shift_ids()})
    total_rows = result.placed * (len(plan.common) + len(plan.papers))
    batch: list[tuple] = []
    written = 0

    def flush():
        nonlocal batch, written
        written += bulk_insert(Allocation, ALLOCATION_FIELDS, batch)
        batch = []
        report(progress, written, total_rows, "writing seats")

    for center in centers:
        if not center.members:
            continue
        for group, members in seat_groups(center):
            session_info = group_sessions[group]
            for candidate_id, room_id, row, column, seat in seat_candidates(center, seed, group, members):
                for session_id, set_count in session_info:
                    batch.append(
                        (
                            *next(stamps),
                            candidate_id,
                            exam.id,
                            session_id,
                            center.id,
                            room_id,
                            row,
                            column,
                            seat,
                            paper_set_letter(row, column, set_count),
                        )
                    )
                if len(batch) >= WRITE_BATCH:
                    flush()
        center.members = []  # free memory as we go
        center.shift_members = {}
    flush()
    result.allocations_created = written
    inserted = time.monotonic()
    result.timings["seat_and_insert"] = inserted - started

    # Candidates that got seats in this run: one ORM UPDATE joined to their allocations
    # (measured at 1M: faster than per-center `pk__in` blocks or an executemany by id,
    # because it walks the candidate table in order).
    first_center = Allocation.objects.filter(candidate=OuterRef("pk")).values("center")[:1]
    Candidate.objects.filter(exam=exam, status=CandidateStatus.REGISTERED).filter(
        Exists(Allocation.objects.filter(candidate=OuterRef("pk")))
    ).update(**stamp_update(now=now, status=CandidateStatus.ALLOCATED, center=Subquery(first_center)))
    result.timings["update_candidates"] = time.monotonic() - inserted


def seat_kept_in_new_sessions(
    exam: Exam, sessions: list[ExamSession], plan: Schedule, result: AllocationReport, *, seated: int
) -> int:
    """Give candidates who kept their seats a seat in sessions added since. A session of a
    paper held once: the same room and seat as their other sessions of papers held once
    (that seat is theirs in all of them), with the new paper's set. Candidates without such
    a seat (they sat only shifts so far), and a paper in shifts none of whose shifts they
    have, cannot be seated on the kept plan: the report warns and `--reset` redoes it.
    Returns the number of allocations written."""
    stamps = new_row_stamps()
    written = 0
    by_id = {s.id: s for s in sessions}
    for session_id in plan.common:
        session = by_id[session_id]
        if loading.seated_in_session(session) >= seated:
            continue  # the usual case: every seated candidate has this session (an index count)
        set_count = session.paper.set_count
        batch = []
        rows = loading.seats_missing_session(exam, session, plan.common)
        for candidate_id, center_id, room_id, row, column, seat in rows:
            letter = paper_set_letter(row, column, set_count)
            batch.append(
                (*next(stamps), candidate_id, exam.id, session.id, center_id, room_id, row, column, seat, letter)
            )
            if len(batch) >= WRITE_BATCH:
                written += bulk_insert(Allocation, ALLOCATION_FIELDS, batch)
                batch = []
        written += bulk_insert(Allocation, ALLOCATION_FIELDS, batch)
        missing = seated - loading.seated_in_session(session)
        if missing > 0:
            result.warnings.append(
                f"{missing} seated candidates have no seat in {plan.labels[session_id]} (they have no seat in a "
                "paper held once to keep); run with --reset to seat everyone again."
            )
    for paper, shifts in plan.papers:
        missing = seated - loading.seated_in_any(shifts)
        if missing > 0:
            result.warnings.append(
                f"{missing} seated candidates have no shift of paper {paper} (added after they were seated); "
                "run with --reset to seat everyone again."
            )
    return written
