import pytest

from apps.centers.models import Center, Room
from apps.core.models import Tombstone
from tests.factories import CenterFactory, RoomFactory

pytestmark = pytest.mark.django_db


def test_create_center_and_rooms_capacity_is_the_sum(client_for, exam_manager):
    client = client_for(exam_manager)
    response = client.post(
        "/api/centers/",
        {"code": "PUN01", "name": "Fergusson College", "city": "Pune", "state": "Maharashtra"},
        format="json",
    )
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["capacity"] == 0
    assert body["origin"] == "HQ"
    assert body["version"] == 1
    center_id = body["id"]
    for code, capacity in [("R1", 30), ("R2", 24)]:
        r = client.post(
            "/api/rooms/",
            {"center": center_id, "code": code, "capacity": capacity, "rows": 6, "columns": 5},
            format="json",
        )
        assert r.status_code == 201, r.content
    detail = client.get(f"/api/centers/{center_id}/").json()
    assert detail["capacity"] == 54
    assert detail["room_count"] == 2
    assert Room.objects.filter(center_id=center_id).count() == 2


def test_center_id_is_a_time_ordered_uuid(client_for, exam_manager):
    client = client_for(exam_manager)
    ids = [
        client.post("/api/centers/", {"code": f"C{i}", "name": "n", "city": "x"}, format="json").json()["id"]
        for i in range(3)
    ]
    assert ids == sorted(ids)
    assert all(i[14] == "7" for i in ids)  # UUID version 7


def test_duplicate_center_code_names_the_field(client_for, exam_manager, center_a):
    response = client_for(exam_manager).post("/api/centers/", {"code": "A01", "name": "n", "city": "x"}, format="json")
    assert response.status_code == 400
    assert "code" in response.json()["errors"]
    assert Center.objects.filter(code="A01").count() == 1


@pytest.mark.parametrize(
    ("payload", "field"),
    [
        ({"code": "has space", "name": "n", "city": "x"}, "code"),
        ({"code": "OK1", "city": "x"}, "name"),
        ({"code": "OK1", "name": "n", "city": "x", "contact_phone": "call me"}, "contact_phone"),
    ],
)
def test_center_validation_errors_name_fields(client_for, exam_manager, payload, field):
    response = client_for(exam_manager).post("/api/centers/", payload, format="json")
    assert response.status_code == 400
    body = response.json()
    assert body["code"] == "invalid"
    assert field in body["errors"]


def test_room_capacity_cannot_exceed_grid(client_for, exam_manager, center_a):
    response = client_for(exam_manager).post(
        "/api/rooms/",
        {"center": str(center_a.id), "code": "R9", "capacity": 31, "rows": 5, "columns": 6},
        format="json",
    )
    assert response.status_code == 400
    assert "exceeds the 5 x 6 seating grid" in response.json()["errors"]["capacity"][0]
    assert not Room.objects.filter(code="R9").exists()


def test_room_code_unique_within_center_only(client_for, exam_manager, center_a, center_b):
    client = client_for(exam_manager)
    payload = {"code": "R1", "capacity": 10, "rows": 2, "columns": 5}
    assert client.post("/api/rooms/", {**payload, "center": str(center_a.id)}, format="json").status_code == 201
    assert client.post("/api/rooms/", {**payload, "center": str(center_b.id)}, format="json").status_code == 201
    again = client.post("/api/rooms/", {**payload, "center": str(center_a.id)}, format="json")
    assert again.status_code == 400
    assert Room.objects.filter(center=center_a, code="R1").count() == 1


def test_update_bumps_version_and_delete_leaves_tombstone(client_for, exam_manager, center_a):
    client = client_for(exam_manager)
    response = client.patch(f"/api/centers/{center_a.id}/", {"name": "Renamed"}, format="json")
    assert response.status_code == 200
    assert response.json()["version"] == 2
    center_a.refresh_from_db()
    assert (center_a.name, center_a.version) == ("Renamed", 2)
    # An update that changes nothing does not bump the version.
    assert client.patch(f"/api/centers/{center_a.id}/", {"name": "Renamed"}, format="json").json()["version"] == 2

    assert client.delete(f"/api/centers/{center_a.id}/").status_code == 204
    assert not Center.objects.filter(pk=center_a.pk).exists()
    tombstone = Tombstone.objects.get(object_id=center_a.pk)
    assert (tombstone.model, tombstone.version) == ("centers.Center", 3)


def test_deleting_a_center_with_rooms_is_a_conflict(client_for, exam_manager, room_a):
    response = client_for(exam_manager).delete(f"/api/centers/{room_a.center_id}/")
    assert response.status_code == 409
    assert response.json()["code"] == "protected"
    assert Center.objects.filter(pk=room_a.center_id).exists()


def test_list_filters_search_ordering_and_pagination(client_for, exam_manager):
    for i, city in enumerate(["Pune", "Pune", "Agra", "Delhi"]):
        CenterFactory(code=f"X{i}", name=f"College {i}", city=city)
    client = client_for(exam_manager)
    assert client.get("/api/centers/?city=Pune").json()["count"] == 2
    assert [c["code"] for c in client.get("/api/centers/?search=agra").json()["results"]] == ["X2"]
    ordered = client.get("/api/centers/?ordering=-city").json()["results"]
    assert [c["city"] for c in ordered] == ["Pune", "Pune", "Delhi", "Agra"]
    page = client.get("/api/centers/?page_size=3&page=2").json()
    assert page["count"] == 4
    assert len(page["results"]) == 1
    assert page["previous"] is not None
    assert client.get("/api/centers/?page=9").status_code == 404


def test_page_size_is_capped_at_500(client_for, exam_manager):
    Center.objects.bulk_create([Center(code=f"B{i}", name="n", city="c") for i in range(505)])
    body = client_for(exam_manager).get("/api/centers/?page_size=10000").json()
    assert body["count"] == 505
    assert len(body["results"]) == 500


def test_list_query_count_does_not_grow_with_rows(client_for, exam_manager, django_assert_max_num_queries):
    for i in range(20):
        RoomFactory(center=CenterFactory(code=f"Q{i}"))
    client = client_for(exam_manager)
    with django_assert_max_num_queries(4):
        assert client.get("/api/rooms/").status_code == 200
    with django_assert_max_num_queries(4):
        assert client.get("/api/centers/").status_code == 200


def test_bad_uuid_and_unknown_filter_values_are_client_errors(client_for, exam_manager):
    client = client_for(exam_manager)
    assert client.get("/api/centers/not-a-uuid/").status_code == 404
    assert client.get("/api/rooms/?center=not-a-uuid").status_code == 400
    assert client.post("/api/rooms/", "garbage{", content_type="application/json").status_code == 400
