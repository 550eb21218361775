"""Who may see and change candidates: HQ staff all, center staff their allocated ones, read-only."""

import pytest

from apps.candidates.models import Candidate

pytestmark = pytest.mark.django_db

URL = "/api/candidates/"


@pytest.fixture
def allocated(make_candidate, center_a, center_b):
    return {
        "a": make_candidate(name="At A", center=center_a, status="allocated"),
        "b": make_candidate(name="At B", center=center_b, status="allocated"),
        "none": make_candidate(name="Not allocated"),
    }


@pytest.mark.parametrize("role", ["admin", "exam_manager"])
def test_hq_staff_see_every_candidate(client_for, cast, allocated, role):
    response = client_for(cast[role]).get(URL)
    assert response.status_code == 200
    assert response.json()["count"] == 3


@pytest.mark.parametrize("role", ["manager_a", "invigilator_a"])
def test_center_staff_see_only_candidates_allocated_to_their_center(client_for, cast, allocated, role):
    response = client_for(cast[role]).get(URL)
    assert response.status_code == 200
    assert [r["name"] for r in response.json()["results"]] == ["At A"]
    assert client_for(cast[role]).get(f"{URL}{allocated['a'].pk}/").status_code == 200


def test_manager_b_gets_404_for_center_a_candidate(client_for, cast, allocated):
    client = client_for(cast["manager_b"])
    assert client.get(f"{URL}{allocated['a'].pk}/").status_code == 404
    assert client.get(f"{URL}{allocated['none'].pk}/").status_code == 404
    assert [r["name"] for r in client.get(URL).json()["results"]] == ["At B"]


@pytest.mark.parametrize("role", ["manager_a", "invigilator_a"])
def test_center_staff_cannot_write(client_for, cast, allocated, exam, role):
    client = client_for(cast[role])
    candidate = allocated["a"]
    assert client.patch(f"{URL}{candidate.pk}/", {"city": "X"}, format="json").status_code == 403
    assert client.delete(f"{URL}{candidate.pk}/").status_code == 403
    assert client.post(URL, {"exam": str(exam.pk), "name": "X"}, format="json").status_code == 403
    candidate.refresh_from_db()
    assert candidate.city != "X" and Candidate.objects.count() == 3


@pytest.mark.parametrize("role", ["paper_setter", "evaluator"])
def test_paper_setter_and_evaluator_are_refused(client_for, cast, allocated, role):
    client = client_for(cast[role])
    assert client.get(URL).status_code == 403
    assert client.get(f"{URL}{allocated['a'].pk}/").status_code == 403


def test_anonymous_is_401(api, allocated):
    assert api.get(URL).status_code == 401
