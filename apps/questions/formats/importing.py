"""Import questions from Moodle XML, GIFT, Aiken or the xlsx template (docs/questions/formats.md).

One service, `import_questions`, behind the command, the API and the background job. The
file is read question by question (a parser per format, in this package); every question
goes through `clean_content` like any other way into the bank; those that pass are inserted
in ONE transaction, 500 at a time with `bulk_create`, as drafts with an `imported` history
row each. Those that do not are reported with their position, line and reason and skipped.
A dry run does all of it but the writes.
"""

import hashlib
import logging
import os
import time
from collections import Counter
from dataclasses import asdict, dataclass, field
from pathlib import Path

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from rest_framework import status

from apps.core.roles import Role
from apps.questions.choices import QuestionStatus
from apps.questions.formats import aiken, gift, moodle_xml, xlsx
from apps.questions.formats.detect import SNIFF_BYTES, detect_format
from apps.questions.formats.items import (
    AIKEN,
    FORMATS,
    GIFT,
    MOODLE_XML,
    XLSX,
    FormatError,
    ParsedItem,
    category_parts,
)
from apps.questions.formats.subjects import SubjectResolver
from apps.questions.models import HistoryAction, Question, QuestionHistory, QuestionImage
from apps.questions.numbering import reserve_numbers
from apps.questions.validation import clean_content
from utils.exceptions import ApplicationError
from utils.images import ImageRejected, clean_image
from utils.progress import ProgressCallback, report

logger = logging.getLogger("apps.questions")

BATCH_SIZE = 500
MAX_SKIPPED_KEPT = 10_000  # the report lists this many skipped questions (the count stays exact)
IMPORT_ROLES = frozenset({Role.ADMIN, Role.PAPER_SETTER})


@dataclass
class ImportReport:
    format: str
    file_name: str
    dry_run: bool = False
    found: int = 0
    imported: int = 0
    skipped_count: int = 0
    skipped: list[dict] = field(default_factory=list)
    by_type: dict[str, int] = field(default_factory=dict)
    subjects_created: list[str] = field(default_factory=list)
    images: int = 0
    seconds: float = 0.0

    @property
    def per_second(self) -> float:
        return self.found / self.seconds if self.seconds else 0.0

    def skip(self, item: ParsedItem, reason: str | None = None, field_name: str | None = None) -> None:
        self.skipped_count += 1
        if len(self.skipped) < MAX_SKIPPED_KEPT:
            entry = {"position": item.position, "line": item.line, "reason": reason or item.reason}
            if field_name or item.field:
                entry["field"] = field_name or item.field
            if item.name:
                entry["name"] = item.name[:200]
            self.skipped.append(entry)

    def as_dict(self) -> dict:
        data = asdict(self)
        data["seconds"] = round(self.seconds, 3)
        data["questions_per_second"] = round(self.per_second, 1)
        data["skipped_truncated"] = self.skipped_count > len(self.skipped)
        return data


def _open(source):
    """A binary file object for a path or an upload, and whether we opened it."""
    if isinstance(source, str | os.PathLike):
        return open(source, "rb"), True
    if hasattr(source, "temporary_file_path"):
        return open(source.temporary_file_path(), "rb"), True
    source.seek(0)
    return source, False


def _display_name(source, name: str | None) -> str:
    if name:
        return Path(name).name
    if isinstance(source, str | os.PathLike):
        return Path(source).name
    return Path(getattr(source, "name", "") or "").name or "upload"


def _size(handle) -> int:
    position = handle.tell()
    handle.seek(0, os.SEEK_END)
    size = handle.tell()
    handle.seek(position)
    return size


def _items(file_format: str, handle, source, file_name: str):
    if file_format == MOODLE_XML:
        return moodle_xml.parse(handle, max_bytes=settings.QUESTION_IMPORT_MAX_BYTES)
    if file_format == GIFT:
        return gift.parse(handle)
    if file_format == AIKEN:
        return aiken.parse(handle)
    return xlsx.parse(handle, name=file_name)


def _errors(exc: ValidationError, item: ParsedItem, file_format: str) -> tuple[str, str]:
    """(field, reason) of a clean_content error, fields named as the format names them
    (the template's columns, `Row 9, column option_b: ...`)."""
    parts, first = [], ""
    for name, messages in exc.message_dict.items():
        shown = xlsx.column_for(name) if file_format == XLSX else name
        first = first or shown
        where = f"Row {item.line}, column {shown}" if file_format == XLSX else shown
        parts.append(f"{where}: {' '.join(messages)}")
    return first, "; ".join(parts)


def import_questions(
    *,
    source,
    format: str | None,
    user,
    subject=None,
    dry_run: bool = False,
    progress: ProgressCallback | None = None,
    name: str | None = None,
) -> ImportReport:
    """Import the questions of `source` (a path or an uploaded/binary file) as drafts of `user`.

    `format`: one of FORMATS, or None to detect it from the content. `subject` (a Subject,
    its code or id) puts every question in that subject, overriding the file's categories.
    `name` is the file's name for the report and the questions' `source` (default: the
    path's or the upload's). Raises ApplicationError (400/403/413) when the file cannot be
    read at all or the user may not import; otherwise returns the report.
    """
    started = time.perf_counter()
    if getattr(user, "role", None) not in IMPORT_ROLES:
        raise ApplicationError("permission_denied", "Only admins and paper setters import questions.", status_code=403)
    if format is not None and format not in FORMATS:
        raise ApplicationError("invalid_format", f"Unknown format {format!r}; choose one of {', '.join(FORMATS)}.")
    file_name = _display_name(source, name)
    handle, owned = _open(source)
    try:
        size = _size(handle)
        limit = settings.QUESTION_IMPORT_MAX_BYTES
        if size > limit:
            raise ApplicationError(
                "too_large",
                f"The file is {size:,} bytes; the limit is {limit:,} bytes (QUESTION_IMPORT_MAX_BYTES).",
                status_code=status.HTTP_413_REQUEST_ENTITY_TOO_LARGE,
            )
        try:
            if format is None:
                format = detect_format(handle.read(SNIFF_BYTES), file_name)
                handle.seek(0)
            resolver = SubjectResolver(user=user, override=subject, dry_run=dry_run)
            if format == AIKEN and resolver.override is None:
                raise ApplicationError(
                    "subject_required", "An Aiken file names no subject: give the subject to import into."
                )
            result = ImportReport(format=format, file_name=file_name, dry_run=dry_run)
            stored: list = []
            try:
                with transaction.atomic():
                    _run(_items(format, handle, source, file_name), result, resolver, user, progress, stored)
                    result.subjects_created = resolver.created
                    if dry_run:
                        transaction.set_rollback(True)
            except BaseException:
                # The rows are rolled back; the image files written meanwhile go too.
                for image in stored:
                    image.file.delete(save=False)
                raise
        except FormatError as exc:
            raise ApplicationError("unreadable_file", f"{file_name}: {exc}") from None
    finally:
        if owned:
            handle.close()
        else:
            handle.seek(0)
    if not result.found:
        raise ApplicationError("no_questions", f"{file_name} holds no questions in the {format} format.")
    result.seconds = time.perf_counter() - started
    logger.info(
        "Question import %s (%s) by %s: %s found, %s imported, %s skipped%s",
        file_name,
        format,
        user.username,
        result.found,
        result.imported,
        result.skipped_count,
        " (dry run)" if dry_run else "",
    )
    return result


def _run(items, result: ImportReport, resolver: SubjectResolver, user, progress, stored: list) -> None:
    batch: list[tuple[Question, list]] = []
    types: Counter = Counter()

    def flush() -> None:
        if not batch:
            return
        if not result.dry_run:
            _insert(batch, user, stored)
        result.imported += len(batch)
        types.update(str(question.type) for question, _images in batch)
        result.images += sum(len(images) for _question, images in batch)
        batch.clear()
        report(progress, result.found, None, f"{result.imported} imported, {result.skipped_count} skipped")

    for item in items:
        result.found += 1
        if item.skipped:
            result.skip(item)
            continue
        question = _prepare(item, result, resolver, user)
        if question is not None:
            batch.append(question)
        if len(batch) >= BATCH_SIZE:
            flush()
    flush()
    result.by_type = dict(sorted(types.items()))


def _prepare(item: ParsedItem, result: ImportReport, resolver, user) -> tuple[Question, list] | None:
    content = item.content
    if result.format == XLSX:
        subject, problem = resolver.resolve(item.subject or None, what="subject")
        topic = content.get("topic", "")
    else:
        parts = category_parts(item.category or "")
        subject, problem, topic = resolver.resolve_path(parts)
        content = {**content, "topic": topic}
    if problem:
        result.skip(item, problem, "subject" if result.format == XLSX else "category")
        return None
    try:
        cleaned = clean_content(content)
    except ValidationError as exc:
        field_name, reason = _errors(exc, item, result.format)
        result.skip(item, reason, field_name)
        return None
    images = []
    for attachment in item.attachments:
        try:
            images.append(clean_image(attachment.data))
        except ImageRejected as exc:
            result.skip(item, f"The image {attachment.name!r} is refused: {exc}", "images")
            return None
    source = f"{result.file_name} #{item.position}" + (f" ({item.name})" if item.name else "")
    question = Question(subject=subject, author=user, status=QuestionStatus.DRAFT, source=source[:300], **cleaned)
    return question, images


def _insert(batch: list[tuple[Question, list]], user, stored: list) -> None:
    first = reserve_numbers(len(batch))
    for offset, (question, _images) in enumerate(batch):
        question.number = first + offset
    Question.objects.bulk_create([question for question, _images in batch])
    QuestionHistory.objects.bulk_create(
        [
            QuestionHistory(
                question=question,
                question_number=question.number,
                version=question.version,
                action=HistoryAction.IMPORTED,
                actor=user,
                note=question.source,
            )
            for question, _images in batch
        ]
    )
    for question, images in batch:
        for image in images:
            record = QuestionImage(
                question=question,
                sha256=hashlib.sha256(image.content).hexdigest(),
                width=image.width,
                height=image.height,
                uploaded_by=user,
            )
            record.file.save("image" + image.extension, image.as_file(), save=False)
            stored.append(record)
            record.save()
