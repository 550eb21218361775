"""utils/images.py: an upload is accepted only if it decodes as a real JPEG or PNG."""

import io

import pytest
from PIL import Image

from tests.candidates.conftest import jpeg_bytes, pdf_bytes, png_bytes
from utils.images import ImageRejected, clean_image


def test_real_jpeg_is_accepted_and_re_encoded_as_jpeg():
    clean = clean_image(jpeg_bytes())
    assert clean.extension == ".jpg"
    assert Image.open(io.BytesIO(clean.content)).format == "JPEG"
    assert (clean.width, clean.height) == (60, 80)


def test_real_png_is_accepted_and_stays_png():
    clean = clean_image(png_bytes())
    assert clean.extension == ".png"
    assert Image.open(io.BytesIO(clean.content)).format == "PNG"


def test_exif_is_stripped_from_jpeg():
    original = jpeg_bytes(exif=True)
    assert b"SpyCam" in original
    clean = clean_image(original)
    assert b"SpyCam" not in clean.content
    assert not Image.open(io.BytesIO(clean.content)).getexif()


def test_png_text_chunks_are_stripped():
    original = png_bytes(text="home address 12 MG Road")
    clean = clean_image(original)
    assert b"MG Road" not in clean.content


def test_text_file_named_jpg_is_refused():
    with pytest.raises(ImageRejected, match="not a JPEG or PNG"):
        clean_image(b"hello, I am plain text pretending to be photo.jpg\n" * 10)


def test_real_pdf_is_refused():
    with pytest.raises(ImageRejected, match="not a JPEG or PNG"):
        clean_image(pdf_bytes())


def test_gif_is_refused_even_though_it_is_an_image():
    out = io.BytesIO()
    Image.new("RGB", (10, 10)).save(out, format="GIF")
    with pytest.raises(ImageRejected, match="not a JPEG or PNG"):
        clean_image(out.getvalue())


def test_oversize_file_is_refused_before_decoding(settings):
    settings.MAX_IMAGE_UPLOAD_BYTES = 1000
    with pytest.raises(ImageRejected, match="limit is 1,000 bytes"):
        clean_image(jpeg_bytes(size=(400, 400)) + b"\0" * 1000)


def test_too_many_pixels_is_refused(settings):
    settings.MAX_IMAGE_PIXELS = 100 * 100
    with pytest.raises(ImageRejected, match="pixels"):
        clean_image(png_bytes(size=(200, 200)))


def test_decompression_bomb_is_refused_without_decoding():
    # A 10 kB PNG that would take 25 million pixels (over the 16 Mpx default) once decoded.
    out = io.BytesIO()
    Image.new("1", (5000, 5000)).save(out, format="PNG")
    bomb = out.getvalue()
    assert len(bomb) < 100_000
    with pytest.raises(ImageRejected, match="5000 x 5000"):
        clean_image(bomb)


def test_extreme_bomb_is_refused_by_the_header_alone(settings):
    settings.MAX_IMAGE_PIXELS = 10
    with pytest.raises(ImageRejected, match="pixels"):
        clean_image(png_bytes(size=(100, 100)))


def test_truncated_jpeg_is_refused():
    data = jpeg_bytes(size=(300, 300))
    with pytest.raises(ImageRejected):
        clean_image(data[: len(data) // 2])


def test_empty_file_is_refused():
    with pytest.raises(ImageRejected, match="empty"):
        clean_image(b"")
