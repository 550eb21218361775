"""The Django admin applies the same role and center rules as the API."""

import pytest

from apps.centers.models import Center
from apps.exams.models import Exam
from tests.factories import ExamFactory

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
