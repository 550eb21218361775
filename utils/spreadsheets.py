"""Read tabular files (xlsx or CSV) row by row, whatever their name says.

The format is decided by content: an xlsx file is a zip holding `[Content_Types].xml`
and `xl/workbook.xml`; a CSV file is UTF-8 text (a BOM is allowed and dropped).
Anything else, such as a PDF or an image renamed `.xlsx`, is refused with `UnreadableFile`.

xlsx is read with python-calamine (Rust): the sheet's cells are held in Rust memory,
compactly, and turned into Python objects one row at a time, so Python memory stays
flat. CSV is streamed by the csv module.
"""

import codecs
import csv
import io
import os
import re
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from python_calamine import CalamineError, CalamineWorkbook, SheetTypeEnum, SheetVisibleEnum

XLSX = "xlsx"
XLSX_CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
CSV = "csv"
_SNIFF_BYTES = 64 * 1024
_NOT_ALNUM = re.compile(r"[^a-z0-9]")


class UnreadableFile(ValueError):
    """The file is not a spreadsheet this reader understands; the message says why."""


def header_key(value) -> str:
    """`Date of Birth`, `date_of_birth` and ` DATE-OF-BIRTH ` all give `dateofbirth`."""
    return _NOT_ALNUM.sub("", str(value or "").lower())


def _open_binary(source):
    """A seekable binary file for a path or an (uploaded) file object, and whether we own it."""
    if isinstance(source, str | os.PathLike):
        return open(source, "rb"), True
    if hasattr(source, "temporary_file_path"):
        return open(source.temporary_file_path(), "rb"), True
    source.seek(0)
    return source, False


def detect_format(source) -> str:
    """XLSX or CSV, from the bytes. Raises UnreadableFile for anything else."""
    handle, owned = _open_binary(source)
    try:
        head = handle.read(_SNIFF_BYTES)
        if head.startswith(b"PK\x03\x04"):
            handle.seek(0)
            try:
                with zipfile.ZipFile(handle) as archive:
                    names = set(archive.namelist())
            except zipfile.BadZipFile:
                raise UnreadableFile("The file looks like a zip archive but is damaged.") from None
            if "[Content_Types].xml" in names and "xl/workbook.xml" in names:
                return XLSX
            raise UnreadableFile("The file is a zip archive but not an Excel workbook (.xlsx).")
        if head.startswith(b"\xd0\xcf\x11\xe0"):
            raise UnreadableFile("The file is an old Excel (.xls) workbook; save it as .xlsx or CSV (UTF-8).")
        if not head.strip():
            raise UnreadableFile("The file is empty.")
        if head.startswith(b"%PDF"):
            raise UnreadableFile("The file is a PDF, not an .xlsx workbook or a CSV file.")
        if b"\x00" in head:
            raise UnreadableFile("The file is binary, not an .xlsx workbook or a CSV text file.")
        try:
            codecs.getincrementaldecoder("utf-8")().decode(head, final=len(head) < _SNIFF_BYTES)
        except UnicodeDecodeError:
            raise UnreadableFile(
                "The file is neither an .xlsx workbook nor UTF-8 text; save it as .xlsx or 'CSV UTF-8'."
            ) from None
        return CSV
    finally:
        if owned:
            handle.close()
        else:
            handle.seek(0)


@dataclass
class Table:
    """An open spreadsheet: its header row and an iterator of (sheet row number, cells)."""

    format: str
    header: list
    header_row: int
    rows: Iterator[tuple[int, list]]
    total: int | None  # data rows (blank rows included) when known in advance
    _close: object = None

    def close(self) -> None:
        if self._close is not None:
            self._close()
            self._close = None

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()


def _blank(cells) -> bool:
    return all(c is None or (isinstance(c, str) and not c.strip()) for c in cells)


def open_table(source) -> Table:
    """Open the first visible worksheet of an xlsx file, or a CSV file, after its header row.

    Rows that are entirely blank are skipped (but counted in row numbers).
    """
    kind = detect_format(source)
    return _open_xlsx(source) if kind == XLSX else _open_csv(source)


def _first_visible_worksheet(workbook) -> int:
    """The first worksheet a person sees when opening the file (hidden sheets skipped)."""
    for index, meta in enumerate(workbook.sheets_metadata):
        if meta.typ == SheetTypeEnum.WorkSheet and meta.visible == SheetVisibleEnum.Visible:
            return index
    return 0


def _open_xlsx(source) -> Table:
    handle, owned = _open_binary(source)
    try:
        if isinstance(source, str | os.PathLike):
            workbook = CalamineWorkbook.from_path(str(Path(source)))
        else:
            workbook = CalamineWorkbook.from_filelike(handle)
        sheet = workbook.get_sheet_by_index(_first_visible_worksheet(workbook))
    except CalamineError as exc:
        if owned:
            handle.close()
        raise UnreadableFile(f"The workbook cannot be read: {exc}") from None
    # iter_rows() yields every row from the sheet's first (blank ones included) and the
    # columns from the first used one, so the n-th row yielded is sheet row n: reported
    # row numbers match what the user sees in the spreadsheet program.
    first_row = 1
    iterator = sheet.iter_rows()
    header = None
    header_row = first_row
    for offset, cells in enumerate(iterator):
        if not _blank(cells):
            header = cells
            header_row = first_row + offset
            break
    if header is None:
        raise UnreadableFile("The worksheet is empty.")

    def rows():
        number = header_row
        for cells in iterator:
            number += 1
            if not _blank(cells):
                yield number, cells

    def close():
        workbook.close()
        if owned:
            handle.close()

    last_row = (sheet.end or (0, 0))[0] + 1
    total = max(last_row - header_row, 0)
    return Table(format=XLSX, header=header, header_row=header_row, rows=rows(), total=total, _close=close)


def _open_csv(source) -> Table:
    handle, owned = _open_binary(source)
    text = io.TextIOWrapper(handle, encoding="utf-8-sig", newline="")
    first_line = text.readline()
    text.seek(0)
    delimiter = max([",", ";", "\t"], key=first_line.count)
    reader = csv.reader(text, delimiter=delimiter)

    def close():
        text.detach()
        if owned:
            handle.close()

    try:
        header = next(reader)
        header_row = reader.line_num
        while _blank(header):
            header = next(reader)
            header_row = reader.line_num
    except StopIteration:
        close()
        raise UnreadableFile("The file is empty.") from None
    except UnicodeDecodeError:
        close()
        raise UnreadableFile("The file is not UTF-8 text; save it as 'CSV UTF-8'.") from None

    def rows():
        start = reader.line_num + 1
        try:
            for cells in reader:
                if not _blank(cells):
                    yield start, cells
                start = reader.line_num + 1
        except UnicodeDecodeError:
            raise UnreadableFile(f"The file stops being UTF-8 text near line {start}.") from None
        except csv.Error as exc:
            raise UnreadableFile(f"The CSV is malformed near line {start}: {exc}.") from None

    return Table(format=CSV, header=header, header_row=header_row, rows=rows(), total=None, _close=close)
