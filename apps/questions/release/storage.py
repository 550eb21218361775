"""Storing question documents encrypted, and the keys each center receives with them.

Nothing here writes plaintext to disk. The ciphertext file is written (temporary file,
fsync, rename) before its row is inserted; when the transaction then fails or the process is
killed, what remains is at worst an unreferenced ciphertext file under a random name, never
a row without its file.
"""

import base64
import os
import tempfile
from pathlib import Path

from django.conf import settings
from django.db import transaction

from apps.centers.models import Center
from apps.core.services import synced_save
from apps.exams.models import SessionCenter
from apps.questions.models import DocumentKey, PaperDocument
from apps.questions.models.documents import document_upload_to
from apps.questions.release import codes, crypto
from utils.exceptions import Conflict


def _document_aad(document_id) -> bytes:
    return f"document|{document_id}".encode()


def _center_aad(document_id, center_id) -> bytes:
    return f"document-key|{document_id}|{center_id}".encode()


def local_aad(document_id) -> bytes:
    return f"released-key|{document_id}".encode()


def encode_key(wrapped: bytes) -> str:
    return base64.b64encode(wrapped).decode()


def decode_key(text: str) -> bytes:
    return base64.b64decode(text)


def centers_holding(session):
    """The centers that hold `session`: its venue rows, or every active center when it has none."""
    venues = SessionCenter.objects.filter(session=session)
    if venues.exists():
        return Center.objects.filter(pk__in=venues.values("center_id"))
    return Center.objects.filter(is_active=True)


def _write_atomically(name: str, data: bytes) -> None:
    path = Path(settings.MEDIA_ROOT) / name
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, temporary = tempfile.mkstemp(dir=path.parent, prefix=".incoming-")
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise


def _wrap_for_center(document: PaperDocument, document_key: bytes, center_id) -> DocumentKey:
    kek = codes.code_key(codes.release_secret(document.session_id, center_id), document.session_id, center_id)
    wrapped = crypto.seal(kek, document_key, _center_aad(document.pk, center_id))
    return synced_save(DocumentKey(document=document, center_id=center_id, wrapped_key=wrapped))


@transaction.atomic
def store_document(
    *, session, kind: str, title: str, content_type: str, data: bytes, set_letter: str = "", user=None
) -> PaperDocument:
    """Encrypt `data` with a new key and keep it as a document of `session`, with a copy of
    its key for every center holding the session (openable only with that center's code)."""
    document = PaperDocument(
        session=session,
        kind=kind,
        set_letter=set_letter,
        title=title,
        content_type=content_type,
        size=len(data),
        sha256=crypto.sha256_hex(data),
    )
    document_key = crypto.new_key()
    document.file.name = document_upload_to(document, "")
    _write_atomically(document.file.name, crypto.seal(document_key, data, _document_aad(document.pk)))
    document.wrapped_key = crypto.seal(crypto.master_key(), document_key, _document_aad(document.pk))
    synced_save(document)
    for center_id in centers_holding(session).values_list("pk", flat=True):
        _wrap_for_center(document, document_key, center_id)
    return document


def hq_document_key(document: PaperDocument) -> bytes:
    if not document.wrapped_key:
        raise Conflict("not_at_hq", "This node holds no master copy of the document's key (it is a center).")
    try:
        return crypto.unseal(crypto.master_key(), bytes(document.wrapped_key), _document_aad(document.pk))
    except crypto.InvalidTag:
        raise Conflict("wrong_master_key", "The master key of this node does not open this document.") from None


@transaction.atomic
def ensure_center_keys(session) -> int:
    """Give every center now holding `session` a key to each of its documents (a center added
    as a venue after the documents were stored). HQ only. Returns how many keys were added."""
    added = 0
    holding = set(centers_holding(session).values_list("pk", flat=True))
    for document in PaperDocument.objects.filter(session=session):
        have = set(document.center_keys.values_list("center_id", flat=True))
        missing = holding - have
        if missing:
            document_key = hq_document_key(document)
            for center_id in sorted(missing, key=str):
                _wrap_for_center(document, document_key, center_id)
                added += 1
    return added


def read_ciphertext(document: PaperDocument) -> bytes:
    with document.file.open("rb") as handle:
        return handle.read()


def decrypt(document: PaperDocument, document_key: bytes) -> bytes:
    """The plaintext of `document`, checked against its recorded SHA-256."""
    try:
        plaintext = crypto.unseal(document_key, read_ciphertext(document), _document_aad(document.pk))
    except (crypto.InvalidTag, FileNotFoundError):
        raise Conflict("document_unreadable", f"The file of document {document.pk} is missing or damaged.") from None
    if crypto.sha256_hex(plaintext) != document.sha256:
        raise Conflict("document_unreadable", f"Document {document.pk} does not match its checksum.")
    return plaintext


def decrypt_at_hq(document: PaperDocument) -> bytes:
    return decrypt(document, hq_document_key(document))


def unwrap_center_key(key_row: DocumentKey, secret: bytes) -> bytes:
    """The document key, from a center's copy and the code's 80 bits; InvalidTag when wrong."""
    kek = codes.code_key(secret, key_row.document.session_id, key_row.center_id)
    return crypto.unseal(kek, bytes(key_row.wrapped_key), _center_aad(key_row.document_id, key_row.center_id))
