from django.core.exceptions import ValidationError
from django.db.models import QuerySet

from apps.candidates.models import Candidate
from apps.exams.models import Exam


def candidate_list() -> QuerySet[Candidate]:
    """Candidates with their exam and center joined (the list shows both codes)."""
    return Candidate.objects.select_related("exam", "center")


def exam_by_code_or_id(value: str) -> Exam | None:
    """An exam by code (case-insensitive) or UUID; commands accept either (DESIGN.md §4)."""
    exam = Exam.objects.filter(code__iexact=value).first()
    if exam is None:
        try:
            exam = Exam.objects.filter(pk=value).first()
        except (ValueError, ValidationError):  # not a UUID
            exam = None
    return exam
