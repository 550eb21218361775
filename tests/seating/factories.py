"""The seating tests' candidates: the shared factory, with a preferred city (the allocation
places by it) and the roll numbers and names these tests were written with."""

import datetime as dt

import factory

from tests.factories import CandidateFactory as BaseCandidateFactory


class CandidateFactory(BaseCandidateFactory):
    roll_number = factory.Sequence(lambda n: f"RN{n:06d}")
    name = factory.Sequence(lambda n: f"Candidate Number {n}")
    date_of_birth = dt.date(2001, 5, 17)
    preferred_cities = factory.LazyFunction(lambda: ["Delhi"])
