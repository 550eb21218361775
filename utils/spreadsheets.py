"""Read tabular files (xlsx or CSV) row by row, whatever their name says.

The format is decided by content: an xlsx file is a zip holding `[Content_Types].xml`
and `xl/workbook.xml`; a CSV file is UTF-8 text (a BOM is allowed and dropped).
Anything else, such as a PDF or an image renamed `.xlsx`, is refused with `UnreadableFile`.

xlsx is read with python-calamine (Rust): the sheet's cells are held in Rust memory as a
dense grid (32 bytes a cell, from the first used row and column to the last), and turned
into Python objects one row at a time, so Python memory stays flat. CSV is streamed by the
csv module.

Before a workbook reaches the reader it is checked against `SheetLimits` (settings
MAX_SPREADSHEET_*, docs/security.md), because the grid is sized by the farthest cell: a
1.6 KB file with cells A1 and XFD1048576 would ask for 512 GiB and abort the process.
`check_workbook` reads the zip's parts (declared and actual sizes, compression ratio) and
every worksheet's declared range and cell references, streaming, and refuses with
`SpreadsheetTooLarge` (an `UnreadableFile`) naming the limit. A CSV record is capped at
MAX_CSV_RECORD_CHARS so one endless line cannot fill memory either.
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
from xml.parsers import expat

from django.conf import settings
from python_calamine import CalamineError, CalamineWorkbook, SheetTypeEnum, SheetVisibleEnum

from utils.archives import (
    READ_ERRORS,
    ArchiveRefused,
    check_declared,
    drain_member,
    member_chunks,
    open_archive,
)
from utils.safe_cells import csv_uncell

XLSX = "xlsx"
XLSX_CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
CSV = "csv"
_SNIFF_BYTES = 64 * 1024
_NOT_ALNUM = re.compile(r"[^a-z0-9]")


class UnreadableFile(ValueError):
    """The file is not a spreadsheet this reader understands; the message says why."""


class SpreadsheetTooLarge(UnreadableFile):
    """The workbook breaks one of the `SheetLimits`; the message names the file and the limit."""


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


def _display_name(source, name: str | None = None) -> str:
    """The file's name for messages: the one given, an upload's, or the path's."""
    if name:
        return Path(name).name
    if isinstance(source, str | os.PathLike):
        return Path(source).name
    return Path(getattr(source, "name", "") or "").name or "the file"


def detect_format(source, *, name: str | None = None) -> str:
    """XLSX or CSV, from the bytes. Raises UnreadableFile for anything else."""
    handle, owned = _open_binary(source)
    try:
        head = handle.read(_SNIFF_BYTES)
        if head.startswith(b"PK\x03\x04"):
            handle.seek(0)
            label = _display_name(source, name)
            try:
                with open_archive(handle, max_members=MAX_WORKBOOK_MEMBERS, what=f"The workbook {label}") as archive:
                    names = set(archive.namelist())
            except ArchiveRefused as exc:
                raise SpreadsheetTooLarge(exc.message) from None
            except (zipfile.BadZipFile, OSError, ValueError):
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


def open_table(source, *, name: str | None = None, limits: "SheetLimits | None" = None) -> Table:
    """Open the first visible worksheet of an xlsx file, or a CSV file, after its header row.

    Rows that are entirely blank are skipped (but counted in row numbers). A workbook is
    checked against `limits` (default: the settings) before it is read; `name` is the
    file's name for messages (default: the path's or the upload's).
    """
    kind = detect_format(source, name=name)
    if kind == XLSX:
        return _open_xlsx(source, label=_display_name(source, name), limits=limits or SheetLimits.from_settings())
    return _open_csv(source)


def _first_visible_worksheet(workbook) -> int:
    """The first worksheet a person sees when opening the file (hidden sheets skipped)."""
    for index, meta in enumerate(workbook.sheets_metadata):
        if meta.typ == SheetTypeEnum.WorkSheet and meta.visible == SheetVisibleEnum.Visible:
            return index
    return 0


# Paths calamine opens as xlsx by their extension alone (any other name makes it guess the
# format, trying xls, xlsx, xlsb and ods in turn).
_XLSX_SUFFIXES = (".xlsx", ".xlsm")


def _open_xlsx(source, *, label: str, limits: "SheetLimits") -> Table:
    handle, owned = _open_binary(source)
    try:
        check_workbook(handle, label=label, limits=limits)
        handle.seek(0)
        if isinstance(source, str | os.PathLike) and Path(source).suffix.lower() in _XLSX_SUFFIXES:
            workbook = CalamineWorkbook.from_path(str(Path(source)))
        else:
            workbook = CalamineWorkbook.from_filelike(handle)
        sheet = workbook.get_sheet_by_index(_first_visible_worksheet(workbook))
    except UnreadableFile:
        if owned:
            handle.close()
        else:
            handle.seek(0)
        raise
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


# The longest CSV record accepted (characters, quoted line breaks included): a candidate
# row is well under 10,000; without a bound one endless line would be read whole.
MAX_CSV_RECORD_CHARS = 1024 * 1024


class _Lines:
    """The text's lines for csv.reader, refusing a record longer than MAX_CSV_RECORD_CHARS.

    `pending` counts the characters handed out since the last complete record (the reader
    loop resets it), so a record spread over many physical lines is bounded too."""

    def __init__(self, text):
        self.text = text
        self.pending = 0

    def __iter__(self):
        return self

    def __next__(self) -> str:
        line = self.text.readline(MAX_CSV_RECORD_CHARS + 1)
        if not line:
            raise StopIteration
        self.pending += len(line)
        if self.pending > MAX_CSV_RECORD_CHARS:
            raise SpreadsheetTooLarge(
                f"A CSV record is longer than {MAX_CSV_RECORD_CHARS:,} characters; the file is not a table of "
                "candidates (or a quote is never closed)."
            )
        return line


def _open_csv(source) -> Table:
    handle, owned = _open_binary(source)
    text = io.TextIOWrapper(handle, encoding="utf-8-sig", newline="")
    try:
        first_line = text.readline(MAX_CSV_RECORD_CHARS)
    except UnicodeDecodeError:
        first_line = ""
    text.seek(0)
    delimiter = max([",", ";", "\t"], key=first_line.count)
    lines = _Lines(text)
    reader = csv.reader(lines, delimiter=delimiter)

    def close():
        text.detach()
        if owned:
            handle.close()

    try:
        header = next(reader)
        header_row = reader.line_num
        while _blank(header):
            lines.pending = 0
            header = next(reader)
            header_row = reader.line_num
        lines.pending = 0
    except StopIteration:
        close()
        raise UnreadableFile("The file is empty.") from None
    except UnicodeDecodeError:
        close()
        raise UnreadableFile("The file is not UTF-8 text; save it as 'CSV UTF-8'.") from None
    except (UnreadableFile, csv.Error) as exc:
        close()
        raise UnreadableFile(str(exc)) from None

    def rows():
        start = reader.line_num + 1
        try:
            for cells in reader:
                lines.pending = 0
                if not _blank(cells):
                    # Undo the exporters' formula escape (utils.safe_cells.csv_cell): a file
                    # exported here and imported again gives back the original text.
                    if _ESCAPED in _SEPARATOR.join(cells) or cells[0][:1] == "'":
                        cells = [csv_uncell(cell) for cell in cells]
                    yield start, cells
                start = reader.line_num + 1
        except UnicodeDecodeError:
            raise UnreadableFile(f"The file stops being UTF-8 text near line {start}.") from None
        except csv.Error as exc:
            raise UnreadableFile(f"The CSV is malformed near line {start}: {exc}.") from None

    return Table(format=CSV, header=header, header_row=header_row, rows=rows(), total=None, _close=close)


_SEPARATOR = "\x1f"
_ESCAPED = _SEPARATOR + "'"


# --- Limits checked before a workbook reaches the reader ------------------------------------

MAX_WORKBOOK_MEMBERS = 10_000  # parts of one .xlsx (a workbook has a few dozen; images add some)
# Where calamine finds sheets: the second folder of the part's path (xl/worksheets/...),
# matched without regard to case. Every part in such a folder (at any depth) is checked,
# used by the workbook or not.
_SHEET_FOLDERS = frozenset({"worksheets", "chartsheets", "dialogsheets", "macrosheets"})
# Parts that would let calamine read the file as another format (it falls back to xlsb and
# ods when the xlsx reading fails): refused, since only the xlsx layout is checked here.
_OTHER_FORMATS = frozenset({"mimetype", "content.xml", "xl/workbook.bin", "xl/_rels/workbook.bin.rels"})
_WORKBOOK_METHODS = frozenset({zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED})  # what OOXML allows
_SCAN_CHUNK = 4 * 1024 * 1024
_HEAD_BYTES = 4 * 1024 * 1024  # the declared range must come before this much of a sheet
_MAX_CARRY = 1024 * 1024


@dataclass(frozen=True)
class SheetLimits:
    """What a workbook may hold before it is read (docs/security.md, "Uploads and generated files").

    `rows`, `columns` and `cells` bound the grid calamine allocates (32 bytes a cell, from
    A1 to the farthest cell, empty ones included); `uncompressed_bytes` the parts together;
    `compression_ratio` each part above 1 MiB."""

    uncompressed_bytes: int
    compression_ratio: int
    rows: int
    columns: int
    cells: int

    @classmethod
    def from_settings(cls) -> "SheetLimits":
        return cls(
            uncompressed_bytes=settings.MAX_SPREADSHEET_UNCOMPRESSED_BYTES,
            compression_ratio=settings.MAX_COMPRESSION_RATIO,
            rows=settings.MAX_SPREADSHEET_ROWS,
            columns=settings.MAX_SPREADSHEET_COLUMNS,
            cells=settings.MAX_SPREADSHEET_CELLS,
        )


@dataclass
class _Extent:
    """The farthest row and column (1-based) a sheet declares or references; `declared` is
    the declared range as written, for messages."""

    rows: int = 0
    columns: int = 0
    declared: str = ""

    def reach(self, row: int, column: int) -> None:
        self.rows = max(self.rows, row)
        self.columns = max(self.columns, column)

    @property
    def corner(self) -> str:
        return f"{_column_name(self.columns)}{self.rows}"


def check_workbook(handle, *, label: str = "the file", limits: SheetLimits | None = None) -> None:
    """Refuse an .xlsx (seekable binary `handle`) that breaks `limits`, without reading it
    with calamine: every part's declared and actual unpacked size and compression ratio,
    then every worksheet's declared range and farthest cell reference. Streams; memory
    stays at a few MB. Raises SpreadsheetTooLarge (or UnreadableFile for a broken file)."""
    limits = limits or SheetLimits.from_settings()
    what = f"The workbook {label}"
    handle.seek(0)
    try:
        with open_archive(handle, max_members=MAX_WORKBOOK_MEMBERS, what=what) as archive:
            infos = archive.infolist()
            declared = 0
            for info in infos:
                if info.filename.replace("\\", "/").lower() in _OTHER_FORMATS:
                    raise UnreadableFile(
                        f"{what} also holds {info.filename}, a part of another spreadsheet format; save it as .xlsx "
                        "again."
                    )
                check_declared(
                    info,
                    what=what,
                    max_bytes=limits.uncompressed_bytes,
                    bytes_setting="MAX_SPREADSHEET_UNCOMPRESSED_BYTES",
                    max_ratio=limits.compression_ratio,
                    ratio_setting="MAX_COMPRESSION_RATIO",
                    methods=_WORKBOOK_METHODS,
                )
                declared += info.file_size
            if declared > limits.uncompressed_bytes:
                raise SpreadsheetTooLarge(
                    f"{what} unpacks to {declared:,} bytes; the limit is {limits.uncompressed_bytes:,} bytes "
                    "(MAX_SPREADSHEET_UNCOMPRESSED_BYTES)."
                )
            for info in infos:
                if _is_sheet(info.filename):
                    _check_sheet(archive, info, what=what, limits=limits)
                else:
                    # Counted to the end: calamine trusts the stream, not the header.
                    drain_member(archive, info, what=what)
    except ArchiveRefused as exc:
        if exc.code == "damaged":
            raise UnreadableFile(exc.message) from None
        raise SpreadsheetTooLarge(exc.message) from None
    except UnreadableFile:
        raise
    except READ_ERRORS as exc:
        raise UnreadableFile(f"{what} is damaged ({exc}).") from None
    finally:
        handle.seek(0)


def _is_sheet(name: str) -> bool:
    return any(part in _SHEET_FOLDERS for part in name.replace("\\", "/").lower().split("/")[:-1])


def _check_sheet(archive: zipfile.ZipFile, info: zipfile.ZipInfo, *, what: str, limits: SheetLimits) -> None:
    sheet = f"{what}, worksheet part {info.filename},"

    def chunks():
        return member_chunks(archive, info, what=what, chunk=_SCAN_CHUNK)

    extent = _scan_fast(chunks(), sheet=sheet, limits=limits)
    if extent is None:
        # Not in the shape common writers produce (no declared range, prefixed or
        # attribute-less cells, ...): parse the XML, as slowly as that is.
        extent = _scan_xml(chunks(), sheet=sheet, limits=limits)
    _check_extent(extent, sheet=sheet, limits=limits, declared=False)


def _plural(count: int, word: str) -> str:
    return word if count == 1 else word + "s"


def _check_extent(extent: _Extent, *, sheet: str, limits: SheetLimits, declared: bool) -> None:
    reaches = f"declares its used range as {extent.declared}" if declared else f"has cells as far as {extent.corner}"
    shape = f"{extent.rows:,} {_plural(extent.rows, 'row')} by {extent.columns:,} {_plural(extent.columns, 'column')}"
    advice = " Delete the rows and columns beyond the data (or copy the data into a new workbook) and try again."
    if extent.rows > limits.rows:
        raise SpreadsheetTooLarge(
            f"{sheet} {reaches} ({shape}); the limit is {limits.rows:,} rows (MAX_SPREADSHEET_ROWS).{advice}"
        )
    if extent.columns > limits.columns:
        raise SpreadsheetTooLarge(
            f"{sheet} {reaches} ({shape}); the limit is {limits.columns:,} columns (MAX_SPREADSHEET_COLUMNS).{advice}"
        )
    if extent.rows * extent.columns > limits.cells:
        raise SpreadsheetTooLarge(
            f"{sheet} {reaches} ({shape} = {extent.rows * extent.columns:,} cells); the limit is {limits.cells:,} "
            f"cells (MAX_SPREADSHEET_CELLS).{advice}"
        )


# Cell references the way calamine reads them: letters (any case) then digits.
_REF = re.compile(r"([A-Za-z]*)([0-9]+)")
_DIMENSION = re.compile(rb"<(?:[^\s<>/!?=:]+:)?dimension\s[^<>]*?\bref=[\"']([^\"'<>]*)[\"']")
_PREFIXED_CELL = re.compile(rb":c[\s/>]")
_ENCODING = re.compile(rb"^\s*<\?xml[^>]*?\bencoding\s*=\s*[\"']([A-Za-z0-9._-]+)[\"']")


def _column_name(number: int) -> str:
    letters = ""
    while number > 0:
        number, rest = divmod(number - 1, 26)
        letters = chr(65 + rest) + letters
    return letters


def _column_number(letters: str) -> int:
    number = 0
    for letter in letters.upper():
        number = number * 26 + ord(letter) - 64
    return number


def _parse_ref(text: str, *, column: bool = True) -> tuple[int, int] | None:
    """(row, column), both 1-based, of a reference like `N100001`; None if not one (a row
    reference may have no letters: column 0)."""
    match = _REF.fullmatch(text)
    if match is None or len(text) > 32:
        return None
    letters, digits = match.groups()
    row = int(digits)
    if row == 0 or (column and not letters):
        return None
    return row, _column_number(letters)


def _at_most(limit: str, *, first: str, rest: str) -> str:
    """A regex of the strings ordered like numbers that are <= `limit` (`first` and `rest`
    are the character ranges of the first and later positions): shorter ones, then as long
    and not greater position by position. Possessive, so a miss costs no backtracking."""
    alternatives = []
    if len(limit) > 1:
        alternatives.append(f"[{first}][{rest}]{{0,{len(limit) - 2}}}+")
    for i, char in enumerate(limit):
        low = first[0] if i == 0 else rest[0]
        if char > low:
            alternatives.append(f"{limit[:i]}[{low}-{chr(ord(char) - 1)}][{rest}]{{{len(limit) - i - 1}}}")
    alternatives.append(limit)
    return "(?:" + "|".join(alternatives) + ")"


def _fast_cells(rows: int, columns: int) -> re.Pattern:
    """A regex finding any cell tag that is not `<c r="REF" s=".." t="..">` with REF inside
    (columns, rows): found means "look closer", not found means every cell is inside."""
    cols = _at_most(_column_name(columns), first="A-Z", rest="A-Z")
    rows_ = _at_most(str(rows), first="1-9", rest="0-9")
    tag = f' r="{cols}{rows_}"(?: (?:s|t|cm|vm|ph)="[^"<>]*+")*+ ?/?>'
    return re.compile(f"<c(?!{tag})[\\s/>]".encode())


_ANY_CELL = re.compile(rb"<c[\s/>]")


def _fast_pattern(head: bytes, extent: _Extent, *, sheet: str, limits: SheetLimits) -> re.Pattern | None:
    """From the sheet's beginning (up to `sheetData`): the regex for `_scan_fast`, after
    checking the declared range; None when the byte patterns cannot be trusted."""
    match = _ENCODING.match(head)
    if (match and match.group(1).lower() not in (b"utf-8", b"utf8")) or b"<!DOCTYPE" in head:
        return None
    end = head.find(b"sheetData")
    for ref in _DIMENSION.findall(head if end == -1 else head[:end]):
        text = ref.decode("ascii", "replace")
        for part in text.split(":"):
            found = _parse_ref(part)
            if found is None:
                return None
            extent.reach(*found)
        extent.declared = text
    if not extent.rows:
        return _ANY_CELL  # no declared range: any cell at all needs the closer look
    _check_extent(extent, sheet=sheet, limits=limits, declared=True)
    if extent.rows > 9_999_999 or extent.columns > 18_278:  # beyond 7 digits or 3 letters
        return None
    return _fast_cells(extent.rows, extent.columns)


# Every cell tag in the common writers' form, whatever its reference (for `_widen`).
_CANONICAL_CELLS = re.compile(rb'<c(?! r="[A-Z]{1,3}[1-9][0-9]{0,6}"(?: (?:s|t|cm|vm|ph)="[^"<>]*+")*+ ?/?>)[\s/>]')
_CELL_REFS = re.compile(rb'<c r="([A-Z]{1,3})([1-9][0-9]{0,6})"')


def _scan_fast(chunks: Iterator[bytes], *, sheet: str, limits: SheetLimits) -> _Extent | None:
    """The sheet's extent when every cell tag is in the common writers' form (checked with
    one regex search per 4 MiB against the declared range); None when the sheet needs the
    XML parser (`_scan_xml`).

    A chunk with cells beyond the range known so far (no declared range, or one that is too
    small, as some streaming writers leave it) has its references read to widen the range.
    Byte patterns see everything calamine could take for a cell (also inside comments or
    CDATA, which only makes them look closer), as long as the text is UTF-8: a NUL byte or
    another declared encoding sends the sheet to the XML parser."""
    extent = _Extent()
    pattern = None
    head = carry = b""

    def inside(body: bytes, end: int) -> bool:
        """Whether every cell of body[:end] is known to be inside `extent` (widening it
        when they are all in the usual form); False means "use the XML parser"."""
        nonlocal pattern
        if _PREFIXED_CELL.search(body, 0, end):
            return False
        if not pattern.search(body, 0, end):
            return True
        if _CANONICAL_CELLS.search(body, 0, end):
            return False
        refs = _CELL_REFS.findall(body, 0, end)
        letters = max((r[0] for r in refs), key=lambda c: (len(c), c))
        extent.reach(max(int(r[1]) for r in refs), _column_number(letters.decode()))
        _check_extent(extent, sheet=sheet, limits=limits, declared=False)
        if extent.rows > 9_999_999 or extent.columns > 18_278:
            return False
        pattern = _fast_cells(extent.rows, extent.columns)
        return True

    for data in chunks:
        if b"\x00" in data:
            return None
        if pattern is None:
            head += data
            if b"sheetData" not in head and len(head) < _HEAD_BYTES:
                continue
            pattern = _fast_pattern(head, extent, sheet=sheet, limits=limits)
            if pattern is None:
                return None
            data, head = head, b""
        buffer = carry + data if carry else data
        # Search up to the last tag's start; that tag goes with the next chunk.
        cut = buffer.rfind(b"<")
        if cut <= 0 or len(buffer) - cut > _MAX_CARRY:
            cut = len(buffer)
        if not inside(buffer, cut):
            return None
        carry = buffer[cut:]
    if pattern is None:  # a sheet shorter than its head
        pattern = _fast_pattern(head, extent, sheet=sheet, limits=limits)
        if pattern is None:
            return None
        carry = head
    if carry and not inside(carry, len(carry)):
        return None
    return extent


def _scan_xml(chunks: Iterator[bytes], *, sheet: str, limits: SheetLimits) -> _Extent:
    """The farthest cell by parsing the XML the way calamine walks it: `<row r>` sets the
    row, `</row>` moves to the next, a cell without `r` takes the next column. Every cell
    counts, empty or not, and so does the declared range. No DTD is accepted."""
    extent = _Extent()
    declared = _Extent()
    state = {"row": 1, "column": 1}  # where a cell without `r` goes (1-based)

    def invalid(kind: str, value: str) -> UnreadableFile:
        return UnreadableFile(f"{sheet} has a {kind} {value!r} that is not a valid cell reference.")

    def start(name: str, attrs: dict) -> None:
        local = name.rpartition(":")[2]
        if local == "c":
            ref = attrs.get("r")
            if ref is None:
                row, column = state["row"], state["column"]
            else:
                found = _parse_ref(ref)
                if found is None:
                    raise invalid("cell reference", ref)
                row, column = found
            extent.reach(row, column)
            state["column"] = column + 1
        elif local == "row" and "r" in attrs:
            found = _parse_ref(attrs["r"], column=False)
            if found is None:
                raise invalid("row number", attrs["r"])
            state["row"] = found[0]
        elif local == "dimension" and "ref" in attrs:
            for part in attrs["ref"].split(":"):
                found = _parse_ref(part)
                if found is None:
                    raise invalid("used range", attrs["ref"])
                declared.reach(*found)
            declared.declared = attrs["ref"]

    def end(name: str) -> None:
        if name.rpartition(":")[2] == "row":
            state["row"] += 1
            state["column"] = 1

    def no_dtd(*_args) -> None:
        raise UnreadableFile(f"{sheet} declares a DTD, which a worksheet never has.")

    parser = expat.ParserCreate()
    parser.StartElementHandler = start
    parser.EndElementHandler = end
    parser.StartDoctypeDeclHandler = no_dtd
    parser.EntityDeclHandler = no_dtd
    try:
        for data in chunks:
            parser.Parse(data, False)
            if declared.rows:
                _check_extent(declared, sheet=sheet, limits=limits, declared=True)
            if extent.rows:
                _check_extent(extent, sheet=sheet, limits=limits, declared=False)
        parser.Parse(b"", True)
    except expat.ExpatError as exc:
        raise UnreadableFile(f"{sheet} is not well-formed XML ({exc}).") from None
    if declared.rows:
        _check_extent(declared, sheet=sheet, limits=limits, declared=True)
    return extent
