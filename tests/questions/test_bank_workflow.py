"""The review workflow: draft -> submitted -> approved (not by its writer) -> retired;
editing an approved question makes the next version while papers keep the frozen one."""

import datetime as dt

import pytest

from apps.core.roles import Role
from apps.questions.bank import services
from apps.questions.bank.selectors import drawable_questions
from apps.questions.models import Question, QuestionHistory, QuestionVersion, SetterAssignment
from tests.factories import UserFactory
from tests.questions.bank_support import QUESTIONS, single, url

pytestmark = pytest.mark.django_db


@pytest.fixture
def reviewer(physics):
    user = UserFactory(username="reviewer", role=Role.PAPER_SETTER, is_staff=True)
    SetterAssignment.objects.create(user=user, subject=physics)
    return user


@pytest.fixture
def author(client_for, setter):
    return client_for(setter)


@pytest.fixture
def created(author):
    response = author.post(QUESTIONS, single(), format="json")
    assert response.status_code == 201
    return response.json()


def _approved(author, reviewer_client, question_id):
    assert author.post(url(question_id, "submit")).status_code == 200
    response = reviewer_client.post(url(question_id, "approve"))
    assert response.status_code == 200, response.content
    return response.json()


def test_self_approval_is_refused(author, created):
    assert author.post(url(created["id"], "submit")).json()["status"] == "submitted"
    response = author.post(url(created["id"], "approve"))
    assert response.status_code == 409
    assert response.json()["code"] == "self_approval"
    assert Question.objects.get().status == "submitted"
    assert not QuestionVersion.objects.exists()


def test_the_last_editor_may_not_approve_either(author, created, client_for, reviewer, admin):
    reviewing = client_for(reviewer)
    assert reviewing.patch(url(created["id"]), {"topic": "Mechanics"}, format="json").status_code == 200
    assert author.post(url(created["id"], "submit")).status_code == 200
    assert reviewing.post(url(created["id"], "approve")).json()["code"] == "self_approval"
    # An admin who wrote nothing of this version may.
    assert client_for(admin).post(url(created["id"], "approve")).json()["status"] == "approved"


def test_approval_by_another_setter_freezes_version_1(author, created, client_for, reviewer, frozen_clock):
    body = _approved(author, client_for(reviewer), created["id"])
    assert (body["status"], body["version"], body["approved_version"]) == ("approved", 1, 1)
    version = QuestionVersion.objects.get()
    question = Question.objects.get()
    assert question.approved_version == version
    assert (version.number, version.author.username, version.approved_by.username) == (1, "paper_setter", "reviewer")
    for field in Question.CONTENT_FIELDS:
        assert getattr(version, field) == getattr(question, field), field
    shown = author.get(url(created["id"], "versions/1")).json()
    assert shown["text"] == {"en": "What is the SI unit of force?"} and shown["approved_by"] == "reviewer"
    assert author.get(url(created["id"], "versions/2")).status_code == 404


def test_editing_an_approved_question_makes_version_2_and_keeps_v1(author, created, client_for, reviewer, frozen_clock):
    _approved(author, client_for(reviewer), created["id"])
    v1 = QuestionVersion.objects.get()
    v1_content = {f: getattr(v1, f) for f in Question.CONTENT_FIELDS}

    response = author.patch(url(created["id"]), {"text": {"en": "Unit of force (SI)?"}, "marks": "2"}, format="json")
    assert response.status_code == 200
    body = response.json()
    assert (body["status"], body["version"], body["approved_version"]) == ("draft", 2, 1)
    assert body["text"] == {"en": "Unit of force (SI)?"}
    # Papers and draws keep using version 1 until version 2 is approved.
    question = Question.objects.get()
    assert question.approved_version_id == v1.pk
    assert list(drawable_questions()) == [question]
    v1.refresh_from_db()
    assert {f: getattr(v1, f) for f in Question.CONTENT_FIELDS} == v1_content

    # The author wrote v2 too: the reviewer approves it, and new draws take v2.
    assert author.post(url(created["id"], "submit")).status_code == 200
    assert author.post(url(created["id"], "approve")).json()["code"] == "self_approval"
    approved = client_for(reviewer).post(url(created["id"], "approve")).json()
    assert (approved["version"], approved["approved_version"]) == (2, 2)
    assert QuestionVersion.objects.get(number=2).text == {"en": "Unit of force (SI)?"}
    assert QuestionVersion.objects.get(number=1).text == {"en": "What is the SI unit of force?"}


def test_version_2_approved_by_someone_else(author, created, client_for, reviewer, admin):
    _approved(author, client_for(reviewer), created["id"])
    # The reviewer opens version 2: now it is the author of v2, and paper_setter may approve.
    reviewing = client_for(reviewer)
    assert reviewing.patch(url(created["id"]), {"difficulty": "hard"}, format="json").json()["version"] == 2
    assert reviewing.post(url(created["id"], "submit")).status_code == 200
    assert reviewing.post(url(created["id"], "approve")).json()["code"] == "self_approval"
    body = author.post(url(created["id"], "approve")).json()
    assert (body["status"], body["version"], body["approved_version"]) == ("approved", 2, 2)
    versions = author.get(url(created["id"], "versions")).json()["results"]
    assert [(v["number"], v["difficulty"], v["author"], v["approved_by"]) for v in versions] == [
        (1, "medium", "paper_setter", "reviewer"),
        (2, "hard", "reviewer", "paper_setter"),
    ]


def test_a_question_version_never_changes(make_approved):
    question = make_approved()
    version = question.approved_version
    stored = {f: getattr(version, f) for f in Question.CONTENT_FIELDS}
    editor = UserFactory(username="editor", role=Role.ADMIN)
    services.update_question(user=editor, question=question, data={"text": {"en": "Changed"}, "marks": "9"})
    services.retire_question(user=editor, question=question)
    version.refresh_from_db()
    assert {f: getattr(version, f) for f in Question.CONTENT_FIELDS} == stored


def test_submitted_question_edited_goes_back_to_draft(author, created):
    assert author.post(url(created["id"], "submit")).status_code == 200
    body = author.patch(url(created["id"]), {"topic": "Optics"}, format="json").json()
    assert (body["status"], body["version"]) == ("draft", 1)


def test_return_needs_a_note_and_a_submitted_question(author, created, client_for, reviewer):
    reviewing = client_for(reviewer)
    assert reviewing.post(url(created["id"], "return"), {"note": "x"}, format="json").status_code == 409
    assert author.post(url(created["id"], "submit")).status_code == 200
    missing = reviewing.post(url(created["id"], "return"), {}, format="json")
    assert missing.status_code == 400 and "note" in missing.json()["errors"]
    body = reviewing.post(url(created["id"], "return"), {"note": "Add a figure"}, format="json").json()
    assert body["status"] == "draft"
    last = QuestionHistory.objects.order_by("-id").first()
    assert (last.action, last.note, last.actor.username) == ("returned", "Add a figure", "reviewer")


def test_workflow_steps_out_of_order_are_409(author, created, client_for, reviewer):
    assert author.post(url(created["id"], "approve")).status_code == 409  # a draft
    _approved(author, client_for(reviewer), created["id"])
    assert author.post(url(created["id"], "submit")).status_code == 409
    assert author.post(url(created["id"], "retire")).json()["status"] == "retired"
    assert author.post(url(created["id"], "retire")).status_code == 409
    edit = author.patch(url(created["id"]), {"topic": "Other"}, format="json")
    assert edit.status_code == 409 and edit.json()["code"] == "question_retired"
    assert not drawable_questions().exists()


def test_delete_only_a_question_never_approved(author, created, client_for, reviewer):
    second = author.post(QUESTIONS, single(text="Another?"), format="json").json()
    _approved(author, client_for(reviewer), created["id"])
    refused = author.delete(url(created["id"]))
    assert refused.status_code == 409 and refused.json()["code"] == "question_approved"
    assert author.delete(url(second["id"])).status_code == 204
    assert list(Question.objects.values_list("pk", flat=True)) == [Question.objects.get().pk]
    # Its history stays, by number, with who deleted it.
    gone = QuestionHistory.objects.filter(question_number=second["number"]).order_by("id")
    assert [h.action for h in gone] == ["created", "deleted"]
    assert all(h.question_id is None for h in gone)


def test_history_records_who_when_what(author, created, client_for, reviewer, frozen_clock):
    author.patch(url(created["id"]), {"marks": "2", "topic": "Mechanics/Newton"}, format="json")
    frozen_clock.shift(60)
    author.post(url(created["id"], "submit"))
    client_for(reviewer).post(url(created["id"], "approve"))
    history = author.get(url(created["id"], "history")).json()
    rows = history["results"]
    assert history["count"] == 4
    assert [(r["action"], r["actor"], r["version"]) for r in rows] == [
        ("created", "paper_setter", 1),
        ("edited", "paper_setter", 1),
        ("submitted", "paper_setter", 1),
        ("approved", "reviewer", 1),
    ]
    assert rows[1]["changes"] == {"marks": ["4.00", "2"], "topic": ["Mechanics/Forces", "Mechanics/Newton"]}
    assert rows[3]["changes"] == {"status": ["submitted", "approved"], "approved_version": [None, 1]}
    assert rows[0]["changes"]["text"] == [None, {"en": "What is the SI unit of force?"}]
    at = [dt.datetime.fromisoformat(r["at"]) for r in rows]
    assert at[2] - at[1] == dt.timedelta(seconds=60)


def test_an_edit_that_changes_nothing_writes_nothing(author, created):
    before = QuestionHistory.objects.count()
    assert author.patch(url(created["id"]), {"topic": "Mechanics/Forces"}, format="json").status_code == 200
    assert QuestionHistory.objects.count() == before


def test_create_question_is_what_importers_call(physics, setter):
    question = services.create_question(
        user=setter,
        subject=physics,
        data={
            "type": "true_false",
            "text": {"en": "Sound needs a medium."},
            "options": [{"text": {"en": "True"}, "correct": True}, {"text": {"en": "False"}}],
        },
        source="bank.gift:3",
    )
    assert (question.status, question.version, question.source) == ("draft", 1, "bank.gift:3")
    history = QuestionHistory.objects.get(question=question)
    assert (history.action, history.note) == ("imported", "bank.gift:3")


def test_passage_must_be_of_the_same_subject(author, client_for, admin, chemistry):
    other = client_for(admin).post("/api/passages/", {"subject": "CHE", "text": {"en": "A table"}}, format="json")
    assert other.status_code == 201
    response = author.post(QUESTIONS, single(passage=other.json()["id"]), format="json")
    assert response.status_code == 400 and "passage" in response.json()["errors"]


def test_a_passage_used_by_an_approved_version_is_frozen(author, client_for, reviewer):
    passage = author.post("/api/passages/", {"subject": "PHY", "text": {"en": "Read this."}}, format="json").json()
    question = author.post(QUESTIONS, single(passage=passage["id"]), format="json").json()
    edit = author.patch(f"/api/passages/{passage['id']}/", {"text": {"en": "Read that."}}, format="json")
    assert edit.status_code == 200
    _approved(author, client_for(reviewer), question["id"])
    frozen = author.patch(f"/api/passages/{passage['id']}/", {"text": {"en": "Again."}}, format="json")
    assert frozen.status_code == 409 and frozen.json()["code"] == "passage_frozen"
    used = author.delete(f"/api/passages/{passage['id']}/")
    assert used.status_code == 409 and used.json()["code"] == "passage_in_use"
