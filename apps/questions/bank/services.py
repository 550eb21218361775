"""Writes to the question bank: questions and their review workflow, images, passages,
subjects and setter assignments (docs/questions/bank.md).

Every function is one transaction. Question content always passes through
`apps.questions.validation.clean_content`, whoever calls (API, admin, importers), and every
change to a question writes one `QuestionHistory` row: who, when, which version, and
`changes = {field: [before, after]}` in JSON.

The workflow: draft -> submitted -> approved -> retired. Approving freezes the working copy
into an immutable `QuestionVersion`; editing an approved question opens the next version as a
draft while `approved_version` keeps pointing at the frozen one, so papers and draws go on
using it until the new version is approved.

Who "wrote" a version (and so may not approve it): its author (`Question.author`: who
created the question for version 1, who first edited the approved question for a later
version) and everyone who changed its content while it was that version: edited it, added
or removed an image. See `version_writers`.
"""

import hashlib
from decimal import Decimal
from uuid import UUID

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models, transaction
from django.utils import timezone
from rest_framework import status

from apps.core.roles import Role
from apps.questions.choices import QuestionStatus, TextFormat
from apps.questions.models import (
    HistoryAction,
    PaperQuestion,
    Passage,
    Question,
    QuestionHistory,
    QuestionImage,
    QuestionVersion,
    SetterAssignment,
    Subject,
)
from apps.questions.numbering import reserve_numbers
from apps.questions.richtext import clean_text
from apps.questions.validation import LANGUAGE_CODE_MAX, MAX_TEXT, clean_content
from utils.exceptions import ApplicationError, Conflict
from utils.images import ImageRejected, clean_image

CONTENT_FIELDS = Question.CONTENT_FIELDS
# Content checked by clean_content; `passage` is resolved by the caller (a Passage or None).
CLEANED_FIELDS = tuple(f for f in CONTENT_FIELDS if f != "passage")
# Actions that write content: whoever did one to a version may not approve that version.
WRITING_ACTIONS = (
    HistoryAction.CREATED,
    HistoryAction.IMPORTED,
    HistoryAction.EDITED,
    HistoryAction.IMAGE_ADDED,
    HistoryAction.IMAGE_REMOVED,
)
NOTE_MAX = 500


# --- helpers ------------------------------------------------------------------------------


def json_safe(value):
    """A value as history stores it: decimals as strings, rows and UUIDs as ids."""
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, UUID):
        return str(value)
    if isinstance(value, models.Model):
        return str(value.pk)
    if isinstance(value, dict):
        return {str(k): json_safe(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [json_safe(v) for v in value]
    return value


def _record(question: Question, action: str, user, changes: dict | None = None, note: str = "") -> QuestionHistory:
    return QuestionHistory.objects.create(
        question=question,
        question_number=question.number,
        version=question.version,
        action=action,
        actor=user if user is not None and user.is_authenticated else None,
        changes=json_safe(changes or {}),
        note=note[:NOTE_MAX],
    )


def _locked(question: Question) -> Question:
    """The question as stored, locked for this transaction (PostgreSQL; SQLite serialises writers)."""
    try:
        return Question.objects.select_for_update().get(pk=question.pk)
    except Question.DoesNotExist:
        raise Conflict("question_gone", "This question has been deleted.") from None


def _check_passage(passage: Passage | None, subject: Subject) -> None:
    if passage is not None and passage.subject_id != subject.pk:
        raise ValidationError({"passage": ["The passage belongs to another subject."]})


def _check_model_fields(question: Question) -> None:
    # clean_content knows the rules; the columns know their sizes (marks 9999.99 at most).
    others = [f.name for f in Question._meta.fields if f.name not in ("marks", "negative_marks", "topic")]
    question.clean_fields(exclude=others)


def _content_of(question: Question) -> dict:
    return {f: getattr(question, f) for f in CLEANED_FIELDS}


def _differences(before: dict, after: dict) -> dict:
    return {f: [before.get(f), after[f]] for f in after if before.get(f) != after[f]}


def _open_for_editing(question: Question) -> dict:
    """Make `question` (locked) ready to take a content change; return the status/version change.

    Approved: the next version opens as a draft (approved_version stays). Submitted: back to
    draft, the reviewer must see the change. Retired: refused.
    """
    if question.status == QuestionStatus.RETIRED:
        raise Conflict("question_retired", "A retired question cannot be changed.")
    before = {"status": question.status, "version": question.version}
    if question.status == QuestionStatus.APPROVED:
        question.version += 1
        question.status = QuestionStatus.DRAFT
        question.author = None  # set by the caller: who opens the version writes it
    elif question.status == QuestionStatus.SUBMITTED:
        question.status = QuestionStatus.DRAFT
    return _differences(before, {"status": question.status, "version": question.version})


def version_writers(question: Question) -> set:
    """Ids of the users who wrote the working copy's version (may not approve it)."""
    writers = set(
        QuestionHistory.objects.filter(
            question=question, version=question.version, action__in=WRITING_ACTIONS, actor__isnull=False
        ).values_list("actor_id", flat=True)
    )
    if question.author_id is not None:
        writers.add(question.author_id)
    return writers


# --- questions ------------------------------------------------------------------------------


@transaction.atomic
def create_question(
    *, user, subject: Subject, data: dict, passage: Passage | None = None, source: str = ""
) -> Question:
    """A new draft question in `subject`, numbered from the bank's counter, written by `user`.

    `data` holds the content fields (`QuestionContent.CONTENT_FIELDS` but `passage`); it is
    validated and normalised by `clean_content` (ValidationError naming the field). `source`
    (an import file and position) marks the question as imported in its history.
    """
    cleaned = clean_content(data)
    _check_passage(passage, subject)
    question = Question(subject=subject, passage=passage, author=user, source=source[:300], **cleaned)
    _check_model_fields(question)
    question.number = reserve_numbers(1)
    question.save(force_insert=True)
    changes = {f: [None, v] for f, v in cleaned.items() if v not in (None, "", [], {})}
    if passage is not None:
        changes["passage"] = [None, passage.pk]
    action = HistoryAction.IMPORTED if source else HistoryAction.CREATED
    _record(question, action, user, changes, note=source)
    return question


@transaction.atomic
def update_question(*, user, question: Question, data: dict) -> Question:
    """Change the working copy. `data` holds any content fields (merged onto the current
    content, then validated as a whole), `passage` (a Passage or None) and `subject` (only
    while the question was never approved).

    Draft: edited in place. Submitted: edited, and back to draft. Approved: version + 1 as a
    draft, `approved_version` unchanged. Retired: 409. No change: nothing written.
    """
    question = _locked(question)
    before = _content_of(question)
    merged = {**before, **{k: v for k, v in data.items() if k in CLEANED_FIELDS}}
    cleaned = clean_content(merged)
    changes = _differences(before, cleaned)
    subject = data.get("subject", question.subject)
    if subject.pk != question.subject_id:
        if question.approved_version_id is not None:
            raise ValidationError({"subject": ["An approved question stays in its subject."]})
        changes["subject"] = [question.subject.code, subject.code]
    passage = data.get("passage", question.passage)
    _check_passage(passage, subject)
    if (passage.pk if passage else None) != question.passage_id:
        changes["passage"] = [question.passage_id, passage.pk if passage else None]
    if not changes:
        return question
    if question.status == QuestionStatus.RETIRED:
        raise Conflict("question_retired", "A retired question cannot be changed.")
    changes.update(_open_for_editing(question))
    if question.author_id is None:
        question.author = user
    for field, value in cleaned.items():
        setattr(question, field, value)
    question.subject, question.passage = subject, passage
    _check_model_fields(question)
    question.save()
    _record(question, HistoryAction.EDITED, user, changes)
    return question


@transaction.atomic
def submit_question(*, user, question: Question) -> Question:
    """Draft -> submitted for review (409 from any other status)."""
    question = _locked(question)
    if question.status != QuestionStatus.DRAFT:
        raise Conflict("not_draft", f"Only a draft can be submitted; this question is {question.status}.")
    question.status = QuestionStatus.SUBMITTED
    question.save(update_fields=["status", "updated_at"])
    _record(question, HistoryAction.SUBMITTED, user, {"status": [QuestionStatus.DRAFT, QuestionStatus.SUBMITTED]})
    return question


@transaction.atomic
def approve_question(*, user, question: Question) -> Question:
    """Submitted -> approved by someone who did not write this version (409 otherwise).

    Freezes the working copy (every content field and the ids of its current images) into
    `QuestionVersion` number `question.version`, and points `approved_version` at it.
    """
    question = _locked(question)
    if question.status != QuestionStatus.SUBMITTED:
        raise Conflict("not_submitted", f"Only a submitted question can be approved; this one is {question.status}.")
    if user.pk in version_writers(question):
        raise Conflict(
            "self_approval",
            f"You wrote version {question.version} of this question; someone else must approve it.",
        )
    images = [str(pk) for pk in question.images.filter(removed_at__isnull=True).values_list("pk", flat=True)]
    version = QuestionVersion.objects.create(
        question=question,
        number=question.version,
        images=images,
        author=question.author,
        approved_by=user,
        approved_at=timezone.now(),
        **{f: getattr(question, f) for f in CONTENT_FIELDS},
    )
    previous = question.approved_version.number if question.approved_version_id else None
    question.status = QuestionStatus.APPROVED
    question.approved_version = version
    question.save(update_fields=["status", "approved_version", "updated_at"])
    changes = {
        "status": [QuestionStatus.SUBMITTED, QuestionStatus.APPROVED],
        "approved_version": [previous, version.number],
    }
    _record(question, HistoryAction.APPROVED, user, changes)
    return question


@transaction.atomic
def return_question(*, user, question: Question, note: str) -> Question:
    """A reviewer sends a submitted question back to draft, saying why in `note`."""
    note = (note or "").strip()
    if not note:
        raise ValidationError({"note": ["Say what needs changing."]})
    if len(note) > NOTE_MAX:
        raise ValidationError({"note": [f"At most {NOTE_MAX} characters."]})
    question = _locked(question)
    if question.status != QuestionStatus.SUBMITTED:
        raise Conflict("not_submitted", f"Only a submitted question can be returned; this one is {question.status}.")
    question.status = QuestionStatus.DRAFT
    question.save(update_fields=["status", "updated_at"])
    _record(question, HistoryAction.RETURNED, user, {"status": [QuestionStatus.SUBMITTED, QuestionStatus.DRAFT]}, note)
    return question


@transaction.atomic
def retire_question(*, user, question: Question) -> Question:
    """Take a question out of use: never drawn again (papers already built keep it)."""
    question = _locked(question)
    if question.status == QuestionStatus.RETIRED:
        raise Conflict("already_retired", "This question is retired already.")
    before = question.status
    question.status = QuestionStatus.RETIRED
    question.save(update_fields=["status", "updated_at"])
    _record(question, HistoryAction.RETIRED, user, {"status": [before, QuestionStatus.RETIRED]})
    return question


@transaction.atomic
def delete_question(*, user, question: Question) -> None:
    """Delete a question never approved and in no paper (409 otherwise); its history stays,
    with the number, and a last `deleted` row."""
    question = _locked(question)
    if question.approved_version_id is not None or question.versions.exists():
        raise Conflict("question_approved", "An approved question is kept; retire it instead.")
    if PaperQuestion.objects.filter(question=question).exists():
        raise Conflict("question_in_paper", "This question is in a question paper; retire it instead.")
    _record(question, HistoryAction.DELETED, user, {"status": [question.status, None]})
    files = [(image.file.storage, image.file.name) for image in question.images.all() if image.file]
    question.delete()
    for storage, name in files:
        transaction.on_commit(lambda s=storage, n=name: s.delete(n))


# --- images ---------------------------------------------------------------------------------


def add_image(*, user, question: Question, upload, caption: str = "") -> QuestionImage:
    """Attach an image (JPEG or PNG, judged by decoding it; re-encoded without metadata).

    413 over MAX_QUESTION_IMAGE_BYTES; 400 naming `file` when it is not a readable image.
    The image is a content change: an approved question opens its next version.
    """
    limit = settings.MAX_QUESTION_IMAGE_BYTES
    size = getattr(upload, "size", None)
    if size is None and isinstance(upload, bytes | bytearray):
        size = len(upload)
    if size is not None and size > limit:
        message = f"The file is {size:,} bytes; the limit is {limit:,} bytes."
        raise ApplicationError(
            "too_large",
            message,
            extra={"errors": {"file": [message]}},
            status_code=status.HTTP_413_REQUEST_ENTITY_TOO_LARGE,
        )
    try:
        clean = clean_image(upload, max_bytes=limit)
    except ImageRejected as exc:
        raise ValidationError({"file": [str(exc)]}) from None
    caption = (caption or "").strip()
    if len(caption) > 300:
        raise ValidationError({"caption": ["At most 300 characters."]})
    image = QuestionImage(
        sha256=hashlib.sha256(clean.content).hexdigest(),
        width=clean.width,
        height=clean.height,
        caption=caption,
        uploaded_by=user,
    )
    stored = []
    try:
        return _attach_image(user, question, image, clean, stored)
    except BaseException:
        for storage, name in stored:  # written before the transaction failed
            storage.delete(name)
        raise


@transaction.atomic
def _attach_image(user, question: Question, image: QuestionImage, clean, stored: list) -> QuestionImage:
    question = _locked(question)
    changes = _open_for_editing(question)
    if question.author_id is None:
        question.author = user
    before = _current_image_ids(question)
    image.question = question
    image.file.save(f"figure{clean.extension}", clean.as_file("figure"), save=False)
    stored.append((image.file.storage, image.file.name))
    image.save(force_insert=True)
    question.save()
    changes["images"] = [before, [*before, str(image.pk)]]
    _record(question, HistoryAction.IMAGE_ADDED, user, changes)
    return image


def _current_image_ids(question: Question) -> list[str]:
    return [str(pk) for pk in question.images.filter(removed_at__isnull=True).values_list("pk", flat=True)]


@transaction.atomic
def remove_image(*, user, image: QuestionImage) -> None:
    """Take an image off the working copy. An image an approved version lists is kept (that
    version still prints it) and only marked removed; any other is deleted with its file."""
    question = _locked(image.question)
    image = QuestionImage.objects.select_for_update().get(pk=image.pk)
    if image.removed_at is not None:
        raise Conflict("image_removed", "This image has been removed already.")
    changes = _open_for_editing(question)
    if question.author_id is None:
        question.author = user
    before = _current_image_ids(question)
    in_a_version = any(str(image.pk) in ids for ids in question.versions.values_list("images", flat=True))
    if in_a_version:
        image.removed_at = timezone.now()
        image.save(update_fields=["removed_at"])
    else:
        storage, name = image.file.storage, image.file.name
        image.delete()
        transaction.on_commit(lambda: storage.delete(name))
    question.save()
    changes["images"] = [before, [pk for pk in before if pk != str(image.pk)]]
    _record(question, HistoryAction.IMAGE_REMOVED, user, changes)


# --- passages -------------------------------------------------------------------------------


def _passage_text(value, text_format: str) -> dict:
    errors = []
    if not isinstance(value, dict) or not value:
        raise ValidationError({"text": ['Give the text per language: {"en": "..."}.']})
    cleaned = {}
    for language, text in value.items():
        if not isinstance(language, str) or not language.isascii() or not 2 <= len(language) <= LANGUAGE_CODE_MAX:
            errors.append(f"{language!r} is not a language code (en, hi, ...).")
        elif not isinstance(text, str) or not text.strip():
            raise ValidationError({f"text.{language}": ["The text is empty."]})
        elif len(text) > MAX_TEXT:
            raise ValidationError({f"text.{language}": [f"At most {MAX_TEXT} characters."]})
        else:
            cleaned[language] = clean_text(text.strip(), text_format)
    if errors:
        raise ValidationError({"text": errors})
    return cleaned


def _clean_passage(data: dict, current: Passage | None = None) -> dict:
    text_format = data.get("text_format", current.text_format if current else TextFormat.MARKDOWN)
    if text_format not in TextFormat.values:
        raise ValidationError({"text_format": [f"Choose one of: {', '.join(TextFormat.values)}."]})
    title = str(data.get("title", current.title if current else "") or "").strip()
    if len(title) > 200:
        raise ValidationError({"title": ["At most 200 characters."]})
    text = _passage_text(data.get("text", current.text if current else None), text_format)
    return {"title": title, "text": text, "text_format": text_format}


def _passage_frozen(passage: Passage) -> bool:
    return QuestionVersion.objects.filter(passage=passage).exists()


@transaction.atomic
def create_passage(*, user, subject: Subject, data: dict) -> Passage:
    """A shared stem (`title`, `text` {language: text}, `text_format`) in `subject`."""
    passage = Passage(subject=subject, created_by=user, **_clean_passage(data))
    passage.save(force_insert=True)
    return passage


@transaction.atomic
def update_passage(*, user, passage: Passage, data: dict) -> Passage:
    """Change a passage. One that an approved question version uses is frozen (409): that
    version prints it; make a new passage for the new version instead."""
    passage = Passage.objects.select_for_update().get(pk=passage.pk)
    if "subject" in data and data["subject"].pk != passage.subject_id:
        raise ValidationError({"subject": ["A passage stays in its subject."]})
    cleaned = _clean_passage(data, passage)
    if all(getattr(passage, k) == v for k, v in cleaned.items()):
        return passage
    if _passage_frozen(passage):
        raise Conflict("passage_frozen", "An approved question version prints this passage; make a new passage.")
    for field, value in cleaned.items():
        setattr(passage, field, value)
    passage.save()
    return passage


@transaction.atomic
def delete_passage(*, user, passage: Passage) -> None:
    """Delete a passage no question (working copy or version) uses (409 otherwise)."""
    used = Question.objects.filter(passage=passage).exists() or QuestionVersion.objects.filter(passage=passage).exists()
    if used:
        raise Conflict("passage_in_use", "Questions use this passage; detach them first.")
    passage.delete()


# --- subjects and setters (admins) ----------------------------------------------------------


@transaction.atomic
def create_subject(*, code: str, name: str) -> Subject:
    subject = Subject(code=(code or "").strip().upper(), name=(name or "").strip())
    subject.full_clean()
    subject.save(force_insert=True)
    return subject


@transaction.atomic
def update_subject(*, subject: Subject, data: dict) -> Subject:
    subject = Subject.objects.select_for_update().get(pk=subject.pk)
    if "code" in data:
        code = (data["code"] or "").strip().upper()
        if code != subject.code and subject.questions.exists():
            raise Conflict("subject_in_use", "The subject has questions; its code stays (exports name it).")
        subject.code = code
    if "name" in data:
        subject.name = (data["name"] or "").strip()
    subject.full_clean()
    subject.save()
    return subject


@transaction.atomic
def delete_subject(*, subject: Subject) -> None:
    if subject.questions.exists() or subject.passages.exists():
        raise Conflict("subject_in_use", "The subject has questions or passages; it is kept.")
    subject.delete()


@transaction.atomic
def assign_setter(*, setter, subject: Subject) -> SetterAssignment:
    """Let paper setter `setter` see and write the questions of `subject`."""
    if setter.role != Role.PAPER_SETTER:
        raise ValidationError({"user": ["Only a paper setter can be assigned a subject."]})
    if SetterAssignment.objects.filter(user=setter, subject=subject).exists():
        raise Conflict("already_assigned", f"{setter.username} is assigned {subject.code} already.")
    return SetterAssignment.objects.create(user=setter, subject=subject)


@transaction.atomic
def unassign_setter(*, assignment: SetterAssignment) -> None:
    assignment.delete()
