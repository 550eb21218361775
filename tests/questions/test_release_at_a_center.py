"""The release flow at a center node built from a real center package (issue 12 item 8).

This test database plays HQ first: a question paper is finalised (its sets stored
encrypted) and A01's center package is written. It then becomes A01's node — HQ's rows the
package carries are deleted, and the node gets a master key of its own — and imports the
package, as a center does. There the paper is closed until the release code opens it.
"""

import datetime as dt
import shutil
from pathlib import Path

import pytest

from apps.questions.choices import ReleaseOutcome
from apps.questions.models import DocumentDownload, DocumentKey, PaperDocument, PaperRelease, ReleaseAttempt
from apps.questions.papers import services as paper_services
from apps.questions.release import codes
from apps.sync import keys
from apps.sync.exporter import package_export
from apps.sync.importer import package_import
from apps.sync.importing.report import NOT_OWNER
from apps.sync.package import CENTER_PACKAGE, RESULTS_PACKAGE, PackageReader
from tests.clock import local_moment
from tests.questions.papers_support import bank, built_paper
from tests.questions.release_support import afternoon_session

pytestmark = pytest.mark.django_db

CENTER_MASTER_KEY = "A01's own master key, made on its laptop, 32+ characters"


@pytest.fixture
def hq(settings, tmp_path, admin, setter, make_approved, center_a, center_b, manager_a, manager_b, frozen_clock):
    """HQ with a finalised paper of a session held at A01 and B01 (sets A-D stored encrypted)."""
    settings.DATA_DIR = tmp_path / "node"
    settings.NODE_CENTER = "HQ"
    keys.create_node_key()
    session = afternoon_session(center_a, center_b)
    bank(make_approved, 12)
    paper = built_paper(admin, session, [{"subject": "PHY", "count": 10}])
    paper_services.finalise_paper(user=admin, paper=paper)
    plaintexts = {d.pk: d for d in PaperDocument.objects.filter(session=session)}
    return {"session": session, "documents": plaintexts, "hq_master_key": settings.QUESTION_MASTER_KEY}


def package_rows(path: Path, label: str) -> list[dict]:
    reader = PackageReader.open(path)
    try:
        return [row for batch in reader.rows(label, 1000) for row in batch]
    finally:
        reader.close()


@pytest.fixture
def center_node(hq, settings, tmp_path, center_a):
    """A01's node after importing its real center package."""
    from apps.questions.release import storage

    session = hq["session"]
    hq["plaintext"] = {pk: storage.decrypt_at_hq(d) for pk, d in hq["documents"].items()}
    package = tmp_path / "center_A01.zip"
    package_export(kind=CENTER_PACKAGE, center=center_a, output=package)
    hq["package"] = package

    # --- become A01: nothing of HQ's copies remains; the node has its own master key.
    settings.NODE_CENTER = "A01"
    settings.QUESTION_MASTER_KEY = CENTER_MASTER_KEY
    DocumentKey.objects.all().delete()
    PaperDocument.objects.all().delete()
    shutil.rmtree(Path(settings.MEDIA_ROOT) / "questions", ignore_errors=True)
    report = package_import(path=package)
    assert not report.conflicts
    return session


def test_the_package_carries_ciphertext_and_only_this_centers_keys(center_node, hq, center_a):
    documents = package_rows(hq["package"], "questions.PaperDocument")
    assert len(documents) == 4  # sets A-D
    assert all("wrapped_key" not in row for row in documents)
    key_rows = package_rows(hq["package"], "questions.DocumentKey")
    assert {row["center_id"] for row in key_rows} == {str(center_a.pk)}
    reader = PackageReader.open(hq["package"])
    try:
        names = reader.labels()
        assert "questions.Question" not in names and "questions.QuestionPaper" not in names
    finally:
        reader.close()
    for document in PaperDocument.objects.all():
        assert bytes(document.wrapped_key) == b""
        on_disk = document.file.open("rb").read()
        assert b"%PDF" not in on_disk


def test_before_the_release_nothing_can_be_downloaded(center_node, client_for, manager_a):
    document = PaperDocument.objects.first()
    response = client_for(manager_a).get(f"/api/paper-documents/{document.pk}/download/")
    assert response.status_code == 409 and response.json()["code"] == "not_released"
    assert not DocumentDownload.objects.exists()


def test_wrong_code_then_too_early_then_the_right_code_and_a_recorded_print(
    center_node, client_for, manager_a, center_a, center_b, hq, frozen_clock, settings
):
    session = center_node
    url = f"/api/sessions/{session.pk}/release-paper/"
    client = client_for(manager_a)
    settings.QUESTION_MASTER_KEY = hq["hq_master_key"]  # only to read out HQ's codes here
    right = codes.release_code(session.pk, center_a.pk)
    b_code = codes.release_code(session.pk, center_b.pk)
    settings.QUESTION_MASTER_KEY = CENTER_MASTER_KEY

    wrong = client.post(url, {"code": b_code}, format="json")  # B01's code does not open A01's copy
    assert wrong.status_code == 400 and wrong.json()["code"] == "wrong_code"
    typo = client.post(url, {"code": right[:-1] + ("0" if right[-1] != "0" else "1")}, format="json")
    assert typo.status_code == 400 and typo.json()["code"] == "malformed_code"

    frozen_clock.move_to(local_moment(13, 30))  # session at 15:00, release from 14:00
    client = client_for(manager_a)  # a token issued now, not "in the future"
    early = client.post(url, {"code": right}, format="json")
    assert early.status_code == 409 and early.json()["code"] == "too_early"
    assert "2026-12-01 14:00" in early.json()["detail"]

    frozen_clock.move_to(local_moment(14, 20))
    client = client_for(manager_a)
    released = client.post(url, {"code": right.lower().replace("-", " ")}, format="json")
    assert released.status_code == 200, released.json()
    assert PaperRelease.objects.get(session=session, center=center_a).released_by == manager_a
    outcomes = sorted(ReleaseAttempt.objects.values_list("at", "outcome"))
    assert outcomes == [
        (local_moment(13, 30), ReleaseOutcome.TOO_EARLY),
        (local_moment(14), ReleaseOutcome.MALFORMED),
        (local_moment(14), ReleaseOutcome.WRONG_CODE),
        (local_moment(14, 20), ReleaseOutcome.RELEASED),
    ]

    document = PaperDocument.objects.get(set_letter="B")
    download = client.get(f"/api/paper-documents/{document.pk}/download/?copies=40")
    assert download.status_code == 200 and download["Content-Type"] == "application/pdf"
    assert download.content == hq["plaintext"][document.pk] and download.content.startswith(b"%PDF")
    printed = DocumentDownload.objects.get()
    assert (printed.user, printed.copies, printed.center) == (manager_a, 40, center_a)

    again = client.post(url, {"code": right}, format="json")  # idempotent
    assert again.status_code == 200 and PaperRelease.objects.count() == 1


def test_repeated_wrong_codes_lock_even_the_right_code_until_the_window_passes(
    center_node, client_for, manager_a, center_a, hq, frozen_clock, settings
):
    session = center_node
    url = f"/api/sessions/{session.pk}/release-paper/"
    client = client_for(manager_a)
    settings.QUESTION_MASTER_KEY = hq["hq_master_key"]
    right = codes.release_code(session.pk, center_a.pk)
    settings.QUESTION_MASTER_KEY = CENTER_MASTER_KEY
    wrong = codes.format_code(bytes(10))
    for _ in range(settings.QUESTION_RELEASE_MAX_FAILURES):
        assert client.post(url, {"code": wrong}, format="json").status_code == 400
    locked = client.post(url, {"code": right}, format="json")
    assert locked.status_code == 429 and locked.json()["code"] == "release_locked"
    assert int(locked["Retry-After"]) == settings.QUESTION_RELEASE_LOCK_MINUTES * 60
    assert not PaperRelease.objects.exists()

    frozen_clock.shift(dt.timedelta(minutes=settings.QUESTION_RELEASE_LOCK_MINUTES, seconds=1))
    client = client_for(manager_a)
    assert client.post(url, {"code": right}, format="json").status_code == 200
    assert ReleaseAttempt.objects.filter(outcome=ReleaseOutcome.LOCKED).count() == 1


def test_the_command_releases_with_the_code_and_refuses_a_wrong_one(center_node, center_a, hq, settings, capsys):
    from django.core.management import CommandError, call_command

    session = center_node
    settings.QUESTION_MASTER_KEY = hq["hq_master_key"]
    right = codes.release_code(session.pk, center_a.pk)
    settings.QUESTION_MASTER_KEY = CENTER_MASTER_KEY
    with pytest.raises(CommandError, match="wrong_code"):
        call_command("release_question_paper", "--session-id", str(session.pk), "--code", codes.format_code(bytes(10)))
    call_command("release_question_paper", "--session-id", str(session.pk), "--code", right)
    assert "Released at A01: 4 documents" in capsys.readouterr().out
    assert ReleaseAttempt.objects.filter(client="command").count() == 2


def test_release_records_travel_back_to_hq_and_forged_ones_are_refused(
    center_node, client_for, manager_a, center_a, center_b, hq, settings, tmp_path
):
    session = center_node
    settings.QUESTION_MASTER_KEY = hq["hq_master_key"]
    right = codes.release_code(session.pk, center_a.pk)
    settings.QUESTION_MASTER_KEY = CENTER_MASTER_KEY
    client = client_for(manager_a)
    assert client.post(f"/api/sessions/{session.pk}/release-paper/", {"code": right}, format="json").status_code == 200
    document = PaperDocument.objects.get(set_letter="A")
    assert client.get(f"/api/paper-documents/{document.pk}/download/?copies=3").status_code == 200
    # A forged record in A01's database: a release of a session only B01 holds.
    elsewhere = afternoon_session(center_b, exam_code="EXB")
    forged = ReleaseAttempt.objects.create(
        session=elsewhere, center=center_a, at=document.created_at, outcome=ReleaseOutcome.RELEASED
    )
    package = tmp_path / "results_A01.zip"
    package_export(kind=RESULTS_PACKAGE, center=center_a, output=package, force=True)
    records = {
        label: package_rows(package, label)
        for label in ("questions.PaperRelease", "questions.ReleaseAttempt", "questions.DocumentDownload")
    }
    assert all("local_keys" not in row for row in records["questions.PaperRelease"])

    # --- back at HQ: the center's records are not here yet.
    settings.NODE_CENTER = "HQ"
    settings.QUESTION_MASTER_KEY = hq["hq_master_key"]
    ids = {label: [row["id"] for row in rows] for label, rows in records.items()}
    DocumentDownload.objects.all().delete()
    PaperRelease.objects.all().delete()
    ReleaseAttempt.objects.all().delete()
    keys.trust_node("A01", keys.public_key_pem(keys.node_private_key().public_key()))
    report = package_import(path=package)

    refused = {c["id"]: c["reason"] for c in report.conflicts}
    assert refused == {str(forged.pk): NOT_OWNER}
    assert PaperRelease.objects.filter(pk__in=ids["questions.PaperRelease"]).count() == 1
    assert DocumentDownload.objects.get().copies == 3
    assert list(ReleaseAttempt.objects.values_list("outcome", flat=True)) == [ReleaseOutcome.RELEASED]


def test_mistyped_codes_are_recorded_but_never_lock(center_node, client_for, manager_a, center_a, hq, settings):
    session = center_node
    settings.QUESTION_MASTER_KEY = hq["hq_master_key"]
    right = codes.release_code(session.pk, center_a.pk)
    settings.QUESTION_MASTER_KEY = CENTER_MASTER_KEY
    typo = right[:-1] + ("0" if right[-1] != "0" else "1")  # the check character catches it
    client = client_for(manager_a)
    url = f"/api/sessions/{session.pk}/release-paper/"
    for _ in range(settings.QUESTION_RELEASE_MAX_FAILURES * 2):
        assert client.post(url, {"code": typo}, format="json").json()["code"] == "malformed_code"
    assert client.post(url, {"code": right}, format="json").status_code == 200
    assert ReleaseAttempt.objects.filter(outcome=ReleaseOutcome.MALFORMED).count() == 10
