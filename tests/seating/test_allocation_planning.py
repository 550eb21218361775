"""The allocation's planning on plain data: no database (no `db` fixture, no django_db mark).

Centers, rooms and candidates are tuples of made-up ids and names, as loading reads them;
the tests check the rules of apps/seating/allocation/planning.py directly.
"""

import ast
from collections import Counter, defaultdict
from pathlib import Path

import pytest

from apps.seating.allocation import planning
from apps.seating.allocation.planning import (
    ACCESSIBLE,
    GROUND_FLOOR,
    MAX_LISTED_UNPLACED,
    UPPER_FLOOR,
    AllocationReport,
    build_centers,
    choose_centers,
    count_free,
    occupy,
    paper_set_index,
    paper_set_letter,
    seat_candidates,
)


def room(room_id, center_id, rows=2, columns=3, capacity=None, floor=1, accessible=False):
    """A room row as loading reads it: (id, center_id, rows, columns, capacity, floor, is_accessible)."""
    return (room_id, center_id, rows, columns, rows * columns if capacity is None else capacity, floor, accessible)


def person(n, home="", *preferred):
    """A candidate row: (id, roll_number, home city, preferred cities)."""
    return (f"cand-{n}", f"R{n:04d}", home, list(preferred))


def plan(centers, rooms, candidates, *, pwd=(), venues=(), sessions=("S1",), kept=(), seed=0):
    """Loading's rows in, planning's choices out: {candidate id: (center code, room id,
    row, column, seat_number)} and the report."""
    planned = build_centers(centers, rooms, venues, list(sessions))
    occupy(planned, kept)
    count_free(planned)
    result = AllocationReport(exam="X", seed=seed, dry_run=False, reset=False)
    choose_centers(planned, pwd, candidates, result, total=len(pwd) + len(candidates))
    seats = {}
    for center in planned:
        for candidate_id, room_id, row, column, seat in seat_candidates(center, seed):
            seats[candidate_id] = (center.code, room_id, row, column, seat)
    return seats, result


def test_preferred_cities_in_order_then_the_next_center_then_the_next_city():
    centers = [("c1", "DEL1", "Delhi", "Delhi"), ("c2", "DEL2", " delhi ", "Delhi"), ("c3", "AGR1", "Agra", "UP")]
    rooms = [room("r1", "c1", 1, 2), room("r2", "c2", 1, 1), room("r3", "c3", 1, 5)]
    people = [person(i, "", "Delhi", "Agra") for i in range(5)]

    seats, result = plan(centers, rooms, people)

    # DEL1 fills (2 seats), then DEL2 (the next center of the city, 1 seat), then Agra.
    assert [seats[f"cand-{i}"][0] for i in range(5)] == ["DEL1", "DEL1", "DEL2", "AGR1", "AGR1"]
    assert result.placed == 5 and result.per_center == {"DEL1": 2, "DEL2": 1, "AGR1": 2}


def test_a_full_city_falls_back_to_home_city_then_state_and_the_rest_is_reported():
    centers = [
        ("c1", "PUN1", "Pune", "Maharashtra"),
        ("c2", "MUM1", "Mumbai", "Maharashtra"),
        ("c3", "DEL1", "Delhi", "Delhi"),
    ]
    rooms = [room("r1", "c1", 1, 2), room("r2", "c2", 1, 2), room("r3", "c3", 1, 1)]
    people = [
        person(1, "Agra", "Chennai", "Pune"),
        person(2, "Agra", "Pune"),
        person(3, "Delhi", "Pune"),  # Pune is full: home city
        person(4, "Nashik", "pune "),  # Pune full, no center in Nashik: the state of Pune
        person(5, "", "Pune"),
        person(6, "", "Pune"),  # the state is full too
        person(7, "Leh", "Kargil"),  # no center anywhere near
        person(8, ""),  # no city at all: anywhere, but nothing is left
    ]

    seats, result = plan(centers, rooms, people)

    assert {p: seats[p][0] for p in seats} == {
        "cand-1": "PUN1",
        "cand-2": "PUN1",
        "cand-3": "DEL1",
        "cand-4": "MUM1",
        "cand-5": "MUM1",
    }
    assert {u.roll_number: u.reason for u in result.unplaced} == {
        "R0006": "no free seat in the preferred cities, home city or state (maharashtra)",
        "R0007": "no exam center in the preferred cities or home city",
        "R0008": "no free seat at any center",
    }
    assert result.unplaced_count == 3 and result.candidates == 8


def test_a_candidate_without_any_city_goes_to_the_first_center_with_room():
    centers = [("c1", "A1", "Agra", ""), ("c2", "B1", "Bhopal", "")]
    seats, _ = plan(centers, [room("r1", "c1", 1, 1), room("r2", "c2", 1, 1)], [person(1), person(2), person(3)])
    assert [seats.get(f"cand-{i}", (None,))[0] for i in (1, 2, 3)] == ["A1", "B1", None]


def test_pwd_candidates_go_first_to_a_center_with_accessible_or_ground_floor_seats():
    centers = [("c1", "DEL1", "Delhi", "Delhi"), ("c2", "DEL2", "Delhi", "Delhi")]
    rooms = [
        room("up", "c1", 2, 2, floor=3),  # DEL1 has upper floors only
        room("acc", "c2", 1, 2, floor=1, accessible=True),
        room("gf", "c2", 1, 1, floor=0),
        room("up2", "c2", 2, 2, floor=2),
    ]
    others = [person(i, "", "Delhi") for i in range(4)]
    pwd = [person(10 + i, "", "Delhi") for i in range(4)]

    seats, result = plan(centers, rooms, others, pwd=pwd)

    # The pwd candidates skip DEL1 for DEL2's accessible and ground-floor seats, first seats first.
    assert [seats[f"cand-{10 + i}"][:2] for i in range(3)] == [("DEL2", "acc"), ("DEL2", "acc"), ("DEL2", "gf")]
    # The fourth finds no such seat left and takes the first free one in the city.
    assert seats["cand-13"][0] == "DEL1"
    assert all(seats[f"cand-{i}"][0] == "DEL1" for i in range(3)) and seats["cand-3"] == ("DEL2", "up2", 1, 1, 1)
    assert result.placed == 8


def test_rooms_hand_out_seats_accessible_first_then_ground_then_upper_floors_in_code_order():
    rooms = [
        room("a-upper", "c1", 1, 1, floor=2),
        room("b-ground", "c1", 1, 1, floor=0),
        room("c-access", "c1", 1, 1, floor=4, accessible=True),
        room("d-ground", "c1", 1, 1, floor=0),
    ]
    (center,) = build_centers([("c1", "X1", "Delhi", "")], rooms, [], ["S1"])
    assert [(r.id, r.priority) for r in center.rooms] == [
        ("c-access", ACCESSIBLE),
        ("b-ground", GROUND_FLOOR),
        ("d-ground", GROUND_FLOOR),
        ("a-upper", UPPER_FLOOR),
    ]


def test_capacity_caps_rooms_and_venues_limit_centers_and_seats():
    centers = [("c1", "BIG", "Delhi", ""), ("c2", "OTH", "Delhi", ""), ("c3", "NONE", "Delhi", "")]
    rooms = [room("r1", "c1", 5, 5, capacity=30), room("r2", "c2", 5, 5, capacity=18)]
    # S1 is held at BIG only, with 6 seats; S2 at BIG and OTH; NONE has no rooms at all.
    venues = [("S1", "c1", 6), ("S2", "c1", None), ("S2", "c2", None)]
    planned = build_centers(centers, rooms, venues, ["S1", "S2"])
    assert [(c.code, c.capacity) for c in planned] == [("BIG", 6)]
    assert planned[0].rooms[0].capacity == 25  # a room never holds more than its grid

    # A session without venue rows is held at every active center, all rooms.
    planned = build_centers(centers, rooms, [], ["S1"])
    assert [(c.code, c.capacity) for c in planned] == [("BIG", 25), ("OTH", 18)]

    seats, result = plan(centers, rooms, [person(i, "Delhi") for i in range(9)], venues=venues, sessions=["S1", "S2"])
    assert result.placed == 6 and result.unplaced_count == 3
    assert {s[0] for s in seats.values()} == {"BIG"} and max(s[4] for s in seats.values()) == 6


def test_kept_seats_stay_taken_and_the_new_candidates_fill_the_others():
    centers = [("c1", "DEL1", "Delhi", "")]
    rooms = [room("r1", "c1", 2, 2)]
    kept = [("c1", "S1", "r1", 1), ("c1", "S1", "r1", 4), ("other-center", "S1", "r9", 2)]  # unknown rows ignored
    seats, result = plan(centers, rooms, [person(i, "Delhi") for i in range(3)], kept=kept)
    assert sorted(s[4] for s in seats.values()) == [2, 3]
    assert result.placed == 2 and result.unplaced_count == 1


def test_seats_are_deterministic_by_seed_and_another_seed_shuffles():
    centers = [("c1", "DEL1", "Delhi", "")]
    rooms = [room("r1", "c1", 5, 6)]
    people = [person(i, "Delhi") for i in range(30)]
    first, _ = plan(centers, rooms, people, seed=5)
    again, _ = plan(centers, rooms, people, seed=5)
    other, _ = plan(centers, rooms, people, seed=6)
    assert first == again and first != other
    assert sorted(first.values()) == sorted(other.values())  # the same seats, other people
    # Neighbours in roll order are not neighbours in the room.
    assert [first[f"cand-{i}"][4] for i in range(30)] != list(range(1, 31))


@pytest.mark.parametrize("set_count", [2, 3, 4, 5, 6])
def test_no_two_neighbours_share_a_set_in_a_planned_room(set_count):
    centers = [("c1", "DEL1", "Delhi", "")]
    rooms = [room("r1", "c1", 6, 7, capacity=40), room("r2", "c1", 3, 9)]
    seats, _ = plan(centers, rooms, [person(i, "Delhi") for i in range(67)], seed=3)
    grid = defaultdict(dict)
    for _code, room_id, row, column, _seat in seats.values():
        grid[room_id][row, column] = paper_set_letter(row, column, set_count)
    steps = [(0, 1), (1, 0), (0, -1), (-1, 0)]
    if set_count >= 4:
        steps += [(1, 1), (1, -1), (-1, 1), (-1, -1)]
    for letters in grid.values():
        for (row, column), letter in letters.items():
            for dr, dc in steps:
                neighbour = letters.get((row + dr, column + dc))
                assert neighbour != letter, f"{(row, column)} and its neighbour share {letter}"
    assert set().union(*(set(v.values()) for v in grid.values())) == set("ABCDEF"[:set_count])


def test_one_set_means_every_seat_gets_a():
    assert {paper_set_index(r, c, 1) for r in range(1, 9) for c in range(1, 9)} == {0}


def test_the_unplaced_list_is_capped_but_every_reason_is_counted():
    people = [person(i, "Leh") for i in range(MAX_LISTED_UNPLACED + 5)]
    _, result = plan([("c1", "DEL1", "Delhi", "")], [room("r1", "c1")], people)
    assert len(result.unplaced) == MAX_LISTED_UNPLACED and result.unplaced_count == MAX_LISTED_UNPLACED + 5
    assert result.unplaced_reasons == Counter({"no exam center in the preferred cities or home city": 1005})


def test_progress_is_reported_and_may_stop_the_planning():
    calls = []
    planned = build_centers([("c1", "DEL1", "Delhi", "")], [room("r1", "c1")], [], ["S1"])
    count_free(planned)
    result = AllocationReport(exam="X", seed=0, dry_run=True, reset=False)
    choose_centers(planned, [], [person(1, "Delhi")], result, total=1, progress=lambda *a: calls.append(a))
    assert calls == [(1, 1, "centers chosen")]

    class Stop(Exception):
        pass

    def stop(done, total, message):
        raise Stop

    with pytest.raises(Stop):
        choose_centers(planned, [], [person(2, "Delhi")], result, total=1, progress=stop)


def test_planning_imports_no_django_and_no_app():
    """Plain data only: the module imports neither Django nor any app (models, database)."""
    tree = ast.parse(Path(planning.__file__).read_text())
    imported = {node.module for node in ast.walk(tree) if isinstance(node, ast.ImportFrom)}
    imported |= {alias.name for node in ast.walk(tree) if isinstance(node, ast.Import) for alias in node.names}
    assert {name.split(".")[0] for name in imported} <= {"random", "collections", "dataclasses", "utils"}
