"""Attendance sheets (PDF/xlsx) of a session at a center or one room."""

import io

import pytest
from openpyxl import load_workbook
from pypdf import PdfReader

from tests.seating.conftest import with_photo
from tests.seating.test_admit_cards import decoded_qr_texts, pdf_text

pytestmark = pytest.mark.django_db


# --- Attendance sheets -----------------------------------------------------------------------


def test_attendance_sheet_pdf_lists_the_room_with_a_roll_qr_per_row(client_for, manager_a, seated, session, room_a):
    with_photo(seated["a"][0])
    url = f"/api/sessions/{session.id}/attendance-sheet/"
    response = client_for(manager_a).get(url, {"room": str(room_a.id)})

    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    text = pdf_text(response.content)
    for candidate in seated["a"]:
        assert candidate.roll_number in text and candidate.name in text
    assert not any(c.roll_number in text for c in seated["b"])
    assert "Signature" in text and "Center A01" in text
    assert sorted(decoded_qr_texts(response.content)) == sorted(c.roll_number for c in seated["a"])
    assert len(PdfReader(io.BytesIO(response.content)).pages) == 1


def test_attendance_sheet_xlsx(client_for, exam_manager, seated, session, center_b):
    response = client_for(exam_manager).get(
        f"/api/sessions/{session.id}/attendance-sheet/", {"center": str(center_b.id), "format": "xlsx"}
    )
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    rows = list(load_workbook(io.BytesIO(response.content)).active.iter_rows(min_row=5, values_only=True))
    assert sorted(r[4] for r in rows) == sorted(c.roll_number for c in seated["b"])
    assert all(r[6] in "ABCD" for r in rows)


def test_attendance_sheet_scope_and_input(client_for, cast, seated, session, center_a, room_b):
    url = f"/api/sessions/{session.id}/attendance-sheet/"
    assert client_for(cast["manager_b"]).get(url, {"center": str(center_a.id)}).status_code == 404
    assert client_for(cast["invigilator_a"]).get(url).status_code == 200  # defaults to its own center
    assert client_for(cast["invigilator_a"]).get(url, {"room": str(room_b.id)}).status_code == 404
    assert client_for(cast["admin"]).get(url).status_code == 400  # HQ must name the center
    assert client_for(cast["admin"]).get(url, {"center": "nope"}).status_code == 404
    assert client_for(cast["admin"]).get(url, {"center": str(center_a.id), "format": "doc"}).status_code == 400
    assert client_for(cast["evaluator"]).get(url).status_code == 403
