"""Every role against every endpoint so far: allowed, 403 (role) or 404 (out of scope)."""

import pytest

from tests.factories import ExamFactory, ExamSessionFactory, PaperFactory

pytestmark = pytest.mark.django_db

READ_ALL = {"admin", "exam_manager"}
CENTER_STAFF = {"manager_a", "invigilator_a", "manager_b"}


@pytest.fixture
def world(cast, center_a, center_b, room_a, room_b):
    exam = ExamFactory(code="PUB1")
    paper = PaperFactory(exam=exam, code="P1")
    session = ExamSessionFactory(paper=paper)
    draft = ExamFactory(code="DRAFT1", status="draft")
    return {"exam": exam, "paper": paper, "session": session, "draft": draft}


# (list url, roles that may list, roles that get 403)
LISTS = [
    ("/api/users/", {"admin"}, {"exam_manager", "paper_setter", *CENTER_STAFF, "evaluator"}),
    ("/api/centers/", READ_ALL | CENTER_STAFF, {"paper_setter", "evaluator"}),
    ("/api/rooms/", READ_ALL | CENTER_STAFF, {"paper_setter", "evaluator"}),
    ("/api/exams/", READ_ALL | {"paper_setter"} | CENTER_STAFF, {"evaluator"}),
    ("/api/papers/", READ_ALL | {"paper_setter"} | CENTER_STAFF, {"evaluator"}),
    ("/api/sessions/", READ_ALL | {"paper_setter"} | CENTER_STAFF, {"evaluator"}),
]


@pytest.mark.parametrize(("url", "allowed", "forbidden"), LISTS)
def test_list_access_by_role(client_for, cast, world, url, allowed, forbidden):
    for name, user in cast.items():
        response = client_for(user).get(url)
        if name in allowed:
            assert response.status_code == 200, (name, url, response.content)
            assert set(response.json()) == {"count", "next", "previous", "results"}
        else:
            assert name in forbidden
            assert response.status_code == 403, (name, url)
            assert response.json()["code"] == "permission_denied"


def test_center_staff_see_only_their_center(client_for, cast, world, center_a, center_b, room_a, room_b):
    for name, own, other, own_room, other_room in [
        ("manager_a", center_a, center_b, room_a, room_b),
        ("invigilator_a", center_a, center_b, room_a, room_b),
        ("manager_b", center_b, center_a, room_b, room_a),
    ]:
        client = client_for(cast[name])
        centers = client.get("/api/centers/").json()
        assert [c["code"] for c in centers["results"]] == [own.code]
        rooms = client.get("/api/rooms/").json()
        assert [r["id"] for r in rooms["results"]] == [str(own_room.id)]
        assert client.get(f"/api/centers/{own.id}/").status_code == 200
        assert client.get(f"/api/centers/{other.id}/").status_code == 404
        assert client.get(f"/api/rooms/{other_room.id}/").status_code == 404
        # Filtering by the other center's id reveals nothing either.
        assert client.get(f"/api/rooms/?center={other.id}").json()["count"] == 0


def test_center_staff_cannot_write_even_their_own_center(client_for, cast, world, center_a, room_a):
    client = client_for(cast["manager_a"])
    assert client.patch(f"/api/centers/{center_a.id}/", {"name": "Mine"}, format="json").status_code == 403
    assert client.delete(f"/api/rooms/{room_a.id}/").status_code == 403
    payload = {"center": str(center_a.id), "code": "NEW", "capacity": 10, "rows": 2, "columns": 5}
    assert client.post("/api/rooms/", payload, format="json").status_code == 403
    center_a.refresh_from_db()
    assert center_a.name == "Center A"


def test_center_staff_see_only_the_published_schedule(client_for, cast, world):
    client = client_for(cast["invigilator_a"])
    codes = [e["code"] for e in client.get("/api/exams/").json()["results"]]
    assert codes == ["PUB1"]
    assert client.get(f"/api/exams/{world['draft'].id}/").status_code == 404
    assert client_for(cast["exam_manager"]).get(f"/api/exams/{world['draft'].id}/").status_code == 200


@pytest.mark.parametrize("role", ["paper_setter", "manager_a", "invigilator_a", "evaluator"])
def test_only_hq_staff_write_exams(client_for, cast, world, role):
    client = client_for(cast[role])
    payload = {"code": "X1", "name": "X", "start_date": "2027-01-01", "end_date": "2027-01-02"}
    assert client.post("/api/exams/", payload, format="json").status_code == 403
    assert client.delete(f"/api/sessions/{world['session'].id}/").status_code == 403
    assert client.patch(f"/api/papers/{world['paper'].id}/", {"name": "Y"}, format="json").status_code == 403


@pytest.mark.parametrize("role", ["admin", "exam_manager"])
def test_hq_staff_write_everything_but_users(client_for, cast, world, role):
    client = client_for(cast[role])
    payload = {"code": "X1", "name": "X", "start_date": "2027-01-01", "end_date": "2027-01-02"}
    assert client.post("/api/exams/", payload, format="json").status_code == 201
    user_payload = {"username": "new", "password": "a-long-Passw0rd!", "role": "evaluator"}
    expected = 201 if role == "admin" else 403
    assert client.post("/api/users/", user_payload, format="json").status_code == expected
