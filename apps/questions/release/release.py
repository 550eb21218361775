"""Releasing a session's question paper at a center with HQ's code, and printing it.

Every try is recorded (`ReleaseAttempt`), successful or not, in a transaction of its own
that the refusal does not roll back: call these services outside any enclosing transaction
(the API views and commands do). Refusals, in the order they are checked:

* already released: the existing release is returned (idempotent);
* locked: `QUESTION_RELEASE_MAX_FAILURES` wrong codes within the last
  `QUESTION_RELEASE_LOCK_MINUTES` (429 with Retry-After, even for the right code);
* too early: before the session's start minus `QUESTION_RELEASE_LEAD_MINUTES` (409): a guard
  against a mistake, not a security boundary — the code is the boundary;
* malformed (the check character is wrong) or wrong (the code does not open the keys): 400.
"""

import datetime as dt
import math

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from apps.core.services import synced_save
from apps.questions.choices import ReleaseOutcome
from apps.questions.models import DocumentDownload, DocumentKey, PaperDocument, PaperRelease, ReleaseAttempt
from apps.questions.release import codes, crypto, storage
from utils.exceptions import ApplicationError, Conflict

# Only well-formed wrong codes count towards the lock: a mistyped one (caught by the check
# character) tells nobody anything about the code, and should not lock out a manager.
FAILED = (ReleaseOutcome.WRONG_CODE,)


class ReleaseLocked(ApplicationError):
    status_code = 429

    def __init__(self, retry_after: int):
        super().__init__(
            "release_locked",
            f"Too many wrong codes: release is locked for {retry_after} more seconds.",
            extra={"retry_after": retry_after},
        )
        self.retry_after = retry_after


def session_start(session) -> dt.datetime:
    return dt.datetime.combine(session.date, session.start_time, tzinfo=timezone.get_default_timezone())


def _record(*, session, center, user, outcome, client, now) -> None:
    with transaction.atomic():
        synced_save(
            ReleaseAttempt(session=session, center=center, user=user, at=now, outcome=outcome, client=client[:64])
        )


def locked_for(session, center, now: dt.datetime) -> int:
    """Seconds the release of `session` at `center` stays locked (0: not locked)."""
    window = dt.timedelta(minutes=settings.QUESTION_RELEASE_LOCK_MINUTES)
    failures = list(
        ReleaseAttempt.objects.filter(session=session, center=center, outcome__in=FAILED, at__gt=now - window)
        .order_by("-at")
        .values_list("at", flat=True)[: settings.QUESTION_RELEASE_MAX_FAILURES]
    )
    if len(failures) < settings.QUESTION_RELEASE_MAX_FAILURES:
        return 0
    # Locked until the oldest of the counted failures leaves the window.
    return max(1, math.ceil((failures[-1] + window - now).total_seconds()))


def release_paper(*, session, center, code: str, user=None, client: str = "", now=None) -> PaperRelease:
    """Open the documents of `session` at `center` with the release `code`."""
    now = now or timezone.now()
    existing = PaperRelease.objects.filter(session=session, center=center).first()
    if existing is not None:
        return existing

    def refuse(outcome, error):
        _record(session=session, center=center, user=user, outcome=outcome, client=client, now=now)
        raise error

    wait = locked_for(session, center, now)
    if wait:
        refuse(ReleaseOutcome.LOCKED, ReleaseLocked(wait))
    opens = session_start(session) - dt.timedelta(minutes=settings.QUESTION_RELEASE_LEAD_MINUTES)
    if now < opens:
        refuse(
            ReleaseOutcome.TOO_EARLY,
            Conflict(
                "too_early",
                f"The paper can be released from {timezone.localtime(opens):%Y-%m-%d %H:%M} "
                f"({settings.QUESTION_RELEASE_LEAD_MINUTES} minutes before the session starts).",
            ),
        )
    try:
        secret = codes.parse_code(code)
    except codes.MalformedCode as exc:
        refuse(ReleaseOutcome.MALFORMED, ApplicationError("malformed_code", str(exc), extra={"field": "code"}))
    key_rows = list(DocumentKey.objects.filter(document__session=session, center=center).select_related("document"))
    if not key_rows:
        raise Conflict("no_documents", "This center has received no question-paper documents for this session.")
    document_keys = {}
    for row in key_rows:
        try:
            document_keys[row.document] = storage.unwrap_center_key(row, secret)
        except crypto.InvalidTag:
            refuse(
                ReleaseOutcome.WRONG_CODE,
                ApplicationError(
                    "wrong_code",
                    "The release code is not this session's code for this center.",
                    extra={"field": "code"},
                ),
            )
    for document, document_key in document_keys.items():
        storage.decrypt(document, document_key)  # the files are here and whole
    local = crypto.master_key()
    local_keys = {
        str(document.pk): storage.encode_key(crypto.seal(local, document_key, storage.local_aad(document.pk)))
        for document, document_key in document_keys.items()
    }
    with transaction.atomic():
        release = synced_save(
            PaperRelease(session=session, center=center, released_by=user, released_at=now, local_keys=local_keys)
        )
        synced_save(
            ReleaseAttempt(
                session=session, center=center, user=user, at=now, outcome=ReleaseOutcome.RELEASED, client=client[:64]
            )
        )
    return release


def _released_key(document: PaperDocument, center) -> bytes:
    release = PaperRelease.objects.filter(session_id=document.session_id, center=center).first()
    if release is None:
        raise Conflict("not_released", "This session's question paper has not been released at this center yet.")
    wrapped = release.local_keys.get(str(document.pk))
    if wrapped is None:
        raise Conflict("not_released", "This document arrived after the release: release it again with the code.")
    try:
        return crypto.unseal(crypto.master_key(), storage.decode_key(wrapped), storage.local_aad(document.pk))
    except crypto.InvalidTag:
        raise Conflict("wrong_master_key", "This node's master key does not open the released key.") from None


@transaction.atomic
def download_document(
    *, document: PaperDocument, user, copies: int = 1, center=None, client: str = "", now=None
) -> bytes:
    """The plaintext of `document` for printing `copies` copies, recorded.

    At a center (`center` given) only after the session's release there; at HQ (no center)
    with HQ's master copy of the key.
    """
    if copies < 1:
        raise ApplicationError("invalid_copies", "Copies must be at least 1.", extra={"field": "copies"})
    if center is not None:
        plaintext = storage.decrypt(document, _released_key(document, center))
    else:
        plaintext = storage.decrypt_at_hq(document)
    synced_save(
        DocumentDownload(
            document=document, center=center, user=user, at=now or timezone.now(), copies=copies, client=client[:64]
        )
    )
    return plaintext
