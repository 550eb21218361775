"""Staging the media files of an import, so that a kill at any moment leaves every row that
refers to a file with its file.

Files are extracted (and checksummed) into a staging directory next to MEDIA_ROOT during
the transaction, and moved in (a rename each) as the transaction's last step, before it
commits. Killed before the commit, the database rolls back and the files already moved
are merely unreferenced (names are unique per upload; harmless). After the commit every
file is in place. A re-import of the same package restores any media file of an unchanged
row that is missing here or has another size (`heal`). The staging directory is removed
either way; one left by a killed import is removed by a later import after an hour."""

import os
import shutil
import time
import uuid
from collections.abc import Callable
from pathlib import Path

from django.conf import settings

from apps.sync.importing.report import ImportReport
from apps.sync.package import PackageReader

# Test hook: called after every file moved in (tests kill the process there). None in production.
move_hook: Callable[[int], None] | None = None


def _staging_dir() -> Path:
    # Next to MEDIA_ROOT, so moving a file in is a rename on the same file system.
    media_root = Path(settings.MEDIA_ROOT)
    parent = media_root.parent
    parent.mkdir(parents=True, exist_ok=True)
    # Left-overs of a killed import (the database rolled back; these files were never used).
    for stale in parent.glob(f".{media_root.name}-incoming-*"):
        if time.time() - stale.stat().st_mtime > 3600:
            shutil.rmtree(stale, ignore_errors=True)
    staging = parent / f".{media_root.name}-incoming-{uuid.uuid4().hex}"
    staging.mkdir()
    return staging


class MediaStager:
    """Media files of applied rows: extracted (and checksummed) into one flat staging
    directory during the transaction, moved into MEDIA_ROOT by `move_in` on commit."""

    def __init__(self, reader: PackageReader, *, extract: bool, result: ImportReport):
        self.reader = reader
        self.extract = extract
        self.result = result
        self.seconds = 0.0
        # {storage name: size in bytes} of the package's media files
        self.available = {
            name[len("media/") :]: meta.get("bytes")
            for name, meta in reader.manifest.get("files", {}).items()
            if name.startswith("media/")
        }
        self.names: list[str] = []
        self.healed = 0
        self.dir: Path | None = None

    def add(self, name: str) -> None:
        if not name or name not in self.available:
            return
        if self.extract:
            started = time.monotonic()
            if self.dir is None:
                self.dir = _staging_dir()
            self.reader.extract_media(name, self.dir / f"{len(self.names):08d}")
            self.seconds += time.monotonic() - started
        self.names.append(name)

    def heal(self, name: str) -> None:
        """`name` belongs to a row that did not change: stage it again only when the file
        here is missing or its size differs from the package's (a killed earlier import)."""
        if not name or name not in self.available:
            return
        try:
            if os.path.getsize(os.path.join(settings.MEDIA_ROOT, name)) == self.available[name]:
                return
        except OSError:
            pass  # missing
        self.add(name)
        self.healed += 1

    def move_in(self) -> None:
        # os.path and a cache of made folders: 20,000 files move in well under a second.
        media_root = str(settings.MEDIA_ROOT)
        staging = str(self.dir)
        made: set[str] = set()
        started = time.monotonic()
        try:
            for i, name in enumerate(self.names):
                dst = os.path.join(media_root, name)
                folder = os.path.dirname(dst)
                if folder not in made:
                    os.makedirs(folder, exist_ok=True)
                    made.add(folder)
                os.replace(os.path.join(staging, f"{i:08d}"), dst)
                if move_hook is not None:
                    move_hook(i + 1)
        finally:
            self.discard()
            self.result.phases["move"] = round(time.monotonic() - started, 3)

    def discard(self) -> None:
        if self.dir is not None:
            shutil.rmtree(self.dir, ignore_errors=True)
            self.dir = None
