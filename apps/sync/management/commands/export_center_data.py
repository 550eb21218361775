from datetime import datetime
from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.utils.dateparse import parse_datetime
from django.utils.timezone import is_naive, make_aware

from apps.sync.exporter import package_export
from apps.sync.nodes import center_by_code_or_id
from apps.sync.package import CENTER_PACKAGE, RESULTS_PACKAGE
from utils.exceptions import ApplicationError
from utils.progress import TerminalProgress


def parse_since(value: str | None) -> datetime | None:
    if not value:
        return None
    parsed = parse_datetime(value)
    if parsed is None:
        try:
            parsed = datetime.fromisoformat(value)
        except ValueError:
            raise CommandError(f"--since {value!r} is not an ISO date/time (e.g. 2026-12-01T08:00:00+05:30).") from None
    return make_aware(parsed) if is_naive(parsed) else parsed


class Command(BaseCommand):
    help = (
        "Write a signed package. At HQ: the center package of --center-id (rooms, staff accounts, exams, "
        "papers, sessions, allocated candidates with photos, HQ's public key). At a center: its results package. "
        "The file is a zip whatever its name (center_data.json works)."
    )

    def add_arguments(self, parser):
        parser.add_argument("--center-id", help="Center code or UUID (at a center: defaults to this node).")
        parser.add_argument("--output-file", required=True, help="Where to write the package.")
        parser.add_argument("--since", help="Only rows changed after this ISO date/time (incremental package).")
        parser.add_argument("--target", help="Results package: the node it is addressed to (default HQ).")
        parser.add_argument("--force", action="store_true", help="Export results even while a session runs.")

    def handle(self, *args, **options):
        node = settings.NODE_CENTER
        value = options["center_id"] or (None if node == "HQ" else node)
        if not value:
            raise CommandError("--center-id is required at HQ.")
        center = center_by_code_or_id(value)
        if center is None:
            raise CommandError(f"No center with code or id {value!r}.")
        kind = CENTER_PACKAGE if node == "HQ" else RESULTS_PACKAGE
        with TerminalProgress(description=f"export {kind}", enabled=options["verbosity"] > 0) as bar:
            try:
                result = package_export(
                    kind=kind,
                    center=center,
                    output=Path(options["output_file"]),
                    since=parse_since(options["since"]),
                    target=options["target"],
                    force=options["force"],
                    progress=bar,
                )
            except ApplicationError as exc:
                raise CommandError(exc.message) from exc
        for label, count in result.counts.items():
            self.stdout.write(f"  {label:<28}{count:>9} rows")
        self.stdout.write(
            self.style.SUCCESS(
                f"Wrote {kind} {result.package_id} for center {center.code} to {result.path} "
                f"({result.size_bytes:,} bytes, {result.media_files} media files, {result.seconds:.1f} s, "
                f"sha256 {result.sha256})."
            )
        )
