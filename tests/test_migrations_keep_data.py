"""Migrations keep data (issue item 8): a database at the migration state from before the
restructure (Tombstone in sync; Allocation, Attendance, AttendanceAudit and Incident in exams)
is filled with rows in every moved table and the tables around them, migrated forward, and
compared row by row with what the current models read: ids, foreign keys, file references,
origins, versions and timestamps unchanged; tombstone labels, content types and job kinds
follow the models to their new apps. Then back (the relabelling is undone) and forward again.

The test walks the real migration graph of the test database, so it ends, whatever happens,
by migrating it to the latest state again (other tests rely on it).
"""

import datetime as dt
import uuid
from decimal import Decimal

import pytest
from django.apps import apps as current_apps
from django.contrib.contenttypes.models import ContentType
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

from apps.candidates.models import Candidate
from apps.core.models import Tombstone
from apps.examday.models import Attendance, AttendanceAudit, Incident
from apps.jobs.models import Job
from apps.seating.models import Allocation

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.slow]

# The leaf migrations of the project's apps before the restructure; the apps it added unapplied.
OLD_LEAVES = [
    ("authentication", "0001_initial"),
    ("centers", "0002_center_sync_link"),
    ("exams", "0002_logistics"),
    ("candidates", "0002_application_number_index"),
    ("jobs", "0001_initial"),
    ("sync", "0003_synclog"),
]
# Every project app that did not exist then (the restructure's core, seating and examday,
# and every app added since) is unapplied in the old state.
NEW_APPS = tuple(
    sorted(
        config.label
        for config in current_apps.get_app_configs()
        if config.name.startswith("apps.") and config.label not in {app for app, _ in OLD_LEAVES}
    )
)

# old label -> new label of every model that changed app (tables keep their names).
MOVED = {
    "sync.Tombstone": "core.Tombstone",
    "exams.Allocation": "seating.Allocation",
    "exams.Attendance": "examday.Attendance",
    "exams.AttendanceAudit": "examday.AttendanceAudit",
    "exams.Incident": "examday.Incident",
}
# Models around the moved ones, compared row by row as well.
STAYING = [
    "centers.Center",
    "centers.Room",
    "authentication.User",
    "exams.Exam",
    "exams.Paper",
    "exams.ExamSession",
    "exams.SessionCenter",
    "candidates.Candidate",
    "sync.TrustedKey",
    "sync.SyncLog",
    "admin.LogEntry",
]
JOB_KINDS = {"exams.allocate": "seating.allocate", "exams.admit_cards": "seating.admit_cards"}

T0 = dt.datetime(2026, 3, 14, 9, 30, 15, 123456, tzinfo=dt.UTC)
T1 = dt.datetime(2026, 3, 15, 17, 45, 1, 654321, tzinfo=dt.UTC)

PHOTO = "candidates/photos/ab/3f9c2e.png"
SIGNATURE = "candidates/signatures/cd/77e1a0.png"
JOB_INPUT = "jobs/in/5d1c.xlsx"
JOB_OUTPUT = "jobs/out/9a0b.zip"

# Ids fixed in advance, so the comparison also proves the rows kept their keys.
TOMBSTONES = {
    "exams.Allocation": uuid.UUID("0190a000-0000-7000-8000-00000000a001"),
    "exams.Attendance": uuid.UUID("0190a000-0000-7000-8000-00000000a002"),
    "exams.AttendanceAudit": uuid.UUID("0190a000-0000-7000-8000-00000000a003"),
    "exams.Incident": uuid.UUID("0190a000-0000-7000-8000-00000000a004"),
    "candidates.Candidate": uuid.UUID("0190a000-0000-7000-8000-00000000a005"),
}


# --- migration steps -------------------------------------------------------------------


def _old_targets(graph):
    """`migrate` targets for the old state, and the nodes whose state is the old state."""
    ours = {app for app, _ in OLD_LEAVES} | set(NEW_APPS)
    others = [leaf for leaf in graph.leaf_nodes() if leaf[0] not in ours]
    state_nodes = OLD_LEAVES + others
    return OLD_LEAVES + [(app, None) for app in NEW_APPS], state_nodes


def _migrate(to: str):
    """Migrate the test database to "old" or "latest"; return the historical apps there."""
    executor = MigrationExecutor(connection)  # a fresh loader sees what is applied now
    graph = executor.loader.graph
    if to == "old":
        targets, state_nodes = _old_targets(graph)
    else:
        targets = state_nodes = graph.leaf_nodes()
    executor.migrate(targets)
    executor = MigrationExecutor(connection)
    graph = executor.loader.graph
    wanted = {node for target in state_nodes for node in graph.forwards_plan(target)}
    assert set(executor.loader.applied_migrations) & set(graph.nodes) == wanted
    ContentType.objects.clear_cache()
    return executor.loader.project_state(state_nodes).apps


# --- the old database ------------------------------------------------------------------


def _pin(model, pk, **values):
    """Set fields that save() would overwrite (auto_now, auto_now_add)."""
    assert model._base_manager.filter(pk=pk).update(**values) == 1


def _synced(version, origin, **fields):
    return {"version": version, "origin": origin, **fields}


def _fill_old_database(apps):
    """Rows in every moved table and the tables around them, written with the old models."""
    m = apps.get_model

    center = m("centers", "Center").objects.create(
        **_synced(3, "HQ"), code="A01", name="Center A", city="Delhi", sync_url="https://a01.example/"
    )
    room = m("centers", "Room").objects.create(
        **_synced(4, "HQ"), center=center, code="R1", capacity=30, rows=5, columns=6, floor=2
    )
    manager = m("authentication", "User").objects.create(
        **_synced(5, "HQ"), username="manager_a01", password="!", role="center_manager", center=center
    )
    exam = m("exams", "Exam").objects.create(
        **_synced(6, "HQ"),
        code="EX26",
        name="Entrance 2026",
        start_date=dt.date(2026, 5, 1),
        end_date=dt.date(2026, 5, 3),
        status="scheduled",
    )
    paper = m("exams", "Paper").objects.create(
        **_synced(8, "HQ"),
        exam=exam,
        code="P1",
        name="Physics",
        max_marks=Decimal("100.00"),
        pass_marks=Decimal("33.00"),
        duration_minutes=180,
        set_count=3,
    )
    session = m("exams", "ExamSession").objects.create(
        **_synced(9, "HQ"),
        exam=exam,
        paper=paper,
        date=dt.date(2026, 5, 1),
        start_time=dt.time(9, 0),
        end_time=dt.time(12, 0),
    )
    venue = m("exams", "SessionCenter").objects.create(**_synced(10, "HQ"), session=session, center=center, seats=30)
    candidate = m("candidates", "Candidate").objects.create(
        **_synced(11, "HQ"),
        exam=exam,
        center=center,
        roll_number="EX26000001",
        application_number="APP-1",
        name="Asha Rao",
        date_of_birth=dt.date(2004, 2, 29),
        gender="F",
        preferred_cities=["Delhi", "Pune"],
        photo=PHOTO,
        signature=SIGNATURE,
        status="allocated",
    )
    allocation = m("exams", "Allocation").objects.create(
        **_synced(7, "HQ"),
        candidate=candidate,
        exam=exam,
        session=session,
        center=center,
        room=room,
        row=2,
        column=3,
        seat_number=9,
        paper_set="B",
    )
    attendance = m("exams", "Attendance").objects.create(
        **_synced(13, "A01"), candidate=candidate, session=session, center=center, status="present", marked_at=T0
    )
    audit = m("exams", "AttendanceAudit").objects.create(
        **_synced(14, "A01"),
        attendance=attendance,
        center=center,
        changed_by=manager,
        old_status="absent",
        new_status="present",
        source="scan",
        changed_at=T0,
    )
    attendance.marked_by = manager
    attendance.save(update_fields=["marked_by"])
    incident = m("exams", "Incident").objects.create(
        **_synced(15, "A01"),
        session=session,
        center=center,
        candidate=candidate,
        reported_by=manager,
        kind="late_arrival",
        description="Arrived 20 minutes late.",
    )
    key = m("sync", "TrustedKey").objects.create(**_synced(16, "HQ"), node="A01", public_key="-----BEGIN KEY-----")
    for row in (center, room, manager, exam, paper, session, venue, candidate, allocation, attendance, audit, incident):
        _pin(type(row), row.pk, created_at=T0, updated_at=T1)
    _pin(type(key), key.pk, created_at=T0, updated_at=T1)
    log = m("sync", "SyncLog").objects.create(
        user=manager, node="A01", direction="export", kind="results", center="A01", counts={"exams.Attendance": 1}
    )
    _pin(type(log), log.pk, created_at=T0)

    Tombstone = m("sync", "Tombstone")
    for n, (label, object_id) in enumerate(TOMBSTONES.items(), start=21):
        stone = Tombstone.objects.create(model=label, object_id=object_id, origin="A01", version=n)
        _pin(Tombstone, stone.pk, deleted_at=T0 + dt.timedelta(minutes=n))

    Job = m("jobs", "Job")
    for n, kind in enumerate([*JOB_KINDS, "exams.export"]):
        job = Job.objects.create(
            kind=kind,
            status="succeeded",
            params={"exam": str(exam.pk)},
            progress_done=n + 1,
            progress_total=n + 1,
            result={"rows": n},
            input_file=JOB_INPUT if n == 0 else "",
            output_file=JOB_OUTPUT,
            output_name=f"out{n}.zip",
            created_by=manager,
            task_result_id=uuid.UUID(int=n + 1),
            worker="host:42",
            started_at=T0,
            finished_at=T1,
            heartbeat_at=T1,
        )
        _pin(Job, job.pk, created_at=T0, updated_at=T1)

    # Content types as an old database has them: under the old labels, with their
    # permissions. (The test database was created at the latest state; migrating it back
    # has relabelled those; get_or_create in case one was never there.) No new label yet.
    ContentTypeOld = m("contenttypes", "ContentType")
    ct_ids = {}
    for old, new in MOVED.items():
        old_app, new_app, name = old.split(".")[0], new.split(".")[0], old.split(".")[1].lower()
        assert not ContentTypeOld.objects.filter(app_label=new_app, model=name).exists(), new
        ct_ids[old] = ContentTypeOld.objects.get_or_create(app_label=old_app, model=name)[0].pk
    m("admin", "LogEntry").objects.create(
        action_time=T0,
        user=manager,
        content_type_id=ct_ids["exams.Allocation"],
        object_id=str(allocation.pk),
        object_repr="seat 9",
        action_flag=2,
        change_message="[]",
    )
    return {"candidate": candidate.pk, "allocation": allocation.pk, "content_types": ct_ids}


# --- reading it back -------------------------------------------------------------------


def _rows(model, like=None):
    """Every row of `model` as a dict of column values, in key order. Given `like` (rows read
    earlier), only their columns: a later migration may add columns, never change these."""
    columns = list(like[0]) if like else []
    return list(model._base_manager.order_by("pk").values(*columns))


def _snapshot(apps, labels, like=None):
    """{label: rows} of the models `labels` names ({old: new} to read `like` under new names)."""
    if like is None:
        return {label: _rows(apps.get_model(label)) for label in labels}
    return {old: _rows(apps.get_model(new), like[old]) for old, new in labels.items()}


def _content_types(apps):
    """{"app_label.model": id} of every content type."""
    ContentTypeModel = apps.get_model("contenttypes", "ContentType")
    return {f"{app}.{model}": pk for pk, app, model in ContentTypeModel.objects.values_list("pk", "app_label", "model")}


def _relabelled(rows, field, mapping):
    return [dict(row, **{field: mapping.get(row[field], row[field])}) for row in rows]


# --- the test --------------------------------------------------------------------------


def test_old_database_migrates_forward_and_back_with_every_row_intact():
    same_names = {label: label for label in STAYING}
    moved_rows = {old: new for old, new in MOVED.items() if old != "sync.Tombstone"}
    try:
        old_apps = _migrate("old")
        made = _fill_old_database(old_apps)
        before = _snapshot(old_apps, [*STAYING, *MOVED, "jobs.Job", "auth.Permission"])
        # Real values, not defaults, are what must survive.
        assert [(r["version"], r["origin"]) for r in before["exams.Allocation"]] == [(7, "HQ")]
        assert [(r["version"], r["origin"]) for r in before["exams.Attendance"]] == [(13, "A01")]
        assert [r["photo"] for r in before["candidates.Candidate"]] == [PHOTO]
        assert {r["created_at"] for old in moved_rows for r in before[old]} == {T0}
        assert len(before["sync.Tombstone"]) == len(TOMBSTONES)

        _migrate("latest")

        # The current models read the same rows, column for column, from the same tables.
        for old, new in MOVED.items():
            assert current_apps.get_model(new)._meta.db_table == old_apps.get_model(old)._meta.db_table
        after = _snapshot(current_apps, {**same_names, **moved_rows, "jobs.Job": "jobs.Job"}, like=before)
        for label in [*STAYING, *moved_rows]:
            assert after[label] == before[label], label
        # ...and through the current models' relations and fields.
        candidate = Candidate.objects.get(pk=made["candidate"])
        assert (candidate.photo.name, candidate.signature.name) == (PHOTO, SIGNATURE)
        allocation = Allocation.objects.select_related("room__center", "session__paper").get(pk=made["allocation"])
        assert (allocation.version, allocation.origin, allocation.created_at) == (7, "HQ", T0)
        assert allocation.candidate == candidate
        assert (allocation.room.code, allocation.room.center.code, allocation.session.paper.code) == ("R1", "A01", "P1")
        attendance = Attendance.objects.get()
        assert (attendance.version, attendance.origin, attendance.marked_at) == (13, "A01", T0)
        assert (attendance.candidate, attendance.marked_by.username) == (candidate, "manager_a01")
        assert [(a.version, a.source, a.changed_at) for a in attendance.audit.all()] == [(14, "scan", T0)]
        assert AttendanceAudit.objects.get().attendance == attendance
        assert (Incident.objects.get().candidate, Incident.objects.get().version) == (candidate, 15)

        # Tombstones of the moved models carry the new labels; the other one, and every other
        # column, is as it was.
        assert _rows(Tombstone, before["sync.Tombstone"]) == _relabelled(before["sync.Tombstone"], "model", MOVED)
        assert Tombstone.objects.get(object_id=TOMBSTONES["candidates.Candidate"]).model == "candidates.Candidate"
        assert Tombstone.objects.get(object_id=TOMBSTONES["exams.Allocation"]).model == "seating.Allocation"

        # Content types move, keeping their ids: permissions and admin history stay attached.
        cts = _content_types(current_apps)
        for old, new in MOVED.items():
            assert cts.get(new.lower()) == made["content_types"][old], f"content type of {new}"
            assert old.lower() not in cts
        assert _rows(current_apps.get_model("auth", "Permission")) == before["auth.Permission"]
        assert current_apps.get_model("admin", "LogEntry").objects.get().get_edited_object() == allocation

        # Job kinds of seating are renamed; every other column of every job is kept.
        assert after["jobs.Job"] == _relabelled(before["jobs.Job"], "kind", JOB_KINDS)
        assert sorted(Job.objects.values_list("kind", flat=True)) == [
            "exams.export",
            "seating.admit_cards",
            "seating.allocate",
        ]
        assert Job.objects.get(kind="seating.allocate").output_file.name == JOB_OUTPUT

        # Back again: the relabelling is undone and the rows are the ones written at first.
        old_apps = _migrate("old")
        assert _snapshot(old_apps, [*STAYING, *MOVED, "jobs.Job", "auth.Permission"]) == before
        cts = _content_types(old_apps)
        for old, new in MOVED.items():
            assert cts.get(old.lower()) == made["content_types"][old], f"content type of {old}"
            assert new.lower() not in cts
    finally:
        _migrate("latest")

    # Forward a second time gives the same result as the first.
    assert _snapshot(current_apps, {**same_names, **moved_rows, "jobs.Job": "jobs.Job"}, like=before) == after
    assert _rows(Tombstone, before["sync.Tombstone"]) == _relabelled(before["sync.Tombstone"], "model", MOVED)
    assert _content_types(current_apps).get("seating.allocation") == made["content_types"]["exams.Allocation"]
