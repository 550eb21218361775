"""The encryption of question documents: AES-256-GCM everywhere (cryptography's AESGCM).

* Each document has its own random 256-bit key; the file on disk is `nonce || ciphertext+tag`
  with the document's id as associated data, so a file cannot be passed off as another's.
* A document key is kept wrapped (encrypted with AES-GCM again) by a key-encryption key:
  the node's master key (`master_key()`), or, for a center, the key derived from that
  session's release code for that center (apps/questions/release/codes.py).
* A wrong key, a tampered file or a file of another document fails to decrypt
  (`InvalidTag`): it is never silently accepted.
"""

import hashlib
import os

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from django.conf import settings

NONCE_BYTES = 12
KEY_BYTES = 32

__all__ = ["InvalidTag", "master_key", "new_key", "seal", "sha256_hex", "unseal"]


def master_key() -> bytes:
    """This node's 256-bit master key, derived from `settings.QUESTION_MASTER_KEY` (the
    environment, or a random value made in DATA_DIR/keys on the first start)."""
    secret = settings.QUESTION_MASTER_KEY.encode()
    return HKDF(hashes.SHA256(), KEY_BYTES, salt=None, info=b"exam-system question master key").derive(secret)


def new_key() -> bytes:
    return os.urandom(KEY_BYTES)


def seal(key: bytes, plaintext: bytes, associated: bytes) -> bytes:
    nonce = os.urandom(NONCE_BYTES)
    return nonce + AESGCM(key).encrypt(nonce, plaintext, associated)


def unseal(key: bytes, sealed: bytes, associated: bytes) -> bytes:
    """The plaintext; raises InvalidTag for a wrong key, other associated data or any change."""
    if len(sealed) < NONCE_BYTES + 16:
        raise InvalidTag()
    return AESGCM(key).decrypt(sealed[:NONCE_BYTES], sealed[NONCE_BYTES:], associated)


def sha256_hex(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()
