"""Export an exam's candidates with the import's columns, so a file round-trips unchanged.

Streams: rows come from the database in chunks (`iterator()`), and xlsx is written by
xlsxwriter in `constant_memory` mode (each row is flushed to disk once written), so
memory stays flat for a million rows. Text-like columns (roll, application and phone
numbers) are written as text cells so no spreadsheet program turns them into numbers;
the date of birth is a real date cell. No text becomes a formula (utils/safe_cells.py):
every xlsx string is a text cell, and a CSV cell starting with = + - @ tab or CR gets a
leading apostrophe, which the importer removes again.
"""

import time
from dataclasses import dataclass
from pathlib import Path

from apps.candidates.models import Candidate
from apps.candidates.services.columns import CITY_SEPARATOR, COLUMNS, FIELDS
from apps.exams.models import Exam
from utils.progress import ProgressCallback
from utils.progress import report as report_progress
from utils.safe_cells import csv_writer, new_workbook

XLSX, CSV = "xlsx", "csv"
CHUNK = 2000


@dataclass
class ExportReport:
    rows: int
    seconds: float
    path: str


def _cells(values: tuple, exam_code: str) -> list:
    row = dict(zip(FIELDS, values, strict=True))
    row["pwd"] = "Yes" if row["pwd"] else "No"
    row["preferred_cities"] = CITY_SEPARATOR.join(row["preferred_cities"] or [])
    row["preferred_shifts"] = CITY_SEPARATOR.join(row["preferred_shifts"] or [])
    row["exam_code"] = exam_code
    return [row[name] for name in COLUMNS]


def candidates_export(
    *, exam: Exam, output, file_format: str = XLSX, progress: ProgressCallback | None = None
) -> ExportReport:
    """Write every candidate of `exam` (ordered by roll number) to `output` (a path)."""
    started = time.perf_counter()
    queryset = Candidate.objects.filter(exam=exam).order_by("roll_number").values_list(*FIELDS)
    total = Candidate.objects.filter(exam=exam).count()
    rows = 0
    output = Path(output)
    if file_format == CSV:
        # utf-8-sig: Excel opens a UTF-8 CSV correctly only with the BOM; the importer accepts both.
        with output.open("w", encoding="utf-8-sig", newline="") as handle:
            writer = csv_writer(handle)  # text that would be a formula gets a leading apostrophe
            writer.writerow(COLUMNS)
            for values in queryset.iterator(chunk_size=CHUNK):
                cells = _cells(values, exam.code)
                cells[COLUMNS.index("date_of_birth")] = values[FIELDS.index("date_of_birth")].isoformat()
                writer.writerow(cells)
                rows += 1
                if rows % CHUNK == 0:
                    report_progress(progress, rows, total, "exporting")
    elif file_format == XLSX:
        workbook = new_workbook(str(output), {"constant_memory": True})
        try:
            sheet = workbook.add_worksheet("candidates")
            bold = workbook.add_format({"bold": True})
            date_format = workbook.add_format({"num_format": "yyyy-mm-dd"})
            sheet.write_row(0, 0, COLUMNS, bold)
            date_col = COLUMNS.index("date_of_birth")
            numeric = {COLUMNS.index("extra_time_minutes")}
            for values in queryset.iterator(chunk_size=CHUNK):
                rows += 1
                for col, value in enumerate(_cells(values, exam.code)):
                    if col == date_col:
                        sheet.write_datetime(rows, col, value, date_format)
                    elif col in numeric:
                        sheet.write_number(rows, col, value)
                    elif value != "":
                        sheet.write_string(rows, col, value)
                if rows % CHUNK == 0:
                    report_progress(progress, rows, total, "exporting")
            sheet.set_column(0, len(COLUMNS) - 1, 16)
        finally:
            workbook.close()
    else:
        raise ValueError(f"Unknown format {file_format!r}; use xlsx or csv.")
    report_progress(progress, rows, total, "exported")
    return ExportReport(rows=rows, seconds=time.perf_counter() - started, path=str(output))
