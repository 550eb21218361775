"""The one guarded bulk insert (apps/core/bulk.py): its fast path and its ORM path store
exactly the same rows, for the helper itself and for each of its callers (the candidates
import, the allocation, the package import).

Every comparison runs the same work twice, once on the fast path and once with the ORM
path forced (`BULK_FAST_PATH = False`), on fresh rows each time, and compares every column
of every row written. Where a caller makes new ids and timestamps, they are made
deterministic (`same_stamps`), so that even those must match. On a backend without the
fast path both runs take the ORM path and the tests still hold.
"""

import datetime as dt
import itertools
import uuid
from decimal import Decimal

import pytest
from django.db import IntegrityError, connection, transaction
from django.utils import timezone

from apps.candidates.models import Candidate, CandidateStatus, RollNumberCounter
from apps.candidates.services.importing import candidates_import
from apps.core import bulk, stamping
from apps.core.bulk import bulk_insert, fast_path_enabled
from apps.core.models import Tombstone
from apps.exams.models import ExamSession, Paper
from apps.seating.allocation import allocation_run
from apps.seating.models import Allocation
from apps.sync.codec import value_rows
from tests.candidates.conftest import row, write_csv
from tests.factories import CenterFactory, ExamFactory, ExamSessionFactory, PaperFactory, RoomFactory
from tests.seating.conftest import make_room
from tests.seating.factories import CandidateFactory

pytestmark = pytest.mark.django_db

NOW = dt.datetime(2026, 11, 20, 9, 30, 15, 123456, tzinfo=dt.UTC)


def stored(model) -> list[tuple]:
    """Every column of every row of `model`'s table as the database returns it (raw SQL:
    no field conversion hides a difference), in primary-key order."""
    quote = connection.ops.quote_name
    columns = ", ".join(quote(f.column) for f in model._meta.concrete_fields)
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT {columns} FROM {quote(model._meta.db_table)} ORDER BY {quote(model._meta.pk.column)}")  # noqa: S608
        return cursor.fetchall()


def values(model, **filters) -> list[dict]:
    """Every concrete field of every row, through the ORM, in primary-key order."""
    names = [f.attname for f in model._meta.concrete_fields]
    return list(model._base_manager.filter(**filters).order_by("pk").values(*names))


class Rollback(Exception):
    pass


@pytest.fixture
def paths_taken(monkeypatch):
    """The paths bulk_insert took, batch by batch ("fast" or "orm"), so no test passes
    because both of its runs silently took the same one."""
    taken = []
    for cls, name in ((bulk._Executemany, "fast"), (bulk._OrmInsert, "orm")):

        def spy(self, batch, original=cls.__call__, name=name):
            taken.append(name)
            return original(self, batch)

        monkeypatch.setattr(cls, "__call__", spy)
    return taken


FAST = "fast" if connection.vendor in bulk.FAST_PATH_VENDORS else "orm"


@pytest.fixture
def on_both_paths(settings, paths_taken):
    """`on_both_paths(work)` runs `work()` on the fast path and then on the ORM path,
    each from the same database state (the first run is rolled back); returns both
    results."""

    def run(work):
        results = []
        for fast, path in ((True, FAST), (False, "orm")):
            settings.BULK_FAST_PATH = fast
            paths_taken.clear()
            try:
                with transaction.atomic():
                    results.append(work())
                    raise Rollback
            except Rollback:
                pass
            assert set(paths_taken) == {path}
        settings.BULK_FAST_PATH = True
        return results

    return run


@pytest.fixture
def same_stamps(monkeypatch):
    """New ids (stamping's uuid7) and the current time made deterministic; call the
    returned function to start the sequence of ids again before each run."""
    counter = itertools.count()

    def fake_uuid7():
        return uuid.UUID(int=(0x0193_0000_0000_7000_8000 << 48) + next(counter))

    def restart():
        nonlocal counter
        counter = itertools.count()

    monkeypatch.setattr(stamping, "uuid7", fake_uuid7)
    monkeypatch.setattr(timezone, "now", lambda: NOW)
    return restart


# --- the helper itself ---------------------------------------------------------------


def test_the_setting_and_the_backend_choose_the_path(settings):
    assert fast_path_enabled() == (connection.vendor in ("sqlite", "postgresql"))
    settings.BULK_FAST_PATH = False
    assert not fast_path_enabled()


CANDIDATE_FIELDS = [
    *stamping.NEW_ROW_FIELDS,
    "exam",
    "roll_number",
    "name",
    "date_of_birth",
    "gender",
    "pwd",
    "extra_time_minutes",
    "preferred_cities",
    "center",
    "status",
]


def candidate_rows(exam, center, count: int) -> list[tuple]:
    """Python values of every kind the model has: UUIDs, aware datetimes (UTC and not), a
    date, text with non-ASCII letters, booleans, an int, JSON lists (and an empty one), a
    foreign key set and one left NULL, a choices enum member."""
    ist = dt.timezone(dt.timedelta(hours=5, minutes=30))
    rows = []
    for i in range(count):
        created = NOW - dt.timedelta(days=i, microseconds=i)
        rows.append(
            (
                uuid.UUID(int=(7 << 76) + i),
                created,
                created.astimezone(ist),
                "C07" if i % 2 else "HQ",
                i + 1,
                exam.id,
                f"R{i:04d}",
                f"Ananyā Ṣharma {i}",
                dt.date(1990 + i % 20, 1 + i % 12, 1 + i % 28),
                "FMO"[i % 3],
                i % 3 == 0,
                i % 60,
                ["Delhi", "Pune", f"City {i}"] if i % 4 else [],
                center.id if i % 2 else None,
                CandidateStatus.ALLOCATED if i % 2 else CandidateStatus.REGISTERED,
            )
        )
    return rows


def test_fast_and_orm_paths_store_the_same_candidates(on_both_paths):
    exam, center = ExamFactory(), CenterFactory()
    rows = candidate_rows(exam, center, 60)

    def insert():
        assert bulk_insert(Candidate, CANDIDATE_FIELDS, rows) == 60
        return stored(Candidate), values(Candidate)

    (fast_raw, fast), (orm_raw, orm) = on_both_paths(insert)
    assert fast_raw == orm_raw
    assert fast == orm
    # Exactly the values given, auto_now timestamps included; other fields their defaults.
    first, second = fast[0], fast[1]
    assert (first["created_at"], first["updated_at"], first["version"]) == (NOW, NOW, 1)
    assert second["origin"] == "C07" and second["center_id"] == center.id and first["center_id"] is None
    assert first["preferred_cities"] == [] and second["preferred_cities"] == ["Delhi", "Pune", "City 1"]
    assert first["photo"] == "" and first["email"] == "" and first["category"] == "GEN"


def test_fast_and_orm_paths_store_the_same_decimals_and_times(on_both_paths):
    exam = ExamFactory()
    papers = [
        (uuid.UUID(int=(7 << 76) + i), NOW, NOW, exam.id, f"P{i}", f"Paper {i}", Decimal(f"{i + 5}9.5"), "40.25", 90)
        for i in range(5)
    ]
    sessions = [
        (uuid.UUID(int=(8 << 76) + i), NOW, NOW, exam.id, paper[0], dt.date(2026, 12, 1 + i), dt.time(9, i, 5), "12:30")
        for i, paper in enumerate(papers)
    ]
    paper_fields = ["id", "created_at", "updated_at", "exam", "code", "name", "max_marks", "pass_marks"]
    session_fields = ["id", "created_at", "updated_at", "exam", "paper", "date", "start_time", "end_time"]

    def insert():
        bulk_insert(Paper, [*paper_fields, "duration_minutes"], papers)
        bulk_insert(ExamSession, session_fields, sessions, using="default")
        return stored(Paper), stored(ExamSession), values(Paper), values(ExamSession)

    fast, orm = on_both_paths(insert)
    assert fast == orm
    assert [p["max_marks"] for p in fast[2]] == [Decimal(f"{i + 5}9.50") for i in range(5)]
    assert {p["pass_marks"] for p in fast[2]} == {Decimal("40.25")} and {p["kind"] for p in fast[2]} == {"objective"}
    assert [(s["start_time"], s["end_time"]) for s in fast[3]][:2] == [
        (dt.time(9, 0, 5), dt.time(12, 30)),
        (dt.time(9, 1, 5), dt.time(12, 30)),
    ]


def test_the_string_forms_of_sync_packages_store_what_python_values_store(on_both_paths):
    """Packages carry ISO datetimes, UUID and decimal strings: the same rows result."""
    exam, center = ExamFactory(), CenterFactory()
    rows = candidate_rows(exam, center, 12)
    as_strings = [
        tuple(
            str(v) if isinstance(v, uuid.UUID) else v.isoformat() if isinstance(v, dt.date | dt.datetime) else v
            for v in r
        )
        for r in rows
    ]

    def insert(data):
        def work():
            bulk_insert(Candidate, CANDIDATE_FIELDS, data)
            return stored(Candidate)

        return work

    python = on_both_paths(insert(rows))
    strings = on_both_paths(insert(as_strings))
    assert python[0] == python[1] == strings[0] == strings[1]


def test_fields_not_given_take_their_default_and_a_callable_default_is_called_per_row(on_both_paths):
    exam = ExamFactory()

    def insert():
        bulk_insert(
            Candidate,
            ["created_at", "updated_at", "exam", "roll_number", "name", "date_of_birth", "gender"],
            [(NOW, NOW, exam.id, f"R{i}", "A", dt.date(2000, 1, 1), "F") for i in range(3)],
        )
        return [(c.pk, c.origin, c.version, c.status, c.preferred_cities) for c in Candidate.objects.all()]

    for result in on_both_paths(insert):
        assert len({pk for pk, *_ in result}) == 3  # a fresh uuid7 each
        assert [rest for _, *rest in result] == [["HQ", 1, "registered", []]] * 3


@pytest.mark.parametrize("fast", [True, False])
def test_a_failing_batch_writes_nothing_and_bad_rows_are_refused(settings, fast):
    settings.BULK_FAST_PATH = fast
    exam = ExamFactory()
    good = (uuid.uuid4(), NOW, NOW, exam.id, "R1", "A", dt.date(2000, 1, 1), "F")
    fields = ["id", "created_at", "updated_at", "exam", "roll_number", "name", "date_of_birth", "gender"]
    with pytest.raises(IntegrityError), transaction.atomic():
        bulk_insert(Candidate, fields, [good, (uuid.uuid4(), *good[1:])])  # the same roll number twice
    assert not Candidate.objects.exists()
    with pytest.raises(ValueError, match="8 fields"):
        bulk_insert(Candidate, fields, [good[:-1]])
    assert bulk_insert(Candidate, fields, []) == 0


def test_rows_go_in_batches(on_both_paths, paths_taken, monkeypatch):
    monkeypatch.setattr(bulk, "BATCH_SIZE", 7)
    exam, center = ExamFactory(), CenterFactory()
    rows = candidate_rows(exam, center, 30)

    def insert():
        return bulk_insert(Candidate, CANDIDATE_FIELDS, iter(rows)), stored(Candidate), len(paths_taken)

    fast, orm = on_both_paths(insert)
    assert fast == orm and fast[0] == 30 and len(fast[1]) == 30
    assert fast[2] == 5  # 7 + 7 + 7 + 7 + 2 rows


def test_the_preparers_store_what_django_stores_for_each_form():
    """The shortcuts for UUIDs, datetimes, dates and JSON give get_db_prep_save()'s values."""
    fields = {f.attname: f for f in Candidate._meta.concrete_fields}
    prepare = dict(bulk._preparers(list(fields.values()), connection))
    key = uuid.uuid4()
    ist = dt.timezone(dt.timedelta(hours=5, minutes=30))
    samples = {
        "id": [key, str(key), key.hex],
        "exam_id": [key, str(key)],
        "center_id": [None, key],
        "created_at": [NOW, NOW.astimezone(ist), NOW.isoformat(), "2026-01-02T03:04:05+05:30"],
        "date_of_birth": [dt.date(2001, 2, 3), "2001-02-03"],
        "preferred_cities": [[], ["Delhi", "Agra"], {"a": 1}],
        "pwd": [True, False],
        "extra_time_minutes": [0, 20],
        "name": ["Ananyā", ""],
        "status": [CandidateStatus.WITHDRAWN, "registered"],
    }
    for name, cases in samples.items():
        for value in cases:
            expected = fields[name].get_db_prep_save(value, connection)
            got = prepare[name](value)
            if name == "preferred_cities" and connection.vendor == "postgresql":  # Jsonb wrappers
                got, expected = got.obj, expected.obj
            assert got == expected, (name, value)


def test_sync_rows_missing_a_field_take_its_default():
    fields = [Candidate._meta.get_field(n) for n in ("id", "name", "category")]
    key = str(uuid.uuid4())
    assert value_rows(fields, [{"id": key, "name": "A", "category": "SC", "other": 1}]) == [(key, "A", "SC")]
    assert value_rows(fields, [{"id": key, "name": "A"}]) == [(key, "A", "GEN")]
    assert value_rows(fields[:1], [{"id": key}]) == [(key,)]


# --- the candidates import -----------------------------------------------------------


def test_a_candidates_import_stores_the_same_rows_on_both_paths(on_both_paths, tmp_path, same_stamps):
    exam = ExamFactory(code="BULK2026")
    people = [
        row(
            name=f"Person {i}",
            email=f"p{i}@example.in",
            pwd="Yes" if i % 5 == 0 else "No",
            category=["GEN", "OBC", "SC"][i % 3],
            date_of_birth=f"200{i % 10}-0{1 + i % 9}-1{i % 10}",
            preferred_cities="Delhi; Pune" if i % 2 else "",
            roll_number=f"BULK2026{900 + i:06d}" if i % 3 == 0 else "",
        )
        for i in range(40)
    ]
    header = [*people[0], "preferred_cities", "roll_number"]
    path = write_csv(tmp_path / "people.csv", people, header=list(dict.fromkeys(header)))

    def run():
        same_stamps()
        report = candidates_import(source=path, exam=exam)
        assert report.created == 40
        return values(Candidate), stored(Candidate), RollNumberCounter.objects.get(exam=exam).last_value

    fast, orm = on_both_paths(run)
    assert fast == orm
    first = fast[0][0]
    assert first["created_at"] == first["updated_at"] == NOW and first["version"] == 1
    assert first["status"] == CandidateStatus.REGISTERED and first["origin"] == "HQ"


# --- the allocation -------------------------------------------------------------------


@pytest.fixture
def allocated_exam(db):
    """An exam allocated once, then changed: a session added, late registrations, one
    candidate withdrawn (so a re-run seats, releases with tombstones and extends)."""
    exam = ExamFactory(code="SEAT2026")
    first = ExamSessionFactory(exam=exam, paper=PaperFactory(exam=exam, set_count=4), date=dt.date(2026, 12, 1))
    delhi = CenterFactory(code="DEL1", city="Delhi", state="Delhi")
    make_room(delhi, "G1", rows=3, columns=4, floor=0, accessible=True)
    make_room(delhi, "U1", rows=4, columns=5, capacity=18, floor=2)
    pune = CenterFactory(code="PUN1", city="Pune", state="Maharashtra")
    RoomFactory(center=pune, code="A", rows=2, columns=5, capacity=10)
    people = [
        CandidateFactory(exam=exam, preferred_cities=["Delhi"] if i % 3 else ["Pune"], pwd=i % 7 == 0)
        for i in range(36)
    ]
    allocation_run(exam=exam, seed=4)
    ExamSessionFactory(exam=exam, paper=PaperFactory(exam=exam, set_count=2), date=dt.date(2026, 12, 2))
    CandidateFactory.create_batch(4, exam=exam, preferred_cities=["Pune"])
    Candidate.objects.filter(pk=people[1].pk).update(status=CandidateStatus.WITHDRAWN)
    return exam, first


def allocation_state() -> dict:
    return {
        "allocations": values(Allocation),
        "raw": stored(Allocation),
        "tombstones": values(Tombstone),
        "candidates": values(Candidate),
    }


@pytest.mark.parametrize("reset", [False, True])
def test_an_allocation_run_stores_the_same_rows_on_both_paths(on_both_paths, allocated_exam, same_stamps, reset):
    exam, _first = allocated_exam

    def run():
        same_stamps()
        report = allocation_run(exam=exam, seed=9, reset=reset)
        return report.allocations_created, allocation_state()

    fast, orm = on_both_paths(run)
    assert fast == orm
    created, state = fast
    assert created > 0 and state["tombstones"]
    assert all(t["deleted_at"] == NOW and t["origin"] == "HQ" for t in state["tombstones"])
    new = [a for a in state["allocations"] if a["created_at"] == NOW]
    assert len(new) == created and all(a["version"] == 1 and a["updated_at"] == NOW for a in new)


# --- the package import (sync) --------------------------------------------------------


def test_a_package_import_stores_the_same_rows_on_both_paths(settings, paths_taken, tmp_path, center_a, room_a):
    from apps.sync import keys
    from apps.sync.exporter import package_export
    from apps.sync.importer import UNIQUE, package_import
    from apps.sync.package import CENTER_PACKAGE

    settings.DATA_DIR = tmp_path / "node"
    settings.NODE_CENTER = "HQ"
    keys.create_node_key()
    exam = ExamFactory(code="SYNC2026")
    ExamSessionFactory(exam=exam, paper=PaperFactory(exam=exam, set_count=3))
    CandidateFactory.create_batch(12, exam=exam, preferred_cities=["Delhi"], pwd=False)
    allocation_run(exam=exam, seed=2)
    at_hq = values(Candidate), values(Allocation)
    assert len(at_hq[1]) == 12
    path = tmp_path / "center.zip"
    package_export(kind=CENTER_PACKAGE, center=center_a, output=path)
    clash = at_hq[0][5]

    settings.NODE_CENTER = "A01"
    results = []
    for fast, expected in ((True, FAST), (False, "orm")):
        settings.BULK_FAST_PATH = fast
        paths_taken.clear()
        Candidate.objects.all().delete()  # and their allocations: the center before its first package
        # A local candidate holding one roll number: that row clashes, the batch retries row by row.
        local = CandidateFactory(exam=exam, roll_number=clash["roll_number"], name="Local")
        report = package_import(path=path)
        conflicts = sorted((c["reason"], c["id"]) for c in report.conflicts)
        counts = {label: (c.created, c.updated, c.unchanged) for label, c in report.models.items()}
        imported = [c for c in values(Candidate) if c["id"] != local.id]
        results.append((imported, values(Allocation), stored(Allocation), conflicts, counts))
        local.delete()
        assert set(paths_taken) == {expected}
    settings.BULK_FAST_PATH = True

    fast, orm = results
    assert fast == orm
    candidates, allocations, _raw, conflicts, counts = fast
    assert (UNIQUE, str(clash["id"])) in conflicts
    assert counts["candidates.Candidate"][0] == 11 and counts["seating.Allocation"][0] == 11
    # The rows are HQ's, every value as sent (ids, timestamps, versions, origins).
    assert candidates == [c for c in at_hq[0] if c["id"] != clash["id"]]
    assert allocations == [a for a in at_hq[1] if a["candidate_id"] != clash["id"]]
