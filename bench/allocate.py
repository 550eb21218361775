"""Benchmark: seat allocation at scale, against a naive per-candidate ORM loop.

    DEBUG=False SECRET_KEY=... JWT_SECRET_KEY=... \
        .venv/bin/python bench/allocate.py --candidates 1000000 --centers 1000

Each phase runs in its own process on a fresh SQLite database in a temporary DATA_DIR
(never the project's), so its peak RSS is its own:

* build:    centers, rooms, an exam with paper P1 held in --shifts sessions (default 1) and
            --sessions - 1 more papers held once, candidates (raw executemany)
* allocate: `allocation_run` (the service), timed, peak RSS
* naive:    the obvious loop (per candidate: count seats per center, create, save) at
            --naive-candidates, on its own database
* admit:    admit-card PDFs per second over --admit-cards candidates (with a 300x400 photo
            and a signature each, unless --no-photos)
* rerun:    1% late registrations, then a second run that keeps every existing seat

Needs DEBUG=False (with DEBUG=True Django keeps every SQL statement in memory).
"""

import argparse
import json
import os
import random
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def setup_django():
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "exam_system.settings")
    import django

    django.setup()


def peak_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def phase_build(args):
    setup_django()
    import datetime as dt

    from django.core.management import call_command
    from django.db import transaction
    from django.utils import timezone
    from uuid_utils.compat import uuid7

    from apps.candidates.models import Candidate
    from apps.centers.models import Center, Room
    from apps.core.bulk import bulk_insert
    from apps.exams.models import Exam, ExamSession, Paper

    call_command("migrate", verbosity=0)
    started = time.monotonic()
    rng = random.Random(7)
    n_cities = max(3, args.centers // 10)
    states = [f"State{i:02d}" for i in range(max(1, n_cities // 5))]
    cities = [(f"City{i:03d}", states[i % len(states)]) for i in range(n_cities)]
    # Seats: 10% more than candidates, spread evenly over the centers, 100-seat rooms. With
    # P1 in shifts (and no paper held once) a center seats its share once per shift.
    per_shift = args.shifts if args.sessions <= 1 else 1
    seats_per_center = int(args.candidates * 1.1 / args.centers / per_shift) + 1
    rooms_per_center = max(1, -(-seats_per_center // 100))
    now = timezone.now()
    born = dt.date(2000, 1, 1)
    with transaction.atomic():
        exam = Exam.objects.create(
            code="BENCH",
            name="Bench",
            start_date=dt.date(2026, 12, 1),
            end_date=dt.date(2026, 12, 31),
            status="scheduled",
        )
        paper = Paper.objects.create(
            exam=exam, code="P1", name="P1", max_marks=100, pass_marks=40, duration_minutes=120, set_count=4
        )
        for shift in range(args.shifts):  # P1: one session, or one per shift (two a day)
            day, start = divmod(shift, 2)
            ExamSession.objects.create(
                exam=exam,
                paper=paper,
                date=dt.date(2026, 12, 1 + day),
                start_time=dt.time(9 + 5 * start),
                end_time=dt.time(11 + 5 * start),
            )
        for extra in range(1, args.sessions):  # more papers, each held once
            other = Paper.objects.create(
                exam=exam,
                code=f"P{extra + 1}",
                name=f"P{extra + 1}",
                max_marks=100,
                pass_marks=40,
                duration_minutes=120,
                set_count=4,
            )
            ExamSession.objects.create(
                exam=exam,
                paper=other,
                date=dt.date(2026, 12, 20 + extra),
                start_time=dt.time(10),
                end_time=dt.time(12),
            )
        centers = [
            Center(code=f"C{i:04d}", name=f"Center {i}", city=cities[i % n_cities][0], state=cities[i % n_cities][1])
            for i in range(args.centers)
        ]
        Center.objects.bulk_create(centers, batch_size=500)
        rooms = []
        for center in centers:
            for r in range(rooms_per_center):
                rooms.append(
                    Room(
                        center=center,
                        code=f"R{r:03d}",
                        rows=10,
                        columns=10,
                        capacity=100,
                        floor=0 if r < 2 else 1,
                        is_accessible=r == 0,
                    )
                )
        Room.objects.bulk_create(rooms, batch_size=500)
        fields = [
            "id",
            "created_at",
            "updated_at",
            "origin",
            "version",
            "exam",
            "roll_number",
            "application_number",
            "name",
            "father_name",
            "date_of_birth",
            "gender",
            "category",
            "pwd",
            "extra_time_minutes",
            "email",
            "phone",
            "address",
            "city",
            "state",
            "preferred_cities",
            "photo",
            "signature",
            "status",
        ]
        batch = []
        for i in range(args.candidates):
            home = cities[rng.randrange(n_cities)][0]
            prefs = [home, *rng.sample(cities, 2)]
            prefs = [prefs[0], prefs[1][0], prefs[2][0]]
            batch.append(
                (
                    uuid7(),
                    now,
                    now,
                    "HQ",
                    1,
                    exam.id,
                    f"B{i:08d}",
                    "",
                    f"Candidate {i}",
                    "",
                    born,
                    "MF"[i % 2],
                    "GEN",
                    i % 100 == 0,
                    0,
                    "",
                    "",
                    "",
                    home,
                    "",
                    prefs,
                    "",
                    "",
                    "registered",
                )
            )
            if len(batch) >= 50_000:
                bulk_insert(Candidate, fields, batch)
                batch = []
        bulk_insert(Candidate, fields, batch)
    return {"phase": "build", "seconds": round(time.monotonic() - started, 1), "rooms": len(rooms)}


def phase_allocate(args):
    setup_django()
    from apps.exams.models import Exam
    from apps.seating.allocation import allocation_run

    exam = Exam.objects.get(code="BENCH")
    started = time.monotonic()
    result = allocation_run(exam=exam, seed=1)
    seconds = time.monotonic() - started
    return {
        "phase": "allocate",
        "seconds": round(seconds, 1),
        "peak_rss_mb": round(peak_rss_mb()),
        "placed": result.placed,
        "unplaced": result.unplaced_count,
        "allocations": result.allocations_created,
        "per_shift": {label: line["seated"] for label, line in result.per_shift.items()},
        "timings": {k: round(v, 1) for k, v in result.timings.items()},
    }


def phase_rerun(args):
    """A second run over an allocated exam with 1% late registrations: keeps every seat."""
    setup_django()
    import datetime as dt

    from apps.candidates.models import Candidate
    from apps.exams.models import Exam
    from apps.seating.allocation import allocation_run

    exam = Exam.objects.get(code="BENCH")
    late = max(1, args.candidates // 100)
    Candidate.objects.bulk_create(
        [
            Candidate(
                exam=exam,
                roll_number=f"L{i:08d}",
                name=f"Late {i}",
                date_of_birth=dt.date(2000, 1, 1),
                gender="F",
                city="City000",
                preferred_cities=["City001"],
            )
            for i in range(late)
        ],
        batch_size=2000,
    )
    started = time.monotonic()
    result = allocation_run(exam=exam, seed=1)
    seconds = time.monotonic() - started
    return {
        "phase": "rerun (+1% late registrations)",
        "seconds": round(seconds, 1),
        "peak_rss_mb": round(peak_rss_mb()),
        "kept": result.kept,
        "placed": result.placed,
        "unplaced": result.unplaced_count,
    }


def phase_naive(args):
    """What a Django user would write first: per candidate, find a center with a free
    seat by counting allocations, then a free seat in a room, create, save."""
    setup_django()
    from django.db import transaction
    from django.db.models import Sum

    from apps.candidates.models import Candidate
    from apps.centers.models import Center
    from apps.exams.models import Exam
    from apps.seating.models import Allocation

    exam = Exam.objects.get(code="BENCH")
    sessions = list(exam.sessions.select_related("paper"))
    started = time.monotonic()
    placed = 0
    with transaction.atomic():
        for candidate in Candidate.objects.filter(exam=exam, status="registered").order_by("roll_number"):
            chosen = None
            for city in [*candidate.preferred_cities, candidate.city]:
                for center in Center.objects.filter(city=city, is_active=True).order_by("code"):
                    capacity = center.rooms.aggregate(total=Sum("capacity"))["total"] or 0
                    used = Allocation.objects.filter(center=center, session=sessions[0]).count()
                    if used < capacity:
                        chosen = center
                        break
                if chosen:
                    break
            if chosen is None:
                continue
            for room in chosen.rooms.order_by("-is_accessible", "floor", "code"):
                used = Allocation.objects.filter(room=room, session=sessions[0]).count()
                if used < room.capacity:
                    seat = used + 1
                    row, column = (seat - 1) // room.columns + 1, (seat - 1) % room.columns + 1
                    for session in sessions:
                        Allocation.objects.create(
                            candidate=candidate,
                            exam=exam,
                            session=session,
                            center=chosen,
                            room=room,
                            row=row,
                            column=column,
                            seat_number=seat,
                            paper_set="ABCD"[(column + 2 * row) % 4],
                        )
                    break
            candidate.status = "allocated"
            candidate.center = chosen
            candidate.save()
            placed += 1
    seconds = time.monotonic() - started
    return {"phase": "naive", "seconds": round(seconds, 1), "peak_rss_mb": round(peak_rss_mb()), "placed": placed}


def phase_admit(args):
    setup_django()
    import zipfile

    from apps.exams.models import Exam
    from apps.seating.admit_cards import admit_cards_write_zip
    from apps.sync.keys import create_node_key, node_key_exists

    if not node_key_exists():
        create_node_key()
    exam = Exam.objects.get(code="BENCH")
    if args.photos:
        # A realistic photo (300x400 JPEG) and signature for the cards we render.
        from django.conf import settings
        from PIL import Image

        from apps.candidates.models import Candidate

        media = Path(settings.MEDIA_ROOT) / "bench"
        media.mkdir(parents=True, exist_ok=True)
        photo = Image.effect_noise((300, 400), 60).convert("RGB")
        photo.save(media / "photo.jpg", quality=85)
        Image.new("L", (300, 100), 255).save(media / "sig.png")
        first = Candidate.objects.filter(exam=exam, status="allocated").order_by("roll_number")
        ids = list(first.values_list("id", flat=True)[: args.admit_cards])
        Candidate.objects.filter(id__in=ids).update(photo="bench/photo.jpg", signature="bench/sig.png")
    out = Path(os.environ["DATA_DIR"]) / "cards.zip"
    started = time.monotonic()
    count = admit_cards_write_zip(exam=exam, output=out, limit=args.admit_cards)
    seconds = time.monotonic() - started
    with zipfile.ZipFile(out) as zf:
        assert len(zf.namelist()) == count
    return {
        "phase": "admit",
        "cards": count,
        "seconds": round(seconds, 1),
        "pdfs_per_second": round(count / seconds, 1),
        "with_photos": args.photos,
        "peak_rss_mb": round(peak_rss_mb()),
    }


PHASES = {
    "build": phase_build,
    "allocate": phase_allocate,
    "rerun": phase_rerun,
    "naive": phase_naive,
    "admit": phase_admit,
}


def run_phase(phase: str, args, data_dir: str, candidates: int, centers: int) -> dict:
    env = {**os.environ, "DATA_DIR": data_dir, "DEBUG": "False", "DATABASE_URL": ""}
    env.setdefault("SECRET_KEY", "bench-secret-key-" + "x" * 40)
    env.setdefault("JWT_SECRET_KEY", "bench-jwt-secret-key-" + "y" * 40)
    cmd = [
        sys.executable,
        __file__,
        "--phase",
        phase,
        "--candidates",
        str(candidates),
        "--centers",
        str(centers),
        "--sessions",
        str(args.sessions),
        "--shifts",
        str(args.shifts),
        "--admit-cards",
        str(args.admit_cards),
        *([] if args.photos else ["--no-photos"]),
    ]
    out = subprocess.run(cmd, env=env, capture_output=True, text=True, cwd=ROOT, check=False)
    if out.returncode != 0:
        sys.exit(f"phase {phase} failed:\n{out.stderr}")
    result = json.loads(out.stdout.strip().splitlines()[-1])
    print(json.dumps(result), flush=True)
    return result


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--candidates", type=int, default=1_000_000)
    parser.add_argument("--centers", type=int, default=1_000)
    parser.add_argument("--sessions", type=int, default=1, help="papers: P1, then papers held once after it")
    parser.add_argument("--shifts", type=int, default=1, help="sessions (shifts) of paper P1: each candidate sits one")
    parser.add_argument("--naive-candidates", type=int, default=10_000)
    parser.add_argument("--admit-cards", type=int, default=500)
    parser.add_argument("--skip-naive", action="store_true")
    parser.add_argument("--no-photos", dest="photos", action="store_false", help="admit cards without photos")
    parser.add_argument("--phase", choices=sorted(PHASES), help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.phase:
        print(json.dumps(PHASES[args.phase](args)))
        return

    results = []
    with tempfile.TemporaryDirectory(prefix="bench-allocate-") as data_dir:
        results.append(run_phase("build", args, data_dir, args.candidates, args.centers))
        results.append(run_phase("allocate", args, data_dir, args.candidates, args.centers))
        results.append(run_phase("admit", args, data_dir, args.candidates, args.centers))
        results.append(run_phase("rerun", args, data_dir, args.candidates, args.centers))
    if not args.skip_naive:
        naive_centers = max(1, args.centers * args.naive_candidates // args.candidates)
        with tempfile.TemporaryDirectory(prefix="bench-naive-") as data_dir:
            run_phase("build", args, data_dir, args.naive_candidates, naive_centers)
            naive = run_phase("naive", args, data_dir, args.naive_candidates, naive_centers)
            results.append({**naive, "candidates": args.naive_candidates, "centers": naive_centers})
        with tempfile.TemporaryDirectory(prefix="bench-small-") as data_dir:
            run_phase("build", args, data_dir, args.naive_candidates, naive_centers)
            small = run_phase("allocate", args, data_dir, args.naive_candidates, naive_centers)
            results.append({**small, "phase": "allocate (same size as naive)", "candidates": args.naive_candidates})
    print(f"{'phase':<32} {'seconds':>9} {'peak RSS MB':>12}  notes")
    for r in results:
        notes = {k: v for k, v in r.items() if k not in ("phase", "seconds", "peak_rss_mb")}
        print(f"{r['phase']:<32} {r['seconds']:>9} {r.get('peak_rss_mb', ''):>12}  {notes}")
    print(f"(candidates={args.candidates}, centers={args.centers}, sessions={args.sessions}, shifts={args.shifts})")


if __name__ == "__main__":
    main()
