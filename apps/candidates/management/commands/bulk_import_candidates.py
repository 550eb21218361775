from dataclasses import astuple
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from apps.candidates.services.importing import candidates_import
from apps.candidates.services.reports import ImportFailed, ImportReport, RowError
from utils.progress import TerminalProgress
from utils.safe_cells import csv_writer


class Command(BaseCommand):
    help = (
        "Import candidates from an .xlsx or CSV (UTF-8) file; the format is read from the content. "
        "All-or-nothing unless --skip-invalid. Rows carrying the roll or application number of an "
        "existing candidate update it; identical rows change nothing."
    )

    def add_arguments(self, parser):
        parser.add_argument("--file", required=True, type=Path, help="the .xlsx or .csv file")
        parser.add_argument("--exam", help="exam code (or id) for every row; otherwise the exam_code column")
        parser.add_argument("--skip-invalid", action="store_true", help="write the good rows, report the bad")
        parser.add_argument("--dry-run", action="store_true", help="check and report; write nothing")
        parser.add_argument("--errors-out", type=Path, help="write the error report to this CSV file")
        parser.add_argument("--photos", type=Path, help="directory or zip of ROLLNUMBER.jpg/.png photos")

    def handle(self, *args, **options):
        path: Path = options["file"]
        if not path.is_file():
            raise CommandError(f"No such file: {path}")
        if options["photos"] is not None and not options["photos"].exists():
            raise CommandError(f"No such directory or zip: {options['photos']}")
        verbosity = options["verbosity"]
        failed = None
        with TerminalProgress(description="import", enabled=verbosity >= 1) as bar:
            try:
                report = candidates_import(
                    source=path,
                    exam=options["exam"],
                    skip_invalid=options["skip_invalid"],
                    dry_run=options["dry_run"],
                    photos=options["photos"],
                    progress=bar,
                )
            except ImportFailed as exc:
                failed, report = exc, exc.report
        self.write_report(report, verbosity=verbosity, errors_out=options["errors_out"])
        if failed is not None:
            raise CommandError(failed.message)

    def write_report(self, report: ImportReport, *, verbosity: int, errors_out: Path | None) -> None:
        if errors_out is not None:
            write_errors_csv(report.errors, errors_out)
        if verbosity >= 1:
            shown = report.errors if verbosity >= 2 else report.errors[:50]
            for error in shown:
                where = f"row {error.row}" if error.row else "file"
                self.stderr.write(f"{where}, {error.field}: {error.message} (value: {error.value!r})")
            if len(report.errors) > len(shown):
                more = len(report.errors) - len(shown)
                hint = f"see {errors_out}" if errors_out else "use --errors-out FILE or -v 2"
                self.stderr.write(f"... and {more} more errors ({hint}).")
            if report.errors_truncated:
                self.stderr.write(f"The error report keeps the first {len(report.errors):,} of {report.error_count:,}.")
            if report.ignored_columns:
                self.stdout.write(f"Ignored columns: {', '.join(report.ignored_columns)}")
        verb = "would be " if report.dry_run else ""
        photos = ""
        if report.photos_stored or report.photos_unchanged:
            photos = f", photos {verb}stored {report.photos_stored} (unchanged {report.photos_unchanged})"
        line = (
            f"{report.rows} rows in {report.seconds:.1f} s ({report.rows_per_second:,.0f} rows/s): "
            f"created {report.created}, updated {report.updated}, unchanged {report.unchanged}, "
            f"rejected {report.rejected}{photos}."
        )
        if report.dry_run:
            line = "Dry run, nothing written. " + line.replace("created", "would create").replace(
                "updated", "would update"
            )
        elif not report.written:
            line = "Nothing written. " + line.replace("created", "would create").replace("updated", "would update")
        style = self.style.SUCCESS if report.written or (report.dry_run and not report.errors) else self.style.WARNING
        self.stdout.write(style(line))


def write_errors_csv(errors: list[RowError], path: Path) -> None:
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv_writer(handle)  # the values come from the imported file
        writer.writerow(["row", "field", "value", "message"])
        for error in errors:
            writer.writerow(astuple(error))
