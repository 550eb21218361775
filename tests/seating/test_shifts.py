"""Shifts end to end: a paper held in several sessions, each candidate sitting exactly one.

The allocation (capacity per shift, balance, seed, re-runs, reset), preferred shifts from a
real candidate sheet, and everything downstream restricted to the candidate's own shift:
admit-card PDFs read back with pypdf, attendance sheets and marking, the center report, the
seats API and a real center package through the sync exporter and importer.
"""

import datetime as dt
from collections import Counter
from types import SimpleNamespace

import pytest

from apps.candidates.models import Candidate, CandidateStatus
from apps.candidates.services.importing import candidates_import
from apps.candidates.services.reports import ImportFailed
from apps.core.models import Tombstone
from apps.examday.reports import center_report
from apps.exams.models import SessionCenter
from apps.seating.allocation import allocation_run
from apps.seating.models import Allocation
from apps.sync.exporter import package_export
from apps.sync.importer import package_import
from apps.sync.package import CENTER_PACKAGE, PackageReader
from tests.clock import EXAM_DAY
from tests.factories import CenterFactory, ExamSessionFactory, PaperFactory
from tests.seating.conftest import make_room
from tests.seating.factories import CandidateFactory
from tests.seating.test_admit_cards import pdf_text
from tests.seating.test_allocation import assert_no_neighbour_shares_a_set

pytestmark = pytest.mark.django_db

DAY2 = EXAM_DAY + dt.timedelta(days=1)
DAY3 = EXAM_DAY + dt.timedelta(days=2)


def add_papers(exam, *, once: bool):
    """P1 in three shifts (day 1 at 09:00 and 14:00, day 2 at 09:00); with `once`, P2 held
    once on day 3."""
    p1 = PaperFactory(exam=exam, code="P1", name="Aptitude", set_count=4)
    times = [(EXAM_DAY, 9), (EXAM_DAY, 14), (DAY2, 9)]
    shifts = [
        ExamSessionFactory(exam=exam, paper=p1, date=day, start_time=dt.time(h), end_time=dt.time(h + 2))
        for day, h in times
    ]
    held_once = None
    if once:
        p2 = PaperFactory(exam=exam, code="P2", name="Reasoning", set_count=2)
        held_once = ExamSessionFactory(exam=exam, paper=p2, date=DAY3, start_time=dt.time(10), end_time=dt.time(12))
    return SimpleNamespace(shifts=shifts, once=held_once, ids=[s.id for s in shifts])


def seats_of(exam) -> dict:
    return {
        (a.candidate_id, a.session_id): (a.center_id, a.room_id, a.seat_number, a.paper_set)
        for a in Allocation.objects.filter(exam=exam)
    }


def shift_counts(exam, sessions) -> Counter:
    return Counter(Allocation.objects.filter(exam=exam, session__in=sessions).values_list("center__code", "session_id"))


def assert_one_shift_each(exam, plan):
    """Every allocated candidate sits exactly one shift of P1 and (when held) P2 once."""
    allocated = list(Candidate.objects.filter(exam=exam, status=CandidateStatus.ALLOCATED))
    assert allocated
    for candidate in allocated:
        sessions = list(Allocation.objects.filter(candidate=candidate).values_list("session_id", "center_id"))
        assert sum(1 for s, _ in sessions if s in plan.ids) == 1, candidate.roll_number
        if plan.once is not None:
            assert sum(1 for s, _ in sessions if s == plan.once.id) == 1
        assert {c for _, c in sessions} == {candidate.center_id}  # one center for all their sessions


def test_one_paper_in_three_shifts_seats_three_times_the_room_balanced(exam, center_a):
    plan = add_papers(exam, once=False)
    make_room(center_a, "A1", rows=3, columns=4)  # 12 seats a shift
    CandidateFactory.create_batch(40, exam=exam)

    result = allocation_run(exam=exam, seed=2)

    assert result.placed == 36 and result.unplaced_count == 4
    assert Allocation.objects.count() == 36  # one seat each: nobody sits two shifts
    assert_one_shift_each(exam, plan)
    assert shift_counts(exam, plan.ids) == {("A01", s): 12 for s in plan.ids}  # never more than the room
    assert_no_neighbour_shares_a_set(exam)
    labels = [f"P1 {d} {h}" for d, h in [(EXAM_DAY, "09:00"), (EXAM_DAY, "14:00"), (DAY2, "09:00")]]
    assert result.per_center_shift == {"A01": dict.fromkeys(labels, 12)}
    assert all(result.per_shift[label] == {"placed": 12, "seated": 12, "seats": 12, "free": 0} for label in labels)


def test_a_paper_in_shifts_and_a_paper_held_once_in_one_exam(exam, center_a):
    plan = add_papers(exam, once=True)
    make_room(center_a, "A1", rows=3, columns=4)
    CandidateFactory.create_batch(14, exam=exam)

    result = allocation_run(exam=exam, seed=1)

    # Everyone also sits P2, held once in 12 seats: 12 placed, each in one shift of P1.
    assert result.placed == 12 and result.unplaced_count == 2
    assert Allocation.objects.filter(session=plan.once).count() == 12
    assert_one_shift_each(exam, plan)
    assert sorted(shift_counts(exam, plan.ids).values()) == [4, 4, 4]
    assert_no_neighbour_shares_a_set(exam)
    assert result.allocations_created == 24


def test_shifts_stay_within_one_candidate_per_center_when_seats_allow(exam, center_a):
    plan = add_papers(exam, once=False)
    other = CenterFactory(code="A02", city="Delhi")
    make_room(center_a, "A1", rows=2, columns=5)  # 10 a shift
    make_room(other, "B1", rows=2, columns=5)
    CandidateFactory.create_batch(37, exam=exam)  # A01 takes 30 (10, 10, 10), A02 7 (3, 2, 2)

    allocation_run(exam=exam, seed=4)

    counts = shift_counts(exam, plan.ids)
    for code in ("A01", "A02"):
        per_shift = [counts[(code, s)] for s in plan.ids]
        assert max(per_shift) - min(per_shift) <= 1, (code, per_shift)
    assert sum(counts[("A02", s)] for s in plan.ids) == 7


def test_same_seed_same_shifts_and_seats_and_reset_redoes_it_with_tombstones(exam, center_a):
    add_papers(exam, once=True)
    make_room(center_a, "A1", rows=4, columns=5)
    CandidateFactory.create_batch(18, exam=exam)

    allocation_run(exam=exam, seed=9)
    first = seats_of(exam)
    old_ids = set(Allocation.objects.values_list("id", flat=True))
    allocation_run(exam=exam, seed=9, reset=True)
    assert seats_of(exam) == first  # reproducible from the seed
    dropped = set(Tombstone.objects.filter(model="seating.Allocation").values_list("object_id", flat=True))
    assert {str(i) for i in old_ids} <= {str(i) for i in dropped}  # centers drop what the reset replaced

    allocation_run(exam=exam, seed=10, reset=True)
    assert seats_of(exam) != first  # another seed: other shifts and seats


def test_a_rerun_keeps_every_shift_and_seat_and_balances_the_newcomers(exam, center_a):
    plan = add_papers(exam, once=False)
    make_room(center_a, "A1", rows=2, columns=5)
    CandidateFactory.create_batch(10, exam=exam)
    allocation_run(exam=exam, seed=3)
    before = {a.id: (a.candidate_id, a.session_id, a.seat_number) for a in Allocation.objects.all()}

    CandidateFactory.create_batch(8, exam=exam)
    result = allocation_run(exam=exam, seed=3)

    assert result.kept == 10 and result.placed == 8 and result.warnings == []
    after = {a.id: (a.candidate_id, a.session_id, a.seat_number) for a in Allocation.objects.all()}
    assert all(after[i] == before[i] for i in before)  # nothing kept moved
    assert sorted(shift_counts(exam, plan.ids).values()) == [6, 6, 6]
    assert_one_shift_each(exam, plan)


def test_a_shift_a_center_does_not_hold_gets_nobody_there(exam, center_a, center_b):
    plan = add_papers(exam, once=False)
    make_room(center_a, "A1", rows=2, columns=5)
    make_room(center_b, "B1", rows=2, columns=5)
    s1, s2, s3 = plan.shifts
    SessionCenter.objects.create(session=s1, center=center_a)
    SessionCenter.objects.create(session=s2, center=center_a, seats=4)
    SessionCenter.objects.create(session=s3, center=center_b)
    # All prefer Delhi: A01 holds S1 (10 seats) and S2 (4 seats); the last two go on to B01,
    # in the same state, which holds only S3.
    CandidateFactory.create_batch(16, exam=exam)

    result = allocation_run(exam=exam, seed=1)

    assert result.placed == 16
    assert shift_counts(exam, plan.ids) == {("A01", s1.id): 10, ("A01", s2.id): 4, ("B01", s3.id): 2}


# --- preferred shifts -----------------------------------------------------------------------


def write_sheet(path, rows):
    header = "name,date_of_birth,gender,city,preferred_cities,preferred_shifts\n"
    path.write_text(header + "".join(",".join(r) + "\n" for r in rows))
    return path


def test_preferred_shifts_from_the_sheet_are_honoured_when_there_is_room_else_reported(exam, center_a, tmp_path):
    add_papers(exam, once=False)
    make_room(center_a, "A1", rows=1, columns=3)  # 3 seats a shift
    rows = [(f"Person {i}", "2001-05-17", "F", "Delhi", "Delhi", "2026-12-02") for i in range(4)]
    rows.append(("Afternoon Person", "2001-05-17", "M", "Delhi", "Delhi", "2026-12-01 14:00; 2026-12-02"))
    rows += [(f"Other {i}", "2001-05-17", "M", "Delhi", "Delhi", "") for i in range(3)]
    report = candidates_import(source=write_sheet(tmp_path / "c.csv", rows), exam=exam.code)
    assert report.created == 8
    afternoon = Candidate.objects.get(name="Afternoon Person")
    assert afternoon.preferred_shifts == ["2026-12-01 14:00", "2026-12-02"]

    result = allocation_run(exam=exam, seed=5)

    def shift_of(candidate):
        return Allocation.objects.get(candidate=candidate).session

    early = Candidate.objects.filter(name__startswith="Person ").order_by("roll_number")
    assert [shift_of(c).date for c in early[:3]] == [DAY2] * 3  # the first three got the 2nd of December
    assert shift_of(early[3]).date == EXAM_DAY  # the fourth found it full
    assert shift_of(afternoon).start_time == dt.time(14)
    assert result.wishes_honoured == 4 and result.wishes_missed_count == 1
    (missed,) = result.as_dict()["shift_wishes"]["missed"]
    assert missed["roll_number"] == early[3].roll_number and missed["wanted"] == ["P1 2026-12-02 09:00"]
    assert missed["reason"] == "the shifts asked for are full at A01"


def test_a_preferred_shift_that_is_not_a_date_is_refused_naming_row_and_column(exam, tmp_path):
    rows = [
        ("Good Person", "2001-05-17", "F", "Delhi", "Delhi", "2026-12-02"),
        ("Bad", "2001-05-17", "F", "", "", "morning"),
    ]
    with pytest.raises(ImportFailed) as failed:
        candidates_import(source=write_sheet(tmp_path / "bad.csv", rows), exam=exam.code)
    (error,) = failed.value.report.errors
    assert (error.row, error.field) == (3, "preferred_shifts") and "2026-12-01 14:00" in error.message
    assert not Candidate.objects.exists()


# --- downstream: only the candidate's own shift -------------------------------------------------


@pytest.fixture
def in_shifts(exam, center_a, center_b):
    """P1 in three shifts, P2 once; six candidates at A01 (two a shift), two at B01."""
    plan = add_papers(exam, once=True)
    make_room(center_a, "A1", rows=2, columns=3)
    make_room(center_b, "B1", rows=2, columns=3)
    people = CandidateFactory.create_batch(6, exam=exam)
    people += CandidateFactory.create_batch(2, exam=exam, city="Mumbai", preferred_cities=["Mumbai"])
    allocation_run(exam=exam, seed=1)
    plan.shift_of = {a.candidate_id: a.session for a in Allocation.objects.filter(session__in=plan.ids)}
    plan.people = people
    return plan


def test_the_admit_card_lists_only_the_candidates_own_sessions(client_for, admin, in_shifts, node_key):
    for candidate in in_shifts.people[:3]:
        mine = in_shifts.shift_of[candidate.id]
        text = pdf_text(client_for(admin).get(f"/api/candidates/{candidate.id}/admit-card/").content)
        schedule = text[text.index("Schedule") : text.index("Instructions")]
        assert schedule.count("P1 Aptitude") == 1 and schedule.count("P2 Reasoning") == 1
        assert f"{mine.date.isoformat()}" in schedule and f"{mine.start_time:%H:%M}-" in schedule
        others = [s for s in in_shifts.shifts if s != mine]
        # Their own shift and P2 (10:00, day 3): no other shift's date and time.
        for other in others:
            assert not (f"{other.date.isoformat()}" in schedule and other.date != mine.date)
            if other.date == mine.date:
                assert f"{other.start_time:%H:%M}-" not in schedule


def test_attendance_sheets_list_only_the_shifts_candidates(client_for, manager_a, in_shifts):
    for shift in in_shifts.shifts:
        text = pdf_text(client_for(manager_a).get(f"/api/sessions/{shift.id}/attendance-sheet/").content)
        expected = {c.roll_number for c in in_shifts.people[:6] if in_shifts.shift_of[c.id] == shift}
        listed = {c.roll_number for c in in_shifts.people if c.roll_number in text}
        assert listed == expected and len(expected) == 2


def test_marking_a_candidate_in_another_shift_is_refused_with_a_409(client_for, invigilator_a, in_shifts, clock):
    s1, s2, _s3 = in_shifts.shifts
    in_s1 = next(c for c in in_shifts.people if in_shifts.shift_of[c.id] == s1)
    in_s2 = next(c for c in in_shifts.people if in_shifts.shift_of[c.id] == s2)
    client = client_for(invigilator_a)

    clock(14, 30)  # the afternoon shift is open
    response = client.post("/api/attendance/", {"candidate": str(in_s1.id), "session": str(s2.id), "status": "present"})
    assert response.status_code == 409
    body = response.json()
    assert body["code"] == "not_allocated" and "another shift" in body["detail"]
    assert body["allocated_session"] == str(s1.id)
    assert (
        client.post(
            "/api/attendance/", {"candidate": str(in_s2.id), "session": str(s2.id), "status": "present"}
        ).status_code
        == 201
    )

    bulk = {"session": str(s2.id), "marks": [{"candidate": str(in_s1.id), "status": "absent"}]}
    assert client.post("/api/attendance/bulk/", bulk, format="json").status_code == 409

    clock(9, 30)
    assert (
        client.post(
            "/api/attendance/", {"candidate": str(in_s1.id), "session": str(s1.id), "status": "present"}
        ).status_code
        == 201
    )


def test_the_seats_api_lists_a_shifts_seats(client_for, exam_manager, in_shifts):
    client = client_for(exam_manager)
    for shift in in_shifts.shifts:
        rows = client.get("/api/allocations/", {"session": str(shift.id)}).json()["results"]
        assert {r["candidate"] for r in rows} == {str(c) for c, s in in_shifts.shift_of.items() if s == shift}


def test_the_center_report_counts_per_shift(in_shifts, center_a):
    report = center_report(center=center_a, date=EXAM_DAY)
    assert [(b.start_time, b.shift, b.allocated) for b in report.sessions] == [
        ("09:00", "1 of 3", 2),
        ("14:00", "2 of 3", 2),
    ]
    day3 = center_report(center=center_a, date=DAY3)
    assert [(b.shift, b.allocated) for b in day3.sessions] == [("", 6)]


def test_the_center_package_carries_only_the_shifts_and_seats_it_holds(
    exam, center_a, center_b, settings, tmp_path, node_key
):
    plan = add_papers(exam, once=False)
    s1, s2, s3 = plan.shifts
    for session, center in ((s1, center_a), (s2, center_a), (s3, center_b)):
        SessionCenter.objects.create(session=session, center=center)
    make_room(center_a, "A1", rows=2, columns=3)
    make_room(center_b, "B1", rows=2, columns=3)
    CandidateFactory.create_batch(2, exam=exam, preferred_shifts=["2026-12-01 14:00"])
    CandidateFactory.create_batch(3, exam=exam)
    CandidateFactory.create_batch(3, exam=exam, city="Mumbai", preferred_cities=["Mumbai"])
    allocation_run(exam=exam, seed=1)
    expected = {
        (str(a.candidate_id), str(a.session_id), a.seat_number) for a in Allocation.objects.filter(center=center_a)
    }
    assert {s for _, s, _ in expected} == {str(s1.id), str(s2.id)} and len(expected) == 5

    path = tmp_path / "A01.zip"
    package_export(kind=CENTER_PACKAGE, center=center_a, output=path)
    with PackageReader.open(path) as reader:
        sessions = {row["id"] for batch in reader.rows("exams.ExamSession", 100) for row in batch}
        seats = [row for batch in reader.rows("seating.Allocation", 100) for row in batch]
        people = [row for batch in reader.rows("candidates.Candidate", 100) for row in batch]
    assert sessions == {str(s1.id), str(s2.id)}  # not B01's shift
    assert {(r["candidate_id"], r["session_id"], r["seat_number"]) for r in seats} == expected
    assert sorted(r["preferred_shifts"] for r in people) == [[], [], [], ["2026-12-01 14:00"], ["2026-12-01 14:00"]]

    # The center, before its first package: the same rows arrive through the importer.
    settings.NODE_CENTER = "A01"
    Candidate.objects.all().delete()  # and their seats
    package_import(path=path)
    arrived = {(str(a.candidate_id), str(a.session_id), a.seat_number) for a in Allocation.objects.all()}
    assert arrived == expected
    assert sorted(c.preferred_shifts for c in Candidate.objects.all()) == sorted(r["preferred_shifts"] for r in people)


def test_the_command_reports_per_shift_and_the_wishes(exam, center_a):
    from io import StringIO

    from django.core.management import call_command

    add_papers(exam, once=False)
    make_room(center_a, "A1", rows=1, columns=2)
    CandidateFactory.create_batch(3, exam=exam, preferred_shifts=["2026-12-02"])
    out = StringIO()
    call_command("allocate_seats", "--exam-id", exam.code, "--seed", "1", "-v", "2", stdout=out)
    text = out.getvalue()
    assert "shift P1 2026-12-02 09:00: 2 placed, 2 seated of 2 seats (0 free)" in text
    assert "Preferred shifts: 2 honoured, 1 not honoured." in text
    assert "the shifts asked for are full at A01 (given P1 2026-12-01 09:00)" in text
