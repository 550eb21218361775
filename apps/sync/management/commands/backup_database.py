from pathlib import Path

from django.core.management.base import BaseCommand

from apps.sync.backup import database_backup
from apps.sync.management.commands._output import rows_and_tables, table_counts
from utils.progress import TerminalProgress


class Command(BaseCommand):
    help = (
        "Write a full logical backup: every table (users with password hashes, token blacklist, admin log, "
        "tasks, sync history, ...) and every media file, checksummed, signed when this node has a key. "
        "Database-neutral: restores on SQLite or PostgreSQL. The node's private key is not included."
    )

    def add_arguments(self, parser):
        parser.add_argument("--output-file", required=True, help="Where to write the backup (a zip, any name).")

    def handle(self, *args, **options):
        with TerminalProgress(description="backup", enabled=options["verbosity"] > 0) as bar:
            result = database_backup(output=Path(options["output_file"]), progress=bar)
        if options["verbosity"] > 0:
            for line in table_counts(result.counts, options["verbosity"]):
                self.stdout.write(line)
        self.stdout.write(
            self.style.SUCCESS(
                f"Backed up {rows_and_tables(result.counts, result.media_files)} to "
                f"{result.path} ({result.size_bytes:,} bytes, {'signed' if result.signed else 'unsigned'}, "
                f"{result.seconds:.1f} s, sha256 {result.sha256})."
            )
        )
