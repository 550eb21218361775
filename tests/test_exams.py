import pytest

from apps.exams.models import Exam, ExamSession, Paper
from tests.factories import ExamFactory, ExamSessionFactory, PaperFactory

pytestmark = pytest.mark.django_db

EXAM = {"code": "NET2027", "name": "National Entrance Test", "start_date": "2027-03-01", "end_date": "2027-03-05"}


def test_build_an_exam_with_papers_and_sessions(client_for, exam_manager):
    client = client_for(exam_manager)
    exam = client.post("/api/exams/", EXAM, format="json")
    assert exam.status_code == 201, exam.content
    assert exam.json()["status"] == "draft"
    exam_id = exam.json()["id"]
    paper = client.post(
        "/api/papers/",
        {
            "exam": exam_id,
            "code": "P1",
            "name": "Aptitude",
            "max_marks": "100",
            "pass_marks": "35",
            "duration_minutes": 120,
            "kind": "objective",
        },
        format="json",
    )
    assert paper.status_code == 201, paper.content
    session = client.post(
        "/api/sessions/",
        {
            "exam": exam_id,
            "paper": paper.json()["id"],
            "date": "2027-03-02",
            "start_time": "09:30",
            "end_time": "11:30",
        },
        format="json",
    )
    assert session.status_code == 201, session.content
    assert session.json()["paper_code"] == "P1"
    assert ExamSession.objects.get().paper.exam.code == "NET2027"


def test_end_date_before_start_date_is_rejected(client_for, exam_manager):
    response = client_for(exam_manager).post("/api/exams/", {**EXAM, "end_date": "2027-02-01"}, format="json")
    assert response.status_code == 400
    assert "end_date" in response.json()["errors"]
    assert not Exam.objects.exists()


def test_status_moves_forward_only(client_for, exam_manager):
    exam = ExamFactory(status="draft")
    client = client_for(exam_manager)
    assert client.patch(f"/api/exams/{exam.id}/", {"status": "ongoing"}, format="json").status_code == 200
    back = client.patch(f"/api/exams/{exam.id}/", {"status": "scheduled"}, format="json")
    assert back.status_code == 400
    assert "only an admin may reopen" in back.json()["errors"]["status"][0]
    exam.refresh_from_db()
    assert exam.status == "ongoing"


def test_admin_may_reopen(client_for, admin):
    exam = ExamFactory(status="completed")
    response = client_for(admin).patch(f"/api/exams/{exam.id}/", {"status": "ongoing"}, format="json")
    assert response.status_code == 200
    exam.refresh_from_db()
    assert exam.status == "ongoing"


def test_unknown_status_is_a_field_error(client_for, exam_manager):
    exam = ExamFactory()
    response = client_for(exam_manager).patch(f"/api/exams/{exam.id}/", {"status": "paused"}, format="json")
    assert response.status_code == 400
    assert "status" in response.json()["errors"]


def test_pass_marks_cannot_exceed_max_marks(client_for, exam_manager):
    exam = ExamFactory()
    response = client_for(exam_manager).post(
        "/api/papers/",
        {"exam": str(exam.id), "code": "P1", "name": "x", "max_marks": 50, "pass_marks": 60, "duration_minutes": 60},
        format="json",
    )
    assert response.status_code == 400
    assert "pass_marks" in response.json()["errors"]
    assert not Paper.objects.exists()


def test_paper_code_unique_within_exam(client_for, exam_manager):
    paper = PaperFactory(code="P1")
    other_exam = ExamFactory()
    client = client_for(exam_manager)
    payload = {"code": "P1", "name": "x", "max_marks": 50, "pass_marks": 20, "duration_minutes": 60}
    assert client.post("/api/papers/", {**payload, "exam": str(paper.exam_id)}, format="json").status_code == 400
    assert client.post("/api/papers/", {**payload, "exam": str(other_exam.id)}, format="json").status_code == 201


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"date": "2026-11-30"}, "date"),
        ({"date": "2026-12-11"}, "date"),
        ({"start_time": "12:00", "end_time": "11:00"}, "end_time"),
    ],
)
def test_session_must_fit_the_exam_and_end_after_start(client_for, exam_manager, change, field):
    paper = PaperFactory()  # exam runs 2026-12-01 .. 2026-12-10
    payload = {
        "exam": str(paper.exam_id),
        "paper": str(paper.id),
        "date": "2026-12-02",
        "start_time": "10:00",
        "end_time": "12:00",
        **change,
    }
    response = client_for(exam_manager).post("/api/sessions/", payload, format="json")
    assert response.status_code == 400
    assert field in response.json()["errors"]
    assert not ExamSession.objects.exists()


def test_session_paper_must_belong_to_the_exam(client_for, exam_manager):
    paper = PaperFactory()
    other = ExamFactory()
    payload = {
        "exam": str(other.id),
        "paper": str(paper.id),
        "date": "2026-12-02",
        "start_time": "10:00",
        "end_time": "12:00",
    }
    response = client_for(exam_manager).post("/api/sessions/", payload, format="json")
    assert response.status_code == 400
    assert "paper" in response.json()["errors"]


def test_exam_dates_cannot_shrink_past_its_sessions(client_for, exam_manager):
    session = ExamSessionFactory(date="2026-12-09")
    response = client_for(exam_manager).patch(
        f"/api/exams/{session.exam_id}/", {"end_date": "2026-12-05"}, format="json"
    )
    assert response.status_code == 400
    assert "2026-12-09" in response.json()["errors"]["start_date"][0]


def test_filters_by_exam_and_status(client_for, exam_manager):
    s1 = ExamSessionFactory()
    ExamSessionFactory(paper=PaperFactory(exam=ExamFactory(status="draft")))
    client = client_for(exam_manager)
    assert client.get(f"/api/sessions/?exam={s1.exam_id}").json()["count"] == 1
    assert client.get("/api/sessions/?status=draft").json()["count"] == 1
    assert client.get("/api/exams/?status=scheduled").json()["count"] == 1
    assert client.get(f"/api/papers/?exam={s1.exam_id}").json()["count"] == 1
    assert client.get("/api/exams/?status=bogus").status_code == 400


def test_deleting_an_exam_with_papers_is_a_conflict(client_for, exam_manager):
    paper = PaperFactory()
    response = client_for(exam_manager).delete(f"/api/exams/{paper.exam_id}/")
    assert response.status_code == 409
    assert Exam.objects.filter(pk=paper.exam_id).exists()


def test_session_list_query_count(client_for, exam_manager, django_assert_max_num_queries):
    for _ in range(15):
        ExamSessionFactory()
    with django_assert_max_num_queries(4):
        assert client_for(exam_manager).get("/api/sessions/").json()["count"] == 15
