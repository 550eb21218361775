"""What a bulk import reports: counts, and every rejected cell by sheet row and column.

Shared by the sheet import and the photo import (which adds its own errors to it)."""

from dataclasses import asdict, dataclass, field

from apps.candidates import rules
from utils.exceptions import ApplicationError

MAX_ERRORS_KEPT = 100_000  # a report larger than this is truncated (the counts stay exact)


@dataclass
class RowError:
    row: int  # sheet row number (1 = first row); 0 for the file as a whole
    field: str
    value: str
    message: str


@dataclass
class ImportReport:
    file_format: str = ""
    rows: int = 0
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    rejected: int = 0
    photos_stored: int = 0
    photos_unchanged: int = 0
    dry_run: bool = False
    written: bool = False
    seconds: float = 0.0
    ignored_columns: list[str] = field(default_factory=list)
    errors: list[RowError] = field(default_factory=list)
    errors_truncated: bool = False
    error_count: int = 0  # every error, also those past MAX_ERRORS_KEPT

    @property
    def rows_per_second(self) -> float:
        return self.rows / self.seconds if self.seconds else 0.0

    def add_error(self, row: int, field_name: str, value, message: str) -> None:
        self.error_count += 1
        if len(self.errors) < MAX_ERRORS_KEPT:
            self.errors.append(RowError(row, field_name, _shown(value), message))
        else:
            self.errors_truncated = True

    def summary(self) -> dict:
        data = {k: v for k, v in asdict(self).items() if k != "errors"}
        data["seconds"] = round(self.seconds, 3)
        data["rows_per_second"] = round(self.rows_per_second, 1)
        return data


class ImportFailed(ApplicationError):
    """The file has errors (or cannot be read) and nothing was written. Carries the report."""

    def __init__(self, report: ImportReport, message: str | None = None):
        count = len({e.row for e in report.errors})
        message = message or f"Nothing was imported: {count} row(s) have errors."
        super().__init__(
            "import_invalid",
            message,
            extra={"summary": report.summary(), "errors": [asdict(e) for e in report.errors]},
        )
        self.report = report


def _shown(value) -> str:
    shown = rules.text(value)
    return shown if len(shown) <= 100 else shown[:97] + "..."
