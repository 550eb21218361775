"""Release codes: what HQ reads out over the phone so that a center can open a session's paper.

A code is 80 bits, HMAC-SHA256 of HQ's master key over the session and the center, written
as 16 Crockford base32 characters and Crockford's check character (mod 37), in groups:
`7KQ2-M9XD-4RTB-HC0W-Q`. Reading it back forgives case, spaces, hyphens and Crockford's
aliases (I and L read as 1, O as 0); the check character catches any single mistyped
character and any swap of two neighbours, before the code is even tried.

The key that opens a center's document keys is HKDF-SHA256 of the code's 80 bits, bound to
the session and the center. A fast derivation is enough: the code itself carries 80 random
bits (no dictionary to search), and a center only ever holds keys wrapped for itself.
"""

import hmac
from hashlib import sha256

from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

from apps.questions.release.crypto import KEY_BYTES, master_key

ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"
CHECK_SYMBOLS = ALPHABET + "*~$=U"  # Crockford's 37 check symbols
ALIASES = {"I": "1", "L": "1", "O": "0"}
SECRET_BYTES = 10  # 80 bits
DATA_CHARS = 16


class MalformedCode(ValueError):
    """Not a release code: wrong length, a character outside the alphabet, or a wrong check."""


def _check_symbol(number: int) -> str:
    return CHECK_SYMBOLS[number % 37]


def format_code(secret: bytes) -> str:
    number = int.from_bytes(secret, "big")
    digits = []
    for _ in range(DATA_CHARS):
        number, digit = divmod(number, 32)
        digits.append(ALPHABET[digit])
    body = "".join(reversed(digits))
    groups = [body[i : i + 4] for i in range(0, DATA_CHARS, 4)]
    return "-".join([*groups, _check_symbol(int.from_bytes(secret, "big"))])


def parse_code(text: str) -> bytes:
    """The 80 bits a typed code stands for; raises MalformedCode with a reason."""
    cleaned = "".join(ch for ch in str(text).upper() if ch not in " -\t")
    cleaned = "".join(ALIASES.get(ch, ch) for ch in cleaned[:-1]) + cleaned[-1:]
    if len(cleaned) != DATA_CHARS + 1:
        raise MalformedCode(f"A release code has {DATA_CHARS} characters and a check character.")
    body, check = cleaned[:-1], ALIASES.get(cleaned[-1], cleaned[-1])
    number = 0
    for ch in body:
        if ch not in ALPHABET:
            raise MalformedCode(f"{ch!r} is not a character of release codes.")
        number = number * 32 + ALPHABET.index(ch)
    if check != _check_symbol(number):
        raise MalformedCode("The check character does not match: a character was mistyped.")
    return number.to_bytes(SECRET_BYTES, "big")


def release_secret(session_id, center_id) -> bytes:
    """The 80 bits of the release code of (session, center): only HQ's master key makes them."""
    message = f"release-code|{session_id}|{center_id}".encode()
    return hmac.new(master_key(), message, sha256).digest()[:SECRET_BYTES]


def release_code(session_id, center_id) -> str:
    return format_code(release_secret(session_id, center_id))


def code_key(secret: bytes, session_id, center_id) -> bytes:
    """The key-encryption key a code opens, for one session at one center."""
    info = f"release-key|{session_id}|{center_id}".encode()
    return HKDF(hashes.SHA256(), KEY_BYTES, salt=b"exam-system release code", info=info).derive(secret)
