"""Fixtures for the candidate tests: exams, real image bytes, spreadsheet writers."""

import csv
import datetime as dt
import io
from pathlib import Path

import pytest
import xlsxwriter
from PIL import Image

from tests.factories import CandidateFactory, ExamFactory

DATA = Path(__file__).resolve().parent / "data"
SAMPLES = Path(__file__).resolve().parents[1] / "data" / "candidates"
SAMPLE_XLSX = SAMPLES / "candidates_sample.xlsx"
SAMPLE_CSV = SAMPLES / "candidates_sample.csv"

HEADER = ["name", "father_name", "date_of_birth", "gender", "category", "pwd", "email", "phone", "city"]


@pytest.fixture
def exam(db):
    return ExamFactory(code="EXAM2026", name="Entrance 2026")


@pytest.fixture
def other_exam(db):
    return ExamFactory(code="OTHER2026", name="Other 2026")


@pytest.fixture
def make_candidate(exam):
    def make(**kwargs):
        kwargs.setdefault("exam", exam)
        return CandidateFactory(**kwargs)

    return make


def row(**overrides) -> dict:
    """A valid sheet row (header -> value); override any cell."""
    base = {
        "name": "Asha Verma",
        "father_name": "Ramesh Verma",
        "date_of_birth": "2001-04-12",
        "gender": "F",
        "category": "OBC",
        "pwd": "No",
        "email": "asha@example.in",
        "phone": "9876543210",
        "city": "Delhi",
    }
    base.update(overrides)
    return base


def write_csv(path: Path, rows: list[dict], *, header: list[str] | None = None, bom: bool = False) -> Path:
    header = header or list(rows[0])
    with path.open("w", encoding="utf-8-sig" if bom else "utf-8", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(header)
        for item in rows:
            writer.writerow([item.get(h, "") for h in header])
    return path


def write_xlsx(path: Path, rows: list[list], *, header: list[str]) -> Path:
    """Cells are written with their Python type: numbers as numbers, dates as date cells."""
    workbook = xlsxwriter.Workbook(str(path))
    sheet = workbook.add_worksheet()
    date_format = workbook.add_format({"num_format": "dd/mm/yyyy"})
    sheet.write_row(0, 0, header)
    for r, cells in enumerate(rows, start=1):
        for c, value in enumerate(cells):
            if isinstance(value, dt.date):
                sheet.write_datetime(r, c, dt.datetime.combine(value, dt.time()), date_format)
            else:
                sheet.write(r, c, value)
    workbook.close()
    return path


def jpeg_bytes(size=(60, 80), *, exif: bool = False, colour=(200, 30, 30)) -> bytes:
    image = Image.new("RGB", size, colour)
    out = io.BytesIO()
    kwargs = {}
    if exif:
        data = Image.Exif()
        data[0x010F] = "SpyCam Inc."  # Make
        data[0x0110] = "Model X"  # Model
        data[0x0131] = "secret-software"  # Software
        kwargs["exif"] = data.tobytes()
    image.save(out, format="JPEG", **kwargs)
    return out.getvalue()


def png_bytes(size=(60, 30), *, text: str | None = None) -> bytes:
    from PIL import PngImagePlugin

    image = Image.new("L", size, 255)
    info = None
    if text:
        info = PngImagePlugin.PngInfo()
        info.add_text("Comment", text)
    out = io.BytesIO()
    image.save(out, format="PNG", pnginfo=info)
    return out.getvalue()


def pdf_bytes() -> bytes:
    """A real (tiny) PDF document made by reportlab."""
    from reportlab.pdfgen import canvas

    out = io.BytesIO()
    document = canvas.Canvas(out)
    document.drawString(100, 750, "Not a photo")
    document.save()
    return out.getvalue()
