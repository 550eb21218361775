"""Admin pages of the logistics models, the demo seeding, and the OpenAPI schema."""

import pytest
from django.http import HttpRequest

from apps.candidates.models import Candidate, CandidateStatus
from apps.seating import demo
from apps.seating.models import Allocation
from tests.factories import TEST_PASSWORD

pytestmark = pytest.mark.django_db

PAGES = ["exams/sessioncenter", "seating/allocation", "examday/attendance", "examday/incident"]


@pytest.mark.parametrize("page", PAGES)
def test_admin_changelists_open_for_an_admin(client, admin, seated, page):
    client.login(request=HttpRequest(), username="admin", password=TEST_PASSWORD)
    assert client.get(f"/admin/{page}/").status_code == 200


def test_admin_allocation_list_is_scoped_for_a_center_manager(client, manager_b, seated):
    client.login(request=HttpRequest(), username="manager_b", password=TEST_PASSWORD)
    response = client.get("/admin/seating/allocation/")
    assert response.status_code == 200
    assert response.context["cl"].result_count == 2
    assert client.get("/admin/seating/allocation/add/").status_code == 403


def test_seed_demo_allocates_its_candidates(db, frozen_clock):  # demo sessions are dated from today
    report = demo.seed_demo()
    assert report.candidates > 0
    assert report.allocated == report.candidates
    assert Candidate.objects.filter(status=CandidateStatus.ALLOCATED).count() == report.candidates
    assert Allocation.objects.count() == 2 * report.candidates  # two sessions


def test_schema_builds_with_the_logistics_endpoints(client):
    response = client.get("/api/schema/")
    assert response.status_code == 200
    text = response.content.decode()
    for path in ("/api/allocations/", "/api/attendance/scan/", "/api/exams/{id}/allocate/", "/api/incidents/"):
        assert path in text
