"""Photos and signatures in bulk: a directory or zip of `ROLLNUMBER.jpg|.png` files.

`ROLLNUMBER_signature.png` (or `_sign`) goes to the signature instead of the photo.
Each file passes the same check as an upload (utils/images.py). Decoding and
re-encoding happen before the write transaction, into a private temporary directory;
inside the transaction the clean files are stored and the candidates updated, and if
the transaction rolls back the stored files are removed again. A file identical to the
candidate's current image changes nothing, so importing the same photos twice is a no-op.
"""

import hashlib
import os
import shutil
import tempfile
import zipfile
import zlib
from dataclasses import dataclass
from pathlib import Path

from django.conf import settings
from django.core.files import File
from django.db import transaction

from apps.candidates.models import Candidate
from apps.candidates.services.reports import ImportFailed
from apps.core.stamping import stamp_instances
from utils.images import ImageRejected, clean_image

IMAGE_EXTENSIONS = {".jpg", ".jpeg", ".png"}
SIGNATURE_SUFFIXES = ("_signature", "_sign", "-signature", "-sign")
CHUNK = 400


@dataclass
class _Prepared:
    roll_number: str
    field: str  # "photo" or "signature"
    path: Path  # the clean copy in our temporary directory
    extension: str
    digest: str
    source_name: str


def _entries(source):
    """(name, reader) for every regular file in a directory or a zip (path or file object)."""
    limit = settings.MAX_IMAGE_UPLOAD_BYTES
    if isinstance(source, str | os.PathLike) and Path(source).is_dir():
        for path in sorted(Path(source).rglob("*")):
            if path.is_file():
                yield path.name, lambda p=path: p.read_bytes() if p.stat().st_size <= limit else b"x" * (limit + 1)
        return
    try:
        archive = zipfile.ZipFile(source)
    except (zipfile.BadZipFile, OSError) as exc:
        raise ImageRejected(f"The photos must be a directory or a zip file ({exc}).") from None
    with archive:
        for info in archive.infolist():
            if info.is_dir() or "__MACOSX/" in info.filename:
                continue
            # Read at most one byte over the limit: the size in a zip header can lie.
            yield Path(info.filename).name, lambda i=info: _read_member(archive, i, limit)


def _read_member(archive: zipfile.ZipFile, info: zipfile.ZipInfo, limit: int) -> bytes:
    if info.compress_type not in (zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED):
        # zipfile unpacks a whole compressed chunk of LZMA or bzip2 at once (kilobytes can
        # hold gigabytes); ordinary zip tools write deflate.
        raise ImageRejected("The file is compressed with an unusual method in the zip; make the zip again (deflate).")
    try:
        with archive.open(info) as member:
            return member.read(limit + 1)
    except (zipfile.BadZipFile, zlib.error, OSError, NotImplementedError, RuntimeError) as exc:
        # Damaged, encrypted or unsupported compression: this file fails, the others go on.
        raise ImageRejected(f"The file cannot be read from the zip ({exc}).") from None


class PhotoSet:
    def __init__(self, report):
        self.report = report
        self.prepared: list[_Prepared] = []
        self.workdir = Path(tempfile.mkdtemp(prefix="candidate-photos-"))
        self.stored: list[tuple[object, str]] = []  # (storage, name) written in the transaction
        self.committed = False

    @classmethod
    def open(cls, source, *, report) -> "PhotoSet":
        photo_set = cls(report)
        try:
            photo_set._prepare(source)
        except ImageRejected as exc:
            report.add_error(0, "photos", str(source), str(exc))
        return photo_set

    def _prepare(self, source) -> None:
        seen: dict[tuple[str, str], str] = {}
        for name, read in _entries(source):
            stem, extension = os.path.splitext(name)
            if name.startswith(".") or extension.lower() not in IMAGE_EXTENSIONS:
                continue
            field = "photo"
            for suffix in SIGNATURE_SUFFIXES:
                if stem.lower().endswith(suffix):
                    stem, field = stem[: -len(suffix)], "signature"
                    break
            roll = stem.strip()
            if (roll, field) in seen:
                self.report.add_error(0, field, name, f"Another file ({seen[roll, field]}) is for the same {field}.")
                continue
            seen[roll, field] = name
            try:
                clean = clean_image(read())
            except ImageRejected as exc:
                self.report.add_error(0, field, name, str(exc))
                continue
            path = self.workdir / f"{len(self.prepared)}{clean.extension}"
            path.write_bytes(clean.content)
            digest = hashlib.sha256(clean.content).hexdigest()
            self.prepared.append(_Prepared(roll, field, path, clean.extension, digest, name))

    def _match(self, exams) -> dict[str, Candidate]:
        rolls = sorted({p.roll_number for p in self.prepared})
        found: dict[str, Candidate] = {}
        exam_ids = [e.pk for e in exams]
        for i in range(0, len(rolls), CHUNK):
            query = Candidate.objects.filter(exam_id__in=exam_ids, roll_number__in=rolls[i : i + CHUNK])
            for candidate in query.only("id", "version", "roll_number", "photo", "signature"):
                found[candidate.roll_number] = candidate
        return found

    def check_matches(self, checker, *, count: bool) -> None:
        """Before writing: every file must name a candidate in the database or in the file.

        `count` (dry run) counts the files that would be stored.
        """
        states = checker.used_states
        found = self._match([state.exam for state in states])
        matched = []
        for item in self.prepared:
            if item.roll_number in found or any(item.roll_number in state.seen_roll for state in states):
                matched.append(item)
                if count:
                    self.report.photos_stored += 1
            else:
                self._unmatched(item)
        self.prepared = matched

    def _unmatched(self, item: _Prepared) -> None:
        self.report.add_error(
            0, item.field, item.source_name, f"No candidate of this exam has the roll number '{item.roll_number}'."
        )

    def attach(self, *, exams, skip_invalid: bool) -> None:
        """Inside the import's transaction: store the files and point the candidates at them."""
        found = self._match(exams)
        changed: dict = {}
        replaced: list[tuple[object, str]] = []
        for item in self.prepared:
            candidate = found.get(item.roll_number)
            if candidate is None:
                self._unmatched(item)
                continue
            current = getattr(candidate, item.field)
            if current.name and _same_file(current, item.digest):
                self.report.photos_unchanged += 1
                continue
            storage = current.storage
            name = current.field.generate_filename(candidate, f"{item.field}{item.extension}")
            with item.path.open("rb") as handle:
                name = storage.save(name, File(handle))
            self.stored.append((storage, name))
            if current.name:
                replaced.append((storage, current.name))
            setattr(candidate, item.field, name)
            changed[candidate.pk] = candidate
            self.report.photos_stored += 1
        if self.report.errors and not skip_invalid:
            raise ImportFailed(self.report)
        if changed:
            objs = list(changed.values())
            fields = ["photo", "signature", *stamp_instances(objs)]
            Candidate.objects.bulk_update(objs, fields, batch_size=CHUNK)

        def on_commit():
            self.committed = True
            for storage, name in replaced:
                storage.delete(name)

        transaction.on_commit(on_commit)

    def discard(self) -> None:
        """Remove the temporary copies, and the stored files unless the import committed."""
        if not self.committed:
            for storage, name in self.stored:
                storage.delete(name)
        self.stored = []
        shutil.rmtree(self.workdir, ignore_errors=True)


def _same_file(current, digest: str) -> bool:
    try:
        with current.storage.open(current.name, "rb") as handle:
            return hashlib.sha256(handle.read()).hexdigest() == digest
    except OSError:
        return False
