from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from apps.sync.management.commands._output import import_summary
from apps.sync.package import PackageRefused
from apps.sync.results import results_sync
from apps.sync.transport import TransportError
from utils.exceptions import ApplicationError
from utils.progress import TerminalProgress


class Command(BaseCommand):
    help = (
        "Move the results data of the source center's candidates to the target node: pull its results "
        "package (local export when the source is this node, else over HTTP from the center's sync_url) and "
        "push it (local import when the target is this node, else over HTTP), or write it to --via-file when "
        "there is no link. Idempotent; prints counts."
    )

    def add_arguments(self, parser):
        parser.add_argument("--source-center", required=True, help="Code or UUID of the center whose results move.")
        parser.add_argument("--target-center", required=True, help="Code or UUID of the receiving center, or HQ.")
        parser.add_argument("--via-file", help="Write the package here instead of delivering it.")
        parser.add_argument("--force", action="store_true", help="Export even while a session is in progress.")

    def handle(self, *args, **options):
        via = Path(options["via_file"]) if options["via_file"] else None
        with TerminalProgress(description="sync results", enabled=options["verbosity"] > 0) as bar:
            try:
                report = results_sync(
                    source=options["source_center"],
                    target=options["target_center"],
                    via_file=via,
                    force=options["force"],
                    progress=bar,
                )
            except TransportError as exc:
                hint = " Without a link, carry the package: --via-file FILE." if exc.unreachable else ""
                raise CommandError(f"{exc}{hint}") from exc
            except (ApplicationError, PackageRefused) as exc:
                raise CommandError(getattr(exc, "message", None) or str(exc)) from exc
        if report.local_report is not None:
            for line in import_summary(report.local_report):
                self.stdout.write(line)
        else:
            for label, applied in report.counts.items():
                self.stdout.write(f"  {label:<28}{applied:>9} applied")
        self.stdout.write(
            self.style.SUCCESS(
                f"Results of {report.source} ({report.package_bytes:,} bytes) from {report.pulled} "
                f"delivered to {report.target} by {report.delivered or 'nothing'}; "
                f"{sum(report.counts.values())} rows applied, {report.conflict_count} conflict(s)."
            )
        )
