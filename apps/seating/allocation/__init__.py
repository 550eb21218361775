"""Seat allocation: candidates to centers, rooms, seats and question-paper sets.

`allocation_run()` is the one entry point (the API, the admin, the `allocate_seats`
command and the `seating.allocate` background job call it). It works in three steps, one
module each, in one transaction:

* `loading`: read the sessions, the centers and rooms that can hold them, the seats kept
  from an earlier run and the candidates to place, as compact tuples;
* `planning`: choose a center, then a shift of every paper held in several sessions, then
  a seat and a paper set for each candidate. Pure:
  plain data in, choices out, no database, deterministic by seed; the rules are written
  there (and in docs/logistics.md);
* `writing`: release seats (tombstones), insert the allocations in bulk and mark the
  candidates `allocated`.

Re-runs keep every existing allocation (seat and shift) (except those of withdrawn candidates, which are
released) and place only `registered` candidates in the seats still free; `reset=True`
first removes the exam's allocations (leaving tombstones so centers drop them too) and
returns its candidates to `registered`.
"""

import time

from django.db import transaction

from apps.core.bulk import cyclic_gc_paused
from apps.exams.models import Exam
from apps.seating.allocation import loading, planning, writing
from apps.seating.allocation.planning import AllocationReport, Unplaced, paper_set_index, paper_set_letter
from utils.exceptions import ApplicationError
from utils.progress import ProgressCallback

__all__ = ["AllocationReport", "Unplaced", "allocation_run", "paper_set_index", "paper_set_letter"]


def allocation_run(
    *,
    exam: Exam,
    seed: int = 0,
    dry_run: bool = False,
    reset: bool = False,
    progress: ProgressCallback | None = None,
) -> AllocationReport:
    """Allocate the exam's `registered` candidates to centers, rooms, seats and paper sets.

    Preconditions: the exam has sessions. Existing allocations are kept unless `reset`.
    Writes nothing when `dry_run`. One transaction: a progress callback that raises
    (e.g. `OperationCancelled`) rolls everything back. Returns an `AllocationReport`.
    """
    started = time.monotonic()
    sessions = loading.exam_sessions(exam)
    if not sessions:
        raise ApplicationError("no_sessions", f"Exam {exam.code} has no sessions to allocate seats for.")
    result = AllocationReport(exam=exam.code, seed=seed, dry_run=dry_run, reset=reset)

    with transaction.atomic(), writing.big_sqlite_cache(), cyclic_gc_paused():
        if not dry_run:
            writing.lock_exam(exam)
        plan = loading.schedule(sessions)
        centers = loading.centers(sessions, plan)

        rerun = False
        if reset and not dry_run:
            writing.reset(exam)
        elif not reset:
            withdrawn = loading.withdrawn_allocations(exam)
            result.released = loading.candidates_with_seats(withdrawn)
            if result.released and not dry_run:
                writing.drop_allocations(withdrawn)
            kept = loading.kept_allocations(exam)
            result.kept = loading.candidates_with_seats(kept)
            rerun = result.kept > 0
            planning.occupy(centers, loading.seats(kept))
        planning.count_free(centers)
        result.timings["load"] = time.monotonic() - started

        reset_dry = reset and dry_run
        shifts = bool(plan.papers)
        planning.choose_centers(
            centers,
            loading.candidates(exam, pwd=True, rerun=rerun, reset_dry=reset_dry, shifts=shifts),
            loading.candidates(exam, pwd=False, rerun=rerun, reset_dry=reset_dry, shifts=shifts),
            result,
            total=loading.candidate_total(exam, reset_dry=reset_dry),
            progress=progress,
        )
        planning.assign_shifts(centers, seed, result)
        result.timings["choose_centers"] = time.monotonic() - started - result.timings["load"]
        if dry_run:
            result.seconds = time.monotonic() - started
            return result
        writing.write_seats(exam, sessions, plan, centers, seed, result, progress)
        if rerun:
            seated = result.kept + result.placed
            result.allocations_created += writing.seat_kept_in_new_sessions(exam, sessions, plan, result, seated=seated)
    result.seconds = time.monotonic() - started
    return result
