"""Issue 11 item 6: the same rule everywhere. A second registration of the same person
(same name, father's name and date of birth, same exam), which the bulk import refuses,
is refused by POST/PATCH /api/candidates/ and the admin too; an identical second session
(same paper, date and start time) likewise. Both are 409 with the existing row named."""

import io

import pytest

from apps.candidates.models import Candidate
from apps.candidates.services.importing import candidates_import
from apps.candidates.services.reports import ImportFailed
from apps.exams.models import ExamSession
from tests.factories import CandidateFactory, ExamFactory, ExamSessionFactory

pytestmark = pytest.mark.django_db

PERSON = {"name": "Asha Verma", "father_name": "Ramesh Verma", "date_of_birth": "2001-04-12"}


@pytest.fixture
def exam(db):
    return ExamFactory(code="DUP2026")


def candidate_payload(exam, **overrides):
    data = {"exam": str(exam.pk), **PERSON, "gender": "F", "category": "GEN"}
    data.update(overrides)
    return data


@pytest.fixture
def registered(exam):
    return CandidateFactory(exam=exam, roll_number="DUP-0001", **PERSON)


def test_posting_the_same_person_again_is_409_naming_the_existing_candidate(client_for, exam_manager, registered):
    client = client_for(exam_manager)
    # The import's rule: the father's name compares case-insensitively (the database is
    # asked for the exact name, as the import does).
    again = candidate_payload(registered.exam, father_name="RAMESH VERMA")
    response = client.post("/api/candidates/", again, format="json")
    assert response.status_code == 409, response.json()
    body = response.json()
    assert body["code"] == "duplicate_person"
    assert "DUP-0001" in body["detail"]
    assert body["existing"] == {"id": str(registered.pk), "roll_number": "DUP-0001"}
    assert Candidate.objects.count() == 1

    # Another date of birth, or another exam, is another registration.
    assert (
        client.post(
            "/api/candidates/", candidate_payload(registered.exam, date_of_birth="2001-04-13"), format="json"
        ).status_code
        == 201
    )
    other_exam = ExamFactory(code="OTHER26")
    assert client.post("/api/candidates/", candidate_payload(other_exam), format="json").status_code == 201


def test_changing_a_candidate_into_another_registered_person_is_409(client_for, exam_manager, registered):
    other = CandidateFactory(
        exam=registered.exam,
        roll_number="DUP-0002",
        name="Bina Verma",
        father_name="Ramesh Verma",
        date_of_birth="2001-04-12",
    )
    client = client_for(exam_manager)
    response = client.patch(f"/api/candidates/{other.pk}/", {"name": "Asha Verma"}, format="json")
    assert response.status_code == 409
    assert response.json()["existing"]["roll_number"] == "DUP-0001"
    # Other fields of a candidate change as before; so does the candidate's own name.
    assert client.patch(f"/api/candidates/{other.pk}/", {"city": "Pune"}, format="json").status_code == 200
    assert client.patch(f"/api/candidates/{registered.pk}/", {"name": "asha verma"}, format="json").status_code == 200


def test_import_and_registration_share_the_rule_and_its_words(client_for, exam_manager, registered):
    sheet = io.BytesIO(b"name,father_name,date_of_birth,gender\nAsha Verma,RAMESH VERMA,2001-04-12,F\n")
    with pytest.raises(ImportFailed) as refused:
        candidates_import(source=sheet, exam=registered.exam)
    [error] = refused.value.report.errors
    api = client_for(exam_manager).post("/api/candidates/", candidate_payload(registered.exam), format="json")
    shared = "Same name, father's name and date of birth as candidate DUP-0001"
    assert error.message.startswith(shared) and api.json()["detail"].startswith(shared)


def _candidate_form(exam, **overrides):
    data = {
        "exam": str(exam.pk),
        "roll_number": "",
        "application_number": "",
        **PERSON,
        "gender": "F",
        "category": "GEN",
        "extra_time_minutes": "0",
        "preferred_cities": "[]",
    }
    data.update(overrides)
    return data


def test_the_admin_refuses_the_same_person_and_says_why(client, exam_manager, registered):
    client.force_login(exam_manager)
    response = client.post("/admin/candidates/candidate/add/", _candidate_form(registered.exam), follow=True)
    assert response.status_code == 200
    assert "Not saved: Same name, father&#x27;s name and date of birth as candidate DUP-0001" in (
        response.content.decode()
    )
    assert Candidate.objects.count() == 1


# --- Sessions -------------------------------------------------------------------------------


@pytest.fixture
def session(db):
    return ExamSessionFactory()


def session_payload(session, **overrides):
    data = {
        "exam": str(session.exam_id),
        "paper": str(session.paper_id),
        "date": str(session.date),
        "start_time": "10:00",
        "end_time": "12:00",
    }
    data.update(overrides)
    return data


def test_an_identical_second_session_is_409_naming_the_existing_one(client_for, exam_manager, session):
    client = client_for(exam_manager)
    response = client.post("/api/sessions/", session_payload(session), format="json")
    assert response.status_code == 409, response.json()
    body = response.json()
    assert body["code"] == "duplicate_session"
    assert str(session.pk) in body["detail"] and f"Paper {session.paper.code}" in body["detail"]
    assert body["existing"]["id"] == str(session.pk)
    # Another end time is still the same sitting; another start time is another one.
    assert client.post("/api/sessions/", session_payload(session, end_time="13:00"), format="json").status_code == 409
    later = client.post("/api/sessions/", session_payload(session, start_time="14:00", end_time="16:00"))
    assert later.status_code == 201
    assert ExamSession.objects.count() == 2

    moved = client.patch(f"/api/sessions/{later.json()['id']}/", {"start_time": "10:00", "end_time": "12:00"})
    assert moved.status_code == 409 and moved.json()["existing"]["id"] == str(session.pk)
    assert client.patch(f"/api/sessions/{session.pk}/", {"end_time": "12:30"}).status_code == 200


def test_the_admin_refuses_an_identical_session_and_says_why(client, exam_manager, session):
    client.force_login(exam_manager)
    form = {
        "exam": str(session.exam_id),
        "paper": str(session.paper_id),
        "date": str(session.date),
        "start_time": "10:00:00",
        "end_time": "12:00:00",
    }
    response = client.post("/admin/exams/examsession/add/", form, follow=True)
    assert response.status_code == 200
    assert f"Not saved: Paper {session.paper.code} already has a session on" in response.content.decode()
    assert ExamSession.objects.count() == 1
