from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from apps.centers.selectors import center_by_code_or_id
from apps.exams.selectors import exam_by_code_or_id
from apps.seating.admit_cards import admit_cards_write_zip
from apps.sync.keys import KeyMissing
from utils.progress import TerminalProgress


class Command(BaseCommand):
    help = "Write one admit-card PDF (with an HQ-signed QR code) per allocated candidate into a zip, streaming."

    def add_arguments(self, parser):
        parser.add_argument("--exam-id", required=True, help="Exam code or UUID.")
        parser.add_argument("--center-id", help="Only this center (code or UUID).")
        parser.add_argument("--output", required=True, type=Path, help="The .zip file to write.")
        parser.add_argument("--limit", type=int, help="At most this many cards (for a trial print).")

    def handle(self, *args, **options):
        exam = exam_by_code_or_id(options["exam_id"])
        if exam is None:
            raise CommandError(f"No exam with code or id {options['exam_id']!r}.")
        center = None
        if options["center_id"]:
            center = center_by_code_or_id(options["center_id"])
            if center is None:
                raise CommandError(f"No center with code or id {options['center_id']!r}.")
        output: Path = options["output"]
        if not output.parent.is_dir():
            raise CommandError(f"The folder {output.parent} does not exist.")
        with TerminalProgress(description="admit cards", unit="cards", enabled=options["verbosity"] >= 1) as bar:
            try:
                count = admit_cards_write_zip(
                    exam=exam, center=center, output=output, limit=options["limit"], progress=bar
                )
            except KeyMissing as exc:
                raise CommandError(str(exc)) from exc
        self.stdout.write(self.style.SUCCESS(f"Wrote {count} admit cards to {output}."))
