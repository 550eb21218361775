from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from apps.candidates.services.exporting import CSV, XLSX, candidates_export
from apps.exams.selectors import exam_by_code_or_id
from utils.progress import TerminalProgress


class Command(BaseCommand):
    help = "Export an exam's candidates to .xlsx or .csv with the import's columns (the file re-imports unchanged)."

    def add_arguments(self, parser):
        parser.add_argument("--exam", required=True, help="exam code (or id)")
        parser.add_argument("--format", choices=[XLSX, CSV], default=None, help="default: from --output's suffix")
        parser.add_argument("--output", required=True, type=Path, help="file to write")

    def handle(self, *args, **options):
        exam = exam_by_code_or_id(options["exam"])
        if exam is None:
            raise CommandError(f"No exam has the code or id '{options['exam']}'.")
        output: Path = options["output"]
        file_format = options["format"] or (CSV if output.suffix.lower() == ".csv" else XLSX)
        with TerminalProgress(description="export", enabled=options["verbosity"] >= 1) as bar:
            report = candidates_export(exam=exam, output=output, file_format=file_format, progress=bar)
        self.stdout.write(
            self.style.SUCCESS(f"Wrote {report.rows} candidates of {exam.code} to {output} in {report.seconds:.1f} s.")
        )
