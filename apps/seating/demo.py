"""A small, realistic dataset for trying the system (`python manage.py seed_demo`).

Each later feature adds its own part here, so a fresh database always shows every
feature with something in it.
"""

import datetime as dt
from dataclasses import dataclass, field

from django.db import transaction

from apps.authentication.models import User
from apps.authentication.services import user_create
from apps.centers.models import Center
from apps.centers.services import center_create, room_create
from apps.core.roles import Role
from apps.exams.models import Exam, ExamStatus, PaperKind
from apps.exams.services import exam_create, paper_create, session_create

DEMO_PASSWORD = "demo-pass-2026"  # noqa: S105  (documented demo credential)

CENTERS = [
    ("DEL01", "Delhi Public School, R.K. Puram", "Sector 12, R.K. Puram", "New Delhi", "Delhi", "01126171265"),
    ("MUM01", "St. Xavier's College", "5 Mahapalika Marg, Fort", "Mumbai", "Maharashtra", "02222620661"),
    ("BLR01", "Bishop Cotton Boys' School", "15 Residency Road", "Bengaluru", "Karnataka", "08022213940"),
]


@dataclass
class DemoReport:
    centers: int = 0
    rooms: int = 0
    exams: int = 0
    papers: int = 0
    sessions: int = 0
    candidates: int = 0
    users: list[tuple[str, str, str]] = field(default_factory=list)  # (username, role, center)
    allocated: int = 0  # candidates given seats (when the demo has candidates)


class DemoAlreadySeeded(Exception):
    pass


@transaction.atomic
def seed_demo(*, today: dt.date | None = None) -> DemoReport:
    """Create demo centers, rooms, an exam with papers and sessions, one user per role.

    Refuses (DemoAlreadySeeded) when the demo exam already exists.
    """
    if Exam.objects.filter(code="DEMO2026").exists():
        raise DemoAlreadySeeded("The demo data is already there (exam DEMO2026 exists).")
    today = today or dt.date.today()
    report = DemoReport()
    centers: list[Center] = []
    for code, name, address, city, state, phone in CENTERS:
        center = center_create(code=code, name=name, address=address, city=city, state=state, contact_phone=phone)
        centers.append(center)
        report.centers += 1
        for number in range(1, 4):
            room_create(
                center=center,
                code=f"R{number:02d}",
                name=f"Room {number:02d}",
                capacity=30,
                rows=6,
                columns=5,
                floor=0 if number == 1 else 1,
                is_accessible=number == 1,
            )
            report.rooms += 1

    start = today + dt.timedelta(days=30)
    exam = exam_create(
        code="DEMO2026",
        name="National Entrance Test 2026 (demo)",
        description="A demo exam with one objective and one descriptive paper.",
        start_date=start,
        end_date=start + dt.timedelta(days=1),
        status=ExamStatus.SCHEDULED,
    )
    report.exams += 1
    papers = [
        paper_create(
            exam=exam,
            code="P1",
            name="General Aptitude",
            max_marks=100,
            pass_marks=40,
            duration_minutes=120,
            kind=PaperKind.OBJECTIVE,
        ),
        paper_create(
            exam=exam,
            code="P2",
            name="Essay Writing",
            max_marks=50,
            pass_marks=20,
            duration_minutes=90,
            kind=PaperKind.DESCRIPTIVE,
        ),
    ]
    report.papers += len(papers)
    for offset, paper in enumerate(papers):
        session_create(
            exam=exam,
            paper=paper,
            date=start + dt.timedelta(days=offset),
            start_time=dt.time(10, 0),
            end_time=dt.time(10 + paper.duration_minutes // 60, paper.duration_minutes % 60),
        )
        report.sessions += 1

    from apps.candidates.demo import seed_demo_candidates  # candidates depend on exams, not back

    report.candidates += seed_demo_candidates(exam=exam)

    people = [
        ("demo_admin", Role.ADMIN, None),
        ("demo_exam_manager", Role.EXAM_MANAGER, None),
        ("demo_paper_setter", Role.PAPER_SETTER, None),
        ("demo_center_manager", Role.CENTER_MANAGER, centers[0]),
        ("demo_invigilator", Role.INVIGILATOR, centers[0]),
        ("demo_evaluator", Role.EVALUATOR, None),
    ]
    for username, role, center in people:
        if User.objects.filter(username=username).exists():
            continue
        user_create(username=username, password=DEMO_PASSWORD, role=role, center=center)
        report.users.append((username, role, center.code if center else ""))
    _seed_logistics(exam, report)
    return report


def _seed_logistics(exam: Exam, report: DemoReport) -> None:
    """Seat the demo exam's candidates, if the demo has any (admit cards, sheets, attendance)."""
    from apps.candidates.models import Candidate
    from apps.seating.allocation import allocation_run

    if Candidate.objects.filter(exam=exam).exists():
        report.allocated = allocation_run(exam=exam, seed=2026).placed
