"""Export the bank (what the user may see) to Moodle XML, GIFT, Aiken or the xlsx template.

Streams: questions are read 500 at a time and written as they come, so a large bank takes
flat memory. A question a format cannot carry (Aiken and anything but single choice, more
than six options in the template) is left out and listed in the report. Retired questions
are not exported. What each format loses is in docs/questions/formats.md.
"""

import os
import time
from collections import Counter
from dataclasses import asdict, dataclass, field
from pathlib import Path

from apps.core.scoping import scope_for
from apps.questions.choices import QuestionStatus
from apps.questions.formats import aiken, gift, moodle_xml, xlsx
from apps.questions.formats.importing import IMPORT_ROLES
from apps.questions.formats.items import (
    AIKEN,
    FORMATS,
    GIFT,
    MOODLE_XML,
    XLSX,
    Attachment,
    ExportRecord,
    NotExpressible,
)
from apps.questions.formats.subjects import find_subject
from apps.questions.models import Question, Subject
from utils.exceptions import ApplicationError
from utils.progress import ProgressCallback, report

CHUNK = 500
WRITERS = {MOODLE_XML: moodle_xml.Writer, GIFT: gift.Writer, AIKEN: aiken.Writer, XLSX: xlsx.Writer}
SUFFIX = {MOODLE_XML: ".xml", GIFT: ".gift.txt", AIKEN: ".aiken.txt", XLSX: ".xlsx"}
CONTENT_TYPE = {
    MOODLE_XML: "application/xml",
    GIFT: "text/plain; charset=utf-8",
    AIKEN: "text/plain; charset=utf-8",
    XLSX: "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}
_CONTENT = [f for f in Question.CONTENT_FIELDS if f != "passage"]


@dataclass
class ExportReport:
    format: str
    written: int = 0
    left_out: list[dict] = field(default_factory=list)
    by_type: dict[str, int] = field(default_factory=dict)
    seconds: float = 0.0

    def as_dict(self) -> dict:
        data = asdict(self)
        data["seconds"] = round(self.seconds, 3)
        return data


def exportable_questions(*, user, subject=None):
    """The questions `user` may export (their scope, retired ones left out), in file order."""
    if getattr(user, "role", None) not in IMPORT_ROLES:
        raise ApplicationError("permission_denied", "Only admins and paper setters export questions.", status_code=403)
    questions = scope_for(user, Question.objects.select_related("subject")).exclude(status=QuestionStatus.RETIRED)
    if subject not in (None, ""):
        found = find_subject(subject)
        if found is None or not scope_for(user, Subject.objects.filter(pk=found.pk)).exists():
            raise ApplicationError("unknown_subject", f"There is no subject {subject!s}.")
        questions = questions.filter(subject=found)
    return questions.order_by("subject__code", "topic", "number")


def export_filename(file_format: str, subject=None) -> str:
    stem = f"questions-{subject}" if subject else "questions"
    return stem + SUFFIX[file_format]


def export_questions(
    *,
    user,
    format: str,  # the option's name on the command line and the API
    subject=None,
    output,
    progress: ProgressCallback | None = None,
) -> ExportReport:
    """Write the questions `user` may see (of `subject`, a Subject, code or id, when given) to
    `output` (a path or a binary file object) in `format`; return what was written and left out."""
    started = time.perf_counter()
    if format not in FORMATS:
        raise ApplicationError("invalid_format", f"Unknown format {format!r}; choose one of {', '.join(FORMATS)}.")
    questions = exportable_questions(user=user, subject=subject)
    if not isinstance(output, str | os.PathLike):
        return _export(questions, format, output, progress, started)
    path = Path(output)
    try:
        with path.open("wb") as handle:
            return _export(questions, format, handle, progress, started)
    except BaseException:
        path.unlink(missing_ok=True)  # no half-written file left behind
        raise


def _export(questions, file_format: str, handle, progress, started: float) -> ExportReport:
    total = questions.count()
    result = ExportReport(format=file_format)
    types: Counter = Counter()
    if file_format == XLSX:
        languages = set()
        for texts in questions.values_list("text", flat=True).iterator(chunk_size=2000):
            languages.update(texts)
        writer = xlsx.Writer(handle, languages=sorted(languages))
    else:
        writer = WRITERS[file_format](handle)
    rows = questions.prefetch_related("images") if file_format == MOODLE_XML else questions
    for done, question in enumerate(rows.iterator(chunk_size=CHUNK), start=1):
        record = ExportRecord(
            number=question.number,
            subject=question.subject.code,
            content={name: getattr(question, name) for name in _CONTENT},
            images=_images(question) if file_format == MOODLE_XML else [],
        )
        try:
            writer.write(record)
        except NotExpressible as exc:
            result.left_out.append({"number": question.number, "reason": str(exc)})
        else:
            result.written += 1
            types[str(question.type)] += 1
        if done % CHUNK == 0:
            report(progress, done, total, f"{result.written} written")
    writer.close()
    report(progress, total, total, f"{result.written} written")
    result.by_type = dict(sorted(types.items()))
    result.seconds = time.perf_counter() - started
    return result


def _images(question) -> list[Attachment]:
    images = []
    for index, image in enumerate(question.images.all(), start=1):
        try:
            with image.file.open("rb") as handle:
                images.append(
                    Attachment(name=f"q{question.number}-{index}{Path(image.file.name).suffix}", data=handle.read())
                )
        except OSError:
            continue  # a missing file is not worth failing the export for; the text is there
    return images
