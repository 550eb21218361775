from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.http import QueryDict

from apps.exams import selectors
from apps.exams.exports import schedule_export
from apps.exams.filters import ExamFilter
from utils.progress import TerminalProgress


class Command(BaseCommand):
    help = "Export exams with their papers and sessions to an xlsx workbook (the API's /api/exams/export/)."

    def add_arguments(self, parser):
        parser.add_argument("--output", "-o", required=True, help="The .xlsx file to write.")
        parser.add_argument("--exam", action="append", default=[], help="An exam code (repeatable); default: all.")
        parser.add_argument("--status", help="Only exams in this status.")

    def handle(self, *args, output, exam, status=None, **options):
        path = Path(output)
        if not path.parent.is_dir():
            raise CommandError(f"The folder {path.parent} does not exist.")
        exams = self.select(codes=exam, status=status)
        with TerminalProgress(description="Exporting", enabled=options["verbosity"] >= 1) as bar:
            summary = schedule_export(exams=exams, output=path, progress=bar)
        if options["verbosity"] >= 1:
            self.stdout.write(
                self.style.SUCCESS(
                    f"Wrote {summary['exams']} exam(s), {summary['papers']} paper(s) and "
                    f"{summary['sessions']} session(s) to {path}."
                )
            )

    def select(self, *, codes, status):
        filters = QueryDict(mutable=True)
        if status:
            filters["status"] = status
        exams = ExamFilter(filters, queryset=selectors.exam_list()).qs
        if codes:
            exams = exams.filter(code__in=codes)
            missing = sorted(set(codes) - set(exams.values_list("code", flat=True)))
            if missing:
                raise CommandError(f"No exam with code(s): {', '.join(missing)}.")
        return exams.order_by("code")
