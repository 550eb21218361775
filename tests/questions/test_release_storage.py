"""Question documents at rest: ciphertext on disk under random names, a key copy per
center holding the session, openable at HQ only with HQ's master key."""

from pathlib import Path

import pytest

from apps.exams.models import SessionCenter
from apps.questions.choices import DocumentKind
from apps.questions.models import DocumentKey, PaperDocument
from apps.questions.release import storage
from tests.questions.release_support import SECRET_LINE, afternoon_session, real_pdf
from utils.exceptions import Conflict

pytestmark = pytest.mark.django_db


def stored(session, data):
    return storage.store_document(
        session=session, kind=DocumentKind.UPLOADED, title="P1 set A", content_type="application/pdf", data=data
    )


def test_the_file_on_disk_is_not_the_pdf_and_holds_none_of_its_text(settings, center_a, center_b):
    data = real_pdf()
    assert SECRET_LINE.encode() in data  # the plaintext would show it
    document = stored(afternoon_session(center_a, center_b), data)
    on_disk = (Path(settings.MEDIA_ROOT) / document.file.name).read_bytes()
    assert document.file.name.startswith("questions/documents/") and document.file.name.endswith(".enc")
    assert b"%PDF" not in on_disk and SECRET_LINE.encode() not in on_disk and b"page 1" not in on_disk
    assert len(on_disk) == len(data) + 12 + 16  # nonce + ciphertext + tag
    assert storage.decrypt_at_hq(PaperDocument.objects.get(pk=document.pk)) == data


def test_another_master_key_cannot_open_it(settings, center_a):
    document = stored(afternoon_session(center_a), real_pdf())
    settings.QUESTION_MASTER_KEY = "somebody else's master key, thirty-two characters or more"
    with pytest.raises(Conflict) as refused:
        storage.decrypt_at_hq(document)
    assert refused.value.code == "wrong_master_key"


def test_a_damaged_file_is_refused_not_returned(settings, center_a):
    document = stored(afternoon_session(center_a), real_pdf())
    path = Path(settings.MEDIA_ROOT) / document.file.name
    damaged = bytearray(path.read_bytes())
    damaged[40] ^= 1
    path.write_bytes(bytes(damaged))
    with pytest.raises(Conflict) as refused:
        storage.decrypt_at_hq(document)
    assert refused.value.code == "document_unreadable"


def test_every_center_holding_the_session_gets_its_own_key_copy_and_later_venues_too(center_a, center_b):
    session = afternoon_session(center_a)
    document = stored(session, real_pdf())
    assert list(DocumentKey.objects.filter(document=document).values_list("center__code", flat=True)) == ["A01"]
    SessionCenter.objects.create(session=session, center=center_b)
    assert storage.ensure_center_keys(session) == 1
    assert storage.ensure_center_keys(session) == 0
    assert sorted(DocumentKey.objects.values_list("center__code", flat=True)) == ["A01", "B01"]


def test_a_session_without_venue_rows_gives_keys_to_every_active_center(center_a, center_b):
    center_b.is_active = False
    center_b.save()
    document = stored(afternoon_session(), real_pdf())
    assert list(document.center_keys.values_list("center__code", flat=True)) == ["A01"]


def test_a_failed_transaction_leaves_no_row(center_a, monkeypatch):
    session = afternoon_session(center_a)

    def broken(*args, **kwargs):
        raise RuntimeError("killed while writing the keys")

    monkeypatch.setattr(storage, "_wrap_for_center", broken)
    with pytest.raises(RuntimeError):
        stored(session, real_pdf())
    assert not PaperDocument.objects.exists() and not DocumentKey.objects.exists()
