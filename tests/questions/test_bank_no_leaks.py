"""No response outside the question endpoints carries question text, options or answers
(issue 12, who sees questions): distinctive markers go into every part of some questions,
then every role of the cast GETs every list and detail route of the API (walked from the URL
resolver, ids filled with real rows), the exports and a real center package are read back,
error bodies and logs are checked too."""

import contextlib
import io
import json
import logging
import re
import uuid
import zipfile

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import NoReverseMatch, URLPattern, URLResolver, get_resolver, reverse
from pypdf import PdfReader

from apps.exams.services import session_center_create
from apps.questions.bank import services
from apps.sync import keys
from tests.factories import CandidateFactory, ExamFactory, ExamSessionFactory, PaperFactory
from tests.questions.bank_support import QUESTIONS, png_bytes

pytestmark = pytest.mark.django_db

MARKERS = [
    "ZQLEAKTEXT",
    "ZQLEAKOPTION",
    "ZQLEAKANSWER",
    "ZQLEAKSCHEME",
    "ZQLEAKPASSAGE",
    "ZQLEAKNUMERIC",
    "रिसावपाठ",  # Hindi text of a bilingual question
]
BANK_ROLES = {"admin", "paper_setter"}


@pytest.fixture
def world(
    cast, setter, physics, chemistry, admin, center_a, room_a, settings, tmp_path, frozen_clock, client_for, run_worker
):
    settings.DATA_DIR = tmp_path / "node"
    settings.NODE_CENTER = "HQ"
    keys.create_node_key()
    exam = ExamFactory(code="LEAK1", status="scheduled")
    session = ExamSessionFactory(paper=PaperFactory(exam=exam, code="P1"))
    session_center_create(session=session, center=center_a, seats=30)
    for _ in range(3):
        CandidateFactory(exam=exam, center=center_a)
    passage = services.create_passage(
        user=admin, subject=physics, data={"title": "Data", "text": {"en": "ZQLEAKPASSAGE table"}}
    )
    choice = services.create_question(
        user=admin,
        subject=physics,
        passage=passage,
        data={
            "type": "single",
            "text": {"en": "ZQLEAKTEXT what?", "hi": "रिसावपाठ क्या?"},
            "options": [
                {"text": {"en": "ZQLEAKOPTION one", "hi": "एक"}, "correct": True},
                {"text": {"en": "two", "hi": "दो"}, "correct": False},
            ],
        },
    )
    descriptive = services.create_question(
        user=admin,
        subject=chemistry,
        data={
            "type": "descriptive",
            "text": {"en": "Explain ZQLEAKTEXT."},
            "marks": "3",
            "model_answer": {"en": "ZQLEAKANSWER because"},
            "marking_scheme": [{"part": "a", "description": "ZQLEAKSCHEME idea", "marks": "3"}],
        },
    )
    numeric = services.create_question(
        user=admin,
        subject=physics,
        data={"type": "numeric", "text": {"en": "ZQLEAKNUMERIC value?"}, "answer": {"value": "31415.9"}},
    )
    services.add_image(user=admin, question=choice, upload=png_bytes(), caption="figure")
    for question in (choice, descriptive, numeric):
        services.submit_question(user=admin, question=question)
        services.approve_question(user=setter, question=question)
    services.update_question(user=admin, question=choice, data={"topic": "ZQLEAKTEXT topic"})
    # A finished background job (the schedule export), so the jobs' routes have a file to serve.
    started = client_for(admin).get("/api/exams/export/", {"async": "1"})
    assert started.status_code == 202
    run_worker()
    return {"exam": exam, "session": session, "questions": [choice, descriptive, numeric]}


def _readable(response) -> str:
    """The body as text a person could read: JSON as is, PDFs' extracted text, every member of
    a zip (xlsx, packages) unpacked."""
    content = b"".join(response.streaming_content) if response.streaming else response.content
    parts = [content]
    if content.startswith(b"%PDF"):
        reader = PdfReader(io.BytesIO(content))
        parts.append("".join(page.extract_text() or "" for page in reader.pages).encode())
    if content.startswith(b"PK"):
        with zipfile.ZipFile(io.BytesIO(content)) as archive:
            parts.extend(archive.read(name) for name in archive.namelist())
    return b"\n".join(parts).decode("utf-8", errors="replace")


def _leaks(text: str) -> list[str]:
    found = []
    for marker in MARKERS:
        if marker in text or json.dumps(marker)[1:-1] in text or marker.lower() in text.lower():
            found.append(marker)
    # The numeric answer, as the bank stores it.
    if "31415.9" in text:
        found.append("numeric answer")
    return found


def _get_routes():
    """(name, pattern's group names, module of the view) of every GET route under /api/."""
    routes = []

    def walk(patterns, prefix=""):
        for entry in patterns:
            if isinstance(entry, URLResolver):
                walk(entry.url_patterns, prefix + str(entry.pattern))
            elif isinstance(entry, URLPattern) and (prefix + str(entry.pattern)).startswith("api/") and entry.name:
                callback = entry.callback
                actions = getattr(callback, "actions", None)
                view = getattr(callback, "cls", None) or getattr(callback, "view_class", None)
                takes_get = "get" in actions if actions is not None else bool(view and hasattr(view, "get"))
                groups = set(entry.pattern.regex.groupindex)
                if takes_get and "format" not in groups:
                    routes.append((entry.name, groups, (view or callback).__module__))

    walk(get_resolver().url_patterns)
    return sorted({(name, tuple(sorted(groups)), module) for name, groups, module in routes})


def _fill(name: str, groups: tuple, ids_of) -> str | None:
    kwargs = {}
    for group in groups:
        kwargs[group] = "1" if group != "pk" else str(uuid.uuid4())
    try:
        path = reverse(name, kwargs=kwargs)
    except NoReverseMatch:
        kwargs = dict.fromkeys(groups, "1")
        try:
            path = reverse(name, kwargs=kwargs)
        except NoReverseMatch:
            return None
    if "pk" in groups:
        segment = path.split("/")[2]
        real = ids_of(segment)
        if real is not None:
            kwargs["pk"] = real
            with contextlib.suppress(NoReverseMatch):
                path = reverse(name, kwargs=kwargs)
    return path


QUERY = {"sync-export": {"center": "A01"}}


def test_no_response_outside_the_question_endpoints_carries_question_text(client_for, cast, world, caplog):
    caplog.set_level(logging.DEBUG)
    admin_client = client_for(cast["admin"])
    cached: dict[str, str | None] = {}

    def ids_of(segment):
        if segment not in cached:
            response = admin_client.get(f"/api/{segment}/")
            results = response.json().get("results") if response.status_code == 200 else None
            cached[segment] = str(results[0]["id"]) if results else None
        return cached[segment]

    routes = _get_routes()
    assert len(routes) > 30  # the walk really found the API
    checked = 0
    for role, user in cast.items():
        client = client_for(user)
        for name, groups, module in routes:
            if role in BANK_ROLES and module.startswith("apps.questions"):
                continue  # the question endpoints themselves, for those who may read them
            path = _fill(name, groups, ids_of)
            if path is None:
                continue
            response = client.get(path, QUERY.get(name, {}))
            assert response.status_code < 500, (role, path, response.status_code)
            assert not _leaks(_readable(response)), (role, path, _leaks(_readable(response)))
            checked += 1
    assert checked > 200
    assert not [r.getMessage() for r in caplog.records if _leaks(r.getMessage())]


def test_the_question_routes_are_walked_too_and_refuse_the_other_roles(client_for, cast, world):
    routes = [r for r in _get_routes() if r[2].startswith("apps.questions")]
    assert {"question-list", "question-detail", "question-history", "question-versions"} <= {r[0] for r in routes}
    question = world["questions"][0]
    for role in ("exam_manager", "manager_a", "invigilator_a", "manager_b", "evaluator"):
        client = client_for(cast[role])
        for path in (QUESTIONS, f"{QUESTIONS}{question.pk}/", f"{QUESTIONS}{question.pk}/versions/1/"):
            response = client.get(path)
            assert response.status_code == 403 and not _leaks(_readable(response))


def test_exports_and_the_center_package_carry_no_question_text(client_for, cast, world):
    admin_client = client_for(cast["admin"])
    exams = admin_client.get("/api/exams/export/")
    assert exams.status_code == 200
    assert "LEAK1" in _readable(exams) and not _leaks(_readable(exams))
    job = admin_client.get("/api/jobs/").json()["results"][0]
    download = admin_client.get(f"/api/jobs/{job['id']}/download/")
    assert download.status_code == 200 and "LEAK1" in _readable(download) and not _leaks(_readable(download))
    package = admin_client.get("/api/sync/export/", {"center": "A01"})
    assert package.status_code == 200, package.content[:500]
    text = _readable(package)
    assert "LEAK1" in text  # the package really holds the exam...
    assert not _leaks(text)  # ...and no question


def test_error_bodies_carry_no_question_text(client_for, cast, world):
    choice, descriptive, _ = world["questions"]
    payload = {"subject": "PHY", "type": "single", "text": {"en": "ZQLEAKTEXT again"}, "options": []}
    for role in ("exam_manager", "manager_a", "invigilator_a", "manager_b", "evaluator"):
        client = client_for(cast[role])
        for response in (
            client.post(QUESTIONS, payload, format="json"),
            client.patch(f"{QUESTIONS}{choice.pk}/", {"text": {"en": "ZQLEAKTEXT"}}, format="json"),
            client.get(f"{QUESTIONS}{choice.pk}/history/"),
            client.post(f"{QUESTIONS}{choice.pk}/approve/"),
        ):
            assert response.status_code == 403 and not _leaks(_readable(response)), role
    setter = client_for(cast["paper_setter"])
    # Another subject's question: 404, nothing of it shown.
    for path in (f"{QUESTIONS}{descriptive.pk}/", f"{QUESTIONS}{descriptive.pk}/versions/1/"):
        response = setter.get(path)
        assert response.status_code == 404 and not _leaks(_readable(response))
    # Refusals name the field and the reason, never echo the content.
    duplicate = {
        **payload,
        "options": [{"text": {"en": "ZQLEAKOPTION"}, "correct": True}, {"text": {"en": "zqleakoption"}}],
    }
    response = setter.post(QUESTIONS, duplicate, format="json")
    assert response.status_code == 400 and "options[1].text.en" in response.json()["errors"]
    assert not _leaks(_readable(response))
    upload = SimpleUploadedFile("x.png", b"ZQLEAKTEXT not an image", content_type="image/png")
    refused = setter.post(f"{QUESTIONS}{choice.pk}/images/", {"file": upload}, format="multipart")
    assert refused.status_code == 400 and not _leaks(_readable(refused))
    conflict = setter.post(f"{QUESTIONS}{choice.pk}/approve/")
    assert conflict.status_code == 409 and not _leaks(_readable(conflict))


def test_the_markers_are_really_there_for_those_who_may_read(client_for, cast, world):
    # Guards the test itself: the marker search finds what the bank holds.
    body = _readable(client_for(cast["admin"]).get(QUESTIONS))
    assert set(_leaks(body)) == set(MARKERS) - {"ZQLEAKPASSAGE"} | {"numeric answer"}
    assert re.search("ZQLEAKPASSAGE", _readable(client_for(cast["paper_setter"]).get("/api/passages/")))
