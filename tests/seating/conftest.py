import datetime as dt
import io

import pytest
from django.core.files.base import ContentFile
from PIL import Image

from apps.examday import attendance as attendance_module
from apps.seating.allocation import allocation_run
from apps.sync.keys import create_node_key
from tests.clock import EXAM_DAY, local_moment
from tests.factories import ExamFactory, ExamSessionFactory, PaperFactory, RoomFactory
from tests.seating.factories import CandidateFactory


@pytest.fixture
def node_key(settings, tmp_path):
    """HQ's signing key in a temporary DATA_DIR."""
    settings.DATA_DIR = tmp_path / "data"
    create_node_key()


@pytest.fixture
def exam(db):
    return ExamFactory(code="LOG2026", name="Logistics Test Exam")


@pytest.fixture
def session(exam):
    paper = PaperFactory(exam=exam, code="P1", name="Aptitude", set_count=4)
    return ExamSessionFactory(exam=exam, paper=paper, date=EXAM_DAY, start_time=dt.time(10, 0), end_time=dt.time(12, 0))


@pytest.fixture
def seated(exam, session, center_a, center_b, room_a, room_b):
    """Four candidates seated at center A (Delhi) and two at center B (Mumbai)."""
    people_a = [CandidateFactory(exam=exam, preferred_cities=["Delhi"]) for _ in range(4)]
    people_b = [CandidateFactory(exam=exam, city="Mumbai", preferred_cities=["Mumbai"]) for _ in range(2)]
    allocation_run(exam=exam, seed=1)
    for person in [*people_a, *people_b]:
        person.refresh_from_db()
    return {"a": people_a, "b": people_b}


@pytest.fixture
def clock(monkeypatch):
    """`clock(hour, minute)` sets the attendance clock on the exam day (local time).

    Only attendance's clock: tokens and row stamps keep the real one, so a test may move it
    by hours. Tests asking for it get the `clock` marker (tests/conftest.py)."""

    def set_time(hour: int, minute: int = 0, day: dt.date = EXAM_DAY):
        moment = local_moment(hour, minute, day=day)
        monkeypatch.setattr(attendance_module, "current_time", lambda: moment)
        return moment

    return set_time


def png_bytes(color=(200, 30, 30), size=(60, 80)) -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", size, color).save(buffer, format="PNG")
    return buffer.getvalue()


def with_photo(candidate):
    candidate.photo.save("photo.png", ContentFile(png_bytes()), save=False)
    candidate.signature.save("sig.png", ContentFile(png_bytes((20, 20, 20), (120, 40))), save=False)
    candidate.save(update_fields=["photo", "signature"])
    return candidate


def make_room(center, code, *, rows=3, columns=4, capacity=None, floor=1, accessible=False):
    return RoomFactory(
        center=center,
        code=code,
        rows=rows,
        columns=columns,
        capacity=capacity or rows * columns,
        floor=floor,
        is_accessible=accessible,
    )
