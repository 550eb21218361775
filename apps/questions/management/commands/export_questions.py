from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from apps.questions.formats.exporting import export_questions
from apps.questions.formats.items import FORMATS
from apps.questions.management.commands.import_questions import importing_user
from utils.exceptions import ApplicationError
from utils.progress import TerminalProgress


class Command(BaseCommand):
    help = (
        "Export the question bank (retired questions left out) to Moodle XML, GIFT, Aiken or the xlsx "
        "template; the file imports back with import_questions."
    )

    def add_arguments(self, parser):
        parser.add_argument("--format", required=True, choices=FORMATS)
        parser.add_argument("--subject", help="only this subject (code or id)")
        parser.add_argument("--output", required=True, type=Path, help="file to write")
        parser.add_argument("--user", help="whose view of the bank (a paper setter: their subjects); default: admin")

    def handle(self, *args, **options):
        user = importing_user(options["user"])
        try:
            with TerminalProgress(description="export", unit="questions", enabled=options["verbosity"] >= 1) as bar:
                report = export_questions(
                    user=user,
                    format=options["format"],
                    subject=options["subject"],
                    output=options["output"],
                    progress=bar,
                )
        except ApplicationError as exc:
            raise CommandError(exc.message) from None
        for entry in report.left_out:
            self.stderr.write(f"Q{entry['number']} left out: {entry['reason']}")
        self.stdout.write(
            self.style.SUCCESS(
                f"Wrote {report.written} questions to {options['output']} ({report.format}) in {report.seconds:.1f} s"
                f"; left out {len(report.left_out)}."
            )
        )
