"""Reads of question papers: the lists the API and admin start from, and when a paper's
answer keys open to exam managers."""

import datetime as dt

from django.db.models import Count, Max, QuerySet
from django.utils import timezone

from apps.exams.models import ExamSession
from apps.questions.models import PaperQuestion, PaperSet, QuestionPaper, SetQuestion


def paper_list() -> QuerySet[QuestionPaper]:
    return QuestionPaper.objects.select_related("session__exam", "session__paper").annotate(
        question_count=Count("questions", distinct=True), set_count_built=Count("sets", distinct=True)
    )


def paper_questions(paper: QuestionPaper) -> QuerySet[PaperQuestion]:
    return paper.questions.select_related("question__subject", "version").order_by("position")


def paper_sets(paper: QuestionPaper) -> QuerySet[PaperSet]:
    return paper.sets.annotate(question_count=Count("items")).order_by("letter")


def set_items(paper_set: PaperSet) -> QuerySet[SetQuestion]:
    """A set's questions in print order, with what printing needs."""
    return (
        SetQuestion.objects.filter(paper_set=paper_set)
        .select_related("paper_question__question", "paper_question__version__passage")
        .order_by("position")
    )


def last_session_end(paper: QuestionPaper) -> dt.datetime:
    """When the last session of the paper's exam paper ends (every shift), in local time
    (settings.TIME_ZONE): the moment its answer keys open to exam managers."""
    sessions = ExamSession.objects.filter(paper_id=paper.session.paper_id)
    last_date = sessions.aggregate(day=Max("date"))["day"]
    end = sessions.filter(date=last_date).aggregate(end=Max("end_time"))["end"]
    return dt.datetime.combine(last_date, end, tzinfo=timezone.get_default_timezone())


def keys_open_to_exam_managers(paper: QuestionPaper, *, now: dt.datetime | None = None) -> bool:
    return (now or timezone.now()) >= last_session_end(paper)
