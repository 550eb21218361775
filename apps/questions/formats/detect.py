"""Which format a question file is in, from its first bytes (its name only breaks a tie)."""

import re

from apps.questions.formats.items import AIKEN, GIFT, MOODLE_XML, XLSX, FormatError

SNIFF_BYTES = 64 * 1024
_AIKEN_ANSWER = re.compile(rb"^\s*ANSWER\s*:\s*[A-Za-z]\s*$", re.MULTILINE)
_GIFT_MARKS = re.compile(rb"\{[^{}]*\}|^\s*::|^\s*\$CATEGORY:", re.MULTILINE)


def detect_format(head: bytes, name: str = "") -> str:
    """MOODLE_XML, GIFT, AIKEN or XLSX for a file starting with `head`; FormatError otherwise."""
    if head.startswith(b"PK\x03\x04"):
        return XLSX
    if head.startswith(b"\xd0\xcf\x11\xe0"):
        raise FormatError("The file is an old Excel (.xls) workbook; save it as .xlsx.")
    text = head.removeprefix(b"\xef\xbb\xbf").lstrip()
    if not text:
        raise FormatError("The file is empty.")
    if b"\x00" in head:
        raise FormatError("The file is binary: not Moodle XML, GIFT, Aiken or an .xlsx workbook.")
    if text.startswith((b"<?xml", b"<quiz")):
        return MOODLE_XML
    lowered = name.lower()
    aiken, gift = bool(_AIKEN_ANSWER.search(text)), bool(_GIFT_MARKS.search(text))
    if aiken and not gift:
        return AIKEN
    if gift and not aiken:
        return GIFT
    if lowered.endswith(".gift"):
        return GIFT
    if aiken:
        return AIKEN
    raise FormatError("The format cannot be told from the content; give it (moodle_xml, gift, aiken or xlsx).")
