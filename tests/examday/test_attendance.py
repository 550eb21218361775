"""Attendance: who may mark, the time window, idempotent re-marking with an audit, QR scans."""

import pytest

from apps.examday.models import Attendance, AttendanceAudit
from apps.seating.admit_cards import qr_encode, qr_payload

pytestmark = pytest.mark.django_db

URL = "/api/attendance/"


def mark(client, candidate, session, status="present"):
    return client.post(URL, {"candidate": str(candidate.id), "session": str(session.id), "status": status})


def test_invigilator_marks_present_inside_the_window(client_for, invigilator_a, seated, session, clock):
    moment = clock(9, 30)
    candidate = seated["a"][0]

    response = mark(client_for(invigilator_a), candidate, session)

    assert response.status_code == 201
    body = response.json()
    assert body["status"] == "present" and body["roll_number"] == candidate.roll_number
    assert body["marked_by_username"] == "invigilator_a"
    row = Attendance.objects.get()
    assert (row.candidate, row.session, row.center_id, row.marked_at) == (
        candidate,
        session,
        candidate.center_id,
        moment,
    )
    assert row.origin == "HQ" and row.version == 1


@pytest.mark.parametrize(("hour", "minute", "status"), [(8, 59, 409), (9, 0, 201), (11, 59, 201), (12, 1, 409)])
def test_marking_opens_an_hour_before_the_start_and_closes_at_the_end(
    client_for, invigilator_a, seated, session, clock, hour, minute, status
):
    clock(hour, minute)
    response = mark(client_for(invigilator_a), seated["a"][0], session)
    assert response.status_code == status
    if status == 409:
        assert response.json()["code"] == "attendance_closed"
        assert not Attendance.objects.exists()


def test_the_window_is_configurable(client_for, invigilator_a, seated, session, clock, settings):
    settings.ATTENDANCE_OPEN_MINUTES_BEFORE = 15
    clock(9, 30)
    assert mark(client_for(invigilator_a), seated["a"][0], session).status_code == 409
    clock(9, 45)
    assert mark(client_for(invigilator_a), seated["a"][0], session).status_code == 201


def test_marking_again_updates_the_row_and_audits_every_change(
    client_for, invigilator_a, manager_a, seated, session, clock
):
    clock(10, 5)
    candidate = seated["a"][1]
    assert mark(client_for(invigilator_a), candidate, session, "absent").status_code == 201
    clock(10, 40)
    second = mark(client_for(manager_a), candidate, session, "present")
    assert second.status_code == 200
    assert mark(client_for(manager_a), candidate, session, "present").status_code == 200

    row = Attendance.objects.get()
    assert row.status == "present" and row.marked_by == manager_a and row.version == 2
    audit = list(
        AttendanceAudit.objects.order_by("changed_at", "created_at").values_list(
            "old_status", "new_status", "changed_by__username"
        )
    )
    assert audit == [
        ("", "absent", "invigilator_a"),
        ("absent", "present", "manager_a"),
        ("present", "present", "manager_a"),
    ]
    audit_api = client_for(invigilator_a).get(f"{URL}{row.id}/audit/")
    assert audit_api.status_code == 200
    assert [(a["old_status"], a["new_status"]) for a in audit_api.json()] == [(o, n) for o, n, _ in audit]


def test_staff_of_another_center_get_404_and_hq_cannot_mark(client_for, cast, seated, session, clock):
    clock(10, 0)
    candidate = seated["a"][0]
    assert mark(client_for(cast["manager_b"]), candidate, session).status_code == 404
    for who in ("admin", "exam_manager", "paper_setter", "evaluator"):
        assert mark(client_for(cast[who]), candidate, session).status_code == 403
    assert mark(client_for(None), candidate, session).status_code == 401
    assert not Attendance.objects.exists()


def test_attendance_list_is_scoped_to_the_center(client_for, cast, seated, session, clock):
    clock(10, 0)
    mark(client_for(cast["invigilator_a"]), seated["a"][0], session)
    mark(client_for(cast["manager_b"]), seated["b"][0], session)
    row_a = Attendance.objects.get(center__code="A01")

    assert client_for(cast["manager_b"]).get(URL).json()["count"] == 1
    assert client_for(cast["manager_b"]).get(f"{URL}{row_a.id}/").status_code == 404
    assert client_for(cast["invigilator_a"]).get(f"{URL}{row_a.id}/").status_code == 200
    assert client_for(cast["exam_manager"]).get(URL).json()["count"] == 2
    assert client_for(cast["paper_setter"]).get(URL).status_code == 403


def test_bulk_marks_many_and_is_all_or_nothing(client_for, invigilator_a, seated, session, clock):
    clock(10, 0)
    client = client_for(invigilator_a)
    marks = [{"candidate": str(c.id), "status": "present"} for c in seated["a"][:3]]
    response = client.post(f"{URL}bulk/", {"session": str(session.id), "marks": marks})
    assert response.status_code == 200
    assert response.json()["created"] == 3
    assert Attendance.objects.filter(status="present").count() == 3

    # One candidate of another center in the list: nothing changes.
    marks = [
        {"candidate": str(seated["a"][3].id), "status": "absent"},
        {"candidate": str(seated["b"][0].id), "status": "absent"},
    ]
    response = client.post(f"{URL}bulk/", {"session": str(session.id), "marks": marks})
    assert response.status_code == 404
    assert Attendance.objects.count() == 3

    response = client.post(f"{URL}bulk/", {"session": str(session.id), "marks": [{"candidate": "x"}]})
    assert response.status_code == 400


def test_scanning_the_admit_card_qr_marks_present(
    client_for, invigilator_a, manager_b, seated, session, clock, node_key
):
    clock(9, 15)
    candidate = seated["a"][2]
    qr = qr_encode(
        qr_payload(candidate_id=candidate.id, roll_number=candidate.roll_number, exam_code="LOG2026", center_code="A01")
    )
    response = client_for(invigilator_a).post(f"{URL}scan/", {"qr": qr})
    assert response.status_code == 201
    assert Attendance.objects.get().status == "present"
    assert AttendanceAudit.objects.get().source == "scan"

    # At the wrong center the candidate does not exist; a forged code is refused.
    assert client_for(manager_b).post(f"{URL}scan/", {"qr": qr}).status_code == 404
    prefix, data, sig = qr.split(".")
    forged = client_for(invigilator_a).post(f"{URL}scan/", {"qr": f"{prefix}.{data}.{sig[::-1]}"})
    assert forged.status_code == 400 and forged.json()["code"] == "invalid_qr"
    clock(13, 0)
    late = client_for(invigilator_a).post(f"{URL}scan/", {"qr": qr})
    assert late.status_code == 409


def test_bad_input_is_400(client_for, invigilator_a, seated, session, clock):
    clock(10, 0)
    client = client_for(invigilator_a)
    response = client.post(URL, {"candidate": str(seated["a"][0].id), "session": str(session.id), "status": "late"})
    assert response.status_code == 400 and "status" in response.json()["errors"]
    assert client.post(URL, {}).status_code == 400


def test_a_roll_number_scanned_from_the_sheet_marks_too(client_for, invigilator_a, seated, session, clock):
    clock(11, 0)
    client = client_for(invigilator_a)
    candidate, foreign = seated["a"][3], seated["b"][1]
    ok = client.post(URL, {"roll_number": candidate.roll_number, "session": str(session.id), "status": "present"})
    assert ok.status_code == 201 and ok.json()["candidate"] == str(candidate.id)
    other = client.post(URL, {"roll_number": foreign.roll_number, "session": str(session.id), "status": "present"})
    assert other.status_code == 404
    both = client.post(
        URL,
        {"roll_number": "x", "candidate": str(candidate.id), "session": str(session.id), "status": "present"},
    )
    assert both.status_code == 400
    assert Attendance.objects.count() == 1


def test_scan_marks_the_session_being_entered_when_two_are_open(
    client_for, invigilator_a, seated, session, clock, node_key
):
    import datetime as dt

    from apps.seating.allocation import allocation_run
    from tests.factories import ExamSessionFactory, PaperFactory

    # A second paper (a second session of the same paper would be a shift: one or the other).
    second = PaperFactory(exam=session.exam, code="P2")
    afternoon = ExamSessionFactory(
        exam=session.exam, paper=second, date=session.date, start_time=dt.time(12, 30), end_time=dt.time(14, 0)
    )
    allocation_run(exam=session.exam, reset=True)
    candidate = seated["a"][0]
    candidate.refresh_from_db()
    qr = qr_encode(
        qr_payload(candidate_id=candidate.id, roll_number=candidate.roll_number, exam_code="LOG2026", center_code="A01")
    )
    clock(11, 45)  # the morning session is still open; the afternoon one opened at 11:30
    response = client_for(invigilator_a).post(f"{URL}scan/", {"qr": qr})
    assert response.status_code == 201
    assert response.json()["session"] == str(afternoon.id)
