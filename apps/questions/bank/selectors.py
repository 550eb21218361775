"""Reads of the question bank: the querysets the API, the admin and other parts start from.

They are not scoped: callers pass them through `apps.core.scoping.scope_for`.
"""

import json

from django.db import connection
from django.db.models import Prefetch, Q, QuerySet, TextField
from django.db.models.functions import Cast

from apps.questions.choices import QuestionStatus
from apps.questions.models import Passage, Question, QuestionHistory, QuestionImage, QuestionVersion, SetterAssignment


def current_images() -> QuerySet[QuestionImage]:
    """Images of the working copies (removed ones stay only for the versions listing them)."""
    return QuestionImage.objects.filter(removed_at__isnull=True)


def question_list() -> QuerySet[Question]:
    """Questions with what the list shows joined or prefetched: a constant number of queries."""
    return Question.objects.select_related("subject", "author", "approved_version").prefetch_related(
        Prefetch("images", queryset=current_images(), to_attr="current_images")
    )


def drawable_questions() -> QuerySet[Question]:
    """Questions a paper may draw: approved at least once and not retired. Draw their
    `approved_version`, never the working copy (which may be a newer draft)."""
    return Question.objects.filter(approved_version__isnull=False).exclude(status=QuestionStatus.RETIRED)


def question_history(question: Question) -> QuerySet[QuestionHistory]:
    return QuestionHistory.objects.filter(question=question).select_related("actor").order_by("id")


def question_versions(question: Question) -> QuerySet[QuestionVersion]:
    return QuestionVersion.objects.filter(question=question).select_related("author", "approved_by").order_by("number")


def passage_list() -> QuerySet[Passage]:
    return Passage.objects.select_related("subject", "created_by")


def assignment_list() -> QuerySet[SetterAssignment]:
    return SetterAssignment.objects.select_related("user", "subject")


def _json_text(field: str):
    return Cast(field, output_field=TextField())


def with_tag(queryset: QuerySet[Question], tag: str) -> QuerySet[Question]:
    """Questions carrying `tag` (tags are a JSON list of words)."""
    if connection.features.supports_json_field_contains:
        return queryset.filter(tags__contains=[tag])
    # SQLite keeps the list as JSON text (non-ASCII escaped as json.dumps does): match the
    # quoted word, which cannot match part of another word.
    return queryset.alias(tags_text=_json_text("tags")).filter(tags_text__contains=json.dumps(tag))


def matching_text(queryset: QuerySet[Question], term: str) -> QuerySet[Question]:
    """Questions whose text (any language) contains `term`, or whose number is `term`."""
    term = term.strip()
    if not term:
        return queryset
    escaped = json.dumps(term)[1:-1]  # how SQLite's JSON text holds non-ASCII letters
    condition = Q(text_as_text__icontains=term)
    if escaped != term:
        condition |= Q(text_as_text__icontains=escaped)
    if term.isdigit():
        condition |= Q(number=int(term))
    return queryset.alias(text_as_text=_json_text("text")).filter(condition)
