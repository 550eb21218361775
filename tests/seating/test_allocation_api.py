"""POST /api/exams/{id}/allocate/, /api/allocations/, /api/session-centers/ and the command."""

import json

import pytest
from django.core.management import CommandError, call_command

from apps.candidates.models import Candidate, CandidateStatus
from apps.exams.models import SessionCenter
from apps.seating.models import Allocation
from tests.seating.factories import CandidateFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def registered(exam, session, room_a, room_b):
    return [CandidateFactory(exam=exam, preferred_cities=["Delhi"]) for _ in range(3)] + [
        CandidateFactory(exam=exam, city="Mumbai", preferred_cities=["Mumbai"]) for _ in range(2)
    ]


@pytest.mark.parametrize(
    ("who", "status"),
    [("admin", 200), ("exam_manager", 200), ("paper_setter", 403), ("manager_a", 403), ("invigilator_a", 403)],
)
def test_allocate_is_for_hq_staff(client_for, cast, exam, registered, who, status):
    response = client_for(cast[who]).post(f"/api/exams/{exam.id}/allocate/", {"seed": 4})
    assert response.status_code == status
    if status == 200:
        body = response.json()
        assert body["placed"] == 5 and body["unplaced_count"] == 0 and body["per_center"] == {"A01": 3, "B01": 2}
        assert Allocation.objects.count() == 5
    else:
        assert not Allocation.objects.exists()


def test_allocate_dry_run_and_bad_input(client_for, exam_manager, exam, registered):
    client = client_for(exam_manager)
    response = client.post(f"/api/exams/{exam.id}/allocate/", {"dry_run": True})
    assert response.status_code == 200 and response.json()["placed"] == 5
    assert not Allocation.objects.exists()
    assert client.post(f"/api/exams/{exam.id}/allocate/", {"seed": -1}).status_code == 400
    assert client.post("/api/exams/00000000-0000-0000-0000-000000000000/allocate/").status_code == 404
    assert client_for(None).post(f"/api/exams/{exam.id}/allocate/").status_code == 401


def test_allocations_list_is_scoped_and_filtered(client_for, cast, seated, session, room_a, django_assert_num_queries):
    response = client_for(cast["exam_manager"]).get("/api/allocations/", {"exam": str(session.exam_id)})
    assert response.json()["count"] == 6
    first = response.json()["results"][0]
    assert set(first) >= {
        "id",
        "candidate",
        "exam",
        "session",
        "center",
        "room",
        "row",
        "column",
        "seat_number",
        "paper_set",
    }

    client = client_for(cast["manager_b"])
    with django_assert_num_queries(3):  # user, count, page (joins applied)
        body = client.get("/api/allocations/").json()
    assert body["count"] == 2 and {r["center_code"] for r in body["results"]} == {"B01"}

    allocation_a = Allocation.objects.filter(center__code="A01").first()
    assert client.get(f"/api/allocations/{allocation_a.id}/").status_code == 404
    inv = client_for(cast["invigilator_a"])
    assert inv.get(f"/api/allocations/{allocation_a.id}/").status_code == 200
    assert inv.get("/api/allocations/", {"room": str(room_a.id)}).json()["count"] == 4
    assert inv.get("/api/allocations/", {"center": str(allocation_a.center_id)}).json()["count"] == 4
    assert client_for(cast["paper_setter"]).get("/api/allocations/").status_code == 403
    assert client_for(cast["exam_manager"]).post("/api/allocations/", {}).status_code == 405


def test_session_centers_crud_by_hq_read_by_center(client_for, cast, session, center_a, center_b):
    response = client_for(cast["exam_manager"]).post(
        "/api/session-centers/", {"session": str(session.id), "center": str(center_a.id), "seats": 20}
    )
    assert response.status_code == 201
    SessionCenter.objects.create(session=session, center=center_b)
    assert client_for(cast["manager_a"]).get("/api/session-centers/").json()["count"] == 1
    assert client_for(cast["manager_a"]).post("/api/session-centers/", {}).status_code == 403
    duplicate = client_for(cast["admin"]).post(
        "/api/session-centers/", {"session": str(session.id), "center": str(center_a.id)}
    )
    assert duplicate.status_code == 400


def test_allocate_seats_command(exam, registered, capsys):
    call_command("allocate_seats", "--exam-id", "LOG2026", "--dry-run", verbosity=0)
    assert not Allocation.objects.exists()
    assert "[dry run] would place 5 of 5" in capsys.readouterr().out
    call_command("allocate_seats", "--exam-id", str(exam.id), "--seed", "3", "--json", verbosity=0)
    report = json.loads(capsys.readouterr().out)
    assert report["placed"] == 5 and report["seed"] == 3
    assert Candidate.objects.filter(status=CandidateStatus.ALLOCATED).count() == 5
    call_command("allocate_seats", "--exam-id", "LOG2026", "--reset", verbosity=0)
    assert Allocation.objects.count() == 5
    with pytest.raises(CommandError):
        call_command("allocate_seats", "--exam-id", "NOPE", verbosity=0)
