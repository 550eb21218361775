"""The allocation service: capacity, neighbours' sets, determinism, re-runs, fallbacks."""

import datetime as dt
from collections import Counter, defaultdict

import pytest

from apps.candidates.models import Candidate, CandidateStatus
from apps.core.models import Tombstone
from apps.exams.models import SessionCenter
from apps.seating.allocation import allocation_run, paper_set_index
from apps.seating.models import Allocation
from tests.factories import CenterFactory, ExamSessionFactory, PaperFactory
from tests.seating.conftest import make_room
from tests.seating.factories import CandidateFactory

pytestmark = pytest.mark.django_db


def seats_of(exam) -> dict:
    return {
        (a.candidate_id, a.session_id): (a.center_id, a.room_id, a.row, a.column, a.seat_number, a.paper_set)
        for a in Allocation.objects.filter(exam=exam)
    }


def neighbours(row, column, diagonal):
    steps = [(0, 1), (0, -1), (1, 0), (-1, 0)]
    if diagonal:
        steps += [(1, 1), (1, -1), (-1, 1), (-1, -1)]
    return [(row + dr, column + dc) for dr, dc in steps]


def assert_no_neighbour_shares_a_set(exam):
    """Over every room and session: no two occupied adjacent seats carry the same set."""
    grid = defaultdict(dict)
    set_counts = {}
    for a in Allocation.objects.filter(exam=exam).select_related("session__paper"):
        grid[(a.session_id, a.room_id)][(a.row, a.column)] = a.paper_set
        set_counts[a.session_id] = a.session.paper.set_count
    assert grid
    for (session_id, _room), seats in grid.items():
        diagonal = set_counts[session_id] >= 4
        for (row, column), paper_set in seats.items():
            for other in neighbours(row, column, diagonal):
                if other in seats:
                    assert seats[other] != paper_set, f"{(row, column)} and {other} share set {paper_set}"


@pytest.mark.parametrize("set_count", [2, 3, 4, 5, 7])
def test_set_pattern_differs_between_neighbours_on_a_full_grid(set_count):
    for row in range(1, 12):
        for column in range(1, 12):
            mine = paper_set_index(row, column, set_count)
            for r, c in neighbours(row, column, diagonal=set_count >= 4):
                if r >= 1 and c >= 1:
                    assert paper_set_index(r, c, set_count) != mine


@pytest.fixture
def delhi(exam, session):
    center = CenterFactory(code="DEL1", city="Delhi", state="Delhi")
    make_room(center, "G1", rows=3, columns=4, floor=0, accessible=True)
    make_room(center, "U1", rows=4, columns=5, capacity=18, floor=2)
    return center


def test_capacity_is_never_exceeded_and_the_rest_are_reported(exam, delhi):
    CandidateFactory.create_batch(40, exam=exam, preferred_cities=["Delhi"])

    report = allocation_run(exam=exam, seed=3)

    assert report.placed == 30 and report.unplaced_count == 10
    per_room = Counter(Allocation.objects.values_list("room__code", flat=True))
    assert per_room == {"G1": 12, "U1": 18}
    # The room's capacity (18 of a 4x5 grid) caps it: seats 19 and 20 stay empty.
    assert max(Allocation.objects.filter(room__code="U1").values_list("seat_number", flat=True)) == 18
    assert_no_neighbour_shares_a_set(exam)
    assert report.unplaced_reasons == {"no free seat in the preferred cities, home city or state (delhi)": 10}
    assert Candidate.objects.filter(status=CandidateStatus.ALLOCATED, center=delhi).count() == 30
    assert Candidate.objects.filter(status=CandidateStatus.REGISTERED, center__isnull=True).count() == 10


@pytest.mark.parametrize("set_count", [1, 2, 3, 4, 6])
def test_no_two_neighbours_share_a_set_over_whole_rooms(exam, set_count):
    paper = PaperFactory(exam=exam, set_count=set_count)
    ExamSessionFactory(exam=exam, paper=paper, date=dt.date(2026, 12, 2))
    center = CenterFactory(city="Delhi")
    make_room(center, "A", rows=5, columns=7)
    make_room(center, "B", rows=6, columns=3, capacity=17)
    CandidateFactory.create_batch(52, exam=exam)

    allocation_run(exam=exam, seed=11)

    assert Allocation.objects.count() == 52
    if set_count > 1:
        assert_no_neighbour_shares_a_set(exam)
    assert set(Allocation.objects.values_list("paper_set", flat=True)) == set("ABCDEF"[:set_count])


def test_same_input_and_seed_give_the_same_seats_and_another_seed_shuffles(exam, delhi):
    CandidateFactory.create_batch(25, exam=exam)
    allocation_run(exam=exam, seed=5)
    first = seats_of(exam)
    ids_before = set(Allocation.objects.values_list("id", flat=True))

    allocation_run(exam=exam, seed=5, reset=True)
    assert seats_of(exam) == first
    # The old rows were deleted with tombstones so centers drop them too.
    assert set(Tombstone.objects.values_list("object_id", flat=True)) == ids_before

    allocation_run(exam=exam, seed=6, reset=True)
    assert seats_of(exam) != first


def test_rerun_keeps_existing_seats_and_places_only_new_candidates(exam, delhi):
    CandidateFactory.create_batch(10, exam=exam)
    allocation_run(exam=exam, seed=1)
    before = seats_of(exam)
    versions = dict(Allocation.objects.values_list("id", "version"))

    late = CandidateFactory.create_batch(5, exam=exam)
    report = allocation_run(exam=exam, seed=1)

    after = seats_of(exam)
    assert {k: v for k, v in after.items() if k in before} == before
    assert report.kept == 10 and report.placed == 5 and report.allocations_created == 5
    assert dict(Allocation.objects.filter(id__in=versions).values_list("id", "version")) == versions
    taken = [(v[1], v[4]) for v in after.values()]
    assert len(taken) == len(set(taken)) == 15
    assert all(c.status == CandidateStatus.ALLOCATED for c in late if c.refresh_from_db() is None)


def test_dry_run_writes_nothing(exam, delhi):
    CandidateFactory.create_batch(8, exam=exam)
    report = allocation_run(exam=exam, dry_run=True)
    assert report.placed == 8 and report.allocations_created == 0
    assert Allocation.objects.count() == 0
    assert not Candidate.objects.exclude(status=CandidateStatus.REGISTERED).exists()

    allocation_run(exam=exam)
    seats = seats_of(exam)
    report = allocation_run(exam=exam, dry_run=True, reset=True)
    assert report.placed == 8
    assert seats_of(exam) == seats and not Tombstone.objects.exists()


def test_preferred_city_order_then_home_city_then_state_then_reported(exam, session):
    pune = CenterFactory(code="PUN1", city="Pune", state="Maharashtra")
    make_room(pune, "R1", rows=1, columns=2)
    mumbai = CenterFactory(code="MUM1", city="Mumbai", state="Maharashtra")
    make_room(mumbai, "R1", rows=1, columns=2)
    delhi = CenterFactory(code="DEL1", city="Delhi", state="Delhi")
    make_room(delhi, "R1", rows=1, columns=1)

    first = CandidateFactory(exam=exam, roll_number="A1", city="Agra", preferred_cities=["Chennai", "Pune"])
    second = CandidateFactory(exam=exam, roll_number="A2", city="Agra", preferred_cities=["Pune"])
    home = CandidateFactory(exam=exam, roll_number="A3", city="Delhi", preferred_cities=["Pune"])
    state = CandidateFactory(exam=exam, roll_number="A4", city="Nashik", preferred_cities=["pune "])
    state2 = CandidateFactory(exam=exam, roll_number="A5", city="", preferred_cities=["Pune"])
    lost = CandidateFactory(exam=exam, roll_number="A6", city="", preferred_cities=["Pune"])
    nowhere = CandidateFactory(exam=exam, roll_number="A7", city="Leh", preferred_cities=["Kargil"])

    report = allocation_run(exam=exam)

    centers = dict(Candidate.objects.values_list("roll_number", "center__code"))
    assert centers[first.roll_number] == "PUN1" and centers[second.roll_number] == "PUN1"
    assert centers[home.roll_number] == "DEL1"
    assert centers[state.roll_number] == "MUM1" and centers[state2.roll_number] == "MUM1"
    assert centers[lost.roll_number] is None and centers[nowhere.roll_number] is None
    reasons = {u.roll_number: u.reason for u in report.unplaced}
    assert reasons == {
        "A6": "no free seat in the preferred cities, home city or state (maharashtra)",
        "A7": "no exam center in the preferred cities or home city",
    }


def test_pwd_candidates_get_accessible_or_ground_floor_seats_first(exam, session):
    center = CenterFactory(city="Delhi")
    make_room(center, "UP", rows=2, columns=2, floor=3)
    make_room(center, "GF", rows=1, columns=2, floor=0)
    make_room(center, "ACC", rows=1, columns=2, floor=1, accessible=True)
    CandidateFactory.create_batch(3, exam=exam)
    pwd = CandidateFactory.create_batch(3, exam=exam, pwd=True)

    allocation_run(exam=exam, seed=2)

    rooms = dict(Allocation.objects.values_list("candidate_id", "room__code"))
    assert sorted(rooms[c.id] for c in pwd) == ["ACC", "ACC", "GF"]


def test_session_venues_limit_centers_and_seats_and_every_session_gets_the_same_seat(exam, session):
    second = ExamSessionFactory(exam=exam, paper=PaperFactory(exam=exam, set_count=2), date=dt.date(2026, 12, 2))
    big = CenterFactory(code="BIG", city="Delhi")
    make_room(big, "R1", rows=5, columns=5)
    other = CenterFactory(code="OTH", city="Delhi")
    make_room(other, "R1", rows=5, columns=5)
    # BIG offers 6 seats to the first session and all to the second; OTH holds only the second.
    SessionCenter.objects.create(session=session, center=big, seats=6)
    SessionCenter.objects.create(session=second, center=big)
    SessionCenter.objects.create(session=second, center=other)
    CandidateFactory.create_batch(8, exam=exam)

    report = allocation_run(exam=exam)

    assert report.placed == 6 and report.unplaced_count == 2
    assert set(Allocation.objects.values_list("center__code", flat=True)) == {"BIG"}
    per_candidate = defaultdict(set)
    for a in Allocation.objects.all():
        per_candidate[a.candidate_id].add((a.room_id, a.seat_number))
    assert len(per_candidate) == 6 and all(len(seats) == 1 for seats in per_candidate.values())
    assert Allocation.objects.count() == 12
    assert_no_neighbour_shares_a_set(exam)


def test_exam_without_sessions_is_refused(db):
    from tests.factories import ExamFactory
    from utils.exceptions import ApplicationError

    with pytest.raises(ApplicationError) as info:
        allocation_run(exam=ExamFactory())
    assert info.value.code == "no_sessions"


def test_progress_callback_that_raises_rolls_everything_back(exam, delhi):
    from utils.progress import OperationCancelled

    CandidateFactory.create_batch(5, exam=exam)

    def cancel(done, total, message):
        if message == "writing seats":
            raise OperationCancelled

    with pytest.raises(OperationCancelled):
        allocation_run(exam=exam, progress=cancel)
    assert Allocation.objects.count() == 0
    assert not Candidate.objects.filter(status=CandidateStatus.ALLOCATED).exists()


def test_rerun_releases_the_seats_of_withdrawn_candidates(exam, delhi):
    people = CandidateFactory.create_batch(30, exam=exam)
    allocation_run(exam=exam)
    gone = people[4]
    seat = Allocation.objects.get(candidate=gone)
    Candidate.objects.filter(pk=gone.pk).update(status=CandidateStatus.WITHDRAWN)
    late = CandidateFactory(exam=exam)

    assert allocation_run(exam=exam, dry_run=True).placed == 1
    report = allocation_run(exam=exam)

    assert report.released == 1 and report.placed == 1 and report.kept == 29
    assert not Allocation.objects.filter(candidate=gone).exists()
    assert Tombstone.objects.filter(object_id=seat.id).exists()
    assert (Allocation.objects.get(candidate=late).room_id, Allocation.objects.get(candidate=late).seat_number) == (
        seat.room_id,
        seat.seat_number,
    )


def test_mixed_centers_and_grids_never_overfill_and_keep_sets_apart(exam, session):
    """A larger, varied layout (fixed random seed): every invariant at once."""
    import random

    rng = random.Random(2026)
    cities = [("Delhi", "Delhi"), ("Pune", "Maharashtra"), ("Mumbai", "Maharashtra"), ("Agra", "Uttar Pradesh")]
    rooms = []
    for i in range(8):
        city, state = cities[i % len(cities)]
        center = CenterFactory(code=f"X{i}", city=city, state=state)
        for j in range(rng.randint(1, 3)):
            rows, columns = rng.randint(1, 5), rng.randint(1, 6)
            capacity = rng.randint(1, rows * columns)
            rooms.append(
                make_room(center, f"R{j}", rows=rows, columns=columns, capacity=capacity, floor=rng.randint(0, 2))
            )
    names = [c for c, _ in cities] + ["Leh"]
    for _ in range(160):
        CandidateFactory(
            exam=exam, city=rng.choice(names), preferred_cities=rng.sample(names, 2), pwd=rng.random() < 0.1
        )

    report = allocation_run(exam=exam, seed=9)

    per_room = Counter(Allocation.objects.values_list("room_id", flat=True))
    for room in rooms:
        assert per_room.get(room.id, 0) <= room.capacity
    for a in Allocation.objects.select_related("room"):
        assert 1 <= a.row <= a.room.rows and 1 <= a.column <= a.room.columns
        assert a.seat_number == (a.row - 1) * a.room.columns + a.column <= a.room.capacity
    assert report.placed + report.unplaced_count == 160
    assert report.placed == Allocation.objects.count()
    assert_no_neighbour_shares_a_set(exam)


def test_a_session_added_later_seats_the_kept_candidates_in_their_seats(exam, session, delhi):
    CandidateFactory.create_batch(6, exam=exam)
    allocation_run(exam=exam)
    later = ExamSessionFactory(exam=exam, paper=PaperFactory(exam=exam, set_count=2), date=dt.date(2026, 12, 3))

    report = allocation_run(exam=exam)

    assert report.kept == 6 and report.placed == 0 and report.allocations_created == 6
    first = {a.candidate_id: (a.room_id, a.seat_number) for a in Allocation.objects.filter(session=session)}
    added = {a.candidate_id: (a.room_id, a.seat_number) for a in Allocation.objects.filter(session=later)}
    assert added == first
    assert set(Allocation.objects.filter(session=later).values_list("paper_set", flat=True)) <= {"A", "B"}
    assert_no_neighbour_shares_a_set(exam)
    assert allocation_run(exam=exam).allocations_created == 0
