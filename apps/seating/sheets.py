"""Attendance sheets: per session, center and (optionally) room, the seated candidates
with seat, roll number, name, photo, a QR code of the roll number (so a signed sheet
can be scanned back) and a signature column. PDF (reportlab) or xlsx (XlsxWriter)."""

import io
from dataclasses import dataclass

from django.db.models import QuerySet
from reportlab.lib.pagesizes import A4
from reportlab.lib.units import mm
from reportlab.lib.utils import ImageReader
from reportlab.pdfgen import canvas

from apps.centers.models import Center, Room
from apps.exams.models import ExamSession
from apps.seating.admit_cards import _image_reader, qr_image
from apps.seating.models import Allocation
from utils.safe_cells import new_workbook


@dataclass
class SheetContext:
    session: ExamSession
    center: Center
    room: Room | None


def sheet_rows(*, session: ExamSession, center: Center, room: Room | None = None) -> QuerySet[Allocation]:
    rows = Allocation.objects.filter(session=session, center=center).select_related("candidate", "room")
    if room is not None:
        rows = rows.filter(room=room)
    return rows.order_by("room__code", "seat_number")


def _header(pdf, ctx: SheetContext, room_label: str, page: int) -> float:
    width, height = A4
    left = 12 * mm
    y = height - 15 * mm
    s = ctx.session
    pdf.setFont("Helvetica-Bold", 13)
    pdf.drawString(left, y, f"Attendance sheet - {s.exam.code} {s.paper.code} {s.paper.name}")
    pdf.setFont("Helvetica", 9)
    y -= 14
    pdf.drawString(
        left,
        y,
        f"{s.date.isoformat()} {s.start_time:%H:%M}-{s.end_time:%H:%M}  ·  Center {ctx.center.code} "
        f"{ctx.center.name}  ·  Room {room_label}  ·  page {page}",
    )
    y -= 16
    pdf.setFont("Helvetica-Bold", 9)
    for x, title in (
        (left, "Seat"),
        (left + 14 * mm, "Roll number"),
        (left + 48 * mm, "Name"),
        (left + 100 * mm, "Photo"),
    ):
        pdf.drawString(x, y, title)
    pdf.drawString(left + 120 * mm, y, "Roll QR")
    pdf.drawString(left + 142 * mm, y, "Signature")
    pdf.line(left, y - 3, width - left, y - 3)
    return y - 4


def attendance_sheet_pdf(ctx: SheetContext) -> bytes:
    """One section per room (new page per room), 12 candidates a page."""
    buffer = io.BytesIO()
    pdf = canvas.Canvas(buffer, pagesize=A4, pageCompression=1)
    pdf.setTitle(f"Attendance sheet {ctx.session.exam.code} {ctx.session.paper.code} {ctx.center.code}")
    width, _height = A4
    left = 12 * mm
    row_h = 20 * mm
    page, current_room, y = 0, None, 0.0
    rows = sheet_rows(session=ctx.session, center=ctx.center, room=ctx.room)
    any_rows = False
    for allocation in rows.iterator(chunk_size=500):
        any_rows = True
        room_label = allocation.room.name or allocation.room.code
        if allocation.room_id != current_room or y - row_h < 25 * mm:
            if page:
                _footer(pdf)
                pdf.showPage()
            page += 1
            current_room = allocation.room_id
            y = _header(pdf, ctx, room_label, page)
        c = allocation.candidate
        top = y
        y -= row_h
        pdf.setFont("Helvetica", 9)
        text_y = top - row_h / 2
        pdf.drawString(left, text_y, f"{allocation.seat_number} ({allocation.row}/{allocation.column})")
        pdf.drawString(left + 14 * mm, text_y, c.roll_number)
        pdf.drawString(left + 48 * mm, text_y, c.name[:32])
        photo = _image_reader(c.photo)
        if photo:
            pdf.drawImage(photo, left + 100 * mm, y + 1 * mm, 16 * mm, row_h - 2 * mm, preserveAspectRatio=True)
        else:
            pdf.rect(left + 100 * mm, y + 1 * mm, 14 * mm, row_h - 2 * mm)
        pdf.drawImage(ImageReader(qr_image(c.roll_number, box_size=3)), left + 120 * mm, y + 1 * mm, 18 * mm, 18 * mm)
        pdf.line(left + 142 * mm, y + 4 * mm, width - left, y + 4 * mm)
        pdf.setStrokeGray(0.8)
        pdf.line(left, y, width - left, y)
        pdf.setStrokeGray(0)
    if not any_rows:
        _header(pdf, ctx, ctx.room.code if ctx.room else "all", 1)
        pdf.setFont("Helvetica", 10)
        pdf.drawString(left, 250 * mm, "No candidates are seated here for this session.")
    _footer(pdf)
    pdf.showPage()
    pdf.save()
    return buffer.getvalue()


def _footer(pdf) -> None:
    pdf.setFont("Helvetica", 8)
    pdf.drawString(12 * mm, 12 * mm, "Invigilator's name and signature: ______________________________")


def attendance_sheet_xlsx(ctx: SheetContext) -> bytes:
    buffer = io.BytesIO()
    book = new_workbook(buffer, {"in_memory": True, "constant_memory": True})  # names stay text
    bold = book.add_format({"bold": True})
    sheet = book.add_worksheet("Attendance")
    s = ctx.session
    sheet.write_row(0, 0, [f"{s.exam.code} {s.paper.code} {s.paper.name}", s.date.isoformat()], bold)
    sheet.write_row(1, 0, [f"{ctx.center.code} {ctx.center.name}", f"{s.start_time:%H:%M}-{s.end_time:%H:%M}"])
    headers = ["Room", "Seat", "Row", "Column", "Roll number", "Name", "Paper set", "Present (Y/N)", "Signature"]
    sheet.write_row(3, 0, headers, bold)
    sheet.set_column(4, 5, 24)
    r = 4
    for a in sheet_rows(session=ctx.session, center=ctx.center, room=ctx.room).iterator(chunk_size=1000):
        sheet.write_row(
            r,
            0,
            [
                a.room.code,
                a.seat_number,
                a.row,
                a.column,
                a.candidate.roll_number,
                a.candidate.name,
                a.paper_set,
                "",
                "",
            ],
        )
        r += 1
    book.close()
    return buffer.getvalue()
