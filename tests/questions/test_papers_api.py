"""The question-paper API: the role matrix, the exam managers' answer-key timing, the
endpoints' bodies and errors, and the list's query count."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from apps.questions.models import QuestionPaper
from apps.questions.papers import services
from tests.clock import local_moment
from tests.questions.papers_support import bank, built_paper, second_shift, session

pytestmark = pytest.mark.django_db

BASE = "/api/question-papers/"
NO_ACCESS = ("manager_a", "invigilator_a", "manager_b", "evaluator")


@pytest.fixture
def paper(admin, make_approved):
    bank(make_approved, 12)
    return built_paper(admin, session(), [{"subject": "PHY", "count": 10}])


def endpoints(paper):
    """(method, url, body) of every question-paper endpoint."""
    url = f"{BASE}{paper.pk}/"
    return [
        ("get", BASE, None),
        ("post", BASE, {"session": str(session().pk)}),
        ("get", url, None),
        ("patch", url, {"seed": 3}),
        ("delete", url, None),
        ("post", f"{url}build/", None),
        ("post", f"{url}questions/", {"question_ids": [1]}),
        ("delete", f"{url}questions/1/", None),
        ("post", f"{url}reorder/", {"order": [1]}),
        ("get", f"{url}sets/", None),
        ("post", f"{url}sets/", None),
        ("get", f"{url}answer-key/", None),
        ("get", f"{url}sets/A/pdf/", None),
        ("post", f"{url}finalise/", None),
    ]


@pytest.mark.parametrize("role", NO_ACCESS)
def test_center_staff_and_evaluators_get_403_everywhere(client_for, cast, paper, role):
    client = client_for(cast[role])
    for method, url, body in endpoints(paper):
        response = getattr(client, method)(url, body, format="json")
        assert response.status_code == 403, (role, method, url)
        assert "Question" not in response.content.decode()


def test_exam_managers_get_403_everywhere_but_the_answer_key(client_for, exam_manager, paper, frozen_clock):
    client = client_for(exam_manager)
    for method, url, body in endpoints(paper):
        response = getattr(client, method)(url, body, format="json")
        expected = 200 if url.endswith("answer-key/") else 403
        assert response.status_code == expected, (method, url, response.content)
    assert QuestionPaper.objects.filter(pk=paper.pk).exists()


def test_exam_managers_read_keys_only_after_the_last_shift_ends(
    client_for, admin, exam_manager, make_approved, frozen_clock
):
    bank(make_approved, 10)
    morning = session()  # 10:00-12:00 on the exam day
    afternoon = second_shift(morning)  # 14:00-16:00
    paper = built_paper(admin, morning, [{"subject": "PHY", "count": 5}])
    built_paper(admin, afternoon, [{"subject": "PHY", "count": 5}])
    url = f"{BASE}{paper.pk}/answer-key/?set=B"

    def client():  # a fresh token at each moment: the clock moves by hours
        return client_for(exam_manager)

    frozen_clock.move_to(local_moment(13, 0))  # the morning shift is over, the paper is not
    early = client().get(url)
    assert early.status_code == 403
    assert early.json()["detail"] == (
        "Answer keys open to exam managers when the paper's last session ends, 2026-12-01 16:00 (Asia/Kolkata)."
    )
    frozen_clock.move_to(local_moment(15, 59, 59))
    assert client().get(url).status_code == 403
    frozen_clock.move_to(local_moment(16, 0))
    body = client().get(url).json()
    assert [s["letter"] for s in body["sets"]] == ["B"]
    assert len(body["sets"][0]["key"]) == 5
    assert set(body["sets"][0]["key"][0]) == {"position", "question", "type", "answer", "marks", "negative_marks"}


def test_admins_and_setters_read_keys_at_any_time(client_for, admin, setter, paper, frozen_clock):
    frozen_clock.move_to(local_moment(9, 0))  # before the session
    for user in (admin, setter):
        body = client_for(user).get(f"{BASE}{paper.pk}/answer-key/").json()
        assert [s["letter"] for s in body["sets"]] == ["A", "B", "C", "D"]
    assert client_for(admin).get(f"{BASE}{paper.pk}/answer-key/?set=Z").status_code == 404


def test_setters_see_only_papers_drawing_on_their_subjects(client_for, admin, setter, make_approved, chemistry):
    bank(make_approved, 4)
    bank(make_approved, 4, start=50, subject=chemistry)
    physics_paper = services.create_paper(user=admin, session=session())
    services.pick_questions(user=admin, paper=physics_paper, section=0, question_ids=[1, 2])
    mixed = services.create_paper(user=admin, session=session())
    services.pick_questions(user=admin, paper=mixed, section=0, question_ids=[3, 5])
    client = client_for(setter)
    listed = [row["id"] for row in client.get(BASE).json()["results"]]
    assert listed == [str(physics_paper.pk)]
    assert client.get(f"{BASE}{mixed.pk}/").status_code == 404
    assert client.get(f"{BASE}{mixed.pk}/answer-key/").status_code == 404
    # A setter cannot pull another subject's question into its paper either.
    refused = client.post(f"{BASE}{physics_paper.pk}/questions/", {"question_ids": [6]}, format="json")
    assert refused.status_code == 400
    assert refused.json()["errors"] == {"question_ids[0]": ["No question 6 that you may use."]}


def test_setter_builds_a_paper_through_the_api(client_for, setter, make_approved):
    bank(make_approved, 12)
    exam_session = session()
    client = client_for(setter)
    created = client.post(
        BASE,
        {
            "session": str(exam_session.pk),
            "seed": 11,
            "languages": ["en", "hi"],
            "instructions": {"en": "Answer all questions."},
            "blueprint": [{"title": "Physics", "rules": [{"subject": "phy", "count": 8, "marks": 2}]}],
        },
        format="json",
    )
    assert created.status_code == 201, created.content
    paper = created.json()
    assert paper["blueprint"][0]["rules"][0]["subject"] == "PHY"
    url = f"{BASE}{paper['id']}/"
    built = client.post(f"{url}build/").json()
    assert built["question_count"] == 8 and [q["position"] for q in built["questions"]] == list(range(1, 9))
    assert {q["marks"] for q in built["questions"]} == {"2.00"}
    sets = client.post(f"{url}sets/")
    assert sets.status_code == 201
    assert sets.json() == [{"letter": letter, "question_count": 8} for letter in "ABCD"]
    assert client.delete(f"{url}questions/8/").json()["question_count"] == 7
    assert client.get(f"{url}sets/").json() == []  # the sets went with the change
    reordered = client.post(f"{url}reorder/", {"order": [7, 6, 5, 4, 3, 2, 1]}, format="json").json()
    assert [q["number"] for q in reordered["questions"]] == [q["number"] for q in built["questions"][:7]][::-1]
    pdf = client.get(f"{url}sets/A/pdf/")
    assert pdf.status_code == 404  # no sets yet
    client.post(f"{url}sets/")
    pdf = client.get(f"{url}sets/a/pdf/")
    assert pdf.status_code == 200 and pdf["Content-Type"] == "application/pdf"
    assert pdf.content.startswith(b"%PDF")
    assert client.post(f"{url}finalise/").status_code == 403  # admins only


def test_errors_are_json_and_name_what_is_wrong(client_for, admin, make_approved):
    bank(make_approved, 3)
    client = client_for(admin)
    exam_session = session()
    bad = client.post(BASE, {"session": str(exam_session.pk), "languages": ["en", "hi", "mr"]}, format="json")
    assert bad.status_code == 400 and "languages" in bad.json()["errors"]
    paper = client.post(
        BASE,
        {"session": str(exam_session.pk), "blueprint": [{"title": "P", "rules": [{"subject": "PHY", "count": 5}]}]},
        format="json",
    ).json()
    again = client.post(BASE, {"session": str(exam_session.pk)}, format="json")
    assert again.status_code == 409 and again.json()["code"] == "paper_exists"
    short = client.post(f"{BASE}{paper['id']}/build/")
    assert short.status_code == 400
    assert short.json()["code"] == "blueprint_unsatisfiable"
    assert 'section 1 "P", rule 1 (PHY any topic): needs 5 questions, 3 available' in short.json()["detail"]
    assert short.json()["rules"][0]["available"] == 3
    moved = client.patch(f"{BASE}{paper['id']}/", {"session": str(session().pk)}, format="json")
    assert moved.status_code == 400 and "session" in moved.json()["errors"]
    assert client.post(f"{BASE}{paper['id']}/reorder/", {"order": [1, 1]}, format="json").status_code == 400
    assert client.delete(f"{BASE}{paper['id']}/questions/3/").status_code == 404


def test_only_drafts_are_deleted_and_a_final_paper_answers_409(client_for, admin, paper):
    client = client_for(admin)
    url = f"{BASE}{paper.pk}/"
    final = client.post(f"{url}finalise/")
    assert final.status_code == 200 and final.json()["status"] == "final"
    for method, target, body in [
        ("delete", url, None),
        ("patch", url, {"seed": 1}),
        ("post", f"{url}build/", None),
        ("post", f"{url}sets/", None),
        ("delete", f"{url}questions/1/", None),
        ("post", f"{url}finalise/", None),
    ]:
        response = getattr(client, method)(target, body, format="json")
        assert response.status_code == 409, (method, target)
        assert response.json()["code"] == "paper_final"
    assert client.get(f"{url}sets/A/pdf/").status_code == 200  # previews still work
    draft = built_paper(admin, session(), [{"subject": "PHY", "count": 2}], sets=False)
    assert client.delete(f"{BASE}{draft.pk}/").status_code == 204
    assert not QuestionPaper.objects.filter(pk=draft.pk).exists()


def test_the_list_costs_the_same_queries_for_one_paper_or_many(client_for, admin, make_approved):
    bank(make_approved, 40)
    client = client_for(admin)
    built_paper(admin, session(), [{"subject": "PHY", "count": 5}])

    def count():
        with CaptureQueriesContext(connection) as queries:
            response = client.get(BASE)
        assert response.status_code == 200
        return len(queries), response.json()["count"]

    one, listed = count()
    assert listed == 1
    for _ in range(4):
        built_paper(admin, session(), [{"subject": "PHY", "count": 5}])
    many, listed = count()
    assert listed == 5
    assert many == one == 3  # the user, the count, the page (sessions, papers and exams joined)
    row = client.get(BASE).json()["results"][0]
    assert (row["question_count"], row["sets_built"], row["set_count"]) == (5, 4, 4)
