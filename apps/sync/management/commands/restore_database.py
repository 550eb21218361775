from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from apps.sync.backup import database_restore
from apps.sync.management.commands._output import rows_and_tables, table_counts
from apps.sync.package import PackageRefused
from utils.progress import TerminalProgress


class Command(BaseCommand):
    help = (
        "Restore a backup written by backup_database: verifies every checksum (and the signature when the "
        "origin's key is known), then replaces all rows and the media folder in one transaction. "
        "Refuses a database that holds data unless --force."
    )

    def add_arguments(self, parser):
        parser.add_argument("--input-file", required=True, help="The backup file.")
        parser.add_argument("--force", action="store_true", help="Replace the data of a non-empty database.")

    def handle(self, *args, **options):
        with TerminalProgress(description="restore", enabled=options["verbosity"] > 0) as bar:
            try:
                result = database_restore(path=Path(options["input_file"]), force=options["force"], progress=bar)
            except PackageRefused as exc:
                raise CommandError(f"Restore refused, nothing changed: {exc.message}") from exc
        if options["verbosity"] > 0:
            for line in table_counts(result.counts, options["verbosity"]):
                self.stdout.write(line)
        self.stdout.write(
            self.style.SUCCESS(
                f"Restored {rows_and_tables(result.counts, result.media_files)} "
                f"({result.signature}; {result.seconds:.1f} s)."
            )
        )
