"""Drive one node (HQ or a center) in its own process and database, for the sync tests.

    DATA_DIR=/tmp/x/hq NODE_CENTER=HQ python -m tests.sync.node seed 20
    DATA_DIR=/tmp/x/hq NODE_CENTER=HQ python -m tests.sync.node manage export_center_data ...
    ... python -m tests.sync.node dump            # JSON snapshot of every synced row
    ... python -m tests.sync.node seed 5 + manage sync_keys --init   # several steps, one process

Each process is a separate SQLite database (DATABASE_URL is removed by the tests), so
this works even when the main suite runs on PostgreSQL.

The center's exam day (`center-edit`, `incident`) uses the real services: attendance
marked by the invigilator (audited) and incidents, the rows a results package carries.

With SYNC_TEST_BATCH_DELAY=<seconds> the importer sleeps after every batch and prints
"APPLYING" once, so a test can kill the process in the middle of the apply phase; with
SYNC_TEST_MOVE_STOP_AT=<n> it prints "MOVED <n>" and waits once the n-th media file is
moved into MEDIA_ROOT, so a test can kill it at that point of the move.

Every node process lives on the exam day at 14:00 local time, after its session (10:00-12:00),
whatever the machine's clock says: its clock starts there and runs (time-machine, ticking), so
a center's results export is never refused for a session in progress (docs/testing.md).
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
    import time_machine

    from tests.clock import frozen_at

    time_machine.travel(frozen_at(), tick=True).start()  # for the life of the process
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
    stop_at = int(os.environ.get("SYNC_TEST_MOVE_STOP_AT", "0") or 0)
    if stop_at:
        from apps.sync.importing import staging

        def moved(count):
            if count == stop_at:
                print(f"MOVED {count}", flush=True)
                time.sleep(60)  # the test kills the process here

        staging.move_hook = moved


def seed(n: int) -> None:
    """HQ data: center A01 (+ B01), rooms, staff, an exam with a paper and a session,
    n candidates who prefer Delhi (A01) and 3 who prefer Mumbai (B01), each with a photo
    and a signature, seated by the allocation service."""
    import datetime as dt

    from django.core.files.base import ContentFile
    from django.db import transaction

    from apps.authentication.services import user_create
    from apps.candidates.models import Candidate
    from apps.centers.services import center_create, room_create
    from apps.core.roles import Role
    from apps.core.services import synced_save
    from apps.exams.models import Exam, ExamSession, ExamStatus, Paper
    from apps.seating.allocation import allocation_run

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
                preferred_cities=["Delhi", "Pune"] if i < n else ["Mumbai"],
            )
            c.photo.save("p.jpg", ContentFile(b"\xff\xd8photo" + str(i).encode()), save=False)
            c.signature.save("s.png", ContentFile(b"\x89PNGsig" + str(i).encode()), save=False)
            synced_save(c)
        allocation_run(exam=exam, seed=1)


def dump() -> None:
    print(json.dumps(snapshot(), sort_keys=True))


def snapshot() -> dict:
    """Every registered row (encoded as in packages) and the media files."""
    import hashlib
    from pathlib import Path

    from django.conf import settings

    from apps.core.models import Tombstone
    from apps.sync import registry
    from apps.sync.codec import encode_row

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


def _exam_day():
    """(invigilator, session) at this center, with the attendance clock inside the session."""
    import datetime as dt

    from django.conf import settings
    from django.utils import timezone

    from apps.authentication.models import User
    from apps.examday import attendance
    from apps.exams.models import ExamSession

    session = ExamSession.objects.get(exam__code="EX1")
    during = timezone.make_aware(dt.datetime.combine(session.date, dt.time(10, 30)))
    attendance.current_time = lambda: during
    invigilator = User.objects.get(username=f"invigilator_{settings.NODE_CENTER[0].lower()}")
    return invigilator, session


def center_edit() -> None:
    """Exam day at the center: attendance (one re-marked, so audited twice) and an incident."""
    from django.db import transaction

    from apps.candidates.models import Candidate
    from apps.examday.attendance import attendance_mark
    from apps.examday.incidents import incident_create

    invigilator, session = _exam_day()
    people = list(Candidate.objects.order_by("roll_number")[:6])
    with transaction.atomic():
        for person in people[:5]:
            attendance_mark(user=invigilator, candidate=person, session=session, status="present")
        attendance_mark(user=invigilator, candidate=people[5], session=session, status="present")
        attendance_mark(user=invigilator, candidate=people[5], session=session, status="absent")
        incident_create(
            session=session,
            center=invigilator.center,
            candidate=people[0],
            kind="late_arrival",
            description="Arrived 20 minutes late.",
            reported_by=invigilator,
        )


def incident(description: str) -> None:
    """The center files one more incident."""
    from apps.examday.incidents import incident_create

    invigilator, session = _exam_day()
    incident_create(
        session=session, center=invigilator.center, kind="other", description=description, reported_by=invigilator
    )


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
    elif command == "incident":
        incident(*args)
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
