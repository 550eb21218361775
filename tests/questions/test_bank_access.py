"""Who reaches the bank: admins everything; a paper setter only its assigned subjects (other
subjects' rows are 404, writing into them a 400 on `subject`); every other role 403 on every
bank endpoint; no token 401. Also the list's filters and its query count."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext

from apps.core.roles import Role
from apps.questions.bank import services
from apps.questions.models import Passage, Question, QuestionImage, SetterAssignment, Subject
from tests.factories import UserFactory
from tests.questions.bank_support import QUESTIONS, png_bytes, single
from tests.questions.conftest import choice_content

pytestmark = pytest.mark.django_db

OTHER_ROLES = ["exam_manager", "manager_a", "invigilator_a", "manager_b", "evaluator"]


@pytest.fixture
def bank(cast, setter, physics, chemistry, admin, make_approved):
    """A question, passage and image in each subject; setter is assigned Physics only."""
    rows = {}
    for subject in (physics, chemistry):
        passage = services.create_passage(user=admin, subject=subject, data={"text": {"en": f"{subject.code} text"}})
        question = make_approved(subject=subject)
        draft = services.create_question(user=admin, subject=subject, data=single(subject=subject.code))
        image = services.add_image(user=admin, question=draft, upload=png_bytes(), caption="")
        rows[subject.code] = {"question": question, "draft": draft, "passage": passage, "image": image}
    rows["assignment"] = SetterAssignment.objects.get(user=setter)
    rows["other_assignment"] = services.assign_setter(setter=_another_setter(), subject=chemistry)
    return rows


def _another_setter():
    return UserFactory(username="chem_setter", role=Role.PAPER_SETTER, is_staff=True)


def endpoints(rows, code):
    """Every bank endpoint, filled with the rows of subject `code`: (method, url, body)."""
    q, d, p, i = (rows[code][k] for k in ("question", "draft", "passage", "image"))
    subject = Subject.objects.get(code=code)
    assignment = rows["assignment"] if code == "PHY" else rows["other_assignment"]
    return [
        ("get", f"{QUESTIONS}{q.pk}/", None),
        ("put", f"{QUESTIONS}{d.pk}/", single(subject=code, text="Put?")),
        ("patch", f"{QUESTIONS}{d.pk}/", {"topic": "T"}),
        ("post", f"{QUESTIONS}{d.pk}/submit/", None),
        ("post", f"{QUESTIONS}{d.pk}/approve/", None),
        ("post", f"{QUESTIONS}{d.pk}/return/", {"note": "n"}),
        ("post", f"{QUESTIONS}{q.pk}/retire/", None),
        ("get", f"{QUESTIONS}{q.pk}/history/", None),
        ("get", f"{QUESTIONS}{q.pk}/versions/", None),
        ("get", f"{QUESTIONS}{q.pk}/versions/1/", None),
        ("post", f"{QUESTIONS}{d.pk}/images/", "image"),
        ("get", f"/api/question-images/{i.pk}/", None),
        ("delete", f"/api/question-images/{i.pk}/", None),
        ("delete", f"{QUESTIONS}{d.pk}/", None),
        ("get", f"/api/passages/{p.pk}/", None),
        ("patch", f"/api/passages/{p.pk}/", {"title": "New"}),
        ("delete", f"/api/passages/{p.pk}/", None),
        ("get", f"/api/subjects/{subject.pk}/", None),
        ("get", f"/api/setter-assignments/{assignment.pk}/", None),
    ]


LISTS = ["/api/questions/", "/api/passages/", "/api/subjects/", "/api/setter-assignments/"]


def _send(client, method, path, body):
    if body == "image":
        upload = SimpleUploadedFile("f.png", png_bytes(), content_type="image/png")
        return client.post(path, {"file": upload}, format="multipart")
    return getattr(client, method)(path, body, format="json") if body is not None else getattr(client, method)(path)


@pytest.mark.parametrize("role", OTHER_ROLES)
def test_every_other_role_gets_403_everywhere(client_for, cast, bank, role):
    client = client_for(cast[role])
    for path in LISTS:
        assert client.get(path).status_code == 403, (role, path)
        assert client.post(path, {}, format="json").status_code == 403, (role, path)
    for code in ("PHY", "CHE"):
        for method, path, body in endpoints(bank, code):
            response = _send(client, method, path, body)
            assert response.status_code == 403, (role, method, path, response.status_code)
            assert response.json()["code"] == "permission_denied"
    assert Question.objects.count() == 4 and QuestionImage.objects.count() == 2 and Passage.objects.count() == 2


def test_no_token_is_401(api, bank):
    for path in LISTS:
        assert api.get(path).status_code == 401
    for method, path, body in endpoints(bank, "PHY"):
        assert _send(api, method, path, body).status_code == 401, (method, path)


def test_setter_sees_only_its_subjects(client_for, setter, bank):
    client = client_for(setter)
    listed = client.get("/api/questions/").json()
    assert {r["subject_code"] for r in listed["results"]} == {"PHY"} and listed["count"] == 2
    assert [r["code"] for r in client.get("/api/subjects/").json()["results"]] == ["PHY"]
    assert [r["subject_code"] for r in client.get("/api/passages/").json()["results"]] == ["PHY"]
    assert [r["username"] for r in client.get("/api/setter-assignments/").json()["results"]] == ["paper_setter"]
    # Filtering by the other subject reveals nothing either.
    assert client.get("/api/questions/", {"subject": "CHE"}).json()["count"] == 0
    for method, path, body in endpoints(bank, "CHE"):
        response = _send(client, method, path, body)
        assert response.status_code == 404, (method, path, response.status_code)
    chemistry = bank["CHE"]["draft"]
    chemistry.refresh_from_db()
    assert (chemistry.status, chemistry.topic) == ("draft", "Mechanics/Forces")


def test_setter_cannot_create_in_an_unassigned_subject(client_for, setter, bank):
    client = client_for(setter)
    response = client.post(QUESTIONS, single(subject="CHE"), format="json")
    assert response.status_code == 400
    assert response.json()["errors"]["subject"] == ["No subject 'CHE' that you may write to."]
    passage = client.post("/api/passages/", {"subject": "CHE", "text": {"en": "x"}}, format="json")
    assert passage.status_code == 400 and "subject" in passage.json()["errors"]
    moved = client.patch(f"{QUESTIONS}{bank['PHY']['draft'].pk}/", {"subject": "CHE"}, format="json")
    assert moved.status_code == 400 and "subject" in moved.json()["errors"]


def test_setter_works_in_its_subject(client_for, setter, bank):
    client = client_for(setter)
    for method, path, body in endpoints(bank, "PHY"):
        if path.endswith("/approve/") or method == "delete":
            continue  # below
        response = _send(client, method, path, body)
        assert response.status_code in (200, 201), (method, path, response.content)
    assert client.delete(f"/api/question-images/{bank['PHY']['image'].pk}/").status_code == 204


def test_setter_reads_but_never_writes_subjects_and_assignments(client_for, setter, bank, physics):
    client = client_for(setter)
    assert client.post("/api/subjects/", {"code": "MAT", "name": "Maths"}, format="json").status_code == 403
    assert client.patch(f"/api/subjects/{physics.pk}/", {"name": "P"}, format="json").status_code == 403
    payload = {"user": setter.pk, "subject": "CHE"}
    assert client.post("/api/setter-assignments/", payload, format="json").status_code == 403
    assert client.delete(f"/api/setter-assignments/{bank['assignment'].pk}/").status_code == 403


def test_admin_manages_subjects_and_assignments(client_for, admin, setter, bank, chemistry):
    client = client_for(admin)
    created = client.post("/api/subjects/", {"code": "mat", "name": "Mathematics"}, format="json")
    assert created.status_code == 201 and created.json()["code"] == "MAT"
    duplicate = client.post("/api/subjects/", {"code": "MAT", "name": "Again"}, format="json")
    assert duplicate.status_code == 400 and "code" in duplicate.json()["errors"]
    in_use = client.delete(f"/api/subjects/{chemistry.pk}/")
    assert in_use.status_code == 409
    assign = client.post("/api/setter-assignments/", {"user": setter.pk, "subject": "CHE"}, format="json")
    assert assign.status_code == 201
    again = client.post("/api/setter-assignments/", {"user": setter.pk, "subject": "CHE"}, format="json")
    assert again.status_code == 409
    not_a_setter = client.post("/api/setter-assignments/", {"user": admin.pk, "subject": "CHE"}, format="json")
    assert not_a_setter.status_code == 400 and "user" in not_a_setter.json()["errors"]
    # The setter now sees Chemistry too.
    assert client_for(setter).get("/api/questions/", {"subject": "CHE"}).json()["count"] == 2
    assert client.delete(f"/api/setter-assignments/{assign.json()['id']}/").status_code == 204
    assert client_for(setter).get("/api/questions/", {"subject": "CHE"}).json()["count"] == 0


def test_admin_sees_everything(client_for, admin, bank):
    client = client_for(admin)
    assert client.get("/api/questions/").json()["count"] == 4
    for code in ("PHY", "CHE"):
        q = bank[code]["question"]
        assert client.get(f"{QUESTIONS}{q.pk}/").status_code == 200


def test_non_uuid_paths_never_reach_the_detail_route(client_for, admin, bank):
    """Only a UUID reaches a question's detail: the formats' routes answer their own words."""
    client = client_for(admin)
    assert client.get(f"{QUESTIONS}12/").status_code == 404
    assert client.get(f"{QUESTIONS}import/").status_code == 405  # the import route: POST only
    for path in ("export/?format=gift", "template/"):
        response = client.get(f"{QUESTIONS}{path}")
        assert response.status_code == 200 and "attachment" in response["Content-Disposition"]


def test_list_filters(client_for, admin, physics, make_approved):
    client = client_for(admin)
    first = services.create_question(
        user=admin, subject=physics, data=single(topic="Mechanics/Kinematics", tags=["speed", "गति"])
    )
    services.create_question(user=admin, subject=physics, data=single(text="Refraction?", topic="Optics"))
    services.create_question(user=admin, subject=physics, data=single(text="Mechanical?", topic="Mechanicsx"))
    make_approved(**choice_content("Hard one?", ["a", "b"], [0], difficulty="hard"))

    def numbers(**params):
        body = client.get(QUESTIONS, params).json()
        return sorted(r["number"] for r in body["results"])

    assert numbers(topic="Mechanics") == [first.number]
    assert numbers(topic="mechanics/kinematics") == [first.number]
    assert numbers(tag="speed") == [first.number] == numbers(tag="गति")
    assert numbers(tag="spee") == []
    assert len(numbers(search="refraction")) == 1
    assert numbers(search=str(first.number)) == [first.number]
    assert len(numbers(status="approved")) == 1 == len(numbers(difficulty="hard"))
    assert len(numbers(type="single", subject=str(physics.pk))) == 4
    assert len(numbers(subject="phy")) == 4
    ordered = [r["number"] for r in client.get(QUESTIONS, {"ordering": "-number"}).json()["results"]]
    assert ordered == sorted(ordered, reverse=True)


@pytest.mark.parametrize("who", ["admin", "paper_setter"])
def test_the_list_query_count_does_not_grow_with_rows(client_for, cast, setter, admin, physics, who):
    client = client_for(cast[who])

    def count_queries():
        with CaptureQueriesContext(connection) as queries:
            assert client.get(QUESTIONS).status_code == 200
        return len(queries)

    def add(n):
        for _ in range(n):
            question = services.create_question(
                user=admin, subject=physics, data=single(text=f"Q{_}?{Question.objects.count()}")
            )
            services.add_image(user=admin, question=question, upload=png_bytes(), caption="c")

    add(2)
    few = count_queries()
    add(10)
    assert count_queries() == few
