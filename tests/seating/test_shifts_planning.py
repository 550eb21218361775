"""Shifts in the allocation's planning, on plain data (no database): a paper held in several
sessions is sat by each candidate in exactly one of them, with seats counted per shift."""

from collections import Counter

from apps.seating.allocation.planning import (
    COMMON,
    AllocationReport,
    Schedule,
    assign_shifts,
    build_centers,
    choose_centers,
    count_free,
    occupy,
    seat_candidates,
    seat_groups,
)
from tests.seating.test_allocation_planning import room

# P1 in three shifts over two days, P2 once.
SESSIONS = [
    ("S1", "P1", "2026-12-01", "09:00"),
    ("S2", "P1", "2026-12-01", "14:00"),
    ("S3", "P1", "2026-12-02", "09:00"),
    ("T1", "P2", "2026-12-03", "10:00"),
]
SHIFTS = ("S1", "S2", "S3")


def person(n, *wanted, pwd=False):
    """(id, roll, home city, preferred cities, preferred shifts)."""
    return (f"cand-{n}", f"R{n:04d}", "Delhi", ["Delhi"], list(wanted))


def plan(centers, rooms, people, *, sessions=SESSIONS, venues=(), kept=(), seed=0, pwd=()):
    """{candidate id: {seat group: (center, room, row, column, seat)}} and the report."""
    schedule = Schedule.of(sessions)
    planned = build_centers(centers, rooms, venues, schedule)
    occupy(planned, kept)
    count_free(planned)
    result = AllocationReport(exam="X", seed=seed, dry_run=False, reset=False)
    choose_centers(planned, pwd, people, result)
    assign_shifts(planned, seed, result)
    seats: dict = {}
    for center in planned:
        for group, members in seat_groups(center):
            for candidate_id, room_id, row, column, seat in seat_candidates(center, seed, group, members):
                assert group not in seats.setdefault(candidate_id, {})
                seats[candidate_id][group] = (center.code, room_id, row, column, seat)
    return seats, result, planned


def test_the_schedule_tells_papers_held_once_from_papers_in_shifts():
    schedule = Schedule.of(SESSIONS)
    assert schedule.common == ["T1"]
    assert schedule.papers == [("P1", ["S1", "S2", "S3"])]
    assert schedule.labels["S2"] == "P1 2026-12-01 14:00"
    match = schedule.wish_matcher()
    assert match(["2026-12-02"]) == ("S3",)
    assert match(["2026-12-01 14:00", "2026-12-01"]) == ("S2", "S1")  # in the candidate's order
    assert match(["2026-12-03"]) == ()  # P2's day: not a shift


def test_capacity_is_per_shift_for_a_paper_in_shifts_and_the_papers_held_once_limit_it():
    centers = [("c1", "DEL1", "Delhi", "")]
    rooms = [room("r1", "c1", 2, 5)]  # 10 seats
    only_shifts = [s for s in SESSIONS if s[1] == "P1"]
    (center,) = build_centers(centers, rooms, [], Schedule.of(only_shifts))
    assert center.capacity == 30  # 10 seats in each of three shifts

    (center,) = build_centers(centers, rooms, [], Schedule.of(SESSIONS))
    assert center.capacity == 10  # everyone also sits P2, held once in 10 seats

    # Venue rows: S3 held elsewhere only, S2 here with 4 seats: 10 + 4 candidates for P1.
    venues = [("S1", "c1", None), ("S2", "c1", 4), ("S3", "c9", None)]
    (center,) = build_centers(centers, rooms, venues, Schedule.of(only_shifts))
    assert center.capacity == 14 and center.seats == {"S1": 10, "S2": 4, "S3": 0}
    # A center holding no shift of a paper in shifts cannot take anyone.
    assert build_centers(centers, rooms, [("S1", "c9", None), ("S2", "c9", None), ("S3", "c9", None)], ["S1"]) == []
    assert build_centers(centers, rooms, [(s, "c9", None) for s in SHIFTS], Schedule.of(only_shifts)) == []


def test_everyone_sits_each_paper_once_shifts_balanced_and_never_overfilled():
    centers = [("c1", "DEL1", "Delhi", ""), ("c2", "DEL2", "Delhi", "")]
    rooms = [room("r1", "c1", 3, 4), room("r2", "c2", 2, 5)]
    people = [person(i) for i in range(20)]
    seats, result, _ = plan(centers, rooms, people, sessions=[s for s in SESSIONS if s[1] == "P1"])

    assert result.placed == 20 and result.unplaced_count == 0
    # Nobody in two shifts: one seat group (one shift) per candidate.
    assert all(len(groups) == 1 and next(iter(groups)) in SHIFTS for groups in seats.values())
    per_center_shift = Counter((code, group) for groups in seats.values() for group, (code, *_r) in groups.items())
    # DEL1 (12 seats a shift) takes all 20: 7, 7, 6 — within one of each other.
    assert sorted(per_center_shift.values()) == [6, 7, 7]
    assert {code for code, _ in per_center_shift} == {"DEL1"}
    # No seat used twice in a shift.
    used = Counter((g, s[1], s[4]) for groups in seats.values() for g, s in groups.items())
    assert max(used.values()) == 1
    assert result.per_shift["P1 2026-12-01 09:00"]["placed"] == 7
    assert result.per_center_shift == {
        "DEL1": {"P1 2026-12-01 09:00": 7, "P1 2026-12-01 14:00": 7, "P1 2026-12-02 09:00": 6}
    }


def test_a_full_center_spills_over_and_unequal_shifts_fill_evenly_until_one_is_full():
    centers = [("c1", "DEL1", "Delhi", "")]
    rooms = [room("r1", "c1", 2, 5)]
    venues = [("S1", "c1", 10), ("S2", "c1", 2), ("S3", "c1", 10)]
    seats, result, _ = plan(centers, rooms, [person(i) for i in range(23)], venues=venues, sessions=SESSIONS[:3])
    counts = Counter(next(iter(groups)) for groups in seats.values())
    assert counts == {"S1": 10, "S2": 2, "S3": 10}
    assert result.placed == 22 and result.unplaced_count == 1


def test_mixed_papers_one_seat_for_the_paper_held_once_and_one_shift_each():
    centers = [("c1", "DEL1", "Delhi", "")]
    rooms = [room("r1", "c1", 2, 3)]
    seats, result, _ = plan(centers, rooms, [person(i) for i in range(8)])
    assert result.placed == 6  # P2 is held once in 6 seats
    for groups in seats.values():
        assert set(groups) - {COMMON} <= set(SHIFTS) and COMMON in groups and len(groups) == 2
    assert sorted(Counter(g for groups in seats.values() for g in groups if g != COMMON).values()) == [2, 2, 2]


def test_shifts_are_reproducible_from_the_seed_and_another_seed_reshuffles():
    centers = [("c1", "DEL1", "Delhi", "")]
    rooms = [room("r1", "c1", 4, 5)]
    people = [person(i) for i in range(45)]
    first, _, _ = plan(centers, rooms, people, seed=3, sessions=SESSIONS[:3])
    again, _, _ = plan(centers, rooms, people, seed=3, sessions=SESSIONS[:3])
    other, _, _ = plan(centers, rooms, people, seed=4, sessions=SESSIONS[:3])
    assert first == again
    assert {c: set(g) for c, g in first.items()} != {c: set(g) for c, g in other.items()}
    # Shifts are not roll-number order (not the first 15 in S1).
    assert {next(iter(first[f"cand-{i}"])) for i in range(15)} != {"S1"}


def test_wished_shifts_are_honoured_while_they_have_room_and_the_rest_reported():
    centers = [("c1", "DEL1", "Delhi", "")]
    rooms = [room("r1", "c1", 1, 3)]  # 3 seats a shift
    people = [person(i, "2026-12-02") for i in range(4)]  # four want S3 (the 2nd of December)
    people += [person(4, "2026-12-01 14:00"), person(5, "2026-12-09"), person(6), person(7)]
    seats, result, _ = plan(centers, rooms, people, sessions=SESSIONS[:3])

    shift_of = {c: next(iter(g)) for c, g in seats.items()}
    assert [shift_of[f"cand-{i}"] for i in range(3)] == ["S3"] * 3
    assert shift_of["cand-3"] != "S3" and shift_of["cand-4"] == "S2"
    assert result.wishes_honoured == 4 and result.wishes_missed_count == 2
    missed = {w.roll_number: w for w in result.wishes_missed}
    assert missed["R0003"].wanted == ["P1 2026-12-02 09:00"] and missed["R0003"].given.startswith("P1 2026-12-01")
    assert "full at DEL1" in missed["R0003"].reason
    assert missed["R0005"].reason == "no shift of the exam on 2026-12-09"
    assert Counter(shift_of.values()) == {"S1": 3, "S2": 2, "S3": 3}


def test_kept_shifts_count_towards_the_balance_and_their_seats_stay_taken():
    centers = [("c1", "DEL1", "Delhi", "")]
    rooms = [room("r1", "c1", 2, 2)]  # 4 seats a shift
    kept = [("c1", "S1", "r1", 1), ("c1", "S1", "r1", 2), ("c1", "S1", "r1", 3), ("c1", "S2", "r1", 1)]
    seats, result, _ = plan(centers, rooms, [person(i) for i in range(6)], kept=kept, sessions=SESSIONS[:3])
    counts = Counter(next(iter(g)) for g in seats.values())
    # S1 has 3 kept, S2 1, S3 none: the 6 new ones bring the shifts to 4, 3, 3.
    assert counts == {"S1": 1, "S2": 2, "S3": 3}
    assert [s[4] for g in seats.values() for grp, s in g.items() if grp == "S1"] == [4]
    assert [line["seated"] for line in result.per_shift.values()] == [4, 3, 3]


def test_pwd_candidates_are_placed_first_and_take_the_accessible_seats_of_their_shift():
    centers = [("c1", "DEL1", "Delhi", "")]
    rooms = [room("acc", "c1", 1, 1, accessible=True), room("up", "c1", 2, 3, floor=2)]
    pwd = [person(100 + i) for i in range(3)]
    seats, _, _ = plan(centers, rooms, [person(i) for i in range(10)], pwd=pwd, sessions=SESSIONS[:3])
    assert sorted(next(iter(seats[f"cand-{100 + i}"])) for i in range(3)) == ["S1", "S2", "S3"]
    assert all(next(iter(seats[f"cand-{100 + i}"].values()))[1] == "acc" for i in range(3))
