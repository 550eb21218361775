"""Secrets a node keeps to reach other nodes (a center's sync password at HQ).

Encrypted with Fernet under a key derived from SECRET_KEY, so the database (and its
backups) never hold them in clear. Rotating SECRET_KEY makes them unreadable: set them
again with `python manage.py sync_link`.
"""

import base64
import hashlib

from cryptography.fernet import Fernet, InvalidToken
from django.conf import settings


def _fernet() -> Fernet:
    digest = hashlib.sha256(b"exam-system sync credentials\0" + settings.SECRET_KEY.encode()).digest()
    return Fernet(base64.urlsafe_b64encode(digest))


def encrypt_secret(plain: str) -> str:
    return _fernet().encrypt(plain.encode()).decode() if plain else ""


def decrypt_secret(token: str) -> str:
    if not token:
        return ""
    try:
        return _fernet().decrypt(token.encode()).decode()
    except InvalidToken as exc:
        raise ValueError("The stored sync secret cannot be decrypted (was SECRET_KEY changed?).") from exc
