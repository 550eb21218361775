"""Seat allocation, planning: which center, shift, room, seat and paper set each candidate gets.

Pure: plain data in (the dataclasses below and tuples of ids, numbers and names), choices
out; no Django models, no database, so every rule is unit-tested on plain data
(tests/seating/test_allocation_planning.py). Deterministic: the same input and seed give
the same seats. The rules (docs/logistics.md, "Allocation rules"):

* **Which sessions** (`Schedule`). A paper held in one session is sat by every candidate;
  a paper held in several sessions (shifts) is sat by each candidate in exactly one of
  them. A candidate sits all their sessions at one center.
* **Seat groups.** The sessions of the papers held once form one seat group (`COMMON`): a
  candidate has one seat in all of them. Each shift is a seat group of its own, with its
  own seats: a center offering 300 seats in each of three shifts seats 900 candidates for
  that paper.
* **Which centers.** A center holds a session when it has a `SessionCenter` row for it,
  or, for a session with no such rows at all, when it is active (every room). A center can
  take the exam's candidates only when it holds every session of the papers held once and
  at least one shift of every paper held in shifts; the number it can take is the smallest
  of: its seats in the papers held once (the fewest it offers any of them) and, per paper in
  shifts, the sum of its seats over that paper's shifts (`build_centers`).
* **Which center for a candidate** (first that has room, centers of a city in code
  order): each preferred city in the candidate's order; then the candidate's home city;
  then any city in the state of the first preferred (or the home) city; a candidate who
  gave no city at all goes to the first center with room anywhere. Otherwise the candidate
  is reported as unplaceable with the reason. Candidates with a disability (`pwd`) are
  placed first, in a preferred city's center that still has a seat in an accessible or
  ground-floor room when there is one (`choose_centers`).
* **Which shift** (`assign_shifts`, per center and paper in shifts): first the candidates
  who asked for shifts (dates or date-and-time, `preferred_shifts`), in their order, when
  the wished shift still has a seat at their center (otherwise they are reported); then
  the others, `pwd` first, the rest shuffled with the seed, each to the shift with the
  fewest candidates so far (kept ones included) among those with a free seat: the shifts
  of a center stay within one candidate of each other whenever their seats allow.
* **Which seat.** Inside a center and seat group, seats are taken room by room: accessible
  rooms first, then the ground floor, then higher floors; in a room, the first `capacity`
  positions of its grid, row by row. `pwd` candidates take the first free seats; the others
  are shuffled with the seed and fill the rest, so neighbours are not roll-number
  neighbours (`seat_candidates`). A candidate keeps the same seat in every session of the
  papers held once.
* **Which set.** The set is a function of the seat position, so no two neighbours share
  it: with 2 or 3 sets `(row + column) mod k` (left, right, front, back differ); with 4+
  sets `(column + 2 row) mod k` (diagonals differ too). With one set there is nothing to
  vary (`paper_set_index`).
* **Re-runs** keep every existing seat and shift (`occupy`) and place candidates in the
  seats still free.

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

# The seat group of the sessions of papers held once (a shift's group is its session id).
COMMON = "common"
SEAT_KEY_ROOM = 1_000_000


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
class Schedule:
    """The exam's sessions as the allocation sees them.

    `common`: the sessions of papers held once (every candidate sits them, in one seat);
    `papers`: (paper code, its session ids in date order) of each paper held in several
    sessions (shifts); `labels`: session id -> "P1 2026-12-01 09:00"; `starts`: session id ->
    ("2026-12-01", "09:00"), what a candidate's preferred shifts are matched against.
    """

    common: list = field(default_factory=list)
    papers: list[tuple[str, list]] = field(default_factory=list)
    labels: dict = field(default_factory=dict)
    starts: dict = field(default_factory=dict)

    @classmethod
    def of(cls, sessions: Iterable[tuple]) -> "Schedule":
        """From (session id, paper code, date "YYYY-MM-DD", start "HH:MM") in date order."""
        rows = list(sessions)
        by_paper: dict[str, list] = defaultdict(list)
        for session_id, paper, _date, _start in rows:
            by_paper[paper].append(session_id)
        schedule = cls()
        for session_id, paper, date, start in rows:
            schedule.labels[session_id] = f"{paper} {date} {start}".strip()
            schedule.starts[session_id] = (date, start)
            if len(by_paper[paper]) == 1:
                schedule.common.append(session_id)
        schedule.papers = [(paper, ids) for paper, ids in by_paper.items() if len(ids) > 1]
        return schedule

    @classmethod
    def once(cls, session_ids: Iterable) -> "Schedule":
        """Every session a paper of its own, held once (the exam as it was before shifts)."""
        return cls.of((s, str(s), "", "") for s in session_ids)

    def group_of(self) -> dict:
        """Session id -> its seat group (COMMON, or the shift's own session id)."""
        groups = dict.fromkeys(self.common, COMMON)
        for _paper, shifts in self.papers:
            groups.update({s: s for s in shifts})
        return groups

    def shift_ids(self) -> list:
        return [s for _paper, shifts in self.papers for s in shifts]

    def room_for(self, per_group: dict) -> int:
        """How many candidates `per_group` (seat group -> seats) can take: the seats of the
        papers held once, and per paper in shifts the sum over its shifts, whichever is least."""
        limits = []
        if self.common:
            limits.append(per_group.get(COMMON, 0))
        for _paper, shifts in self.papers:
            limits.append(sum(per_group.get(s, 0) for s in shifts))
        return min(limits) if limits else 0

    def wish_matcher(self):
        """A function: preferred shifts (["2026-12-01", "2026-12-02 14:00"]) -> the shift
        session ids they name, in the candidate's order (cached: many share the same)."""
        by_entry: dict[str, list] = defaultdict(list)
        for session_id in self.shift_ids():
            date, start = self.starts[session_id]
            by_entry[date].append(session_id)
            by_entry[f"{date} {start}"].append(session_id)
        cache: dict[tuple, tuple] = {}

        def match(wanted) -> tuple:
            key = tuple(wanted)
            found = cache.get(key)
            if found is None:
                out: list = []
                for entry in key:
                    for session_id in by_entry.get(" ".join(str(entry).split()), ()):
                        if session_id not in out:
                            out.append(session_id)
                found = cache[key] = tuple(out)
            return found

        return match


@dataclass
class WishMissed:
    roll_number: str
    paper: str
    wanted: list[str]  # what the candidate asked for (the shifts' labels, or the entries that matched none)
    given: str  # the label of the shift given instead ("" for every shift of the exam)
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
    # Per shift (label): placed in this run, seated in all (kept too), seats, seats left.
    per_shift: dict[str, dict] = field(default_factory=dict)
    per_center_shift: dict[str, dict[str, int]] = field(default_factory=dict)  # center -> shift -> placed
    wishes_honoured: int = 0  # (candidate, paper) pairs given a shift they asked for
    wishes_missed_count: int = 0
    wishes_missed: list[WishMissed] = field(default_factory=list)  # the first MAX_LISTED_UNPLACED
    warnings: list[str] = field(default_factory=list)
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
            "per_shift": self.per_shift,
            "per_center_shift": self.per_center_shift,
            "shift_wishes": {
                "honoured": self.wishes_honoured,
                "missed_count": self.wishes_missed_count,
                "missed": [
                    {
                        "roll_number": w.roll_number,
                        "paper": w.paper,
                        "wanted": w.wanted,
                        "given": w.given,
                        "reason": w.reason,
                    }
                    for w in self.wishes_missed
                ],
            },
            "warnings": self.warnings,
            "seconds": round(self.seconds, 3),
            "timings": {step: round(value, 3) for step, value in self.timings.items()},
        }

    def wish_missed(self, item: WishMissed) -> None:
        self.wishes_missed_count += 1
        if len(self.wishes_missed) < MAX_LISTED_UNPLACED:
            self.wishes_missed.append(item)


def norm(city: str | None) -> str:
    """City and state names compare case- and space-insensitively."""
    return (city or "").strip().casefold()


def seat_key(room_number: int, seat: int) -> int:
    """One small int per seat: a million kept seats fit in a set of ints, not of tuples of UUIDs."""
    return room_number * SEAT_KEY_ROOM + seat


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
    capacity: int  # candidates it can take (Schedule.room_for of `seats`)
    seats: dict = field(default_factory=dict)  # seat group -> seats offered (0: that shift is not held here)
    schedule: Schedule = field(default_factory=Schedule)
    free: int = 0  # candidates it can still take
    accessible_free: int = 0
    group_free: dict = field(default_factory=dict)  # seat group -> free seats
    occupied: dict = field(default_factory=lambda: defaultdict(set))  # seat group -> seat keys kept
    members: list = field(default_factory=list)  # [(candidate id, pwd[, roll, wished shifts])] of this run
    shift_members: dict = field(default_factory=dict)  # shift -> [(candidate id, pwd, ...)] (assign_shifts)


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
    schedule: Schedule | list,
) -> list[Center]:
    """The centers that can take the exam's candidates, with their rooms and seats per group.

    `centers`: (id, code, city, state) of the active centers, in code order; `rooms`:
    (id, center_id, rows, columns, capacity, floor, is_accessible) of their rooms, in center
    and code order; `venues`: (session_id, center_id, seats or None) of the sessions'
    venue rows; `schedule`: the exam's `Schedule` (a plain list of session ids: each held
    once). A center that cannot take anyone (a session held once it does not hold, no shift
    of a paper in shifts, no seat) is left out.
    """
    if not isinstance(schedule, Schedule):
        schedule = Schedule.once(schedule)
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
        room_seats = sum(r.capacity for r in center_rooms)

        def offer(session_id, center_id=center_id, room_seats=room_seats) -> int:
            venue = offered.get(session_id)
            if venue is None:  # no venue rows for this session: every active center, all rooms
                return room_seats
            if center_id not in venue:
                return 0
            seats = venue[center_id]
            return room_seats if seats is None else min(room_seats, seats)

        seats = {}
        if schedule.common:
            seats[COMMON] = min(offer(s) for s in schedule.common)
        for session_id in schedule.shift_ids():
            seats[session_id] = offer(session_id)
        capacity = schedule.room_for(seats)
        if capacity <= 0:
            continue
        out.append(
            Center(center_id, code, norm(city), norm(state), center_rooms, capacity, seats=seats, schedule=schedule)
        )
    return out


def occupy(centers: list[Center], kept: Iterable[tuple]) -> None:
    """Mark the seats of kept allocations, (center_id, session_id, room_id, seat_number), as taken."""
    by_id = {c.id: c for c in centers}
    groups = centers[0].schedule.group_of() if centers else {}
    room_numbers = {room.id: room.number for center in centers for room in center.rooms}
    for center_id, session_id, room_id, seat in kept:
        center = by_id.get(center_id)
        group = groups.get(session_id)
        if center is not None and group is not None and room_id in room_numbers:
            center.occupied[group].add(seat_key(room_numbers[room_id], seat))


def _accessible_free(center: Center, group) -> int:
    """Free seats of `group` in accessible or ground-floor rooms (within the group's seats)."""
    remaining = center.seats.get(group, 0)
    limits: dict[int, int] = {}  # room number -> seats of that room the group uses
    for room in center.rooms:  # accessible and ground-floor rooms come first
        if remaining <= 0 or room.priority > GROUND_FLOOR:
            break
        limits[room.number] = used = min(room.capacity, remaining)
        remaining -= used
    total = sum(limits.values())
    occupied = center.occupied.get(group)
    if occupied and limits:
        total -= sum(
            1
            for key in occupied
            if key // SEAT_KEY_ROOM in limits and key % SEAT_KEY_ROOM <= limits[key // SEAT_KEY_ROOM]
        )
    return total


def count_free(centers: list[Center]) -> None:
    """Set each center's free seats per group, the candidates it can still take, and how
    many of them can still have a seat in an accessible or ground-floor room."""
    for center in centers:
        schedule = center.schedule
        center.group_free = {g: max(0, seats - len(center.occupied.get(g, ()))) for g, seats in center.seats.items()}
        center.free = schedule.room_for(center.group_free)
        center.accessible_free = schedule.room_for({g: _accessible_free(center, g) for g in center.seats})


def free_seats(center: Center, group=COMMON) -> Iterator[tuple[object, int, int, int, int]]:
    """Free seats of a center's seat group in allocation order: (room_id, row, column, seat_number, priority)."""
    limit = center.seats.get(group, 0)
    occupied = center.occupied.get(group, ())
    taken = 0
    for room in center.rooms:
        for row, column, seat in room.positions():
            if taken >= limit:
                return
            taken += 1
            if seat_key(room.number, seat) in occupied:
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
    """Choose a center for every candidate, (id, roll_number, home city, preferred cities[,
    preferred shifts]), the `pwd` ones first, each group in the order given (roll-number
    order). Fills each center's `members`, and `result` (placed, unplaced with reasons, per
    center). Returns the number of candidates considered."""
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
    schedule = centers[0].schedule if centers else Schedule()
    match = schedule.wish_matcher() if schedule.papers else None

    done = 0
    for pwd, rows in ((True, pwd_candidates), (False, other_candidates)):
        for candidate_id, roll, home_city, preferred, *more in rows:
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
            wanted = more[0] if more and match is not None else None
            if wanted:
                wished = match(wanted)
                if wished:
                    center.members.append((candidate_id, pwd, roll, wished))
                else:
                    entries = [str(w) for w in wanted]
                    reason = "no shift of the exam on " + ", ".join(entries)
                    result.wish_missed(WishMissed(roll, "", entries, "", reason))
                    center.members.append((candidate_id, pwd))
            else:
                center.members.append((candidate_id, pwd))
            result.placed += 1
    result.candidates = done
    report(progress, done, total, "centers chosen")
    result.per_center = {c.code: len(c.members) for c in centers if c.members}
    return done


def assign_shifts(centers: list[Center], seed: int, result: AllocationReport) -> None:
    """Give every member of each center one shift of every paper held in shifts (see the
    module's rules: wishes first when there is room, then balanced, `pwd` first, the rest
    shuffled with the seed). Fills `shift_members` and the report's per-shift counts."""
    schedule = centers[0].schedule if centers else Schedule()
    labels = schedule.labels
    per_shift = {
        labels[s]: {"placed": 0, "seated": 0, "seats": 0, "free": 0}
        for _paper, shifts in schedule.papers
        for s in shifts
    }
    for center in centers:
        center.shift_members = {}
        for paper, shifts in schedule.papers:
            held = [s for s in shifts if center.seats.get(s, 0) > 0]
            free = {s: center.group_free.get(s, 0) for s in held}
            count = {s: len(center.occupied.get(s, ())) for s in held}
            lists: dict = {s: [] for s in held}
            rest_pwd, rest = [], []
            paper_shifts = set(shifts)
            for member in center.members:
                if len(member) > 2:
                    wished = [s for s in member[3] if s in paper_shifts]
                    if wished:
                        chosen = next((s for s in wished if free.get(s, 0) > 0), None)
                        if chosen is not None:
                            free[chosen] -= 1
                            count[chosen] += 1
                            lists[chosen].append(member)
                            result.wishes_honoured += 1
                            continue
                        member = (member[0], member[1], member[2], wished, paper)  # reported once placed
                (rest_pwd if member[1] else rest).append(member)
            random.Random(f"{seed}:{center.code}:{paper}").shuffle(rest)
            for member in rest_pwd + rest:
                chosen = None
                for s in held:  # the fewest so far among those with room; ties: the earlier shift
                    if free[s] > 0 and (chosen is None or count[s] < count[chosen]):
                        chosen = s
                free[chosen] -= 1
                count[chosen] += 1
                lists[chosen].append(member)
                if len(member) == 5:
                    wanted = [labels[s] for s in member[3]]
                    reason = f"the shifts asked for are full at {center.code}"
                    result.wish_missed(WishMissed(member[2], paper, wanted, labels[chosen], reason))
            by_label = {}
            for s in shifts:
                line = per_shift[labels[s]]
                placed = len(lists.get(s, ()))
                line["placed"] += placed
                line["seated"] += count.get(s, 0)
                line["seats"] += center.seats.get(s, 0)
                line["free"] += free.get(s, 0)
                if placed:
                    by_label[labels[s]] = placed
            center.shift_members.update(lists)
            if by_label:
                result.per_center_shift.setdefault(center.code, {}).update(by_label)
    result.per_shift = per_shift


def seat_groups(center: Center) -> Iterator[tuple[object, list]]:
    """(seat group, its members) of a center: COMMON with every member when the exam has
    papers held once, then each shift with the members assign_shifts gave it."""
    if center.schedule.common:
        yield COMMON, center.members
    yield from center.shift_members.items()


def seat_candidates(
    center: Center, seed: int, group=COMMON, members: list | None = None
) -> Iterator[tuple[object, object, int, int, int]]:
    """The seats of `members` (default: every member of the center) in a seat group, in seat
    order: (candidate_id, room_id, row, column, seat_number). `pwd` candidates take the
    first free seats, the others are shuffled with the seed (and the center's code, and the
    shift for a shift's group)."""
    members = center.members if members is None else members
    pwd_members = [m[0] for m in members if m[1]]
    others = [m[0] for m in members if not m[1]]
    salt = f"{seed}:{center.code}" if group == COMMON else f"{seed}:{center.code}:{center.schedule.labels[group]}"
    random.Random(salt).shuffle(others)
    seats = free_seats(center, group)
    for candidate_id in pwd_members + others:
        room_id, row, column, seat, _priority = next(seats)
        yield candidate_id, room_id, row, column, seat
