"""Accept an uploaded image only if it really is a JPEG or PNG, and store a clean copy.

Used for candidate photos and signatures (API, admin, bulk import) and reusable by
anything else that takes pictures from outside (admit cards and packages carry them).

The file is judged by decoding it, never by its name or declared content type:

* at most `max_bytes` bytes (checked before decoding);
* Pillow must recognise it as JPEG or PNG, `verify()` it and fully `load()` it, so a
  truncated or corrupt file fails here and not later in a PDF;
* at most `max_pixels` pixels, checked from the header *before* the pixels are
  decoded, so a decompression bomb (a tiny file claiming 50,000 x 50,000) is refused
  without allocating memory for it;
* re-encoded from the pixels alone, which drops EXIF (camera, GPS position, time),
  ICC/text chunks and anything appended after the image data. The EXIF orientation is
  applied first so a phone photo stays upright.
"""

import io
import warnings
from dataclasses import dataclass

from django.conf import settings
from django.core.files.base import ContentFile
from PIL import Image, ImageOps, UnidentifiedImageError

ALLOWED_FORMATS = {"JPEG": ".jpg", "PNG": ".png"}
JPEG_QUALITY = 88


class ImageRejected(ValueError):
    """The upload is not an acceptable image; the message says why (shown to users)."""


@dataclass(frozen=True)
class CleanImage:
    content: bytes
    extension: str  # ".jpg" or ".png"
    width: int
    height: int

    def as_file(self, stem: str = "image") -> ContentFile:
        # The stem is irrelevant to storage (upload_to gives a random name); only the
        # extension is kept.
        return ContentFile(self.content, name=f"{stem}{self.extension}")


def _read(source) -> bytes:
    if isinstance(source, bytes | bytearray):
        return bytes(source)
    if hasattr(source, "seek"):
        source.seek(0)
    data = source.read()
    if hasattr(source, "seek"):
        source.seek(0)
    return data


def clean_image(source, *, max_bytes: int | None = None, max_pixels: int | None = None) -> CleanImage:
    """Validate `source` (bytes or a file object) and return a re-encoded, metadata-free copy.

    Raises ImageRejected with a user-facing reason.
    """
    max_bytes = settings.MAX_IMAGE_UPLOAD_BYTES if max_bytes is None else max_bytes
    max_pixels = settings.MAX_IMAGE_PIXELS if max_pixels is None else max_pixels
    size = getattr(source, "size", None)
    if size is not None and size > max_bytes:
        raise ImageRejected(f"The file is {size:,} bytes; the limit is {max_bytes:,} bytes.")
    data = _read(source)
    if len(data) > max_bytes:
        raise ImageRejected(f"The file is {len(data):,} bytes; the limit is {max_bytes:,} bytes.")
    if not data:
        raise ImageRejected("The file is empty.")

    with warnings.catch_warnings():
        # Pillow warns (then errors) about huge images itself; our own limit below is
        # stricter and checked first, so its warning is noise here.
        warnings.simplefilter("ignore", Image.DecompressionBombWarning)
        try:
            probe = Image.open(io.BytesIO(data), formats=list(ALLOWED_FORMATS))
        except UnidentifiedImageError:
            raise ImageRejected("The file is not a JPEG or PNG image.") from None
        except Image.DecompressionBombError:
            raise ImageRejected(f"The image has far more pixels than allowed ({max_pixels:,}).") from None
        except (OSError, ValueError, SyntaxError) as exc:
            raise ImageRejected(f"The image cannot be read: {exc}.") from None
        image_format = probe.format
        width, height = probe.size
        if width * height > max_pixels:
            raise ImageRejected(f"The image is {width} x {height} pixels; the limit is {max_pixels:,} pixels in all.")
        try:
            probe.verify()
            image = Image.open(io.BytesIO(data), formats=[image_format])
            image.load()
        except (OSError, ValueError, SyntaxError, Image.DecompressionBombError) as exc:
            raise ImageRejected(f"The image is damaged or truncated: {exc}.") from None

        image = ImageOps.exif_transpose(image)
        out = io.BytesIO()
        if image_format == "JPEG":
            if image.mode not in ("RGB", "L"):
                image = image.convert("RGB")
            # No exif/icc arguments: the new file carries pixels only.
            image.save(out, format="JPEG", quality=JPEG_QUALITY, optimize=True)
        else:
            if image.mode not in ("RGB", "RGBA", "L", "LA", "P"):
                image = image.convert("RGBA")
            image.save(out, format="PNG", optimize=True)
    return CleanImage(content=out.getvalue(), extension=ALLOWED_FORMATS[image_format], width=width, height=height)
