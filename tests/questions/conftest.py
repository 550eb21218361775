"""Fixtures of the questions suites: subjects, a paper setter assigned to one of them, and
approved bank questions built straight from the models (the bank's services are tested in
their own suites; other suites only need questions to exist)."""

import itertools
from decimal import Decimal

import pytest
from django.utils import timezone

from apps.questions.choices import QuestionStatus, QuestionType
from apps.questions.models import Question, QuestionVersion, SetterAssignment, Subject
from apps.questions.numbering import reserve_numbers

_numbers = itertools.count(1)


@pytest.fixture
def physics(db):
    return Subject.objects.create(code="PHY", name="Physics")


@pytest.fixture
def chemistry(db):
    return Subject.objects.create(code="CHE", name="Chemistry")


@pytest.fixture
def setter(paper_setter, physics):
    """The cast's paper setter, assigned to Physics only."""
    SetterAssignment.objects.create(user=paper_setter, subject=physics)
    return paper_setter


def choice_content(text: str, options: list[str], correct: list[int], **extra) -> dict:
    """Content of a choice question in English (add `hi` texts with `translate`)."""
    kind = extra.pop("type", QuestionType.SINGLE if len(correct) == 1 else QuestionType.MULTIPLE)
    return {
        "type": kind,
        "text": {"en": text},
        "options": [{"text": {"en": o}, "correct": i in correct, "fixed": False} for i, o in enumerate(options)],
        "marks": Decimal("4"),
        "negative_marks": Decimal("1"),
        **extra,
    }


def approved_question(subject, *, author=None, approver=None, **content) -> Question:
    """An approved bank question with its version 1, as the review workflow leaves it."""
    if not content:
        n = next(_numbers)
        content = choice_content(f"Question {n}?", [f"{n}a", f"{n}b", f"{n}c", f"{n}d"], [n % 4])
    number = reserve_numbers(1)
    question = Question.objects.create(
        subject=subject, number=number, status=QuestionStatus.APPROVED, author=author, **content
    )
    version = QuestionVersion.objects.create(
        question=question,
        number=1,
        author=author,
        approved_by=approver,
        approved_at=timezone.now(),
        **{f: getattr(question, f) for f in Question.CONTENT_FIELDS},
    )
    question.approved_version = version
    question.save(update_fields=["approved_version"])
    return question


@pytest.fixture
def make_approved(physics):
    """`make_approved(subject=physics, **content)` -> an approved question."""

    def make(subject=None, **content):
        return approved_question(subject or physics, **content)

    return make
