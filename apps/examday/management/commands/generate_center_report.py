import datetime as dt
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from apps.centers.selectors import center_by_code_or_id
from apps.examday.reports import RENDERERS, center_report


class Command(BaseCommand):
    help = (
        "A center's day report: every session that date with per-room allocated / present / absent / "
        "not marked, the incidents and the last package sent."
    )

    def add_arguments(self, parser):
        parser.add_argument("--center-id", required=True, help="Center code or UUID.")
        parser.add_argument("--date", required=True, type=dt.date.fromisoformat, help="YYYY-MM-DD")
        parser.add_argument("--format", choices=sorted(RENDERERS), default="json")
        parser.add_argument("--output", type=Path, help="File to write (default: JSON to stdout).")

    def handle(self, *args, **options):
        center = center_by_code_or_id(options["center_id"])
        if center is None:
            raise CommandError(f"No center with code or id {options['center_id']!r}.")
        report = center_report(center=center, date=options["date"])
        render, _content_type, ext = RENDERERS[options["format"]]
        content = render(report)
        output = options["output"]
        if output is None:
            if options["format"] != "json":
                raise CommandError(f"--format {options['format']} needs --output FILE.{ext}.")
            self.stdout.write(content.decode())
            return
        output.write_bytes(content)
        sessions = len(report.sessions)
        self.stdout.write(
            self.style.SUCCESS(
                f"Wrote the report of {center.code} for {report.date} ({sessions} sessions, "
                f"{len(report.incidents)} incidents) to {output}."
            )
        )
