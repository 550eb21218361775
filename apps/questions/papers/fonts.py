"""The fonts the set PDFs embed (apps/questions/fonts/, README there), and which of them
prints each character.

Noto Sans covers Latin, Greek, Cyrillic and symbols but not Devanagari; Noto Sans
Devanagari covers Devanagari, digits and punctuation but no Latin letters. Text is therefore
cut into runs, each printed in the font that has its letters. Digits, spaces and punctuation
stay in the run they are in (so "(क)" is one Devanagari run, shaped as one word).
Devanagari runs are shaped by HarfBuzz (reportlab's `shaping`, with uharfbuzz).
"""

import itertools
import unicodedata
from functools import cache
from pathlib import Path

from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont

FONT_DIR = Path(__file__).resolve().parent.parent / "fonts"

LATIN = "NotoSans"
LATIN_BOLD = "NotoSans-Bold"
DEVANAGARI = "NotoSansDevanagari"
DEVANAGARI_BOLD = "NotoSansDevanagari-Bold"

_FILES = {
    LATIN: "NotoSans-Regular.ttf",
    LATIN_BOLD: "NotoSans-Bold.ttf",
    DEVANAGARI: "NotoSansDevanagari-Regular.ttf",
    DEVANAGARI_BOLD: "NotoSansDevanagari-Bold.ttf",
}

# Devanagari, Devanagari Extended, Vedic Extensions; ZWNJ/ZWJ shape conjuncts.
_DEVANAGARI_RANGES = ((0x0900, 0x097F), (0xA8E0, 0xA8FF), (0x1CD0, 0x1CFF), (0x200C, 0x200D))


@cache
def register_fonts() -> None:
    """Register the shipped fonts with reportlab once per process."""
    for name, filename in _FILES.items():
        pdfmetrics.registerFont(TTFont(name, str(FONT_DIR / filename)))
    pdfmetrics.registerFontFamily(LATIN, normal=LATIN, bold=LATIN_BOLD, italic=LATIN, boldItalic=LATIN_BOLD)
    pdfmetrics.registerFontFamily(
        DEVANAGARI, normal=DEVANAGARI, bold=DEVANAGARI_BOLD, italic=DEVANAGARI, boldItalic=DEVANAGARI_BOLD
    )


@cache
def _devanagari_has(code: int) -> bool:
    register_fonts()
    return code in pdfmetrics.getFont(DEVANAGARI).face.charToGlyph


@cache
def _script(char: str) -> str | None:
    """'deva', 'latn', or None for a character either font prints (digits, punctuation)."""
    code = ord(char)
    if any(low <= code <= high for low, high in _DEVANAGARI_RANGES):
        return "deva"
    if unicodedata.category(char)[0] in "LM" or not _devanagari_has(code):
        return "latn"
    return None


WORD_SPLIT = "\u200a"  # hair space: Noto Sans has it, Noto Sans Devanagari does not


def script_runs(text: str) -> list[tuple[str, str]]:
    """`text` cut into (script, run) pieces, 'deva' or 'latn'; neutral characters join the
    run they are in (or the next one, at the start)."""
    # Cases: "प्रश्न 5 में" is one run; "m/s में" two; "5मीटर" one (Devanagari).
    runs: list[list] = []
    pending = ""
    for char in text:
        script = _script(char)
        if script is None:
            if runs:
                runs[-1][1] += char
            else:
                pending += char
            continue
        if runs and runs[-1][0] == script:
            runs[-1][1] += char
        else:
            runs.append([script, pending + char])
            pending = ""
    if pending:
        runs.append(["latn", pending])
    # A word that changes script ("200a" after Devanagari) would be shaped whole with the
    # first run's font, which lacks the other's letters: split it with a hair space.
    for before, after in itertools.pairwise(runs):
        if not before[1][-1].isspace() and not after[1][0].isspace():
            if before[0] == "latn":
                before[1] += WORD_SPLIT
            else:
                after[1] = WORD_SPLIT + after[1]
    return [(script, run) for script, run in runs]


def font_for(script: str, *, bold: bool) -> str:
    if script == "deva":
        return DEVANAGARI_BOLD if bold else DEVANAGARI
    return LATIN_BOLD if bold else LATIN
