"""Admin pages of the logistics models, the demo seeding, and the OpenAPI schema."""

import pytest

from apps.candidates.models import Candidate, CandidateStatus
from apps.exams import demo
from apps.exams.logistics.models import Allocation
from tests.factories import TEST_PASSWORD

pytestmark = pytest.mark.django_db

PAGES = ["sessioncenter", "allocation", "attendance", "incident"]


@pytest.mark.parametrize("page", PAGES)
def test_admin_changelists_open_for_an_admin(client, admin, seated, page):
    client.login(username="admin", password=TEST_PASSWORD)
    assert client.get(f"/admin/exams/{page}/").status_code == 200


def test_admin_allocation_list_is_scoped_for_a_center_manager(client, manager_b, seated):
    client.login(username="manager_b", password=TEST_PASSWORD)
    response = client.get("/admin/exams/allocation/")
    assert response.status_code == 200
    assert response.context["cl"].result_count == 2
    assert client.get("/admin/exams/allocation/add/").status_code == 403


def test_seed_demo_allocates_when_the_demo_has_candidates(db, monkeypatch):
    from tests.logistics.factories import CandidateFactory

    real_seed_logistics = demo._seed_logistics

    def with_candidates(exam, report):
        for i in range(5):
            CandidateFactory(exam=exam, roll_number=f"D{i}", preferred_cities=["Mumbai"])
        real_seed_logistics(exam, report)

    monkeypatch.setattr(demo, "_seed_logistics", with_candidates)
    report = demo.seed_demo()
    assert report.allocated == 5
    assert Candidate.objects.filter(status=CandidateStatus.ALLOCATED, center__code="MUM01").count() == 5
    assert Allocation.objects.count() == 10  # two sessions


def test_schema_builds_with_the_logistics_endpoints(client):
    response = client.get("/api/schema/")
    assert response.status_code == 200
    text = response.content.decode()
    for path in ("/api/allocations/", "/api/attendance/scan/", "/api/exams/{id}/allocate/", "/api/incidents/"):
        assert path in text
