from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from apps.sync.management.commands._output import import_summary
from apps.sync.package import PackageRefused
from apps.sync.results import default_file, results_sync
from apps.sync.transport import TransportError
from utils.exceptions import ApplicationError
from utils.progress import TerminalProgress


class Command(BaseCommand):
    help = (
        "Move the results data of the source center's candidates to the target node: pull its results "
        "package (local export when the source is this node, else over HTTP from the center's sync_url) and "
        "push it (local import when the target is this node, else over HTTP to the target center's sync_url). "
        "With --via-file, or when there is no link to the target, the package is written to a file and the "
        "command says which node must import it, and how. Without a link to another source node, it says to "
        "run the command on that node. Idempotent; prints counts."
    )

    def add_arguments(self, parser):
        parser.add_argument("--source-center", required=True, help="Code or UUID of the center whose results move.")
        parser.add_argument("--target-center", required=True, help="Code or UUID of the receiving center, or HQ.")
        parser.add_argument("--via-file", help="Write the package to this file instead of delivering it.")
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
                raise CommandError(f"{exc}{self._hint(exc, options)}") from exc
            except (ApplicationError, PackageRefused) as exc:
                raise CommandError(getattr(exc, "message", None) or str(exc)) from exc
        if report.carried:
            # Written to a file, imported nowhere: say so, and where it must go.
            for label, rows in report.package_counts.items():
                self.stdout.write(f"  {label:<28}{rows:>9} rows")
            rows = sum(report.package_counts.values())
            reason = "" if report.why_file == "--via-file" else f" ({report.why_file})"
            self.stdout.write(
                self.style.SUCCESS(
                    f"Wrote the results package of center {report.source} for {report.target} "
                    f"({rows} rows, {report.package_bytes:,} bytes, from {report.pulled}) to {report.file}{reason}. "
                    "Nothing was imported here."
                )
            )
            for line in report.import_instructions():
                self.stdout.write(line)
            return
        if report.local_report is not None:
            for line in import_summary(report.local_report):
                self.stdout.write(line)
        else:
            for label, applied in report.counts.items():
                self.stdout.write(f"  {label:<28}{applied:>9} applied")
        self.stdout.write(
            self.style.SUCCESS(
                f"Results of {report.source} ({report.package_bytes:,} bytes) from {report.pulled} "
                f"delivered to {report.target} by {report.delivered}; "
                f"{sum(report.counts.values())} rows applied, {report.conflict_count} conflict(s)."
            )
        )

    def _hint(self, exc: TransportError, options) -> str:
        if not exc.unreachable:
            return ""
        source, target = options["source_center"], options["target_center"]
        name = default_file(source, target).name
        where = "here" if source == settings.NODE_CENTER else f"on center {source}'s node"
        return (
            f" Without a link, carry the package: run {where} python manage.py sync_results --source-center {source} "
            f"--target-center {target} --via-file {name}, then on the target's node: "
            f"python manage.py import_center_data --input-file {name}."
        )
