"""The question papers' admin pages: read-mostly, scoped like the API, writing through the services."""

import pytest

from apps.questions.choices import PaperStatus
from tests.questions.papers_support import bank, built_paper, session

pytestmark = pytest.mark.django_db

LIST = "/admin/questions/questionpaper/"


@pytest.fixture
def paper(admin, make_approved):
    bank(make_approved, 6)
    return built_paper(admin, session(), [{"subject": "PHY", "count": 5}])


def test_admin_lists_views_and_finalises_through_the_service(client, admin, paper):
    client.force_login(admin)
    assert client.get(LIST).status_code == 200
    page = client.get(f"{LIST}{paper.pk}/change/")
    assert page.status_code == 200 and "Q" in page.content.decode()
    response = client.post(LIST, {"action": "finalise", "_selected_action": [str(paper.pk)]}, follow=True)
    assert response.status_code == 200
    paper.refresh_from_db()
    assert paper.status == PaperStatus.FINAL
    # A final paper cannot be deleted, and the service says why when the action runs again.
    again = client.post(LIST, {"action": "build_sets", "_selected_action": [str(paper.pk)]}, follow=True)
    assert "final and cannot be changed" in again.content.decode()


def test_setters_read_their_papers_and_exam_managers_see_none(client, setter, exam_manager, paper):
    client.force_login(setter)
    assert client.get(LIST).status_code == 200
    assert client.get(f"{LIST}{paper.pk}/change/").status_code == 200
    client.post(LIST, {"action": "finalise", "_selected_action": [str(paper.pk)]}, follow=True)
    paper.refresh_from_db()
    assert paper.status == PaperStatus.DRAFT  # only an admin finalises
    client.force_login(exam_manager)
    assert client.get(LIST).status_code == 403
