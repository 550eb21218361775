"""Question-paper documents uploaded by HQ, checked by content before they are encrypted:
a PDF that pypdf can read with at least one page, or a DOCX (a zip holding the Office Open
XML parts of a Word document), within MAX_PAPER_DOCUMENT_BYTES. The name and the declared
type of the upload are never trusted."""

import io
import zipfile

from django.conf import settings
from pypdf import PdfReader
from pypdf.errors import PyPdfError

from utils.archives import ArchiveRefused, open_archive
from utils.exceptions import ApplicationError

PDF = "application/pdf"
DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
DOCX_PARTS = ("[Content_Types].xml", "word/document.xml")
DOCX_MAX_MEMBERS = 2000


class DocumentTooLarge(ApplicationError):
    status_code = 413


def _refuse(name: str, message: str) -> ApplicationError:
    return ApplicationError("invalid_document", f"{name}: {message}", extra={"field": "file"})


def _is_pdf(data: bytes, name: str) -> bool:
    if not data.startswith(b"%PDF-"):
        return False
    try:
        pages = len(PdfReader(io.BytesIO(data)).pages)
    except (PyPdfError, ValueError, KeyError, TypeError, RecursionError) as exc:
        raise _refuse(name, f"the PDF cannot be read ({exc.__class__.__name__}).") from None
    if pages < 1:
        raise _refuse(name, "the PDF has no pages.")
    return True


def _is_docx(data: bytes, name: str) -> bool:
    if not data.startswith(b"PK\x03\x04"):
        return False
    try:
        with open_archive(io.BytesIO(data), max_members=DOCX_MAX_MEMBERS, what=f"The document {name}") as archive:
            names = set(archive.namelist())
    except ArchiveRefused as exc:
        raise _refuse(name, exc.message) from None
    except (zipfile.BadZipFile, ValueError):
        raise _refuse(name, "the zip archive is damaged.") from None
    missing = [part for part in DOCX_PARTS if part not in names]
    if missing:
        raise _refuse(name, f"not a Word document (no {', '.join(missing)}).")
    return True


def checked_document(upload) -> tuple[bytes, str]:
    """(bytes, content type) of an uploaded paper document; raises ApplicationError naming it."""
    name = getattr(upload, "name", "upload")
    limit = settings.MAX_PAPER_DOCUMENT_BYTES
    if getattr(upload, "size", 0) > limit:
        raise DocumentTooLarge(
            "too_large", f"{name} is larger than {limit:,} bytes (MAX_PAPER_DOCUMENT_BYTES).", extra={"field": "file"}
        )
    data = upload.read(limit + 1)
    if len(data) > limit:
        raise DocumentTooLarge(
            "too_large", f"{name} is larger than {limit:,} bytes (MAX_PAPER_DOCUMENT_BYTES).", extra={"field": "file"}
        )
    if _is_pdf(data, name):
        return data, PDF
    if _is_docx(data, name):
        return data, DOCX
    raise _refuse(name, "only PDF and Word (DOCX) documents are accepted.")
