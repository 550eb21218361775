"""Incidents, and the center report's numbers."""

import io
import json

import pytest
from django.core.management import call_command
from openpyxl import load_workbook

from apps.examday.models import Attendance, Incident
from tests.seating.conftest import EXAM_DAY
from tests.seating.test_admit_cards import pdf_text

pytestmark = pytest.mark.django_db


# --- Incidents --------------------------------------------------------------------------------


def test_center_staff_report_incidents_for_their_center_only(client_for, cast, seated, session, center_a):
    candidate = seated["a"][0]
    payload = {
        "session": str(session.id),
        "candidate": str(candidate.id),
        "kind": "malpractice",
        "description": "Notes found under the desk.",
    }
    response = client_for(cast["invigilator_a"]).post("/api/incidents/", payload)
    assert response.status_code == 201
    body = response.json()
    assert body["center"] == str(center_a.id) and body["reported_by_username"] == "invigilator_a"
    incident = Incident.objects.get()
    assert incident.reported_by == cast["invigilator_a"] and incident.candidate == candidate

    # B's manager cannot see A's incident nor refer to A's candidate.
    assert client_for(cast["manager_b"]).get(f"/api/incidents/{incident.id}/").status_code == 404
    assert client_for(cast["manager_b"]).get("/api/incidents/").json()["count"] == 0
    assert client_for(cast["manager_b"]).post("/api/incidents/", payload).status_code == 400
    # HQ reads; does not write center-owned rows.
    assert client_for(cast["exam_manager"]).get("/api/incidents/").json()["count"] == 1
    assert client_for(cast["admin"]).post("/api/incidents/", payload).status_code == 403

    manager = client_for(cast["manager_a"])
    assert manager.patch(f"/api/incidents/{incident.id}/", {"kind": "other"}).status_code == 200
    incident.refresh_from_db()
    assert incident.kind == "other" and incident.version == 2
    assert manager.delete(f"/api/incidents/{incident.id}/").status_code == 204
    assert not Incident.objects.exists()


def test_incident_input_is_validated(client_for, invigilator_a, seated, session):
    client = client_for(invigilator_a)
    bad_kind = client.post("/api/incidents/", {"session": str(session.id), "kind": "fire", "description": "x"})
    assert bad_kind.status_code == 400 and "kind" in bad_kind.json()["errors"]
    other = seated["b"][0]
    foreign = client.post(
        "/api/incidents/",
        {"session": str(session.id), "candidate": str(other.id), "kind": "other", "description": "x"},
    )
    assert foreign.status_code == 400 and "candidate" in foreign.json()["errors"]


# --- Center report -----------------------------------------------------------------------------


def test_report_numbers_match_the_attendance_rows(client_for, cast, seated, session, center_a, clock):
    clock(10, 0)
    inv = client_for(cast["invigilator_a"])
    a = seated["a"]
    for candidate, status in ((a[0], "present"), (a[1], "present"), (a[2], "absent")):
        inv.post("/api/attendance/", {"candidate": str(candidate.id), "session": str(session.id), "status": status})
    inv.post("/api/incidents/", {"session": str(session.id), "kind": "late_arrival", "description": "Bus late."})

    response = client_for(cast["manager_a"]).get(f"/api/centers/{center_a.id}/report/", {"date": str(EXAM_DAY)})

    assert response.status_code == 200
    body = response.json()
    assert body["center"] == "A01" and body["date"] == "2026-12-01" and body["last_package_sent"] is None
    [block] = body["sessions"]
    rows = Attendance.objects.filter(center=center_a, session=session)
    assert block["present"] == rows.filter(status="present").count() == 2
    assert block["absent"] == rows.filter(status="absent").count() == 1
    assert block["allocated"] == 4 and block["not_marked"] == 1
    assert sum(r["present"] for r in block["rooms"]) == 2
    assert [i["kind"] for i in body["incidents"]] == ["late_arrival"]

    other_day = client_for(cast["manager_a"]).get(f"/api/centers/{center_a.id}/report/", {"date": "2026-12-05"})
    assert other_day.json()["sessions"] == []


def test_report_access_formats_and_command(client_for, cast, seated, center_a, center_b, tmp_path, capsys):
    url = f"/api/centers/{center_a.id}/report/"
    assert client_for(cast["manager_b"]).get(url, {"date": "2026-12-01"}).status_code == 404
    assert client_for(cast["invigilator_a"]).get(url, {"date": "2026-12-01"}).status_code == 403
    assert client_for(cast["admin"]).get(url, {"date": "yesterday"}).status_code == 400
    pdf = client_for(cast["exam_manager"]).get(url, {"date": "2026-12-01", "format": "pdf"})
    assert pdf.status_code == 200 and "Center report: A01" in pdf_text(pdf.content)
    xlsx = client_for(cast["admin"]).get(url, {"date": "2026-12-01", "format": "xlsx"})
    assert xlsx.status_code == 200
    assert load_workbook(io.BytesIO(xlsx.content)).active["F6"].value == 4

    call_command("generate_center_report", "--center-id", "A01", "--date", "2026-12-01")
    assert json.loads(capsys.readouterr().out)["sessions"][0]["allocated"] == 4
    out = tmp_path / "report.pdf"
    call_command(
        "generate_center_report", "--center-id", "A01", "--date", "2026-12-01", "--format", "pdf", "--output", str(out)
    )
    assert "Center report: A01" in pdf_text(out.read_bytes())


def test_lists_do_not_grow_queries_with_rows(client_for, cast, seated, session, clock, django_assert_num_queries):
    clock(10, 0)
    inv = client_for(cast["invigilator_a"])
    for candidate in seated["a"]:
        inv.post("/api/attendance/", {"candidate": str(candidate.id), "session": str(session.id), "status": "present"})
        inv.post(
            "/api/incidents/",
            {"session": str(session.id), "candidate": str(candidate.id), "kind": "other", "description": "x"},
        )
    manager = client_for(cast["exam_manager"])
    with django_assert_num_queries(3):  # user, count, page
        assert manager.get("/api/attendance/").json()["count"] == 4
    with django_assert_num_queries(3):
        assert manager.get("/api/incidents/").json()["count"] == 4


def test_last_package_sent_is_in_local_time_like_every_other_time(client_for, cast, seated, center_a, settings):
    """Issue 11 item 7: it was UTC (+00:00) while the rest of the report is local (+05:30)."""
    import datetime as dt

    from apps.sync.history import sync_log_write
    from apps.sync.models import SyncLog

    entry = sync_log_write(direction="import", kind="results-package", origin="A01", center="A01", target="HQ")
    sent = dt.datetime(2026, 12, 1, 6, 45, 10, tzinfo=dt.UTC)  # 12:15:10 in Asia/Kolkata
    SyncLog.objects.filter(pk=entry.pk).update(created_at=sent)

    body = client_for(cast["manager_a"]).get(f"/api/centers/{center_a.id}/report/", {"date": "2026-12-01"}).json()
    assert body["last_package_sent"] == "2026-12-01T12:15:10+05:30"
    assert body["generated_at"].endswith("+05:30")
    assert all(i["reported_at"].endswith("+05:30") for i in body["incidents"])
