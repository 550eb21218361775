"""Admit cards (hall tickets): a one-page PDF per allocated candidate with a signed QR code.

The QR code carries `EXQ1.<payload>.<signature>` (both base64url, no padding): the
payload is compact JSON naming the candidate, roll number, exam and center, the
signature is Ed25519 by HQ's node key. A center verifies it offline with HQ's public
key (`hq_public_key()`, which arrives in the center package), so a forged or edited
card is refused at the door.
"""

import base64
import binascii
import io
import json
import zipfile
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import qrcode
from django.conf import settings
from django.utils import timezone
from PIL import Image
from qrcode.constants import ERROR_CORRECT_M
from reportlab import rl_config
from reportlab.lib.pagesizes import A4
from reportlab.lib.units import mm
from reportlab.lib.utils import ImageReader
from reportlab.pdfgen import canvas

from apps.candidates.models import Candidate, CandidateStatus
from apps.centers.models import Center
from apps.exams.models import Exam
from apps.seating.models import Allocation
from apps.sync import keys
from utils.exceptions import ApplicationError, Conflict
from utils.progress import ProgressCallback, report

QR_PREFIX = "EXQ1"

# Embed images as binary streams, not ASCII85 text: reportlab's pure-Python ASCII85
# encoder was the largest single cost of rendering a card. Binary streams are standard PDF.
rl_config.useA85 = 0

INSTRUCTIONS = [
    "Bring this admit card and an original photo identity document; you will not be admitted without them.",
    "Report at the center at least 60 minutes before the session starts; the gate closes at the start time.",
    "Sit only in the room and seat printed here. Mobile phones, calculators and notes are not allowed.",
    "Use a black or blue ball-point pen. Do not write your name anywhere on the answer sheet.",
    "The QR code below is checked at the entrance; a card whose code does not verify is refused.",
]


class InvalidQR(ApplicationError):
    def __init__(self, message: str):
        super().__init__("invalid_qr", message)


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def _unb64(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def qr_payload(*, candidate_id, roll_number: str, exam_code: str, center_code: str) -> dict:
    return {"v": 1, "cid": str(candidate_id), "roll": roll_number, "exam": exam_code, "center": center_code}


def qr_encode(payload: dict, *, signer: Callable[[bytes], bytes] | None = None) -> str:
    """Sign `payload` with this node's (HQ's) key and return the QR text."""
    data = json.dumps(payload, separators=(",", ":"), sort_keys=True).encode()
    signature = (signer or keys.sign)(data)
    return f"{QR_PREFIX}.{_b64(data)}.{_b64(signature)}"


def qr_decode(text: str) -> dict:
    """Verify a QR text against HQ's public key and return its payload; InvalidQR otherwise."""
    parts = (text or "").strip().split(".")
    if len(parts) != 3 or parts[0] != QR_PREFIX:
        raise InvalidQR("This is not an admit-card code.")
    try:
        data, signature = _unb64(parts[1]), _unb64(parts[2])
    except (binascii.Error, ValueError) as exc:
        raise InvalidQR("The admit-card code is damaged.") from exc
    try:
        public_key = keys.hq_public_key()
    except keys.KeyMissing as exc:
        raise ApplicationError("no_hq_key", str(exc), status_code=503) from exc
    if not keys.verify(public_key, signature, data):
        raise InvalidQR("The admit-card code does not carry a valid HQ signature.")
    try:
        payload = json.loads(data)
    except ValueError as exc:  # signed but not JSON: not ours
        raise InvalidQR("The admit-card code is not readable.") from exc
    if not isinstance(payload, dict) or payload.get("v") != 1 or "cid" not in payload:
        raise InvalidQR("The admit-card code has an unknown format.")
    return payload


def qr_image(text: str, *, box_size: int = 4) -> Image.Image:
    """A PIL image of `text` as a QR code (raster, so the PDF carries it as an image)."""
    # A fixed mask pattern: the library otherwise renders all eight and scores them,
    # which was most of an admit card's time; any mask is valid and reads fine.
    code = qrcode.QRCode(error_correction=ERROR_CORRECT_M, border=2, mask_pattern=4)
    code.add_data(text)
    code.make(fit=True)
    # Paint the module matrix directly (one byte per module, then a nearest-neighbour
    # scale) instead of the library's one rectangle per module.
    matrix = code.get_matrix()
    size = len(matrix)
    data = bytes(0 if dark else 255 for row in matrix for dark in row)
    image = Image.frombytes("L", (size, size), data)
    return image.resize((size * box_size, size * box_size), Image.Resampling.NEAREST)


@dataclass
class CardSeat:
    paper: str
    date: str
    time: str
    room: str
    seat: str


@dataclass
class CardData:
    candidate: Candidate
    exam: Exam
    center: Center
    seats: list[CardSeat]


def _image_reader(field) -> ImageReader | None:
    if not field:
        return None
    try:
        path = field.path
    except (ValueError, NotImplementedError):
        return None
    if not Path(path).is_file():
        return None
    return ImageReader(path)


def _wrap(pdf: canvas.Canvas, text: str, x: float, y: float, width: float, size: int = 9) -> float:
    """Draw `text` wrapped to `width`; return the y below it."""
    words, line = text.split(), ""
    for word in words:
        trial = f"{line} {word}".strip()
        if pdf.stringWidth(trial, "Helvetica", size) > width and line:
            pdf.drawString(x, y, line)
            y -= size + 3
            line = word
        else:
            line = trial
    if line:
        pdf.drawString(x, y, line)
        y -= size + 3
    return y


def admit_card_pdf(card: CardData, *, signer: Callable[[bytes], bytes] | None = None) -> bytes:
    """Render one admit card (A4, one page) and return the PDF bytes."""
    c, exam, center = card.candidate, card.exam, card.center
    buffer = io.BytesIO()
    pdf = canvas.Canvas(buffer, pagesize=A4, pageCompression=1)
    pdf.setTitle(f"Admit card {c.roll_number}")
    pdf.setAuthor(exam.name)
    width, height = A4
    left, top = 18 * mm, height - 18 * mm

    pdf.setFont("Helvetica-Bold", 15)
    pdf.drawString(left, top, exam.name)
    pdf.setFont("Helvetica-Bold", 12)
    pdf.drawString(left, top - 18, f"ADMIT CARD  ·  {exam.code}")
    pdf.line(left, top - 26, width - left, top - 26)

    # Photo and signature boxes at the top right.
    photo_w, photo_h = 32 * mm, 40 * mm
    px, py = width - left - photo_w, top - 30 - photo_h
    pdf.rect(px, py, photo_w, photo_h)
    photo = _image_reader(c.photo)
    if photo:
        pdf.drawImage(photo, px + 1, py + 1, photo_w - 2, photo_h - 2, preserveAspectRatio=True, anchor="c")
    else:
        pdf.setFont("Helvetica", 8)
        pdf.drawCentredString(px + photo_w / 2, py + photo_h / 2, "affix photo")
    sig_h = 12 * mm
    pdf.rect(px, py - sig_h - 3, photo_w, sig_h)
    signature = _image_reader(c.signature)
    if signature:
        pdf.drawImage(signature, px + 1, py - sig_h - 2, photo_w - 2, sig_h - 2, preserveAspectRatio=True, anchor="c")
    else:
        pdf.setFont("Helvetica", 8)
        pdf.drawCentredString(px + photo_w / 2, py - sig_h / 2 - 3, "signature")

    y = top - 46
    fields = [
        ("Name", c.name),
        ("Roll number", c.roll_number),
        ("Date of birth", c.date_of_birth.isoformat() if c.date_of_birth else ""),
        ("Gender / category", f"{c.get_gender_display()} / {c.category}"),
        ("Exam center", f"{center.name} ({center.code})"),
        ("Address", ", ".join(p for p in (center.address, center.city, center.state) if p)),
    ]
    if c.extra_time_minutes:
        fields.append(("Extra time", f"{c.extra_time_minutes} minutes"))
    for label, value in fields:
        pdf.setFont("Helvetica-Bold", 10)
        pdf.drawString(left, y, f"{label}:")
        pdf.setFont("Helvetica", 10)
        y = _wrap(pdf, value, left + 38 * mm, y, px - left - 42 * mm, size=10) - 2
    y = min(y, py - sig_h - 12)

    # The schedule: each of the candidate's sessions (their own shift of a paper in shifts), room and seat.
    pdf.setFont("Helvetica-Bold", 11)
    pdf.drawString(left, y, "Schedule")
    y -= 16
    columns = [left, left + 45 * mm, left + 75 * mm, left + 105 * mm, left + 140 * mm]
    pdf.setFont("Helvetica-Bold", 9)
    for x, title in zip(columns, ("Paper", "Date", "Time", "Room", "Seat (row/column)"), strict=True):
        pdf.drawString(x, y, title)
    pdf.setFont("Helvetica", 9)
    for seat in card.seats:
        y -= 13
        for x, value in zip(columns, (seat.paper, seat.date, seat.time, seat.room, seat.seat), strict=True):
            pdf.drawString(x, y, value[:40])
    y -= 22

    pdf.setFont("Helvetica-Bold", 11)
    pdf.drawString(left, y, "Instructions")
    y -= 14
    pdf.setFont("Helvetica", 9)
    qr_size = 42 * mm
    for number, text in enumerate(INSTRUCTIONS, start=1):
        y = _wrap(pdf, f"{number}. {text}", left, y, width - 2 * left - qr_size - 6 * mm)

    qr_text = qr_encode(
        qr_payload(candidate_id=c.id, roll_number=c.roll_number, exam_code=exam.code, center_code=center.code),
        signer=signer,
    )
    qx, qy = width - left - qr_size, 20 * mm
    pdf.drawImage(ImageReader(qr_image(qr_text)), qx, qy, qr_size, qr_size)
    pdf.setFont("Helvetica", 7)
    pdf.drawCentredString(qx + qr_size / 2, qy - 8, "Signed by HQ - verified at the center")
    pdf.drawString(left, 12 * mm, f"Issued {timezone.localtime():%Y-%m-%d %H:%M} · {settings.NODE_CENTER}")
    pdf.showPage()
    pdf.save()
    return buffer.getvalue()


def _seat_rows(allocations) -> list[CardSeat]:
    seats = []
    for a in allocations:
        s = a.session
        seats.append(
            CardSeat(
                paper=f"{s.paper.code} {s.paper.name}",
                date=s.date.isoformat(),
                time=f"{s.start_time:%H:%M}-{s.end_time:%H:%M}",
                room=a.room.name or a.room.code,
                seat=f"{a.seat_number} ({a.row}/{a.column})",
            )
        )
    return seats


def admit_card_data(candidate: Candidate) -> CardData:
    """Everything an admit card shows; Conflict when the candidate has no seat yet."""
    allocations = list(
        Allocation.objects.filter(candidate=candidate)
        .select_related("session__paper", "room", "center")
        .order_by("session__date", "session__start_time")
    )
    if candidate.status != CandidateStatus.ALLOCATED or not allocations:
        raise Conflict("not_allocated", f"Candidate {candidate.roll_number} has no seat yet: allocate first.")
    return CardData(
        candidate=candidate, exam=candidate.exam, center=allocations[0].center, seats=_seat_rows(allocations)
    )


def admit_card_render(candidate: Candidate) -> bytes:
    if not keys.node_key_exists():
        raise ApplicationError(
            "no_node_key", "This node has no signing key: run `python manage.py sync_keys --init`.", status_code=503
        )
    return admit_card_pdf(admit_card_data(candidate))


def admit_cards_write_zip(
    *,
    exam: Exam,
    output: Path | str,
    center: Center | None = None,
    limit: int | None = None,
    progress: ProgressCallback | None = None,
    chunk: int = 200,
) -> int:
    """Write one PDF per allocated candidate (`<roll>.pdf`) into the zip `output`, streaming:
    candidates and their seats are read `chunk` at a time and each PDF goes straight
    into the archive, so memory stays flat. Returns the number of cards written."""
    signer = keys.node_private_key().sign  # load the key once, not per card
    candidates = Candidate.objects.filter(exam=exam, status=CandidateStatus.ALLOCATED).order_by("roll_number")
    if center is not None:
        candidates = candidates.filter(center=center)
    total = candidates.count() if limit is None else min(limit, candidates.count())
    centers = {}
    written = 0
    last_roll = None
    output = Path(output)
    tmp = output.with_name(output.name + ".part")
    with zipfile.ZipFile(tmp, "w", compression=zipfile.ZIP_STORED) as archive:
        while written < total:
            # Keyset pagination on the roll number: memory stays flat for any exam size.
            page = candidates if last_roll is None else candidates.filter(roll_number__gt=last_roll)
            people = list(page[: min(chunk, total - written)])
            if not people:
                break
            last_roll = people[-1].roll_number
            seats: dict = {}
            for a in (
                Allocation.objects.filter(candidate__in=people)
                .select_related("session__paper", "room")
                .order_by("session__date", "session__start_time")
            ):
                seats.setdefault(a.candidate_id, []).append(a)
            for person in people:
                allocations = seats.get(person.id)
                if not allocations:
                    continue
                center_id = allocations[0].center_id
                if center_id not in centers:
                    centers[center_id] = Center.objects.get(pk=center_id)
                card = CardData(candidate=person, exam=exam, center=centers[center_id], seats=_seat_rows(allocations))
                archive.writestr(f"{person.roll_number}.pdf", admit_card_pdf(card, signer=signer))
                written += 1
            report(progress, written, total, "admit cards")
    tmp.replace(output)
    return written
