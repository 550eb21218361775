"""The package container (docs/sync.md): one zip file, whatever its name says.

    manifest.json            format and application version, package id, kind, origin,
                             target, center, exam scope, created_at, since, model fields,
                             and for every other file its SHA-256, size and row count
    manifest.sig             Ed25519 signature of the exact bytes of manifest.json
    (zip comment)            the seal: Ed25519 signature of the SHA-256 of every byte before it
    data/<app.Model>.jsonl   one JSON object per row (LZMA-compressed)
    media/<path>             files of FileFields, under their storage name (stored)

Writing streams: rows go through a zip entry opened for writing and are hashed on
the way, media files are copied in chunks. Reading verifies before anything is used:
the container, the format and application versions, the signature, then every file's
checksum (which also catches truncation and single flipped bytes).

Nothing in a package is trusted to be the size it says before the signature is checked
(docs/security.md): `PackageReader.open` refuses, from the zip's directory alone, more
than MAX_PACKAGE_FILES files, any file declared larger than MAX_PACKAGE_MEMBER_BYTES or
compressed more than MAX_COMPRESSION_RATIO to 1, and a manifest.json larger than
MAX_PACKAGE_MANIFEST_BYTES plus 512 bytes per file; then it reads the manifest and the
signature with bounded reads. Every later read of a file is bounded by the size the
zip and the manifest declare (utils.archives), so a lying header costs one byte over.
"""

import hashlib
import json
import os
import uuid
import zipfile
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path, PurePosixPath

from django.conf import settings
from django.utils import timezone

from apps.sync import keys
from utils.archives import READ_ERRORS, ArchiveRefused, check_declared, check_directory, member_chunks, read_member

FORMAT = "exam-system-package"
FORMAT_VERSION = 1
# The application version written into packages. Packages are compatible when the
# format version is known and the application's major.minor matches (0.x: minor
# releases may change the schema, so they are not mixed).
APPLICATION_VERSION = "0.2.0"  # 0.2: apps restructured (core, seating, examday); model labels changed

CENTER_PACKAGE = "center-package"
RESULTS_PACKAGE = "results-package"
BACKUP = "backup"
KINDS = (CENTER_PACKAGE, RESULTS_PACKAGE, BACKUP)

# The zip comment (the file's last 64 bytes) holds an Ed25519 signature of the SHA-256
# of every byte before it (or, unsigned, that SHA-256 in hex), covering the zip
# structure that the per-file checksums cannot.
FILE_SIGNATURE = "ed25519-sha256-zip-comment"
FILE_DIGEST = "sha256-hex-zip-comment"  # unsigned backups: integrity without authenticity
SEAL_BYTES = 64

MANIFEST = "manifest.json"
SIGNATURE = "manifest.sig"
ZIP_MAGIC = b"PK\x03\x04"
# What reading a damaged zip member can raise (one list, utils.archives): bad CRC, broken
# streams, and for a flipped flag or method byte "encrypted" or "unsupported method".
ZIP_ERRORS = READ_ERRORS
CHUNK = 1024 * 1024
# What the reader accepts (our writer stores manifest.json and manifest.sig, deflates or
# LZMA-compresses nothing else): zipfile inflates stored and deflated data in bounded steps.
MEMBER_METHODS = frozenset({zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED, zipfile.ZIP_LZMA})
MANIFEST_METHODS = frozenset({zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED})
MANIFEST_BYTES_PER_FILE = 512  # a manifest entry is the path plus ~110 bytes
SIGNATURE_LIMIT = 1024  # an Ed25519 signature is 64 bytes
LINE_LIMIT = 256 * 1024 * 1024  # one JSON row of a data file


class PackageRefused(Exception):
    """The package cannot be used; the message says why. Nothing has been changed."""

    def __init__(self, code: str, message: str):
        super().__init__(message)
        self.code = code
        self.message = message


def manifest_limit(files: int) -> int:
    """The largest manifest.json accepted in a package holding `files` files."""
    return settings.MAX_PACKAGE_MANIFEST_BYTES + MANIFEST_BYTES_PER_FILE * files


def _refusal(exc: ArchiveRefused, *, damaged: str = "damaged") -> PackageRefused:
    if exc.code != "limit":
        return PackageRefused(damaged, exc.message)
    return PackageRefused(
        "limit_exceeded",
        f"{exc.message} A package this application wrote stays within it unless it was damaged or altered; "
        "raise the limit only for a genuine package.",
    )


def data_name(label: str) -> str:
    return f"data/{label}.jsonl"


def media_name(storage_name: str) -> str:
    return f"media/{storage_name}"


def safe_storage_name(name: str) -> bool:
    """A media path may not escape MEDIA_ROOT (zip-slip)."""
    path = PurePosixPath(name)
    return bool(name) and not path.is_absolute() and ".." not in path.parts and "\\" not in name


def compatible_version(version: str) -> bool:
    try:
        theirs = [int(p) for p in str(version).split(".")[:2]]
    except ValueError:
        return False
    ours = [int(p) for p in APPLICATION_VERSION.split(".")[:2]]
    return theirs == ours


def file_sha256(path: Path) -> tuple[str, int]:
    digest = hashlib.sha256()
    size = 0
    with open(path, "rb") as fh:
        while chunk := fh.read(CHUNK):
            digest.update(chunk)
            size += len(chunk)
    return digest.hexdigest(), size


@dataclass
class FileDigests:
    """One pass over a package file: its SHA-256 (for the log), the SHA-256 of every byte
    before the seal, and the seal itself (the last SEAL_BYTES bytes)."""

    sha256: str
    size: int
    sealed_digest: bytes
    seal: bytes


def file_digests(path: Path) -> FileDigests:
    sealed = hashlib.sha256()
    size = os.path.getsize(path)
    boundary = max(0, size - SEAL_BYTES)
    done = 0
    tail = b""
    with open(path, "rb") as fh:
        while chunk := fh.read(CHUNK):
            if done + len(chunk) <= boundary:
                sealed.update(chunk)
            else:
                cut = max(0, boundary - done)
                sealed.update(chunk[:cut])
                tail += chunk[cut:]
            done += len(chunk)
    # The whole file is the sealed part plus the seal: continue a copy of the same hash
    # instead of hashing every byte twice (half the cost of verifying a package).
    whole = sealed.copy()
    whole.update(tail)
    return FileDigests(sha256=whole.hexdigest(), size=size, sealed_digest=sealed.digest(), seal=tail)


class PackageWriter:
    """Builds a package file. Use as a context manager; call `finish()` to sign and close."""

    def __init__(self, path: Path, *, kind: str, origin: str, **header):
        self.path = Path(path)
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self._tmp = self.path.with_name(f".{self.path.name}.{uuid.uuid4().hex}.part")
        self._zip = zipfile.ZipFile(self._tmp, "w", allowZip64=True)
        self.manifest = {
            "format": FORMAT,
            "format_version": FORMAT_VERSION,
            "application_version": APPLICATION_VERSION,
            "package_id": str(uuid.uuid4()),
            "kind": kind,
            "origin": origin,
            "target": None,
            "center": None,
            "exam_scope": [],
            "created_at": timezone.now().isoformat(),
            "since": None,
            "models": {},
            "files": {},
        }
        self.manifest.update(header)
        self._finished = False

    def __enter__(self):
        return self

    def __exit__(self, exc_type, *exc):
        if not self._finished:
            self._zip.close()
            self._tmp.unlink(missing_ok=True)

    def write_rows(self, label: str, fields: list[str], rows: Iterable[dict]) -> int:
        """Stream rows of one model into data/<label>.jsonl; returns the row count."""
        name = data_name(label)
        info = zipfile.ZipInfo(name, date_time=timezone.now().timetuple()[:6])
        # LZMA: JSON lines shrink to ~55% of deflate's size (and below gzipped `dumpdata`
        # output), and decompress fast. Python's zipfile and 7-Zip read it; Info-ZIP
        # `unzip` lists it but cannot extract it (use `python -m zipfile -e`).
        info.compress_type = zipfile.ZIP_LZMA
        digest = hashlib.sha256()
        count = size = 0
        with self._zip.open(info, "w", force_zip64=True) as out:
            buffer = []
            for row in rows:
                buffer.append(json.dumps(row, separators=(",", ":"), ensure_ascii=False))
                count += 1
                if len(buffer) >= 1000:
                    size += self._flush(out, digest, buffer)
            size += self._flush(out, digest, buffer)
        self.manifest["models"][label] = {"fields": fields}
        self.manifest["files"][name] = {"sha256": digest.hexdigest(), "bytes": size, "rows": count}
        return count

    @staticmethod
    def _flush(out, digest, buffer: list[str]) -> int:
        if not buffer:
            return 0
        blob = ("\n".join(buffer) + "\n").encode()
        buffer.clear()
        digest.update(blob)
        out.write(blob)
        return len(blob)

    def add_media(self, storage_name: str, source: Path) -> bool:
        """Copy one media file in (stored, not deflated: images are compressed already)."""
        name = media_name(storage_name)
        if name in self.manifest["files"] or not safe_storage_name(storage_name):
            return False
        try:
            src = open(source, "rb")  # noqa: SIM115  (closed below)
        except FileNotFoundError:
            return False
        info = zipfile.ZipInfo(name, date_time=timezone.now().timetuple()[:6])
        info.compress_type = zipfile.ZIP_STORED
        digest = hashlib.sha256()
        size = 0
        with src, self._zip.open(info, "w", force_zip64=True) as out:
            while chunk := src.read(CHUNK):
                digest.update(chunk)
                out.write(chunk)
                size += len(chunk)
        self.manifest["files"][name] = {"sha256": digest.hexdigest(), "bytes": size}
        return True

    def finish(self, *, sign: bool = True) -> dict:
        """Write manifest.json (+ manifest.sig), close, move into place. Returns the manifest."""
        self.manifest["file_seal"] = FILE_SIGNATURE if sign else FILE_DIGEST
        body = json.dumps(self.manifest, indent=1, sort_keys=True).encode()
        self._zip.writestr(MANIFEST, body, compress_type=zipfile.ZIP_STORED)
        if sign:
            self._zip.writestr(SIGNATURE, keys.sign(body), compress_type=zipfile.ZIP_STORED)
        # Room for the whole-file seal: the zip comment, the file's last 64 bytes.
        self._zip.comment = bytes(SEAL_BYTES)
        self._zip.close()
        with open(self._tmp, "r+b") as fh:
            digest = hashlib.sha256()
            remaining = os.fstat(fh.fileno()).st_size - SEAL_BYTES
            while remaining > 0:
                chunk = fh.read(min(CHUNK, remaining))
                digest.update(chunk)
                remaining -= len(chunk)
            fh.write(keys.sign(digest.digest()) if sign else digest.hexdigest().encode())
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(self._tmp, self.path)
        self._finished = True
        return self.manifest


@dataclass
class PackageReader:
    """An opened package. `open()` checks the container; `verify()` everything else."""

    path: Path
    zip: zipfile.ZipFile
    manifest: dict
    manifest_bytes: bytes
    signature: bytes | None

    @classmethod
    def open(cls, path: Path) -> "PackageReader":
        path = Path(path)
        try:
            with open(path, "rb") as fh:
                magic = fh.read(4)
        except OSError as exc:
            raise PackageRefused("unreadable", f"Cannot read {path}: {exc.strerror}.") from exc
        if magic != ZIP_MAGIC:
            raise PackageRefused(
                "not_a_package", f"{path.name} is not a sync package (a package is a zip file; this one is not)."
            )
        try:
            with open(path, "rb") as fh:
                check_directory(
                    fh, max_members=settings.MAX_PACKAGE_FILES, what="The package", setting="MAX_PACKAGE_FILES"
                )
            archive = zipfile.ZipFile(path)
        except ArchiveRefused as exc:
            raise _refusal(exc) from exc
        except ZIP_ERRORS as exc:
            raise PackageRefused("damaged", f"The package is truncated or damaged ({exc}).") from exc
        try:
            manifest_bytes, signature = cls._read_header(archive)
        except BaseException:
            archive.close()
            raise
        try:
            manifest = json.loads(manifest_bytes)
            if not isinstance(manifest, dict) or manifest.get("format") != FORMAT:
                raise ValueError("not a manifest of this application")
        except (ValueError, RecursionError) as exc:
            archive.close()
            raise PackageRefused("damaged", f"The manifest is not readable ({exc}).") from exc
        return cls(path=path, zip=archive, manifest=manifest, manifest_bytes=manifest_bytes, signature=signature)

    @staticmethod
    def _read_header(archive: zipfile.ZipFile) -> tuple[bytes, bytes | None]:
        """manifest.json and manifest.sig, after every file's declared size, compression
        ratio and method passed the limits: all from the zip's directory, before any byte
        is unpacked, and then read with bounded reads (a lying header costs one byte)."""
        infos = archive.infolist()
        if len(infos) > settings.MAX_PACKAGE_FILES:
            raise _refusal(
                ArchiveRefused(
                    f"The package holds {len(infos):,} files; the limit is {settings.MAX_PACKAGE_FILES:,} "
                    "(MAX_PACKAGE_FILES)."
                )
            )
        names = {info.filename: info for info in infos}
        if MANIFEST not in names:
            raise PackageRefused("damaged", "The package has no manifest.json.")
        header_limits = {MANIFEST: (manifest_limit(len(infos)), "MAX_PACKAGE_MANIFEST_BYTES + 512 bytes per file")}
        header_limits[SIGNATURE] = (SIGNATURE_LIMIT, "the size of a signature")
        try:
            for info in infos:
                limit, setting = header_limits.get(info.filename, (settings.MAX_PACKAGE_MEMBER_BYTES, None))
                check_declared(
                    info,
                    what="The package",
                    max_bytes=limit,
                    bytes_setting=setting or "MAX_PACKAGE_MEMBER_BYTES",
                    max_ratio=settings.MAX_COMPRESSION_RATIO,
                    ratio_setting="MAX_COMPRESSION_RATIO",
                    methods=MANIFEST_METHODS if info.filename in header_limits else MEMBER_METHODS,
                )
            manifest = read_member(archive, names[MANIFEST], what="The package", limit=header_limits[MANIFEST][0])
            signature = None
            if SIGNATURE in names:
                signature = read_member(archive, names[SIGNATURE], what="The package", limit=SIGNATURE_LIMIT)
        except ArchiveRefused as exc:
            raise _refusal(exc) from exc
        return manifest, signature

    def close(self):
        self.zip.close()

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()

    @property
    def kind(self) -> str:
        return self.manifest.get("kind", "")

    @property
    def origin(self) -> str:
        return self.manifest.get("origin", "")

    def check_versions(self) -> None:
        fmt = self.manifest.get("format_version")
        app = self.manifest.get("application_version")
        if fmt != FORMAT_VERSION or not compatible_version(app):
            raise PackageRefused(
                "incompatible_version",
                f"Incompatible package: format version {fmt}, application version {app}; this node reads "
                f"format version {FORMAT_VERSION}, application version {APPLICATION_VERSION}.",
            )
        if self.kind not in KINDS:
            raise PackageRefused("unknown_kind", f"Unknown package kind {self.kind!r}.")

    def check_signature(self, public_key) -> None:
        if self.signature is None:
            raise PackageRefused(
                "unsigned",
                "The package has no signature (manifest.sig is missing: the file was altered or not signed).",
            )
        if not keys.verify(public_key, self.signature, self.manifest_bytes):
            raise PackageRefused(
                "bad_signature",
                f"The signature does not match: the manifest was altered or not signed by {self.origin}'s trusted key.",
            )

    def check_file_seal(self, public_key=None, *, digests: FileDigests | None = None) -> None:
        """Check the seal over every byte of the file (zip structure included), so that no
        single flipped byte goes unnoticed, even outside the checksummed contents. Signed
        packages need `public_key`; unsigned backups carry a plain SHA-256."""
        seal = self.manifest.get("file_seal")
        if seal not in (FILE_SIGNATURE, FILE_DIGEST) or (seal == FILE_DIGEST and self.signature is not None):
            raise PackageRefused("damaged", "The package has no whole-file seal.")
        digests = digests or file_digests(self.path)
        if seal == FILE_SIGNATURE:
            ok = (
                len(digests.seal) == SEAL_BYTES
                and public_key is not None
                and keys.verify(public_key, digests.seal, digests.sealed_digest)
            )
        else:
            ok = digests.seal == digests.sealed_digest.hex().encode()
        if not ok:
            raise PackageRefused(
                "checksum_mismatch", "The package file was altered: its seal over the whole file does not match."
            )

    def verify_files(self, *, stage_media_to: Path | None = None, media: bool = True, progress=None) -> None:
        """Check every listed file's SHA-256 and size (and that nothing unlisted is inside).

        With `stage_media_to`, media files are extracted there on the way. With
        `media=False` media files are only checked for presence: the caller verified the
        signed whole-file seal, which covers their bytes, and re-checks each file's
        SHA-256 when it extracts it.
        """
        files = self.manifest.get("files", {})
        listed = set(files) | {MANIFEST, SIGNATURE}
        extra = [n for n in self.zip.namelist() if n not in listed]
        if extra:
            raise PackageRefused(
                "damaged", f"The package was altered: it holds files its manifest does not list: {extra[:3]}."
            )
        present = set(self.zip.namelist())
        total = len(files)
        made: set[Path] = set()  # staging folders created already
        for done, (name, meta) in enumerate(sorted(files.items()), start=1):
            if name not in present:
                raise PackageRefused("damaged", f"{name} is missing from the package (truncated?).")
            if not media and name.startswith("media/"):
                continue
            target = None
            if stage_media_to is not None and name.startswith("media/"):
                storage = name[len("media/") :]
                if not safe_storage_name(storage):
                    raise PackageRefused("damaged", f"Unsafe media path {name}.")
                target = stage_media_to / storage
                if target.parent not in made:
                    target.parent.mkdir(parents=True, exist_ok=True)
                    made.add(target.parent)
            digest = hashlib.sha256()
            size = 0
            try:
                with open(target, "wb") if target else _NullWriter() as out:
                    for chunk in self._chunks(name, meta):
                        digest.update(chunk)
                        out.write(chunk)
                        size += len(chunk)
            except ZIP_ERRORS as exc:
                raise PackageRefused("checksum_mismatch", f"{name} is damaged or was altered ({exc}).") from exc
            if digest.hexdigest() != meta.get("sha256") or size != meta.get("bytes"):
                raise PackageRefused("checksum_mismatch", f"Checksum mismatch for {name}: the file was altered.")
            if progress is not None and (done % 500 == 0 or done == total):
                progress(done, total, "verifying")

    def _chunks(self, name: str, meta: dict) -> Iterator[bytes]:
        """One listed file's bytes, refused past the size the manifest and the zip declare."""
        info = self.zip.getinfo(name)
        if info.file_size != meta.get("bytes"):
            raise PackageRefused(
                "checksum_mismatch",
                f"{name} is {info.file_size:,} bytes in the zip but {meta.get('bytes')} in the manifest: the file "
                "was altered.",
            )
        try:
            yield from member_chunks(self.zip, info, what="The package", chunk=CHUNK)
        except ArchiveRefused as exc:
            raise _refusal(exc, damaged="checksum_mismatch") from exc

    def rows(self, label: str, batch_size: int) -> Iterator[list[dict]]:
        """Rows of one model in batches (the file was verified already)."""
        name = data_name(label)
        meta = self.manifest.get("files", {}).get(name)
        if meta is None:
            return
        batch = []
        for line in self._lines(name, meta):
            if line.strip():
                batch.append(json.loads(line))
            if len(batch) >= batch_size:
                yield batch
                batch = []
        if batch:
            yield batch

    def _lines(self, name: str, meta: dict) -> Iterator[bytes]:
        """The lines of a data file, read in bounded chunks; a line over LINE_LIMIT is refused."""
        pending = b""
        for chunk in self._chunks(name, meta):
            lines = (pending + chunk).split(b"\n") if pending else chunk.split(b"\n")
            pending = lines.pop()
            if len(pending) > LINE_LIMIT:
                raise PackageRefused("limit_exceeded", f"{name} has a row longer than {LINE_LIMIT:,} bytes.")
            yield from lines
        if pending:
            yield pending

    def row_count(self, label: str) -> int:
        return self.manifest.get("files", {}).get(data_name(label), {}).get("rows", 0)

    def labels(self) -> list[str]:
        return list(self.manifest.get("models", {}))

    def extract_media(self, storage_name: str, destination: Path) -> None:
        """Copy one media file out, checking its SHA-256 against the manifest again (the
        package file could have changed since it was verified)."""
        name = media_name(storage_name)
        meta = self.manifest.get("files", {}).get(name)
        if meta is None or not safe_storage_name(storage_name):
            raise PackageRefused("damaged", f"{name} is not in the package.")
        digest = hashlib.sha256()
        try:
            with open(destination, "wb") as out:
                for chunk in self._chunks(name, meta):
                    digest.update(chunk)
                    out.write(chunk)
        except ZIP_ERRORS as exc:
            raise PackageRefused("checksum_mismatch", f"{name} is damaged or was altered ({exc}).") from exc
        if digest.hexdigest() != meta.get("sha256"):
            raise PackageRefused("checksum_mismatch", f"Checksum mismatch for {name}: the file was altered.")


class _NullWriter:
    def write(self, chunk):
        return len(chunk)

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        return False
