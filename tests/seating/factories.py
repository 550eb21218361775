"""Factories for the logistics tests (kept here, not in tests/factories.py, while the
candidates API is built in parallel)."""

import datetime as dt

import factory

from apps.candidates.models import Candidate
from tests.factories import ExamFactory


class CandidateFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Candidate

    exam = factory.SubFactory(ExamFactory)
    roll_number = factory.Sequence(lambda n: f"RN{n:06d}")
    name = factory.Sequence(lambda n: f"Candidate Number {n}")
    date_of_birth = dt.date(2001, 5, 17)
    gender = "F"
    category = "GEN"
    city = "Delhi"
    preferred_cities = factory.LazyFunction(lambda: ["Delhi"])
