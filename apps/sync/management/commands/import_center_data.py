from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from apps.sync.importer import package_import
from apps.sync.management.commands._output import import_summary
from apps.sync.package import PackageRefused
from utils.progress import TerminalProgress


class Command(BaseCommand):
    help = (
        "Verify a package (signature, every checksum, addressee, versions) and apply it in one transaction. "
        "Prints applied / unchanged / conflicting rows per model. Importing the same package twice changes "
        "nothing the second time."
    )

    def add_arguments(self, parser):
        parser.add_argument("--input-file", required=True, help="The package file (any name).")
        parser.add_argument("--dry-run", action="store_true", help="Report what would change; change nothing.")

    def handle(self, *args, **options):
        with TerminalProgress(description="import", enabled=options["verbosity"] > 0) as bar:
            try:
                report = package_import(path=Path(options["input_file"]), dry_run=options["dry_run"], progress=bar)
            except PackageRefused as exc:
                raise CommandError(f"Package refused, nothing changed: {exc.message}") from exc
        for line in import_summary(report):
            self.stdout.write(line)
