"""This node's Ed25519 key pair and the public keys it trusts.

The private key lives in a file under DATA_DIR/keys (never in the database, so a
logical backup or a package can never carry it). Trusted public keys of other nodes
(HQ's at a center; every center's at HQ) live in the `TrustedKey` table, which
travels: HQ's public key goes to a center inside its center package.
"""

import contextlib
import os
import tempfile
from pathlib import Path

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey
from django.conf import settings


class KeyMissing(Exception):
    """This node has no key pair yet, or does not trust the named node."""


def _key_path() -> Path:
    return Path(settings.DATA_DIR) / "keys" / "node_ed25519.pem"


def node_key_exists() -> bool:
    return _key_path().is_file()


def create_node_key(*, overwrite: bool = False) -> Ed25519PublicKey:
    """Create this node's key pair (0600 file). Refuses to replace an existing one unless asked.

    Safe against a second process doing the same at the same moment (two `migrate` runs):
    the key is written whole to a private temporary file and then linked into place, which
    fails if the file appeared meanwhile, so exactly one key ever exists and nobody reads a
    half-written one. `overwrite=True` (a deliberate re-key) replaces it atomically.
    """
    path = _key_path()
    if path.exists() and not overwrite:
        raise FileExistsError(f"A node key already exists at {path}.")
    path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
    key = Ed25519PrivateKey.generate()
    pem = key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption())
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=".node_ed25519-", suffix=".tmp")  # mode 0600
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(pem)
            fh.flush()
            os.fsync(fh.fileno())
        if overwrite:
            os.replace(tmp, path)
        else:
            _link_new(tmp, path)
    finally:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(tmp)
    return key.public_key()


def _link_new(tmp: str, path: Path) -> None:
    """Put `tmp` at `path` only if nothing is there yet (atomic); FileExistsError otherwise."""
    try:
        os.link(tmp, path)
    except FileExistsError:
        raise FileExistsError(f"A node key already exists at {path}.") from None
    except OSError:
        # A file system without hard links: an exclusive create is still one winner.
        with open(tmp, "rb") as source:
            data = source.read()
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)


def ensure_node_key() -> tuple[Ed25519PublicKey, bool]:
    """This node's public key, creating the key pair first when there is none.

    Returns (public key, created). Idempotent; when two processes race, one creates the
    key and the other gets that same key back with created=False.
    """
    try:
        return create_node_key(), True
    except FileExistsError:
        return node_private_key().public_key(), False


def node_key_path() -> Path:
    return _key_path()


def node_private_key() -> Ed25519PrivateKey:
    path = _key_path()
    if not path.is_file():
        raise KeyMissing("This node has no signing key yet: run `python manage.py sync_keys --init`.")
    key = serialization.load_pem_private_key(path.read_bytes(), password=None)
    if not isinstance(key, Ed25519PrivateKey):
        raise KeyMissing(f"{path} does not hold an Ed25519 private key.")
    return key


def public_key_pem(key: Ed25519PublicKey) -> str:
    return key.public_bytes(serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo).decode()


def load_public_key_pem(pem: str | bytes) -> Ed25519PublicKey:
    key = serialization.load_pem_public_key(pem.encode() if isinstance(pem, str) else pem)
    if not isinstance(key, Ed25519PublicKey):
        raise ValueError("Not an Ed25519 public key.")
    return key


def sign(data: bytes) -> bytes:
    """Sign with this node's private key."""
    return node_private_key().sign(data)


def verify(public_key: Ed25519PublicKey, signature: bytes, data: bytes) -> bool:
    try:
        public_key.verify(signature, data)
    except InvalidSignature:
        return False
    return True


def hq_public_key() -> Ed25519PublicKey:
    """HQ's public key: our own at HQ, the trusted one at a center."""
    if settings.NODE_CENTER == "HQ":
        return node_private_key().public_key()
    return trusted_public_key("HQ")


def trusted_public_key(node: str) -> Ed25519PublicKey:
    from apps.sync.models import TrustedKey

    row = TrustedKey.objects.filter(node=node).first()
    if row is None:
        raise KeyMissing(f"No trusted public key for {node}: run `python manage.py sync_keys --trust {node} FILE`.")
    return load_public_key_pem(row.public_key)


def trusted_key_id(node: str):
    """The same TrustedKey id on every node, so HQ's key row from a center package
    matches the row a center created with `sync_keys --trust HQ` (no duplicate node)."""
    import uuid

    return uuid.uuid5(uuid.NAMESPACE_URL, f"exam-system:trusted-key:{node}")


def trust_node(node: str, pem: str):
    """Trust `node`'s public key (create or replace its TrustedKey row). Returns the row."""
    from apps.core.services import synced_save
    from apps.sync.models import TrustedKey

    # Refuse anything that is not an Ed25519 public key, and store the canonical PEM, so a
    # copy that travelled by e-mail (CRLF, spaces) equals HQ's own row byte for byte.
    pem = public_key_pem(load_public_key_pem(pem.strip().encode()))
    row = TrustedKey.objects.filter(node=node).first()
    if row is None:
        return synced_save(TrustedKey(id=trusted_key_id(node), node=node, public_key=pem))
    if row.public_key != pem:
        row.public_key = pem
        synced_save(row, update_fields=["public_key"])
    return row


def fingerprint(pem: str | bytes) -> str:
    """A short, comparable form of a public key (SHA-256 of its DER), for key exchange by phone."""
    import hashlib

    der = load_public_key_pem(pem).public_bytes(
        serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo
    )
    digest = hashlib.sha256(der).hexdigest()[:32]
    return ":".join(digest[i : i + 4] for i in range(0, 32, 4))
