"""What of this app travels in packages (discovered by apps.sync at start-up).

Only ciphertext and keys travel to a center, and only for the sessions it holds: the set
documents (`PaperDocument`, its HQ-side `wrapped_key` excluded) and each document's key
wrapped for that center alone (`DocumentKey`). The bank and the papers never travel.

Back to HQ, in the results package, come the center's records of releasing and printing.
Their ownership is proved from HQ's own records: the session must be one the sending center
holds (for a download, the session of the document downloaded).
"""

from apps.exams.selectors import held_session_ids, id_chunks, sessions_held_at
from apps.questions.models import DocumentDownload, DocumentKey, PaperDocument, PaperRelease, ReleaseAttempt
from apps.questions.models.documents import DOCUMENT_FOLDER
from apps.sync.registry import CENTER, HQ, register


def session_proof(center_id, rows: list[dict], using: str) -> dict[str, str]:
    held = held_session_ids(center_id, {r["session_id"] for r in rows if r.get("session_id")}, using)
    return {
        str(r["id"]): f"session {r.get('session_id')} is not held at the sending center"
        for r in rows
        if str(r.get("session_id")) not in held
    }


def download_proof(center_id, rows: list[dict], using: str) -> dict[str, str]:
    documents = {r["document_id"] for r in rows if r.get("document_id")}
    session_of = {}
    for chunk in id_chunks(documents):
        found = PaperDocument.objects.using(using).filter(pk__in=chunk)
        session_of |= {str(pk): str(session) for pk, session in found.values_list("pk", "session_id")}
    held = held_session_ids(center_id, set(session_of.values()), using)
    return {
        str(r["id"]): f"document {r.get('document_id')} is not of a session held at the sending center"
        for r in rows
        if session_of.get(str(r.get("document_id"))) not in held
    }


def _documents_for(center, since):
    return PaperDocument._base_manager.filter(session__in=sessions_held_at(center).values("pk"))


register(PaperDocument, owner=HQ, select=_documents_for, media={"file": DOCUMENT_FOLDER}, exclude=("wrapped_key",))


def _keys_for(center, since):
    # Only keys of documents the package carries: sessions the center still holds.
    held = sessions_held_at(center).values("pk")
    return DocumentKey._base_manager.filter(center_id=center.pk, document__session__in=held)


register(DocumentKey, owner=HQ, center_path="center_id", select=_keys_for)
register(PaperRelease, owner=CENTER, center_path="center_id", proves_owner=session_proof, exclude=("local_keys",))
register(ReleaseAttempt, owner=CENTER, center_path="center_id", proves_owner=session_proof)
register(DocumentDownload, owner=CENTER, center_path="center_id", proves_owner=download_proof)
