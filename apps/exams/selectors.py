from django.db.models import QuerySet

from apps.exams.models import Exam, ExamSession, Paper
from utils.lookups import by_code_or_id


def exam_list() -> QuerySet[Exam]:
    return Exam.objects.all()


def paper_list() -> QuerySet[Paper]:
    return Paper.objects.select_related("exam")


def session_list() -> QuerySet[ExamSession]:
    return ExamSession.objects.select_related("exam", "paper")


def exam_by_code_or_id(value: str) -> Exam | None:
    """An exam by its code or UUID (commands accept either: DESIGN.md §4)."""
    return by_code_or_id(Exam.objects.all(), value)
