"""Issue 10, item 3: a spreadsheet is checked against the limits before any reader opens it.

Every hostile workbook here is a real .xlsx: a tiny valid one written by xlsxwriter whose
`xl/worksheets/sheet1.xml` (or another part) is then rewritten inside the zip. None of them
may ever reach python-calamine (a cell at XFD1048576 makes it allocate 512 GiB and abort the
process), so every test that feeds one installs `calamine_forbidden`: the refusal has to
come from the guard, and reaching the reader fails the test instead of killing it.
"""

import io
import zipfile
from pathlib import Path
from types import SimpleNamespace

import pytest
import xlsxwriter
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import CommandError, call_command

from apps.candidates.models import Candidate
from apps.jobs.models import Job, JobStatus
from tests.candidates.conftest import SAMPLE_XLSX, write_csv
from tests.factories import ExamFactory
from tests.ziptools import patch_declared_size
from utils import spreadsheets
from utils.spreadsheets import SheetLimits, SpreadsheetTooLarge, UnreadableFile, check_workbook, open_table

pytestmark = pytest.mark.django_db

URL = "/api/candidates/import/"
SHEET = "xl/worksheets/sheet1.xml"
NS = 'xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"'
HEADER = ["name", "father_name", "date_of_birth", "gender", "category", "phone", "email", "city"]
ROW = ["Asha Verma", "Ramesh Verma", "2001-04-12", "F", "GEN", "9876543210", "asha@example.in", "Delhi"]


# --- building real hostile workbooks ---------------------------------------------------------


def valid_xlsx() -> bytes:
    """A small genuine workbook: a header row and one candidate."""
    buffer = io.BytesIO()
    book = xlsxwriter.Workbook(buffer, {"in_memory": True})
    sheet = book.add_worksheet("candidates")
    sheet.write_row(0, 0, HEADER)
    sheet.write_row(1, 0, ROW)
    book.close()
    return buffer.getvalue()


def rewrite(xlsx: bytes, parts: dict[str, bytes], *, method=zipfile.ZIP_DEFLATED) -> bytes:
    """`xlsx` with the given parts replaced (or added), every other part kept as it was."""
    source = zipfile.ZipFile(io.BytesIO(xlsx))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for info in source.infolist():
            data = parts.pop(info.filename, None)
            if data is None:
                target.writestr(info.filename, source.read(info))
            else:
                target.writestr(info.filename, data, compress_type=method)
        for name, data in parts.items():
            target.writestr(name, data, compress_type=method)
    return out.getvalue()


def cell(ref: str, text: str = "x") -> str:
    return f'<c r="{ref}" t="inlineStr"><is><t>{text}</t></is></c>'


def sheet_xml(rows: str, *, dimension: str | None = "A1:H2") -> bytes:
    dim = f'<dimension ref="{dimension}"/>' if dimension else ""
    return (
        f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<worksheet {NS}>{dim}'
        f"<sheetData>{rows}</sheetData></worksheet>"
    ).encode()


def genuine_rows() -> str:
    header = "".join(cell(f"{chr(65 + i)}1", title) for i, title in enumerate(HEADER))
    values = "".join(cell(f"{chr(65 + i)}2", value) for i, value in enumerate(ROW))
    return f'<row r="1">{header}</row><row r="2">{values}</row>'


def bomb(far: str = "XFD1048576", *, dimension: str | None = None) -> bytes:
    """The issue's workbook: the genuine rows plus one cell far away, and a declared range
    that covers it (1.6 KB of zip asking the reader for rows x columns x 32 bytes)."""
    rows = genuine_rows() + f'<row r="{far.lstrip("ABCDEFGHIJKLMNOPQRSTUVWXYZ")}">{cell(far)}</row>'
    return rewrite(valid_xlsx(), {SHEET: sheet_xml(rows, dimension=dimension or f"A1:{far}")})


def upload(data: bytes, name: str = "bomb.xlsx") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, data, content_type="application/octet-stream")


@pytest.fixture
def exam2026(db):
    return ExamFactory(code="EXAM2026")


@pytest.fixture
def calamine_forbidden(monkeypatch):
    """Fail (rather than abort) if a workbook not explicitly allowed reaches python-calamine.

    `.reached` lists the sizes of the files that got there; `.allow(data)` lets a genuine
    file through to the real reader."""
    real = spreadsheets.CalamineWorkbook
    guard = SimpleNamespace(reached=[], allowed=set())
    guard.allow = guard.allowed.add

    def content(source) -> bytes:
        if isinstance(source, str):
            return Path(source).read_bytes()
        position = source.tell()
        source.seek(0)
        data = source.read()
        source.seek(position)
        return data

    def opener(name):
        def open_(source):
            data = content(source)
            if data not in guard.allowed:
                guard.reached.append(len(data))
                raise AssertionError("a hostile workbook reached python-calamine")
            return getattr(real, name)(source)

        return staticmethod(open_)

    monkeypatch.setattr(
        spreadsheets,
        "CalamineWorkbook",
        type("GuardedCalamine", (), {"from_path": opener("from_path"), "from_filelike": opener("from_filelike")}),
    )
    return guard


def refused_by_api(client, data: bytes, *, name="bomb.xlsx", **form) -> dict:
    response = client.post(URL, {"file": upload(data, name), "dry_run": "true", **form}, format="multipart")
    assert response.status_code == 400, response.json()
    body = response.json()
    assert body["code"] == "import_invalid"
    assert [(e["row"], e["field"]) for e in body["errors"]] == [(0, "file")]
    assert body["summary"]["written"] is False and body["summary"]["rows"] == 0
    return body


# --- the issue's attacks, through the API ----------------------------------------------------


@pytest.mark.parametrize(
    ("dimension", "says"),
    [
        ("A1:XFD1048576", "declares its used range as A1:XFD1048576"),  # the issue's file
        ("A1:H2", "has cells as far as XFD1048576"),  # a declared range that hides the far cell
        (None, "has cells as far as XFD1048576"),  # no declared range at all
    ],
)
def test_the_issues_1_6_kb_workbook_is_refused_before_the_reader(
    client_for, exam_manager, exam2026, calamine_forbidden, dimension, says
):
    rows = genuine_rows() + f'<row r="1048576">{cell("XFD1048576")}</row>'
    data = rewrite(valid_xlsx(), {SHEET: sheet_xml(rows, dimension=dimension)})
    assert len(data) < 10_000  # a few KB (the issue's was 1,622 bytes)
    body = refused_by_api(client_for(exam_manager), data, exam="EXAM2026")
    detail = body["detail"]
    assert detail.startswith("The workbook bomb.xlsx, worksheet part xl/worksheets/sheet1.xml, ")
    assert says in detail and "(1,048,576 rows by 16,384 columns)" in detail
    assert "the limit is 200 columns (MAX_SPREADSHEET_COLUMNS)" in detail
    assert body["errors"][0]["message"] == detail
    assert calamine_forbidden.reached == [] and not Candidate.objects.exists()


def test_a_cell_at_all100000_is_refused(client_for, exam_manager, exam2026, calamine_forbidden):
    # 1,000 columns x 100,000 rows: the issue measured 3.2 GB and 14 s for it.
    detail = refused_by_api(client_for(exam_manager), bomb("ALL100000"), exam="EXAM2026")["detail"]
    assert "ALL100000" in detail and "1,000 columns" in detail and "MAX_SPREADSHEET_COLUMNS" in detail
    assert not Candidate.objects.exists()


def test_the_declared_range_alone_is_refused(client_for, exam_manager, exam2026, calamine_forbidden):
    data = rewrite(valid_xlsx(), {SHEET: sheet_xml(genuine_rows(), dimension="A1:XFD1048576")})
    detail = refused_by_api(client_for(exam_manager), data, exam="EXAM2026")["detail"]
    assert "declares its used range as A1:XFD1048576" in detail and "MAX_SPREADSHEET_COLUMNS" in detail


def test_rows_and_cells_limits_are_named(client_for, exam_manager, exam2026, settings, calamine_forbidden):
    client = client_for(exam_manager)
    settings.MAX_SPREADSHEET_ROWS = 50
    detail = refused_by_api(client, bomb("A51"), exam="EXAM2026")["detail"]
    assert "51 rows" in detail and "the limit is 50 rows (MAX_SPREADSHEET_ROWS)" in detail
    settings.MAX_SPREADSHEET_ROWS = 1_048_576
    settings.MAX_SPREADSHEET_CELLS = 100  # 11 rows x 10 columns = 110 cells
    detail = refused_by_api(client, bomb("J11"), exam="EXAM2026")["detail"]
    assert "110 cells" in detail and "the limit is 100 cells (MAX_SPREADSHEET_CELLS)" in detail
    assert not Candidate.objects.exists()


@pytest.mark.parametrize(
    ("rows", "reason"),
    [
        # A row far down without `r` on its cells (the reader counts them along the row).
        ('<row r="2000000"><c t="inlineStr"><is><t>x</t></is></c></row>', "MAX_SPREADSHEET_ROWS"),
        # 300 cells without `r`: column 300 without naming it.
        ("<row>" + '<c t="inlineStr"><is><t>x</t></is></c>' * 300 + "</row>", "MAX_SPREADSHEET_COLUMNS"),
        # A namespace prefix on the cell.
        (f'<x:row xmlns:x="{NS[7:-1]}"><x:c r="XFD1"><x:v>1</x:v></x:c></x:row>', "MAX_SPREADSHEET_COLUMNS"),
        # Single quotes, and spaces around `=`.
        ("<row r='1'><c r='XFD1'><v>1</v></c></row>", "MAX_SPREADSHEET_COLUMNS"),
        ('<row r="1"><c r = "XFD1"><v>1</v></c></row>', "MAX_SPREADSHEET_COLUMNS"),
        # Lower-case and zero-padded references, which the reader accepts.
        ('<row r="1"><c r="xfd1"><v>1</v></c></row>', "MAX_SPREADSHEET_COLUMNS"),
        ('<row r="1"><c r="A0002000000"><v>1</v></c></row>', "MAX_SPREADSHEET_ROWS"),
        # `r` after another attribute.
        ('<row r="1"><c s="0" r="XFD1"><v>1</v></c></row>', "MAX_SPREADSHEET_COLUMNS"),
        # Two `r`: the reader takes the last one.
        ('<row r="1"><c r="A1" r="XFD1"><v>1</v></c></row>', "not well-formed"),
        # A DTD (entity expansion).
        ('<row r="1"><c r="A1"><v>1</v></c></row>', "DTD"),
    ],
)
def test_every_way_of_writing_a_far_cell_is_refused(rows, reason, calamine_forbidden, tmp_path):
    xml = sheet_xml(genuine_rows() + rows, dimension=None)
    if reason == "DTD":
        xml = xml.replace(b"<worksheet", b'<!DOCTYPE w [<!ENTITY a "aaaa">]><worksheet', 1)
    path = tmp_path / "odd.xlsx"
    path.write_bytes(rewrite(valid_xlsx(), {SHEET: xml}))
    with pytest.raises(UnreadableFile, match=reason):
        open_table(path)
    assert calamine_forbidden.reached == []


def test_the_same_shapes_within_the_limits_are_read(tmp_path):
    """The slow path is exact, not merely suspicious: odd but small sheets still import."""
    rows = (
        '<row r="1"><c r="A1" t="inlineStr"><is><t>name</t></is></c>'
        '<c t="inlineStr"><is><t>city</t></is></c></row>'
        "<row r='2'><c r='A2' t='inlineStr'><is><t>Asha</t></is></c><c s=\"0\" r=\"b2\" t=\"inlineStr\">"
        "<is><t>Delhi</t></is></c></row>"
    )
    path = tmp_path / "odd.xlsx"
    path.write_bytes(rewrite(valid_xlsx(), {SHEET: sheet_xml(rows, dimension=None)}))
    with open_table(path) as table:
        assert table.header == ["name", "city"]
        assert [cells for _, cells in table.rows] == [["Asha", "Delhi"]]


# --- zip members: declared size, actual size, ratio, method, other formats -------------------


def test_a_part_that_inflates_past_its_declared_size_is_refused(calamine_forbidden, tmp_path):
    genuine = sheet_xml(genuine_rows() + "<!--" + "x" * 200_000 + "-->")
    data = patch_declared_size(rewrite(valid_xlsx(), {SHEET: genuine}), SHEET, 1000)
    path = tmp_path / "liar.xlsx"
    path.write_bytes(data)
    with pytest.raises(UnreadableFile, match="unpacks to more than the 1,000 bytes its header declares"):
        open_table(path)
    assert calamine_forbidden.reached == []


def test_shared_strings_that_lie_about_their_size_are_refused(calamine_forbidden, tmp_path):
    strings = b'<sst xmlns="x"><si><t>' + b"a" * 3_000_000 + b"</t></si></sst>"
    data = patch_declared_size(rewrite(valid_xlsx(), {"xl/sharedStrings.xml": strings}), "xl/sharedStrings.xml", 500)
    path = tmp_path / "liar.xlsx"
    path.write_bytes(data)
    with pytest.raises(UnreadableFile, match=r"sharedStrings\.xml unpacks to more than the 500 bytes"):
        open_table(path)


def test_the_unpacked_size_and_the_ratio_are_limited(settings, calamine_forbidden, tmp_path):
    padded = sheet_xml(genuine_rows() + "<!--" + "x" * 3_000_000 + "-->")
    path = tmp_path / "big.xlsx"
    path.write_bytes(rewrite(valid_xlsx(), {SHEET: padded}))
    with pytest.raises(SpreadsheetTooLarge, match=r"compressed [\d,]+ to 1 .*MAX_COMPRESSION_RATIO"):
        open_table(path)
    settings.MAX_COMPRESSION_RATIO = 100_000
    settings.MAX_SPREADSHEET_UNCOMPRESSED_BYTES = 1_000_000
    with pytest.raises(SpreadsheetTooLarge, match=r"the limit is 1,000,000 bytes \(MAX_SPREADSHEET_UNCOMPRESSED"):
        open_table(path)
    assert calamine_forbidden.reached == []


def test_parts_of_other_formats_and_odd_compression_are_refused(calamine_forbidden, tmp_path):
    path = tmp_path / "mixed.xlsx"
    # An ODS content.xml would let the reader fall back to reading the file as ODS.
    path.write_bytes(rewrite(valid_xlsx(), {"content.xml": b"<office:document-content/>"}))
    with pytest.raises(UnreadableFile, match=r"content\.xml, a part of another spreadsheet format"):
        open_table(path)
    path.write_bytes(rewrite(valid_xlsx(), {SHEET: sheet_xml(genuine_rows())}, method=zipfile.ZIP_LZMA))
    with pytest.raises(UnreadableFile, match="compressed with LZMA, which is not accepted"):
        open_table(path)
    assert calamine_forbidden.reached == []


def test_a_zip_announcing_too_many_parts_is_refused_before_its_directory_is_read(monkeypatch, tmp_path):
    path = tmp_path / "many.xlsx"
    path.write_bytes(valid_xlsx())  # 10 parts
    monkeypatch.setattr(spreadsheets, "MAX_WORKBOOK_MEMBERS", 5)
    opened = []
    monkeypatch.setattr(zipfile, "ZipFile", lambda *a, **k: opened.append(a))
    with pytest.raises(SpreadsheetTooLarge, match="holds 10 files or more; the limit is 5"):
        open_table(path)
    assert opened == []


# --- the job and the command refuse the same way; the worker stays alive ----------------------


def test_an_async_import_of_the_bomb_fails_its_job_and_the_worker_goes_on(
    client_for, exam_manager, exam2026, run_worker, calamine_forbidden
):
    client = client_for(exam_manager)
    bad = client.post(f"{URL}?async=1", {"file": upload(bomb(), "bomb.xlsx"), "exam": "EXAM2026"}, format="multipart")
    assert bad.status_code == 202
    # A genuine file queued after it goes to the real reader.
    calamine_forbidden.allow(SAMPLE_XLSX.read_bytes())
    good = client.post(f"{URL}?async=1", {"file": upload(SAMPLE_XLSX.read_bytes(), "sample.xlsx")}, format="multipart")
    assert good.status_code == 202
    run_worker()  # one worker runs both jobs: the first did not take it down
    failed = client.get(f"/api/jobs/{bad.json()['id']}/").json()
    assert failed["status"] == JobStatus.FAILED
    assert failed["error"]["code"] == "import_invalid"
    assert "bomb.xlsx" in failed["error"]["message"] and "MAX_SPREADSHEET_COLUMNS" in failed["error"]["message"]
    assert [e["field"] for e in failed["error"]["extra"]["errors"]] == ["file"]
    succeeded = client.get(f"/api/jobs/{good.json()['id']}/").json()
    assert succeeded["status"] == JobStatus.SUCCEEDED, succeeded["error"]
    assert Candidate.objects.filter(exam=exam2026).count() == 200
    assert Job.objects.count() == 2 and calamine_forbidden.reached == []


def test_the_command_refuses_the_bomb_naming_the_file_and_the_limit(exam2026, tmp_path, calamine_forbidden):
    path = tmp_path / "registrations.xlsx"
    path.write_bytes(bomb())
    with pytest.raises(CommandError, match=r"registrations\.xlsx.*MAX_SPREADSHEET_COLUMNS"):
        call_command("bulk_import_candidates", "--file", str(path), "--exam", "EXAM2026", "--dry-run", verbosity=0)
    assert not Candidate.objects.exists()


# --- what stays accepted ---------------------------------------------------------------------


def test_common_writers_take_the_fast_path(monkeypatch):
    """The shared sample (LibreOffice) and xlsxwriter files are checked by the byte
    patterns alone; the XML parser is only for unusual files."""
    monkeypatch.setattr(spreadsheets, "_scan_xml", lambda *a, **k: pytest.fail("slow path used"))
    for data in (SAMPLE_XLSX.read_bytes(), valid_xlsx()):
        check_workbook(io.BytesIO(data))


def test_a_declared_range_left_too_small_is_widened_without_the_xml_parser(monkeypatch):
    """Streaming writers may leave `<dimension ref="A1"/>`: the cells' references are read
    from the bytes instead, still without the XML parser."""
    monkeypatch.setattr(spreadsheets, "_scan_xml", lambda *a, **k: pytest.fail("slow path used"))
    rows = "".join(f'<row r="{r}">{cell(f"A{r}")}{cell(f"N{r}")}</row>' for r in range(1, 3001))
    data = rewrite(valid_xlsx(), {SHEET: sheet_xml(rows, dimension="A1")})
    check_workbook(io.BytesIO(data))
    limits = SheetLimits(uncompressed_bytes=1 << 30, compression_ratio=100, rows=2999, columns=200, cells=10**8)
    with pytest.raises(SpreadsheetTooLarge, match=r"has cells as far as N3000 \(3,000 rows by 14 columns\)"):
        check_workbook(io.BytesIO(data), limits=limits)


def test_a_full_height_sheet_within_the_limits_passes_the_check():
    """1,048,576 rows of two columns is 2 million cells: allowed (the guard is about
    the extent, not about a sheet being long)."""
    rows = f'<row r="1">{cell("A1", "name")}{cell("B1", "city")}</row><row r="1048576">{cell("B1048576")}</row>'
    data = rewrite(valid_xlsx(), {SHEET: sheet_xml(rows, dimension="A1:B1048576")})
    check_workbook(io.BytesIO(data), limits=SheetLimits.from_settings())


def test_a_csv_record_without_end_is_refused(exam2026, tmp_path):
    path = write_csv(tmp_path / "ok.csv", [dict(zip(HEADER, ROW, strict=True))])
    endless = tmp_path / "endless.csv"
    # Quoted line breaks keep one record going: 30 lines of 50,000 empty fields each.
    endless.write_bytes(path.read_bytes() + (b"," * 50_000 + b'"\n"') * 30)
    with (
        pytest.raises(UnreadableFile, match="CSV record is longer than 1,048,576 characters"),
        open_table(endless) as t,
    ):
        list(t.rows)


def test_the_sample_imports_unchanged_through_the_guard(exam2026):
    from apps.candidates.services.importing import candidates_import

    assert candidates_import(source=SAMPLE_XLSX).created == 200


def test_a_photos_zip_with_an_lzma_bomb_entry_is_refused_for_that_file(exam2026, tmp_path):
    """zipfile unpacks a whole compressed chunk of LZMA in one call (the photo reader asks
    for 2 MiB, which LZMA can turn into gigabytes): such entries are refused unread."""
    from apps.candidates.services.importing import candidates_import
    from apps.candidates.services.reports import ImportFailed
    from tests.candidates.conftest import jpeg_bytes, row

    rows = [row(roll_number="EXAM2026000001"), row(roll_number="EXAM2026000002", name="Bina Rao", email="b@x.in")]
    sheet = write_csv(tmp_path / "in.csv", rows)
    archive = tmp_path / "photos.zip"
    with zipfile.ZipFile(archive, "w") as bundle:
        bundle.writestr("EXAM2026000001.jpg", b"\0" * (64 * 1024 * 1024), compress_type=zipfile.ZIP_LZMA)
        bundle.writestr("EXAM2026000002.jpg", jpeg_bytes(), compress_type=zipfile.ZIP_DEFLATED)
    assert archive.stat().st_size < 100_000
    with pytest.raises(ImportFailed) as failed:
        candidates_import(source=sheet, exam="EXAM2026", photos=archive)
    errors = failed.value.report.errors
    assert [(e.field, e.value) for e in errors] == [("photo", "EXAM2026000001.jpg")], errors
    assert "unusual method" in errors[0].message
    assert not Candidate.objects.exists()
