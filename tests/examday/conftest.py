"""Exam day works on seated candidates: the seating suite's fixtures, shared."""

from tests.seating.conftest import clock, exam, node_key, seated, session  # noqa: F401
