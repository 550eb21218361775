"""The bank in the Django admin: admins and paper setters only, scoped like the API, writing
through the bank's services; history read-only."""

import pytest

from apps.questions.models import Question, QuestionHistory

pytestmark = pytest.mark.django_db


@pytest.fixture
def browser(client):
    def as_user(user):
        client.force_login(user)
        return client

    return as_user


def _form(subject, **changes):
    data = {
        "subject": str(subject.pk),
        "passage": "",
        "type": "single",
        "text": '{"en": "Admin question?"}',
        "text_format": "markdown",
        "options": '[{"text": {"en": "Yes"}, "correct": true}, {"text": {"en": "No"}, "correct": false}]',
        "answer": "null",
        "model_answer": "{}",
        "marking_scheme": "[]",
        "marks": "2",
        "negative_marks": "0",
        "difficulty": "easy",
        "topic": "Admin",
        "tags": "[]",
        "images-TOTAL_FORMS": "0",
        "images-INITIAL_FORMS": "0",
    }
    data.update(changes)
    return data


@pytest.mark.parametrize("role", ["exam_manager", "manager_a"])
def test_other_staff_never_see_the_bank(browser, cast, make_approved, role):
    client = browser(cast[role])
    index = client.get("/admin/").content.decode()
    # The app may be listed (center staff read release records there), never the bank.
    for model in ("question", "questionversion", "passage", "subject"):
        assert f"/admin/questions/{model}/" not in index
    for model in ("question", "questionversion", "questionhistory", "passage", "subject", "setterassignment"):
        assert client.get(f"/admin/questions/{model}/").status_code == 403, model
    question = make_approved()
    assert client.get(f"/admin/questions/question/{question.pk}/change/").status_code == 403


def test_setter_sees_only_its_subjects(browser, setter, chemistry, make_approved):
    mine, other = make_approved(), make_approved(subject=chemistry)
    client = browser(setter)
    listing = client.get("/admin/questions/question/").content.decode()
    assert f">{mine.number}<" in listing and f">{other.number}<" not in listing
    assert client.get(f"/admin/questions/question/{other.pk}/change/").status_code == 302  # "doesn't exist"
    assert client.get("/admin/questions/subject/add/").status_code == 403


def test_setter_adds_a_question_through_the_service(browser, setter, physics):
    response = browser(setter).post("/admin/questions/question/add/", _form(physics))
    assert response.status_code == 302, response.content.decode()[:3000]
    question = Question.objects.get()
    assert (question.status, question.author, question.number, question.options[0]["fixed"]) == (
        "draft",
        setter,
        1,
        False,
    )
    assert QuestionHistory.objects.get().action == "created"


def test_admin_form_shows_the_content_rule_by_its_field(browser, setter, physics):
    options = '[{"text": {"en": "Yes"}, "correct": true}, {"text": {"en": "No"}, "correct": true}]'
    response = browser(setter).post("/admin/questions/question/add/", _form(physics, options=options))
    assert response.status_code == 200
    assert "Exactly one option must be correct (found 2)." in response.content.decode()
    assert not Question.objects.exists()


def test_setter_cannot_pick_an_unassigned_subject(browser, setter, chemistry):
    response = browser(setter).post("/admin/questions/question/add/", _form(chemistry))
    assert response.status_code == 200 and not Question.objects.exists()


def test_history_is_read_only(browser, admin, make_approved):
    question = make_approved()
    client = browser(admin)
    assert client.get("/admin/questions/questionhistory/").status_code == 200
    assert client.get("/admin/questions/questionhistory/add/").status_code == 403
    assert client.get("/admin/questions/questionversion/add/").status_code == 403
    version = question.approved_version
    assert client.post(f"/admin/questions/questionversion/{version.pk}/delete/", {"post": "yes"}).status_code == 403


def test_admin_actions_run_the_workflow(browser, admin, setter, physics):
    client = browser(setter)
    client.post("/admin/questions/question/add/", _form(physics))
    question = Question.objects.get()
    actions = "/admin/questions/question/"
    client.post(actions, {"action": "submit", "_selected_action": [str(question.pk)]})
    client.post(actions, {"action": "approve", "_selected_action": [str(question.pk)]})  # own: refused
    question.refresh_from_db()
    assert question.status == "submitted"
    browser(admin).post(actions, {"action": "approve", "_selected_action": [str(question.pk)]})
    question.refresh_from_db()
    assert (question.status, question.approved_version.number) == ("approved", 1)
