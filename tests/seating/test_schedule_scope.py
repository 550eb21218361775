"""Center staff see the schedule of their venues once sessions are assigned to centers."""

import datetime as dt

import pytest

from apps.exams.models import SessionCenter
from apps.exams.selectors import sessions_held_at
from apps.sync import registry
from tests.factories import ExamFactory, ExamSessionFactory, PaperFactory

pytestmark = pytest.mark.django_db


def test_center_staff_see_only_sessions_held_at_their_center(client_for, manager_a, manager_b, session, center_a):
    other_exam = ExamFactory()
    other_session = ExamSessionFactory(paper=PaperFactory(exam=other_exam))
    second = ExamSessionFactory(exam=session.exam, paper=session.paper, date=dt.date(2026, 12, 2))
    client_b = client_for(manager_b)
    assert client_b.get("/api/sessions/").json()["count"] == 3  # nothing assigned yet: all

    SessionCenter.objects.create(session=session, center=center_a)
    SessionCenter.objects.create(session=second, center=center_a)

    ids_b = {s["id"] for s in client_b.get("/api/sessions/").json()["results"]}
    assert ids_b == {str(other_session.id)}
    assert client_b.get(f"/api/sessions/{session.id}/").status_code == 404
    assert client_b.get(f"/api/exams/{session.exam_id}/").status_code == 404
    assert client_b.get(f"/api/papers/{session.paper_id}/").status_code == 404
    assert client_b.get(f"/api/exams/{other_exam.id}/").status_code == 200

    client_a = client_for(manager_a)
    assert client_a.get("/api/sessions/").json()["count"] == 3
    assert client_a.get(f"/api/exams/{session.exam_id}/").status_code == 200


def test_one_rule_decides_what_a_center_holds_for_scopes_and_packages(
    client_for, manager_a, session, center_a, center_b
):
    # `session` is held at B only; `open_session` has no venue rows, so every center holds it.
    SessionCenter.objects.create(session=session, center=center_b)
    open_session = ExamSessionFactory(exam=session.exam, paper=session.paper, date=dt.date(2026, 12, 2))

    assert set(sessions_held_at(center_a)) == {open_session}
    assert set(sessions_held_at(center_b)) == {session, open_session}

    client_a = client_for(manager_a)
    ids = {s["id"] for s in client_a.get("/api/sessions/").json()["results"]}
    assert ids == {str(open_session.id)}
    assert client_a.get(f"/api/exams/{session.exam_id}/").status_code == 200  # A holds one of its sessions

    # A center package carries exactly the sessions the center holds.
    spec = registry.get("exams.ExamSession")
    assert set(spec.rows_for(center_a, None)) == {open_session}
    assert set(registry.get("exams.Exam").rows_for(center_a, None)) == {session.exam}
