"""The Django admin applies the same role and center rules as the API."""

import pytest
from django.core.exceptions import ValidationError

from apps.centers.models import Center
from apps.exams.models import Exam, SessionCenter
from tests.factories import ExamFactory, ExamSessionFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def browser(client):
    def as_user(user):
        client.force_login(user)
        return client

    return as_user


def test_admin_sees_every_model(browser, admin, center_a):
    page = browser(admin).get("/admin/")
    assert page.status_code == 200
    html = page.content.decode()
    for model in ["Centers", "Rooms", "Exams", "Papers", "Exam sessions", "Users"]:
        assert model in html


def test_center_manager_sees_only_its_center_read_only(browser, manager_a, center_a, center_b):
    client = browser(manager_a)
    listing = client.get("/admin/centers/center/")
    assert listing.status_code == 200
    html = listing.content.decode()
    assert "Center A" in html and "Center B" not in html
    assert client.get(f"/admin/centers/center/{center_b.pk}/change/").status_code == 302  # "doesn't exist"
    assert client.get("/admin/centers/center/add/").status_code == 403
    response = client.post(f"/admin/centers/center/{center_a.pk}/change/", {"name": "Hijacked"})
    assert response.status_code == 403
    assert Center.objects.get(pk=center_a.pk).name == "Center A"
    assert client.get("/admin/authentication/user/").status_code == 403


def test_exam_manager_edits_through_admin_and_writes_are_stamped(browser, exam_manager):
    exam = ExamFactory(code="ADM1", status="draft")
    client = browser(exam_manager)
    response = client.post(
        f"/admin/exams/exam/{exam.pk}/change/",
        {
            "code": "ADM1",
            "name": "Renamed in admin",
            "description": "",
            "start_date": "2026-12-01",
            "end_date": "2026-12-10",
            "status": "scheduled",
        },
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    exam.refresh_from_db()
    assert (exam.name, exam.status, exam.version) == ("Renamed in admin", "scheduled", 2)
    assert client.get("/admin/authentication/user/").status_code == 403


def test_admin_form_refuses_backwards_status_for_exam_manager(browser, exam_manager):
    exam = ExamFactory(code="ADM2", status="completed")
    response = browser(exam_manager).post(
        f"/admin/exams/exam/{exam.pk}/change/",
        {
            "code": "ADM2",
            "name": exam.name,
            "description": "",
            "start_date": "2026-12-01",
            "end_date": "2026-12-10",
            "status": "draft",
        },
    )
    assert response.status_code == 200
    assert "only an admin may reopen" in response.content.decode()
    assert Exam.objects.get(pk=exam.pk).status == "completed"


def test_invigilator_and_evaluator_cannot_open_admin(browser, invigilator_a, evaluator):
    assert browser(invigilator_a).get("/admin/").status_code == 302
    assert browser(evaluator).get("/admin/").status_code == 302


def _exam_form(exam, **changes):
    data = {
        "code": exam.code,
        "name": exam.name,
        "description": "",
        "start_date": str(exam.start_date),
        "end_date": str(exam.end_date),
        "status": exam.status,
    }
    data.update(changes)
    return data


def test_admin_keeps_sessions_inside_the_exam_dates_like_the_api(browser, exam_manager):
    session = ExamSessionFactory(date="2026-12-09")
    exam = session.exam
    response = browser(exam_manager).post(
        f"/admin/exams/exam/{exam.pk}/change/", _exam_form(exam, end_date="2026-12-05")
    )
    assert response.status_code == 200  # the form again, with the reason
    assert "Sessions on 2026-12-09 would fall outside" in response.content.decode()
    stored = Exam.objects.get(pk=exam.pk)
    assert (stored.end_date, stored.version) == (exam.end_date, exam.version)


def test_admin_adds_a_session_venue_through_the_service(browser, exam_manager, center_a):
    session = ExamSessionFactory()
    client = browser(exam_manager)
    url = "/admin/exams/sessioncenter/add/"
    response = client.post(url, {"session": str(session.pk), "center": str(center_a.pk), "seats": "30"})
    assert response.status_code == 302, response.content.decode()[:2000]
    venue = SessionCenter.objects.get(session=session, center=center_a)
    assert (venue.seats, venue.version, venue.origin) == (30, 1, "HQ")

    again = client.post(url, {"session": str(session.pk), "center": str(center_a.pk), "seats": "10"})
    assert again.status_code == 200  # a center holds a session once: the form says so
    assert SessionCenter.objects.filter(session=session).count() == 1


def test_a_service_refusal_in_the_admin_writes_nothing_and_says_why(browser, exam_manager, monkeypatch):
    exam = ExamFactory(code="ADM3", status="draft")

    def refuse(*, exam, data, user=None):
        exam.name = data.get("name", exam.name)
        exam.save(update_fields=["name"])  # written inside the request's transaction...
        raise ValidationError({"name": "Refused by the service."})  # ...and refused

    monkeypatch.setattr("apps.exams.services.exam_update", refuse)
    client = browser(exam_manager)
    url = f"/admin/exams/exam/{exam.pk}/change/"
    response = client.post(url, _exam_form(exam, name="Half written"), follow=True)
    assert response.status_code == 200
    assert "Not saved: Refused by the service." in response.content.decode()
    assert Exam.objects.get(pk=exam.pk).name == exam.name
