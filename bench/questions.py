"""Benchmark: a question bank at scale, a paper drawn from it, its sets printed.

    DEBUG=False .venv/bin/python bench/questions.py --bank 100000 [--questions 200] [--sets 4]

Each step runs in its own process on one fresh SQLite database in a temporary DATA_DIR
(never the project's), so each step's peak RSS is its own:

* bank:   --bank approved questions (bilingual, four options, topics and difficulties, one
          in 20 with a passage) and their frozen versions, written with bulk_create
* import: `import_questions` on a generated --import-count-question Moodle XML file, next to
          the obvious alternative (the bank's `create_question` once per question, 1,000 of them)
* draw:   a --questions-question paper from a two-section blueprint (`build_from_blueprint`)
* sets:   `build_sets` (--sets sets: the exam paper's set_count)
* pdf:    `render_set_pdf` of each set, timed one by one

Targets (docs/benchmarks.md): import >= 1,000 questions/s, draw < 1 s, a 200-question set PDF < 3 s.
"""

import argparse
import json
import os
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


TOPICS = ["Mechanics/Kinematics", "Mechanics/Dynamics", "Optics", "Thermodynamics", "Electricity", "Modern"]
DIFFICULTIES = ["easy", "medium", "hard"]


def step_bank(args) -> dict:
    setup_django()
    import datetime as dt
    from decimal import Decimal

    from django.core.management import call_command
    from django.db import transaction
    from django.utils import timezone

    from apps.authentication.models import User
    from apps.exams.models import Exam, ExamSession, Paper
    from apps.questions.models import Passage, Question, QuestionVersion, Subject
    from apps.questions.numbering import reserve_numbers

    call_command("migrate", verbosity=0)
    started = time.monotonic()
    now = timezone.now()
    with transaction.atomic():
        User.objects.create(username="bench-admin", role="admin", is_staff=True, is_superuser=True)
        exam = Exam.objects.create(
            code="BENCH", name="Bench exam", start_date=dt.date(2026, 12, 1), end_date=dt.date(2026, 12, 2)
        )
        paper = Paper.objects.create(
            exam=exam,
            code="P1",
            name="Physics",
            max_marks=800,
            pass_marks=300,
            duration_minutes=180,
            set_count=args.sets,
        )
        ExamSession.objects.create(
            exam=exam, paper=paper, date=dt.date(2026, 12, 1), start_time=dt.time(10), end_time=dt.time(13)
        )
        subject = Subject.objects.create(code="PHY", name="Physics")
        passages = Passage.objects.bulk_create(
            [
                Passage(subject=subject, title=f"Passage {i}", text={"en": f"Passage {i} text.", "hi": f"गद्यांश {i}।"})
                for i in range(args.bank // 60 + 1)
            ]
        )
        first = reserve_numbers(args.bank)
        batch = 5000
        for start in range(0, args.bank, batch):
            questions, versions = [], []
            for i in range(start, min(start + batch, args.bank)):
                passage = passages[i // 3 % len(passages)] if i % 20 < 3 else None  # passages of three
                content = {
                    "type": "single",
                    "text": {
                        "en": f"Question {i}: what is the speed of the body?",
                        "hi": f"प्रश्न {i}: पिंड की चाल क्या है?",
                    },
                    "options": [
                        {
                            "text": {"en": f"{i} option {k}", "hi": f"{i} विकल्प {k}"},
                            "correct": k == i % 4,
                            "fixed": k == 3,
                        }
                        for k in range(4)
                    ],
                    "marks": Decimal(4),
                    "negative_marks": Decimal(1),
                    "difficulty": DIFFICULTIES[i // len(TOPICS) % 3],
                    "topic": TOPICS[i % len(TOPICS)],
                    "passage": passage,
                }
                question = Question(subject=subject, number=first + i, status="approved", **content)
                questions.append(question)
                versions.append(QuestionVersion(question=question, number=1, approved_at=now, **content))
            Question.objects.bulk_create(questions)
            QuestionVersion.objects.bulk_create(versions)
            for question, version in zip(questions, versions, strict=True):
                question.approved_version = version
            Question.objects.bulk_update(questions, ["approved_version"], batch_size=2000)
    seconds = time.monotonic() - started
    return {
        "step": f"bank ({args.bank:,} questions)",
        "seconds": round(seconds, 2),
        "rows_per_second": round(args.bank / seconds) if seconds else None,
        "peak_rss_mb": round(peak_rss_mb()),
    }


def write_moodle_xml(path: Path, count: int) -> None:
    """A Moodle XML file of `count` questions as Moodle writes them: HTML text in CDATA, a
    category every 500 questions, single choice (one in two), true/false and numerical."""
    with open(path, "w", encoding="utf-8") as out:
        out.write('<?xml version="1.0" encoding="UTF-8"?>\n<quiz>\n')
        for i in range(count):
            if i % 500 == 0:
                out.write(
                    '<question type="category"><category><text>$course$/top/Physics/Imported '
                    f"{i // 500}</text></category></question>\n"
                )
            kind = i % 4
            if kind < 2:
                answers = "".join(
                    f'<answer fraction="{100 if j == i % 4 else -25}" format="html"><text><![CDATA[<p>Option {j} '
                    f"of question {i}</p>]]></text></answer>"
                    for j in range(4)
                )
                out.write(
                    f'<question type="multichoice"><name><text>Q{i}</text></name><questiontext format="html">'
                    f"<text><![CDATA[<p>Question {i}: which of these is <strong>right</strong>? A stem as long "
                    f"as real ones, with H<sub>2</sub>O.</p>]]></text></questiontext><defaultgrade>4</defaultgrade>"
                    f"<single>true</single>{answers}</question>\n"
                )
            elif kind == 2:
                out.write(
                    f'<question type="truefalse"><name><text>Q{i}</text></name><questiontext format="html"><text>'
                    f"<![CDATA[<p>Statement {i} is true.</p>]]></text></questiontext>"
                    '<answer fraction="100"><text>true</text></answer><answer fraction="0"><text>false</text>'
                    "</answer></question>\n"
                )
            else:
                out.write(
                    f'<question type="numerical"><name><text>Q{i}</text></name><questiontext format="html"><text>'
                    f"<![CDATA[<p>Compute {i} / 7.</p>]]></text></questiontext><defaultgrade>3</defaultgrade>"
                    f'<answer fraction="100"><text>{i / 7:.3f}</text><tolerance>0.01</tolerance></answer>'
                    "</question>\n"
                )
        out.write("</quiz>\n")


def step_import(args) -> dict:
    """`import_questions` on a --import-count-question Moodle XML (one transaction, bulk inserts)."""
    setup_django()
    from apps.authentication.models import User
    from apps.questions.formats.importing import import_questions

    path = Path(os.environ["DATA_DIR"]) / "bank.xml"
    write_moodle_xml(path, args.import_count)
    user = User.objects.get(username="bench-admin")
    started = time.monotonic()
    report = import_questions(source=path, format=None, user=user)
    seconds = time.monotonic() - started
    assert report.imported == args.import_count, report.as_dict()
    return {
        "step": f"import ({args.import_count:,} Moodle XML)",
        "seconds": round(seconds, 2),
        "rows_per_second": round(report.imported / seconds),
        "file_mb": round(path.stat().st_size / 1e6, 1),
        "peak_rss_mb": round(peak_rss_mb()),
    }


def step_import_naive(args) -> dict:
    """The obvious alternative: the bank's `create_question` service once per parsed question
    (validation, number, row and history each time), on the first 1,000 questions of the file."""
    setup_django()
    from django.db import transaction

    from apps.authentication.models import User
    from apps.questions.bank.services import create_question
    from apps.questions.formats import moodle_xml
    from apps.questions.models import Subject

    path = Path(os.environ["DATA_DIR"]) / "bank.xml"
    user = User.objects.get(username="bench-admin")
    subject = Subject.objects.get(code="PHY")
    count = min(1000, args.import_count)
    with open(path, "rb") as handle:
        items = [item for item in moodle_xml.parse(handle) if item.content is not None][:count]
    started = time.monotonic()
    with transaction.atomic():
        for item in items:
            create_question(user=user, subject=subject, data=item.content)
    seconds = time.monotonic() - started
    return {
        "step": f"import, one create_question each ({len(items):,})",
        "seconds": round(seconds, 2),
        "rows_per_second": round(len(items) / seconds),
        "peak_rss_mb": round(peak_rss_mb()),
    }


def _paper_and_user():
    from apps.authentication.models import User
    from apps.exams.models import ExamSession
    from apps.questions.models import QuestionPaper

    user = User.objects.get(username="bench-admin")
    session = ExamSession.objects.get(exam__code="BENCH")
    return user, session, QuestionPaper.objects.filter(session=session).first()


def step_draw(args) -> dict:
    setup_django()
    from apps.questions.papers import services

    user, session, _ = _paper_and_user()
    half = args.questions // 2
    blueprint = [
        {"title": "Mechanics", "rules": [{"subject": "PHY", "topic": "Mechanics", "count": half, "marks": "4"}]},
        {
            "title": "The rest",
            "rules": [
                {"subject": "PHY", "topic": "Optics", "difficulty": "easy", "count": (args.questions - half) // 2},
                {"subject": "PHY", "count": args.questions - half - (args.questions - half) // 2},
            ],
        },
    ]
    paper = services.create_paper(user=user, session=session, blueprint=blueprint, seed=2026, languages=["en", "hi"])
    started = time.monotonic()
    drawn = services.build_from_blueprint(user=user, paper=paper)
    seconds = time.monotonic() - started
    return {
        "step": f"draw ({len(drawn)} of {args.bank:,})",
        "seconds": round(seconds, 3),
        "peak_rss_mb": round(peak_rss_mb()),
    }


def step_sets(args) -> dict:
    setup_django()
    from apps.questions.papers import services

    user, _, paper = _paper_and_user()
    started = time.monotonic()
    sets = services.build_sets(user=user, paper=paper)
    seconds = time.monotonic() - started
    return {"step": f"sets ({len(sets)})", "seconds": round(seconds, 3), "peak_rss_mb": round(peak_rss_mb())}


def step_pdf(args) -> dict:
    setup_django()
    from pypdf import PdfReader

    from apps.questions.papers.printing import render_set_pdf

    _, _, paper = _paper_and_user()
    timings, sizes, pages = {}, {}, {}
    for paper_set in paper.sets.select_related("paper__session__paper__exam").order_by("letter"):
        started = time.monotonic()
        pdf = render_set_pdf(paper_set)
        timings[paper_set.letter] = round(time.monotonic() - started, 2)
        sizes[paper_set.letter] = len(pdf)
        import io

        pages[paper_set.letter] = len(PdfReader(io.BytesIO(pdf)).pages)
    return {
        "step": f"pdf ({len(timings)} sets, en | hi)",
        "seconds": round(sum(timings.values()), 2),
        "per_set_seconds": timings,
        "pages": pages,
        "kb": {k: v // 1024 for k, v in sizes.items()},
        "peak_rss_mb": round(peak_rss_mb()),
    }


STEPS = {
    "bank": step_bank,
    "import": step_import,
    "import_naive": step_import_naive,
    "draw": step_draw,
    "sets": step_sets,
    "pdf": step_pdf,
}


def run_step(step: str, args, data_dir: str) -> dict | None:
    env = {**os.environ, "DATA_DIR": data_dir, "DEBUG": "False", "DATABASE_URL": ""}
    env.setdefault("SECRET_KEY", "bench-secret-key-" + "x" * 40)
    env.setdefault("JWT_SECRET_KEY", "bench-jwt-secret-key-" + "y" * 40)
    cmd = [sys.executable, __file__, "--step", step, "--bank", str(args.bank), "--questions", str(args.questions)]
    cmd += ["--sets", str(args.sets), "--import-count", str(args.import_count)]
    out = subprocess.run(cmd, env=env, capture_output=True, text=True, cwd=ROOT, check=False)
    if out.returncode != 0:
        sys.exit(f"step {step} failed:\n{out.stderr}")
    result = json.loads(out.stdout.strip().splitlines()[-1])
    if result is not None:
        print(json.dumps(result, ensure_ascii=False), flush=True)
    return result


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--bank", type=int, default=100_000, help="approved questions in the bank")
    parser.add_argument("--questions", type=int, default=200, help="questions in the paper")
    parser.add_argument("--sets", type=int, default=4, help="sets of the paper")
    parser.add_argument("--import-count", type=int, default=10_000, help="questions in the imported Moodle XML")
    parser.add_argument("--step", choices=sorted(STEPS), help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.step:
        print(json.dumps(STEPS[args.step](args), ensure_ascii=False))
        return
    results = []
    with tempfile.TemporaryDirectory(prefix="bench-questions-") as data_dir:
        for step in STEPS:
            result = run_step(step, args, data_dir)
            if result is not None:
                results.append(result)
    print(f"{'step':<32} {'seconds':>9} {'peak RSS MB':>12}  notes")
    for r in results:
        notes = {k: v for k, v in r.items() if k not in ("step", "seconds", "peak_rss_mb")}
        print(f"{r['step']:<32} {r['seconds']:>9} {r.get('peak_rss_mb', ''):>12}  {notes}")
    print(f"(bank={args.bank}, questions={args.questions}, sets={args.sets})")


if __name__ == "__main__":
    main()
