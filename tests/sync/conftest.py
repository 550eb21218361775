"""Sync fixtures: this test database plays HQ and (by switching NODE_CENTER) a center."""

import datetime as dt

import pytest
from django.core.files.base import ContentFile

from apps.candidates.models import Candidate
from apps.exams.models import ExamStatus
from apps.sync import keys
from apps.sync.exporter import package_export
from apps.sync.package import CENTER_PACKAGE
from tests.factories import ExamFactory, ExamSessionFactory, PaperFactory


@pytest.fixture(autouse=True)
def _node_dir(settings, tmp_path):
    settings.DATA_DIR = tmp_path / "node"
    settings.NODE_CENTER = "HQ"


@pytest.fixture
def hq_key(db, settings):
    keys.create_node_key()


def make_candidates(exam, center, n, *, start=0):
    out = []
    for i in range(start, start + n):
        c = Candidate(
            exam=exam,
            roll_number=f"R{i:05d}",
            name=f"Candidate {i}",
            date_of_birth=dt.date(2000, 1, 1),
            gender="F",
            center=center,
            status="allocated",
        )
        c.photo.save("p.jpg", ContentFile(b"photo" + str(i).encode()), save=False)
        c.signature.save("s.png", ContentFile(b"sig" + str(i).encode()), save=False)
        c.save()
        out.append(c)
    return out


@pytest.fixture
def exam_a(center_a, room_a, manager_a, invigilator_a):
    exam = ExamFactory(code="EX1", status=ExamStatus.SCHEDULED)
    paper = PaperFactory(exam=exam, code="P1")
    ExamSessionFactory(paper=paper, exam=exam)
    return exam


@pytest.fixture
def candidates_a(exam_a, center_a):
    return make_candidates(exam_a, center_a, 5)


@pytest.fixture
def center_package(tmp_path, hq_key, candidates_a, center_a, settings):
    """A center package for A01 written at HQ; returns its path."""
    path = tmp_path / "center_data.json"
    package_export(kind=CENTER_PACKAGE, center=center_a, output=path)
    return path
