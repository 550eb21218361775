"""Admit cards: a PDF that parses back with the right text and a QR code that decodes and
verifies against HQ's public key."""

import io
import zipfile

import pytest
import zxingcpp
from django.core.management import call_command
from pypdf import PdfReader

from apps.seating.admit_cards import InvalidQR, qr_decode, qr_encode, qr_payload
from apps.sync import keys
from tests.seating.conftest import with_photo
from tests.seating.factories import CandidateFactory

pytestmark = pytest.mark.django_db


def decoded_qr_texts(pdf_bytes: bytes) -> list[str]:
    """The QR code of every image of the PDF that holds one (one code per image)."""
    texts = []
    for page in PdfReader(io.BytesIO(pdf_bytes)).pages:
        for image in page.images:
            found = {r.text for r in zxingcpp.read_barcodes(image.image, formats=zxingcpp.BarcodeFormat.QRCode)}
            assert len(found) <= 1, found
            texts.extend(found)
    return texts


def pdf_text(pdf_bytes: bytes) -> str:
    return "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(pdf_bytes)).pages)


def test_admit_card_pdf_carries_the_candidate_seat_and_a_verifiable_qr(client_for, admin, seated, node_key, room_a):
    candidate = with_photo(seated["a"][0])
    response = client_for(admin).get(f"/api/candidates/{candidate.id}/admit-card/")

    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    body = response.content
    reader = PdfReader(io.BytesIO(body))
    assert len(reader.pages) == 1
    text = pdf_text(body)
    for expected in (candidate.name, candidate.roll_number, "Logistics Test Exam", "Center A", "1 Main Road", "Delhi"):
        assert expected in text
    assert "2026-12-01" in text and "10:00-12:00" in text
    allocation = candidate.allocations.get()
    assert room_a.name in text and f"{allocation.seat_number} ({allocation.row}/{allocation.column})" in text
    assert "Instructions" in text
    # Photo, signature and QR code are images on the page.
    assert len(reader.pages[0].images) == 3

    [qr_text] = decoded_qr_texts(body)
    payload = qr_decode(qr_text)
    assert payload == {
        "v": 1,
        "cid": str(candidate.id),
        "roll": candidate.roll_number,
        "exam": "LOG2026",
        "center": "A01",
    }


def test_a_tampered_or_foreign_qr_does_not_verify(node_key):
    text = qr_encode(qr_payload(candidate_id="x", roll_number="1", exam_code="E", center_code="C"))
    prefix, data, signature = text.split(".")
    forged = qr_encode({"v": 1, "cid": "y"}, signer=lambda data: b"\0" * 64)
    for bad in (f"{prefix}.{data[:-2]}AA.{signature}", forged, "hello", "EXQ1.!!.??"):
        with pytest.raises(InvalidQR):
            qr_decode(bad)


def test_a_center_verifies_with_the_trusted_hq_key(node_key, settings):
    from apps.sync.models import TrustedKey

    text = qr_encode(qr_payload(candidate_id="c1", roll_number="9", exam_code="E", center_code="A01"))
    hq_public = keys.public_key_pem(keys.node_private_key().public_key())
    settings.NODE_CENTER = "A01"
    TrustedKey.objects.create(node="HQ", public_key=hq_public)
    assert qr_decode(text)["cid"] == "c1"


@pytest.mark.parametrize(
    ("who", "status"),
    [("exam_manager", 200), ("manager_a", 200), ("manager_b", 404), ("invigilator_a", 403), ("paper_setter", 403)],
)
def test_admit_card_access_per_role(client_for, cast, seated, node_key, who, status):
    candidate = seated["a"][0]
    response = client_for(cast[who]).get(f"/api/candidates/{candidate.id}/admit-card/")
    assert response.status_code == status


def test_admit_card_of_a_candidate_without_a_seat_is_a_conflict(client_for, admin, exam, session, node_key):
    candidate = CandidateFactory(exam=exam)
    response = client_for(admin).get(f"/api/candidates/{candidate.id}/admit-card/")
    assert response.status_code == 409
    assert response.json()["code"] == "not_allocated"


def test_admit_card_without_a_node_key_is_503_not_500(client_for, admin, seated, settings, tmp_path):
    settings.DATA_DIR = tmp_path / "empty"
    response = client_for(admin).get(f"/api/candidates/{seated['a'][0].id}/admit-card/")
    assert response.status_code == 503
    assert response.json()["code"] == "no_node_key"


def test_generate_admit_cards_command_writes_one_pdf_per_candidate(seated, node_key, tmp_path):
    out = tmp_path / "cards.zip"
    call_command(
        "generate_admit_cards", "--exam-id", "LOG2026", "--center-id", "A01", "--output", str(out), verbosity=0
    )
    with zipfile.ZipFile(out) as archive:
        names = sorted(archive.namelist())
        assert names == sorted(f"{c.roll_number}.pdf" for c in seated["a"])
        first = archive.read(names[0])
    assert names[0].removesuffix(".pdf") in pdf_text(first)
    assert qr_decode(decoded_qr_texts(first)[0])["roll"] == names[0].removesuffix(".pdf")
