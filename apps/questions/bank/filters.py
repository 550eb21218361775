"""Filters of the question list: `?subject=PHY` (code or id), `?topic=Mechanics` (that topic
and those below it), `?type=`, `?status=`, `?difficulty=`, `?tag=`, `?search=` (text in any
language, or the number)."""

import contextlib
import uuid

import django_filters
from django.db.models import Q

from apps.questions.bank import selectors
from apps.questions.choices import Difficulty, QuestionStatus, QuestionType
from apps.questions.models import Question


def _subject(queryset, value: str, path: str = "subject"):
    value = value.strip()
    condition = Q(**{f"{path}__code__iexact": value})
    with contextlib.suppress(ValueError):
        condition |= Q(**{f"{path}_id": uuid.UUID(value)})
    return queryset.filter(condition)


class QuestionFilter(django_filters.FilterSet):
    subject = django_filters.CharFilter(method="filter_subject", help_text="Subject code or id.")
    topic = django_filters.CharFilter(method="filter_topic", help_text="A topic and the topics below it.")
    type = django_filters.ChoiceFilter(choices=QuestionType.choices)
    status = django_filters.ChoiceFilter(choices=QuestionStatus.choices)
    difficulty = django_filters.ChoiceFilter(choices=Difficulty.choices)
    tag = django_filters.CharFilter(method="filter_tag")
    search = django_filters.CharFilter(method="filter_search", help_text="Words of the text, or the number.")

    class Meta:
        model = Question
        fields = ["subject", "topic", "type", "status", "difficulty", "tag", "search"]

    def filter_subject(self, queryset, name, value):
        return _subject(queryset, value)

    def filter_topic(self, queryset, name, value):
        topic = value.strip().strip("/")
        if not topic:
            return queryset
        return queryset.filter(Q(topic__iexact=topic) | Q(topic__istartswith=f"{topic}/"))

    def filter_tag(self, queryset, name, value):
        return selectors.with_tag(queryset, value.strip())

    def filter_search(self, queryset, name, value):
        return selectors.matching_text(queryset, value)


class SubjectScopedFilter(django_filters.FilterSet):
    """`?subject=` by code or id, for passages and setter assignments."""

    subject = django_filters.CharFilter(method="filter_subject", help_text="Subject code or id.")

    def filter_subject(self, queryset, name, value):
        return _subject(queryset, value)
