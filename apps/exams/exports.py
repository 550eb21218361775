"""Export exams with their papers and sessions to an xlsx workbook.

One service for the API (inline or as the `exams.export` job) and the
`export_schedule` command. It streams rows from the database in chunks into
XlsxWriter's constant-memory mode, so memory stays flat however many sessions there
are, and reports progress every `BATCH` rows.
"""

import io
import os
from pathlib import Path

from django.core.exceptions import ValidationError
from django.db.models import Q, QuerySet
from django.http import QueryDict

from apps.core.scoping import scope_for
from apps.exams import selectors
from apps.exams.filters import ExamFilter
from apps.exams.models import Exam, ExamSession, Paper
from utils.progress import ProgressCallback, report
from utils.safe_cells import new_workbook

BATCH = 1000

EXAM_COLUMNS = ("code", "name", "start_date", "end_date", "status", "description")
PAPER_COLUMNS = ("exam_code", "code", "name", "kind", "max_marks", "pass_marks", "duration_minutes")
SESSION_COLUMNS = ("exam_code", "paper_code", "date", "start_time", "end_time")


def exams_for_export(*, user, filters: QueryDict) -> QuerySet[Exam]:
    """The exams `user` may see, narrowed by the exam list's filters (`status`, `code`,
    `start_after`, `start_before`) and `search` (code or name). An invalid filter raises
    ValidationError (400), as on the list endpoint."""
    exam_filter = ExamFilter(filters, queryset=scope_for(user, selectors.exam_list()))
    if not exam_filter.is_valid():
        raise ValidationError(exam_filter.errors)
    exams = exam_filter.qs
    search = (filters.get("search") or "").strip()
    if search:
        exams = exams.filter(Q(code__icontains=search) | Q(name__icontains=search))
    return exams.order_by("code")


def schedule_export_size(exams: QuerySet[Exam]) -> int:
    """Rows the export will write: exams + papers + sessions."""
    ids = exams.values("pk")
    return exams.count() + Paper.objects.filter(exam__in=ids).count() + ExamSession.objects.filter(exam__in=ids).count()


def schedule_export(
    *, exams: QuerySet[Exam], output: Path | io.BytesIO, progress: ProgressCallback | None = None
) -> dict:
    """Write `exams`, their papers and sessions to an xlsx workbook at `output`.

    `output` is a path (written under a temporary name and renamed into place, so a
    stopped export never leaves a half-written file) or a BytesIO. Reads only: no
    transaction is taken (on SQLite that would hold the write lock for nothing).
    Returns {"exams": n, "papers": n, "sessions": n, "rows": n}.
    """
    ids = exams.values("pk")
    papers = Paper.objects.filter(exam__in=ids).select_related("exam").order_by("exam__code", "code")
    sessions = (
        ExamSession.objects.filter(exam__in=ids)
        .select_related("exam", "paper")
        .order_by("exam__code", "date", "start_time", "paper__code")
    )
    total = schedule_export_size(exams)
    counts = {"exams": 0, "papers": 0, "sessions": 0}
    done = 0

    target = output if isinstance(output, io.BytesIO) else Path(output).with_name(Path(output).name + ".part")
    options = {"in_memory": True} if isinstance(output, io.BytesIO) else {"constant_memory": True}
    workbook = new_workbook(target, options)  # descriptions and names stay text
    try:
        bold = workbook.add_format({"bold": True})
        sheets = (
            ("Exams", "exams", EXAM_COLUMNS, exams, _exam_row),
            ("Papers", "papers", PAPER_COLUMNS, papers, _paper_row),
            ("Sessions", "sessions", SESSION_COLUMNS, sessions, _session_row),
        )
        report(progress, 0, total, "starting")
        for title, key, columns, queryset, to_row in sheets:
            sheet = workbook.add_worksheet(title)
            sheet.write_row(0, 0, columns, bold)
            for row_number, obj in enumerate(queryset.iterator(chunk_size=BATCH), start=1):
                sheet.write_row(row_number, 0, to_row(obj))
                counts[key] += 1
                done += 1
                if done % BATCH == 0:
                    report(progress, done, total, f"{title.lower()}: {counts[key]}")
        report(progress, done, total, "writing the workbook")
        workbook.close()
    except BaseException:
        if not isinstance(target, io.BytesIO):
            Path(target).unlink(missing_ok=True)
        raise
    if not isinstance(target, io.BytesIO):
        os.replace(target, output)
    report(progress, done, done, "done")
    return {**counts, "rows": done}


def _exam_row(exam: Exam):
    return (exam.code, exam.name, exam.start_date.isoformat(), exam.end_date.isoformat(), exam.status, exam.description)


def _paper_row(paper: Paper):
    return (
        paper.exam.code,
        paper.code,
        paper.name,
        paper.kind,
        float(paper.max_marks),
        float(paper.pass_marks),
        paper.duration_minutes,
    )


def _session_row(session: ExamSession):
    return (
        session.exam.code,
        session.paper.code,
        session.date.isoformat(),
        session.start_time.strftime("%H:%M"),
        session.end_time.strftime("%H:%M"),
    )
