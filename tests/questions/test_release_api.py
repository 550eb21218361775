"""Who may read codes, release, list and download documents, upload paper documents and read
the records; uploads checked by content."""

import hashlib
import io
import zipfile

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from apps.questions.choices import DocumentKind
from apps.questions.models import DocumentDownload, PaperDocument
from apps.questions.release import codes, storage
from tests.questions.release_support import afternoon_session, real_pdf

pytestmark = pytest.mark.django_db

ROLES = ["admin", "exam_manager", "paper_setter", "manager_a", "invigilator_a", "manager_b", "evaluator"]


@pytest.fixture
def document(center_a):
    """An uploaded document of a session held at A01 only."""
    return storage.store_document(
        session=afternoon_session(center_a),
        kind=DocumentKind.UPLOADED,
        title="Paper P1",
        content_type="application/pdf",
        data=real_pdf(),
    )


def status_by_role(cast, client_for, method, url, data=None):
    out = {}
    for role in ROLES:
        client = client_for(cast[role])
        response = (
            getattr(client, method)(url, data, format="json") if data is not None else getattr(client, method)(url)
        )
        out[role] = response.status_code
    return out


def test_release_codes_are_for_admins_only(cast, client_for, document, center_a):
    url = f"/api/sessions/{document.session_id}/release-codes/"
    statuses = status_by_role(cast, client_for, "get", url)
    assert statuses == {
        "admin": 200,
        "exam_manager": 403,
        "paper_setter": 403,
        "manager_a": 403,
        "invigilator_a": 403,
        "manager_b": 403,
        "evaluator": 403,
    }
    rows = client_for(cast["admin"]).get(url).json()
    assert rows == [
        {
            "center": str(center_a.pk),
            "center_code": "A01",
            "center_name": center_a.name,
            "code": codes.release_code(document.session_id, center_a.pk),
        }
    ]


def test_only_the_center_manager_of_a_holding_center_may_try_a_release(cast, client_for, document):
    url = f"/api/sessions/{document.session_id}/release-paper/"
    statuses = status_by_role(cast, client_for, "post", url, {"code": "0000-0000-0000-0000-0"})
    # A01's manager reaches the service (and the clock: the session is hours away); B01's
    # manager does not know the session (held at A01 only): 404.
    assert statuses["manager_a"] in (400, 409)
    assert statuses["manager_b"] == 404
    assert {r: s for r, s in statuses.items() if r not in ("manager_a", "manager_b")} == dict.fromkeys(
        ["admin", "exam_manager", "paper_setter", "invigilator_a", "evaluator"], 403
    )


def test_documents_are_listed_for_their_center_and_never_carry_a_key(cast, client_for, document):
    statuses = status_by_role(cast, client_for, "get", "/api/paper-documents/")
    assert statuses == {
        "admin": 200,
        "exam_manager": 403,
        "paper_setter": 200,
        "manager_a": 200,
        "invigilator_a": 403,
        "manager_b": 200,
        "evaluator": 403,
    }
    seen = {
        role: client_for(cast[role]).get("/api/paper-documents/").json()["count"]
        for role in ("manager_a", "manager_b", "paper_setter")
    }
    assert seen == {"manager_a": 1, "manager_b": 0, "paper_setter": 0}  # no paper of the setter's subjects
    body = client_for(cast["manager_a"]).get(f"/api/paper-documents/{document.pk}/").json()
    assert set(body) == {"id", "session", "kind", "set_letter", "title", "content_type", "size", "sha256", "created_at"}
    assert client_for(cast["manager_b"]).get(f"/api/paper-documents/{document.pk}/").status_code == 404


def test_hq_admins_download_with_the_master_copy_and_it_is_recorded(cast, client_for, document):
    response = client_for(cast["admin"]).get(f"/api/paper-documents/{document.pk}/download/?copies=2")
    assert response.status_code == 200 and hashlib.sha256(response.content).hexdigest() == document.sha256
    assert response.content.startswith(b"%PDF")
    assert response["Cache-Control"] == "no-store"
    record = DocumentDownload.objects.get()
    assert (record.user, record.copies, record.center) == (cast["admin"], 2, None)
    bad = client_for(cast["admin"]).get(f"/api/paper-documents/{document.pk}/download/?copies=0")
    assert bad.status_code == 400 and "copies" in bad.json()["errors"]


def docx_bytes() -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("[Content_Types].xml", '<?xml version="1.0"?><Types/>')
        archive.writestr("word/document.xml", '<?xml version="1.0"?><w:document/>')
    return buffer.getvalue()


@pytest.mark.parametrize(
    ("name", "data", "expected", "content_type"),
    [
        ("paper.pdf", real_pdf(), 201, "application/pdf"),
        ("paper.docx", docx_bytes(), 201, "application/vnd.openxmlformats-officedocument.wordprocessingml.document"),
        ("paper.pdf", b"just some text, named like a PDF", 400, None),
        ("paper.pdf", b"%PDF-1.7\nnot really a PDF", 400, None),
        ("paper.docx", b"PK\x03\x04 broken zip", 400, None),
    ],
)
def test_uploads_are_checked_by_content(cast, client_for, center_a, name, data, expected, content_type):
    session = afternoon_session(center_a)
    response = client_for(cast["admin"]).post(
        f"/api/sessions/{session.pk}/paper-documents/",
        {"file": SimpleUploadedFile(name, data), "title": "P1"},
        format="multipart",
    )
    assert response.status_code == expected, response.json()
    if expected == 201:
        assert PaperDocument.objects.get().content_type == content_type
    else:
        assert response.json()["field"] == "file" and name in response.json()["detail"]
        assert not PaperDocument.objects.exists()


def test_an_oversized_upload_is_413_and_others_may_not_upload(cast, client_for, center_a, settings):
    settings.MAX_PAPER_DOCUMENT_BYTES = 1000
    session = afternoon_session(center_a)
    url = f"/api/sessions/{session.pk}/paper-documents/"
    big = client_for(cast["admin"]).post(
        url, {"file": SimpleUploadedFile("p.pdf", real_pdf(pages=5)), "title": "P"}, format="multipart"
    )
    assert big.status_code == 413
    for role in ("exam_manager", "paper_setter", "manager_a"):
        response = client_for(cast[role]).post(
            url, {"file": SimpleUploadedFile("p.pdf", real_pdf()), "title": "P"}, format="multipart"
        )
        assert response.status_code == 403


def test_release_records_are_read_by_hq_staff_and_the_center(cast, client_for, document):
    for url in ("/api/paper-releases/", "/api/release-attempts/", "/api/document-downloads/"):
        statuses = status_by_role(cast, client_for, "get", url)
        assert statuses == {
            "admin": 200,
            "exam_manager": 200,
            "paper_setter": 403,
            "manager_a": 200,
            "invigilator_a": 403,
            "manager_b": 200,
            "evaluator": 403,
        }, url
        assert client_for(cast["admin"]).post(url, {}, format="json").status_code in (403, 405)  # read-only


# No test transaction around it: as in production, only the request's own (ATOMIC_REQUESTS).
@pytest.mark.django_db(transaction=True)
def test_a_refused_try_stays_recorded_even_with_request_wide_transactions(cast, client_for, document, monkeypatch):
    from django.db import connection

    from apps.questions.models import ReleaseAttempt

    monkeypatch.setitem(connection.settings_dict, "ATOMIC_REQUESTS", True)
    url = f"/api/sessions/{document.session_id}/release-paper/"
    response = client_for(cast["manager_a"]).post(url, {"code": "0000-0000-0000-0000-1"}, format="json")
    assert response.status_code in (400, 409)
    assert ReleaseAttempt.objects.filter(center=cast["manager_a"].center).count() == 1
