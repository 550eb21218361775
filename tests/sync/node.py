"""Drive one node (HQ or a center) in its own process and database, for the sync tests.

    DATA_DIR=/tmp/x/hq NODE_CENTER=HQ python -m tests.sync.node seed 20
    DATA_DIR=/tmp/x/hq NODE_CENTER=HQ python -m tests.sync.node manage export_center_data ...
    ... python -m tests.sync.node dump            # JSON snapshot of every synced row
    ... python -m tests.sync.node seed 5 + manage sync_keys --init   # several steps, one process

Each process is a separate SQLite database (DATABASE_URL is removed by the tests), so
this works even when the main suite runs on PostgreSQL.

Results-side models (attendance, incidents, OMR responses) arrive with later issues.
Until then the tests need *some* center-owned model: with SYNC_TEST_CENTER_ROOMS=1 this
driver registers Room as owned by the center (one `register()` line, exactly what the
attendance model will do), so a center creates and edits rooms and sends them back.
When Attendance exists, replace that line and the `center-edit` step below.

With SYNC_TEST_BATCH_DELAY=<seconds> the importer sleeps after every batch and prints
"APPLYING" once, so a test can kill the process in the middle of the apply phase.
"""

import io
import json
import os
import sys
import time


def setup():
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "exam_system.settings")
    import django

    django.setup()
    if os.environ.get("SYNC_TEST_CENTER_ROOMS") == "1":
        from apps.centers.models import Room
        from apps.sync.registry import CENTER, register

        register(Room, owner=CENTER, center_path="center_id")
    delay = float(os.environ.get("SYNC_TEST_BATCH_DELAY", "0") or 0)
    if delay:
        from apps.sync import importer

        importer.BATCH_SIZE = 20

        def hook(label, done):
            if not getattr(hook, "said", False):
                print("APPLYING", flush=True)
                hook.said = True
            time.sleep(delay)

        importer.batch_hook = hook


def seed(n: int) -> None:
    """HQ data: center A01 (+ B01), rooms, staff, an exam with a paper and a session,
    n candidates at A01 with a photo and a signature, 3 candidates at B01."""
    import datetime as dt

    from django.core.files.base import ContentFile
    from django.db import transaction

    from apps.authentication.models import Role
    from apps.authentication.services import user_create
    from apps.candidates.models import Candidate
    from apps.centers.services import center_create, room_create
    from apps.exams.models import Exam, ExamSession, ExamStatus, Paper
    from apps.sync.services import synced_save

    with transaction.atomic():
        a = center_create(code="A01", name="Center A", city="Delhi")
        b = center_create(code="B01", name="Center B", city="Mumbai")
        room_create(center=a, code="R1", capacity=30, rows=5, columns=6)
        room_create(center=b, code="R1", capacity=30, rows=5, columns=6)
        user_create(username="manager_a", role=Role.CENTER_MANAGER, center=a, password="s3cret-Passw0rd!")
        user_create(username="invigilator_a", role=Role.INVIGILATOR, center=a, password="s3cret-Passw0rd!")
        user_create(username="manager_b", role=Role.CENTER_MANAGER, center=b, password="s3cret-Passw0rd!")
        user_create(username="hq_admin", role=Role.ADMIN, password="s3cret-Passw0rd!")
        exam = synced_save(
            Exam(
                code="EX1",
                name="Exam 1",
                start_date=dt.date(2026, 12, 1),
                end_date=dt.date(2026, 12, 3),
                status=ExamStatus.SCHEDULED,
            )
        )
        synced_save(Exam(code="EX2", name="Exam 2", start_date=dt.date(2026, 12, 1), end_date=dt.date(2026, 12, 3)))
        paper = synced_save(
            Paper(exam=exam, code="P1", name="Paper 1", max_marks=100, pass_marks=40, duration_minutes=90)
        )
        synced_save(
            ExamSession(exam=exam, paper=paper, date=dt.date(2026, 12, 1), start_time=dt.time(10), end_time=dt.time(12))
        )
        for i in range(n + 3):
            c = Candidate(
                exam=exam,
                roll_number=f"R{i:05d}",
                name=f"Candidate {i}",
                date_of_birth=dt.date(2000, 1, 1),
                gender="F",
                center=a if i < n else b,
                status="allocated",
                preferred_cities=["Delhi", "Pune"],
            )
            c.photo.save("p.jpg", ContentFile(b"\xff\xd8photo" + str(i).encode()), save=False)
            c.signature.save("s.png", ContentFile(b"\x89PNGsig" + str(i).encode()), save=False)
            synced_save(c)


def dump() -> None:
    print(json.dumps(snapshot(), sort_keys=True))


def snapshot() -> dict:
    """Every registered row (encoded as in packages) and the media files."""
    import hashlib
    from pathlib import Path

    from django.conf import settings

    from apps.sync import registry
    from apps.sync.codec import encode_row
    from apps.sync.models import Tombstone

    out = {}
    for spec in registry.specs():
        names = [f.attname for f in spec.fields()]
        pk = names.index(spec.model._meta.pk.attname)
        out[spec.label] = {
            str(v[pk]): encode_row(names, v) for v in spec.model._base_manager.order_by("pk").values_list(*names)
        }
    out["sync.Tombstone"] = sorted(f"{t.model}:{t.object_id}:{t.version}" for t in Tombstone.objects.all())
    root = Path(settings.MEDIA_ROOT)
    out["media"] = {
        str(p.relative_to(root)): hashlib.sha256(p.read_bytes()).hexdigest() for p in root.rglob("*") if p.is_file()
    }
    return out


def center_edit() -> None:
    """What a center does on exam day (until attendance exists: it owns its rooms)."""
    from django.conf import settings
    from django.db import transaction

    from apps.centers.models import Center
    from apps.centers.services import room_create, room_update

    with transaction.atomic():
        center = Center.objects.get(code=settings.NODE_CENTER)
        room = room_create(center=center, code="LAB", name="Lab", capacity=10, rows=2, columns=5)
        room_update(room=room, data={"name": "Computer lab"})
        room_create(center=center, code="HALL", capacity=40, rows=5, columns=8)


def room(code: str, name: str) -> None:
    """The center creates (or renames) one of its rooms."""
    from django.conf import settings

    from apps.centers.models import Center, Room
    from apps.centers.services import room_create, room_update

    center = Center.objects.get(code=settings.NODE_CENTER)
    existing = Room.objects.filter(center=center, code=code).first()
    if existing:
        room_update(room=existing, data={"name": name})
    else:
        room_create(center=center, code=code, name=name, capacity=10, rows=2, columns=5)


def main(argv):
    """Run one or more steps (separated by "+") in this process."""
    setup()
    steps, current = [], []
    for arg in argv:
        if arg == "+":
            steps.append(current)
            current = []
        else:
            current.append(arg)
    steps.append(current)
    for step in steps:
        run_step(step[0], step[1:])


def run_step(command, args):
    if command == "seed":
        seed(int(args[0]) if args else 5)
    elif command == "dump":
        dump()
    elif command == "room":
        room(*args)
    elif command == "center-edit":
        center_edit()
    elif command == "manage":
        from django.core.management import call_command

        stdout = io.StringIO()
        call_command(*args, stdout=stdout)
        print(stdout.getvalue())
    else:
        raise SystemExit(f"unknown command {command}")


if __name__ == "__main__":
    main(sys.argv[1:])
