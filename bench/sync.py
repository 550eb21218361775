"""Benchmark of offline sync: packages, import, re-import, results, backup/restore.

    .venv/bin/python bench/sync.py [--candidates 10000] [--photo-kb 20] [--keep DIR]

Builds an HQ (SQLite, its own DATA_DIR) with one center of N candidates, each with a
photo (20 KB) and a signature (5 KB), then measures, each step in its own process
(DEBUG=False, dummy 40-character secrets):

1. export_center_data at HQ (the center package)
2. import_center_data into a fresh center database (verify + apply)
3. the same import again (no-op)
4. the center's results package back to HQ: after the import, the center gets exam-day
   data for its N candidates (N attendance rows, present/absent, each with its audit row,
   and a few incidents; bulk-created as benchmark setup, not measured), then: the export
   at the center, its import at HQ (verify + apply) and the same import again (no-op)
5. backup_database / restore_database of the whole HQ into a fresh database
and, for comparison, Django's dumpdata / loaddata of the same rows.

OMR responses do not exist yet; they join step 4 when they land.

Prints seconds, package bytes and peak RSS (of the process doing the step).
"""

import argparse
import gzip
import json
import os
import resource
import shutil
import subprocess
import sys
import tempfile
import time
import zipfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SECRET = "bench-secret-key-0123456789-abcdefghijklmnopq"  # noqa: S105  (dummy, 40+ chars)


# --- inner steps (run inside a node process) -------------------------------------------


def _setup():
    sys.path.insert(0, str(ROOT))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "exam_system.settings")
    import django

    django.setup()


def _seed(n: int, photo_kb: int) -> None:
    import datetime as dt
    import random

    from django.conf import settings
    from django.db import transaction

    from apps.authentication.services import user_create
    from apps.candidates.models import Candidate
    from apps.centers.services import center_create, room_create
    from apps.core.roles import Role
    from apps.core.services import synced_save
    from apps.exams.models import Exam, ExamSession, ExamStatus, Paper
    from apps.seating.allocation import allocation_run

    rng = random.Random(42)
    media = Path(settings.MEDIA_ROOT)
    photo = bytes(rng.getrandbits(8) for _ in range(photo_kb * 1024))
    signature = bytes(rng.getrandbits(8) for _ in range(5 * 1024))
    with transaction.atomic():
        center = center_create(code="C1", name="Bench center", city="Pune")
        # Enough seats for everyone: the allocation below seats them, as HQ does before a
        # center package is made (and a results package is accepted only for seated candidates).
        for r in range(max(20, n // 30 + 1)):
            room_create(center=center, code=f"R{r}", capacity=30, rows=5, columns=6)
        user_create(username="manager", role=Role.CENTER_MANAGER, center=center, password="bench-Passw0rd!")  # noqa: S106
        user_create(username="invigilator", role=Role.INVIGILATOR, center=center, password="bench-Passw0rd!")  # noqa: S106
        exam = synced_save(Exam(code="EX", name="Exam", start_date=dt.date(2026, 12, 1), end_date=dt.date(2026, 12, 2)))
        exam.status = ExamStatus.SCHEDULED
        exam.save()
        paper = synced_save(Paper(exam=exam, code="P1", name="P1", max_marks=100, pass_marks=40, duration_minutes=60))
        synced_save(
            ExamSession(exam=exam, paper=paper, date=exam.start_date, start_time=dt.time(10), end_time=dt.time(12))
        )
        batch = []
        for i in range(n):
            p = f"candidates/photos/{i % 256:02x}/bench{i:06d}.jpg"
            s = f"candidates/signatures/{i % 256:02x}/bench{i:06d}.png"
            for name, blob in ((p, photo), (s, signature)):
                path = media / name
                path.parent.mkdir(parents=True, exist_ok=True)
                path.write_bytes(blob[:-8] + i.to_bytes(8, "big"))
            batch.append(
                Candidate(
                    exam=exam,
                    roll_number=f"EX{i:08d}",
                    application_number=f"APP{i:08d}",
                    name=f"Candidate {i}",
                    father_name=f"Father {i}",
                    date_of_birth=dt.date(1995, 1, 1) + dt.timedelta(days=i % 3000),
                    gender="MFO"[i % 3],
                    email=f"c{i}@example.org",
                    phone=f"98{i:08d}",
                    address=f"{i} Long Street, Some Area",
                    city="Pune",
                    state="Maharashtra",
                    preferred_cities=["Pune", "Mumbai"],
                    photo=p,
                    signature=s,
                )
            )
            if len(batch) == 2000:
                Candidate.objects.bulk_create(batch)
                batch = []
        Candidate.objects.bulk_create(batch)
    allocation_run(exam=exam, seed=1)


def _center_exam_day(n: int) -> None:
    """Exam-day rows at the center for its first n candidates: attendance (about 1 in 12
    absent), one audit row each (the first marking) and a few incidents. Bulk-created with
    the sync fields set as the services would set them (origin = this center, version 1)."""
    import datetime as dt

    from django.conf import settings
    from django.db import transaction
    from django.utils import timezone

    from apps.authentication.models import User
    from apps.candidates.models import Candidate
    from apps.centers.models import Center
    from apps.core.roles import Role
    from apps.examday.models import (
        Attendance,
        AttendanceAudit,
        AttendanceSource,
        AttendanceStatus,
        Incident,
        IncidentKind,
    )
    from apps.exams.models import ExamSession

    center = Center.objects.get(code=settings.NODE_CENTER)
    invigilator = User.objects.get(center=center, role=Role.INVIGILATOR)
    session = ExamSession.objects.get()
    tz = timezone.get_default_timezone()
    start = dt.datetime.combine(session.date, session.start_time, tzinfo=tz)
    sync = {"origin": settings.NODE_CENTER, "version": 1, "center": center}
    candidate_ids = list(Candidate.objects.filter(center=center).order_by("roll_number").values_list("pk", flat=True))
    candidate_ids = candidate_ids[:n]
    with transaction.atomic():
        for i in range(0, len(candidate_ids), 2000):
            attendance, audit = [], []
            for j, candidate_id in enumerate(candidate_ids[i : i + 2000], start=i):
                status = AttendanceStatus.ABSENT if j % 12 == 0 else AttendanceStatus.PRESENT
                marked_at = start - dt.timedelta(minutes=30) + dt.timedelta(seconds=j % 1800)
                row = Attendance(
                    candidate_id=candidate_id,
                    session=session,
                    status=status,
                    marked_by=invigilator,
                    marked_at=marked_at,
                    **sync,
                )
                attendance.append(row)
                audit.append(
                    AttendanceAudit(
                        attendance=row,
                        old_status="",
                        new_status=status,
                        source=AttendanceSource.SCAN if status == AttendanceStatus.PRESENT else AttendanceSource.BULK,
                        changed_by=invigilator,
                        changed_at=marked_at,
                        **sync,
                    )
                )
            Attendance.objects.bulk_create(attendance)
            AttendanceAudit.objects.bulk_create(audit)
        kinds = [IncidentKind.LATE_ARRIVAL, IncidentKind.MEDICAL, IncidentKind.MALPRACTICE, IncidentKind.OTHER]
        Incident.objects.bulk_create(
            [
                Incident(
                    session=session,
                    candidate_id=candidate_ids[k * 997 % len(candidate_ids)],
                    kind=kinds[k % len(kinds)],
                    description=f"Bench incident {k}: reported by the invigilator during the session.",
                    reported_by=invigilator,
                    **sync,
                )
                for k in range(7)
            ]
            + [
                Incident(
                    session=session,
                    kind=IncidentKind.PAPER_SHORTAGE,
                    description="Bench incident: two packets short in room R3, spare packets opened.",
                    reported_by=invigilator,
                    **sync,
                )
            ]
        )


def inner(argv: list[str]) -> None:
    _setup()
    from django.core.management import call_command

    step = argv[0]
    phases, counts = {}, {}
    started = time.perf_counter()
    if step == "seed":
        _seed(int(argv[1]), int(argv[2]))
    elif step == "center-exam-day":
        _center_exam_day(int(argv[1]))
    elif step == "import_center_data":
        from apps.sync.importer import package_import

        report = package_import(path=Path(argv[2]))
        phases = report.phases
        counts = {
            key: sum(getattr(c, key) for c in report.models.values()) for key in ("applied", "unchanged", "conflicts")
        }
    else:
        call_command(step, *argv[1:], verbosity=0)
    seconds = time.perf_counter() - started
    rss_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(json.dumps({"seconds": round(seconds, 2), "rss_mb": round(rss_mb), "phases": phases, "counts": counts}))


# --- outer orchestration ---------------------------------------------------------------


class Node:
    def __init__(self, base: Path, name: str, code: str):
        self.dir = base / name
        self.dir.mkdir(parents=True, exist_ok=True)
        self.env = {k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", "REDIS_URL")}
        self.env.update(
            DATA_DIR=str(self.dir),
            NODE_CENTER=code,
            DEBUG="False",
            SECRET_KEY=SECRET,
            JWT_SECRET_KEY=SECRET + "-jwt",
            PYTHONPATH=str(ROOT),
        )

    def step(self, *args, env=None) -> dict:
        proc = subprocess.run(
            [sys.executable, __file__, "--inner", *map(str, args)],
            cwd=ROOT,
            env={**self.env, **(env or {})},
            capture_output=True,
            text=True,
        )
        if proc.returncode != 0:
            raise SystemExit(f"step {args} failed:\n{proc.stdout}\n{proc.stderr}")
        return json.loads(proc.stdout.strip().splitlines()[-1])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--candidates", type=int, default=10_000)
    parser.add_argument("--photo-kb", type=int, default=20)
    parser.add_argument("--keep", help="Work in this directory and keep it (default: a temp dir, removed).")
    args = parser.parse_args()
    base = Path(args.keep or tempfile.mkdtemp(prefix="bench-sync-"))
    n = args.candidates
    rows = []

    def record(name, result, size=None):
        rows.append((name, result["seconds"], size, result["rss_mb"]))
        size_text = f"{size / 1e6:8.2f} MB" if size is not None else " " * 11
        print(f"{name:<58}{result['seconds']:>8.2f} s {size_text} {result['rss_mb']:>6} MB RSS", flush=True)
        if result.get("phases"):
            print(" " * 6 + ", ".join(f"{k} {v:.2f} s" for k, v in result["phases"].items()), flush=True)
        if result.get("counts"):
            print(" " * 6 + ", ".join(f"{k} {v}" for k, v in result["counts"].items()), flush=True)

    try:
        hq = Node(base, "hq", "HQ")
        hq.step("migrate")
        template = base / "empty.sqlite3"
        shutil.copy(hq.dir / "exam_system.sqlite3", template)
        record(f"seed HQ: {n} candidates, photo {args.photo_kb} KB + signature 5 KB", hq.step("seed", n, args.photo_kb))
        # `migrate` made HQ's signing key; the center starts from a copy of the database
        # without running migrate, so it makes its own key explicitly.
        hq.step("sync_keys", "--export-public", base / "hq.pem")

        center = Node(base, "center", "C1")
        shutil.copy(template, center.dir / "exam_system.sqlite3")
        center.step("sync_keys", "--init")
        center.step("sync_keys", "--export-public", base / "c1.pem")
        center.step("sync_keys", "--trust", "HQ", base / "hq.pem")
        hq.step("sync_keys", "--trust", "C1", base / "c1.pem")

        package = base / "center_data.json"
        record(
            "1. export_center_data (center package)",
            hq.step("export_center_data", "--center-id", "C1", "--output-file", package),
            package.stat().st_size,
        )
        first = center.step("import_center_data", "--input-file", package)
        record("2. import_center_data into a fresh center (verify + apply)", first)
        second = center.step("import_center_data", "--input-file", package)
        record("3. import_center_data again (no-op)", second)

        # Django's own tools on the same rows (dumpdata has no media).
        models = ["centers", "authentication.User", "exams", "candidates.Candidate", "sync.TrustedKey"]
        dump = base / "package-rows.json"
        record("   dumpdata of the same rows", hq.step("dumpdata", *models, "--output", dump), dump.stat().st_size)
        gz = base / "gzipped-rows.gz"
        with open(dump, "rb") as src, gzip.open(gz, "wb") as dst:
            shutil.copyfileobj(src, dst)
        loadnode = Node(base, "loaddata", "C1")
        shutil.copy(template, loadnode.dir / "exam_system.sqlite3")
        loaddata = loadnode.step("loaddata", dump)
        record("   loaddata of the same rows into a fresh database", loaddata)

        # Results back to HQ: exam-day rows created at the center (setup, not measured).
        center.step("center-exam-day", n)
        results = base / "results.json"
        record(
            "4a. results package at the center (exam-day rows)",
            center.step("export_center_data", "--output-file", results, "--force"),
            results.stat().st_size,
        )
        record(
            "4b. import of the results package at HQ (verify + apply)",
            hq.step("import_center_data", "--input-file", results),
        )
        record("4c. the same import at HQ again (no-op)", hq.step("import_center_data", "--input-file", results))

        backup = base / "backup.json"
        record(
            "5a. backup_database of HQ (all tables + media)",
            hq.step("backup_database", "--output-file", backup),
            backup.stat().st_size,
        )
        restored = Node(base, "restored", "HQ")
        shutil.copy(template, restored.dir / "exam_system.sqlite3")
        record("5b. restore_database into a fresh database", restored.step("restore_database", "--input-file", backup))
        full = base / "full.json"
        record(
            "   dumpdata of HQ (no media)",
            hq.step(
                "dumpdata",
                "--natural-foreign",
                "--natural-primary",
                "-e",
                "contenttypes",
                "-e",
                "auth.Permission",
                "--output",
                full,
            ),
            full.stat().st_size,
        )
        reload = Node(base, "reloaded", "HQ")
        shutil.copy(template, reload.dir / "exam_system.sqlite3")
        record("   loaddata of HQ into a fresh database (no media)", reload.step("loaddata", full))

        with zipfile.ZipFile(package) as zf:
            data_bytes = sum(i.compress_size for i in zf.infolist() if i.filename.startswith("data/"))
            media_bytes = sum(i.compress_size for i in zf.infolist() if i.filename.startswith("media/"))
        print()
        print(
            f"center package: data files {data_bytes / 1e6:.2f} MB (LZMA) + media {media_bytes / 1e6:.1f} MB; "
            f"gzipped dumpdata of the same rows (no media): {gz.stat().st_size / 1e6:.2f} MB"
        )
        rows_only = first["phases"]["verify"] + first["phases"]["rows"]
        print(
            f"import vs loaddata of the same rows: {loaddata['seconds'] / first['seconds']:.1f}x as fast in total "
            f"(media included, which loaddata does not handle); verify + rows alone: "
            f"{loaddata['seconds'] / rows_only:.1f}x as fast"
        )
        print(f"no-op re-import: {100 * second['seconds'] / first['seconds']:.0f}% of the first import's time")
    finally:
        if not args.keep:
            shutil.rmtree(base, ignore_errors=True)


if __name__ == "__main__":
    if len(sys.argv) > 1 and sys.argv[1] == "--inner":
        inner(sys.argv[2:])
    else:
        main()
