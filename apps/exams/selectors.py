from django.db.models import QuerySet

from apps.exams.models import Exam, ExamSession, Paper


def exam_list() -> QuerySet[Exam]:
    return Exam.objects.all()


def paper_list() -> QuerySet[Paper]:
    return Paper.objects.select_related("exam")


def session_list() -> QuerySet[ExamSession]:
    return ExamSession.objects.select_related("exam", "paper")


def exam_by_code_or_id(value: str) -> Exam | None:
    """Find an exam by its code or UUID (commands accept either: DESIGN.md §4)."""
    exam = Exam.objects.filter(code=value).first()
    if exam is None:
        try:
            exam = Exam.objects.filter(pk=value).first()
        except Exception:  # not a UUID
            exam = None
    return exam
