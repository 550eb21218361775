"""Seat allocation, planning: which center, room, seat and paper set each candidate gets.

Pure: plain data in (the dataclasses below and tuples of ids, numbers and names), choices
out; no Django models, no database, so every rule is unit-tested on plain data
(tests/seating/test_allocation_planning.py). Deterministic: the same input and seed give
the same seats. The rules (docs/logistics.md, "Allocation rules"):

* **Which centers.** A center holds a session when it has a `SessionCenter` row for it,
  or, for a session with no such rows at all, when it is active (every room). A candidate
  sits every session of the exam at one center, so a center can take the exam's
  candidates only when it holds every session; its capacity is the smallest number of
  seats it offers any of them (`build_centers`).
* **Which center for a candidate** (first that has a free seat, centers of a city in code
  order): each preferred city in the candidate's order; then the candidate's home city;
  then any city in the state of the first preferred (or the home) city; a candidate who
  gave no city at all goes to the first center with room anywhere. Otherwise the candidate
  is reported as unplaceable with the reason. Candidates with a disability (`pwd`) are
  placed first, in a preferred city's center that still has a seat in an accessible or
  ground-floor room when there is one (`choose_centers`).
* **Which seat.** Inside a center, seats are taken room by room: accessible rooms first,
  then the ground floor, then higher floors; in a room, the first `capacity` positions of
  its grid, row by row. `pwd` candidates take the first free seats; the others are
  shuffled with the seed and fill the rest, so neighbours are not roll-number neighbours
  (`seat_candidates`). A candidate keeps the same seat in every session.
* **Which set.** The set is a function of the seat position, so no two neighbours share
  it: with 2 or 3 sets `(row + column) mod k` (left, right, front, back differ); with 4+
  sets `(column + 2 row) mod k` (diagonals differ too). With one set there is nothing to
  vary (`paper_set_index`).
* **Re-runs** keep every existing seat (`occupy`) and place candidates in the seats still
  free.

Speed: the centers and candidates are compact tuples and small objects; a city's or a
state's centers are a `Pool` whose pointer only moves forward, so choosing a center is
amortised O(1) and a million candidates take seconds.
"""

import random
from collections import Counter, defaultdict
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field

from utils.progress import ProgressCallback, report

SET_LETTERS = "ABCDEFGHIJKLMNOPQRSTUVWXYZ"
MAX_LISTED_UNPLACED = 1_000
PROGRESS_EVERY = 20_000  # candidates between two progress reports

# Room priorities: the order seats are handed out in a center.
ACCESSIBLE, GROUND_FLOOR, UPPER_FLOOR = 0, 1, 2


def paper_set_index(row: int, column: int, set_count: int) -> int:
    """The set (0 = A) of the seat at 1-based (`row`, `column`) for a paper with `set_count` sets.

    (row + column) mod k differs between left/right and front/back neighbours for k >= 2;
    (column + 2 row) mod k also between diagonal ones when k >= 4 (the differences are
    ±1, ±2, ±3, never a multiple of k).
    """
    if set_count <= 1:
        return 0
    if set_count < 4:
        return (row + column) % set_count
    return (column + 2 * row) % set_count


def paper_set_letter(row: int, column: int, set_count: int) -> str:
    return SET_LETTERS[paper_set_index(row, column, set_count)]


@dataclass
class Unplaced:
    roll_number: str
    reason: str


@dataclass
class AllocationReport:
    exam: str
    seed: int
    dry_run: bool
    reset: bool
    candidates: int = 0  # registered candidates considered
    placed: int = 0
    kept: int = 0  # candidates that already had seats and kept them
    released: int = 0  # withdrawn candidates whose seats were freed
    allocations_created: int = 0
    unplaced_count: int = 0
    unplaced: list[Unplaced] = field(default_factory=list)  # the first MAX_LISTED_UNPLACED
    unplaced_reasons: Counter = field(default_factory=Counter)
    per_center: dict[str, int] = field(default_factory=dict)  # placed in this run
    seconds: float = 0.0
    timings: dict[str, float] = field(default_factory=dict)  # seconds per step

    def as_dict(self) -> dict:
        return {
            "exam": self.exam,
            "seed": self.seed,
            "dry_run": self.dry_run,
            "reset": self.reset,
            "candidates": self.candidates,
            "placed": self.placed,
            "kept": self.kept,
            "released": self.released,
            "allocations_created": self.allocations_created,
            "unplaced_count": self.unplaced_count,
            "unplaced_reasons": dict(self.unplaced_reasons),
            "unplaced": [{"roll_number": u.roll_number, "reason": u.reason} for u in self.unplaced],
            "per_center": self.per_center,
            "seconds": round(self.seconds, 3),
            "timings": {step: round(value, 3) for step, value in self.timings.items()},
        }


def norm(city: str | None) -> str:
    """City and state names compare case- and space-insensitively."""
    return (city or "").strip().casefold()


def seat_key(room_number: int, seat: int) -> int:
    """One small int per seat: a million kept seats fit in a set of ints, not of tuples of UUIDs."""
    return room_number * 1_000_000 + seat


def room_priority(*, floor: int, accessible: bool) -> int:
    return ACCESSIBLE if accessible else (GROUND_FLOOR if floor == 0 else UPPER_FLOOR)


@dataclass
class Room:
    id: object
    number: int  # index of the room in this run (for seat_key)
    rows: int
    columns: int
    capacity: int
    priority: int  # ACCESSIBLE, GROUND_FLOOR or UPPER_FLOOR

    def positions(self) -> Iterator[tuple[int, int, int]]:
        """(row, column, seat_number) of the first `capacity` seats, row by row."""
        seat = 0
        for row in range(1, self.rows + 1):
            for column in range(1, self.columns + 1):
                seat += 1
                if seat > self.capacity:
                    return
                yield row, column, seat


@dataclass
class Center:
    id: object
    code: str
    city: str  # normalised (norm)
    state: str  # normalised (norm)
    rooms: list[Room]  # in the order their seats are handed out
    capacity: int  # seats usable for every session of the exam
    free: int = 0
    accessible_free: int = 0
    occupied: set = field(default_factory=set)  # seat keys (see seat_key) taken by kept allocations
    members: list = field(default_factory=list)  # [(candidate id, pwd)] chosen in this run


class Pool:
    """Centers of one city or state in code order, with a pointer to the first that has room.

    Free seats only decrease during a run, so the pointers only move forward: choosing a
    center is amortised O(1).
    """

    def __init__(self, centers: list[Center]):
        self.centers = centers
        self.next_free = 0
        self.next_accessible = 0

    def take(self, *, accessible: bool = False) -> Center | None:
        attr = "accessible_free" if accessible else "free"
        pointer = "next_accessible" if accessible else "next_free"
        i = getattr(self, pointer)
        while i < len(self.centers) and getattr(self.centers[i], attr) <= 0:
            i += 1
        setattr(self, pointer, i)
        return self.centers[i] if i < len(self.centers) else None


def build_centers(
    centers: Iterable[tuple],
    rooms: Iterable[tuple],
    venues: Iterable[tuple],
    session_ids: list,
) -> list[Center]:
    """The centers that can take the exam's candidates, with their rooms and capacity.

    `centers`: (id, code, city, state) of the active centers, in code order; `rooms`:
    (id, center_id, rows, columns, capacity, floor, is_accessible) of their rooms, in center
    and code order; `venues`: (session_id, center_id, seats or None) of the sessions'
    venue rows; `session_ids`: the exam's sessions. A center that does not hold every
    session, or has no seat, is left out.
    """
    offered: dict[object, dict[object, int | None]] = defaultdict(dict)
    for session_id, center_id, seats in venues:
        offered[session_id][center_id] = seats

    rooms_by_center: dict[object, list[Room]] = defaultdict(list)
    for number, (room_id, center_id, rows, columns, capacity, floor, accessible) in enumerate(rooms):
        priority = room_priority(floor=floor, accessible=accessible)
        rooms_by_center[center_id].append(Room(room_id, number, rows, columns, min(capacity, rows * columns), priority))

    out = []
    for center_id, code, city, state in centers:
        center_rooms = sorted(rooms_by_center.get(center_id, []), key=lambda r: r.priority)  # stable: code order
        capacity = sum(r.capacity for r in center_rooms)
        for session_id in session_ids:
            venue = offered.get(session_id)
            if venue is None:  # no venue rows for this session: every active center, all rooms
                continue
            if center_id not in venue:
                capacity = 0
                break
            seats = venue[center_id]
            if seats is not None:
                capacity = min(capacity, seats)
        if capacity <= 0:
            continue
        out.append(Center(center_id, code, norm(city), norm(state), center_rooms, capacity))
    return out


def occupy(centers: list[Center], kept: Iterable[tuple]) -> None:
    """Mark the seats of kept allocations, (center_id, room_id, seat_number), as taken."""
    by_id = {c.id: c for c in centers}
    room_numbers = {room.id: room.number for center in centers for room in center.rooms}
    for center_id, room_id, seat in kept:
        center = by_id.get(center_id)
        if center is not None and room_id in room_numbers:
            center.occupied.add(seat_key(room_numbers[room_id], seat))


def count_free(centers: list[Center]) -> None:
    """Set each center's free seats, and those in accessible or ground-floor rooms."""
    for center in centers:
        center.free = max(0, center.capacity - len(center.occupied))
        center.accessible_free = sum(1 for slot in free_seats(center) if slot[4] <= GROUND_FLOOR)


def free_seats(center: Center) -> Iterator[tuple[object, int, int, int, int]]:
    """Free seats of a center in allocation order: (room_id, row, column, seat_number, priority)."""
    taken = 0
    for room in center.rooms:
        for row, column, seat in room.positions():
            if taken >= center.capacity:
                return
            taken += 1
            if seat_key(room.number, seat) in center.occupied:
                continue
            yield room.id, row, column, seat, room.priority


def choose_centers(
    centers: list[Center],
    pwd_candidates: Iterable[tuple],
    other_candidates: Iterable[tuple],
    result: AllocationReport,
    *,
    total: int | None = None,
    progress: ProgressCallback | None = None,
) -> int:
    """Choose a center for every candidate, (id, roll_number, home city, preferred cities),
    the `pwd` ones first, each group in the order given (roll-number order). Fills each
    center's `members`, and `result` (placed, unplaced with reasons, per center). Returns
    the number of candidates considered."""
    city_pools: dict[str, list[Center]] = defaultdict(list)
    state_pools: dict[str, list[Center]] = defaultdict(list)
    city_state: dict[str, str] = {}
    for center in centers:
        city_pools[center.city].append(center)
        if center.state:
            state_pools[center.state].append(center)
            city_state.setdefault(center.city, center.state)
    cities = {city: Pool(items) for city, items in city_pools.items()}
    states = {state: Pool(items) for state, items in state_pools.items()}
    anywhere = Pool(centers)

    done = 0
    for pwd, rows in ((True, pwd_candidates), (False, other_candidates)):
        for candidate_id, roll, home_city, preferred in rows:
            done += 1
            if done % PROGRESS_EVERY == 0:
                report(progress, done, total, "choosing centers")
            prefs = [norm(c) for c in preferred or () if isinstance(c, str) and c.strip()]
            home = norm(home_city)
            center = None
            if pwd:
                for city in prefs:
                    pool = cities.get(city)
                    if pool and (center := pool.take(accessible=True)):
                        break
            if center is None:
                for city in prefs:
                    pool = cities.get(city)
                    if pool and (center := pool.take()):
                        break
            if center is None and home and (pool := cities.get(home)):
                center = pool.take()
            state = None
            if center is None:
                for city in [*prefs, home]:
                    if city in city_state:
                        state = city_state[city]
                        break
                if state is not None:
                    center = states[state].take()
                elif not prefs and not home:
                    center = anywhere.take()
            if center is None:
                if not prefs and not home:
                    reason = "no free seat at any center"
                elif state is None:
                    reason = "no exam center in the preferred cities or home city"
                else:
                    reason = f"no free seat in the preferred cities, home city or state ({state})"
                result.unplaced_count += 1
                result.unplaced_reasons[reason] += 1
                if len(result.unplaced) < MAX_LISTED_UNPLACED:
                    result.unplaced.append(Unplaced(roll, reason))
                continue
            center.free -= 1
            if center.accessible_free > 0:
                # Seats are handed out accessible-first, so this candidate will use one
                # of them whenever any is left (pwd candidates go first).
                center.accessible_free -= 1
            center.members.append((candidate_id, pwd))
            result.placed += 1
    result.candidates = done
    report(progress, done, total, "centers chosen")
    result.per_center = {c.code: len(c.members) for c in centers if c.members}
    return done


def seat_candidates(center: Center, seed: int) -> Iterator[tuple[object, object, int, int, int]]:
    """The seats of the candidates chosen for `center`, in seat order:
    (candidate_id, room_id, row, column, seat_number). `pwd` candidates take the first
    free seats, the others are shuffled with the seed (and the center's code)."""
    pwd_members = [m[0] for m in center.members if m[1]]
    others = [m[0] for m in center.members if not m[1]]
    random.Random(f"{seed}:{center.code}").shuffle(others)
    seats = free_seats(center)
    for candidate_id in pwd_members + others:
        room_id, row, column, seat, _priority = next(seats)
        yield candidate_id, room_id, row, column, seat
