"""Importing a package: all checks first, then one transaction (docs/sync.md).

Order of work, each step in its own module of `apps/sync/importing/`:

1. Refuse before touching anything (`verify`): not a zip / truncated, unknown format or
   incompatible application version, origin not trusted, bad manifest signature, wrong
   kind or addressee for this node, unknown models/fields, the signed seal over every
   byte of the file, each data file's SHA-256.
2. Apply in one durable transaction, model by model in dependency order, in batches of
   BATCH_SIZE (`rows`), then the deletions (`tombstones`). Every row is applied,
   unchanged or a conflict with a reason (`report`).
3. Media files of applied rows only are extracted to a staging directory and move into
   MEDIA_ROOT on commit (`staging`); the staging directory is removed either way. A
   killed process leaves the database as before (SQLite/PostgreSQL roll the open
   transaction back) and no media moved.

Every import, refused or not, is written to the sync history.
"""

import time
from collections.abc import Callable
from pathlib import Path

from django.db import connections, router, transaction

from apps.core.models import Tombstone
from apps.sync import nodes, registry
from apps.sync.codec import RowDecoder
from apps.sync.exporter import TOMBSTONE_LABEL
from apps.sync.importing.report import (
    BOTH_EDITED,
    DELETED_HERE,
    NOT_OWNER,
    OLDER,
    STILL_REFERENCED,
    UNIQUE,
    UNKNOWN_REFERENCE,
    ImportReport,
    ModelCounts,
    log_import,
    log_refusal,
)
from apps.sync.importing.rows import apply_batch
from apps.sync.importing.staging import MediaStager
from apps.sync.importing.tombstones import apply_tombstones
from apps.sync.importing.verify import package_verify, package_verify_contents
from apps.sync.package import PackageReader, PackageRefused, file_digests
from utils.progress import ProgressCallback, report

__all__ = [
    "BATCH_SIZE",
    "BOTH_EDITED",
    "DELETED_HERE",
    "IMPORT_LOCK_ID",
    "NOT_OWNER",
    "OLDER",
    "STILL_REFERENCED",
    "UNIQUE",
    "UNKNOWN_REFERENCE",
    "ImportReport",
    "ModelCounts",
    "batch_hook",
    "package_check",
    "package_import",
    "package_verify",
]

BATCH_SIZE = 1000
IMPORT_LOCK_ID = 4_551_100_004  # pg_advisory_xact_lock key of package imports

# Test hook: called after every applied batch, inside the transaction (tests use it to
# kill a process mid-import). Always None in production.
batch_hook: Callable[[str, int], None] | None = None


def package_check(*, path: Path, user=None, allowed_target: str | None = None, file_name: str | None = None) -> None:
    """The quick checks of `package_import` (the API runs them before it starts a job):
    container, versions, manifest signature, addressing (`allowed_target`), schema. No
    file contents are read, so the SHA-256 of a refused file is not logged.

    Raises PackageRefused (logged like `package_import`'s refusals).
    """
    path = Path(path)
    try:
        package_verify(path, allowed_target=allowed_target).close()
    except PackageRefused as exc:
        size = path.stat().st_size if path.is_file() else 0
        log_refusal(exc, user=user, file_name=file_name or path.name, sha256="", size=size)
        raise


def package_import(
    *,
    path: Path,
    user=None,
    dry_run: bool = False,
    allowed_target: str | None = None,
    progress: ProgressCallback | None = None,
    file_name: str | None = None,
) -> ImportReport:
    """Verify the package at `path`, then apply it atomically. Returns the report.

    Raises PackageRefused (nothing changed; the refusal is logged). With `dry_run` the
    same work runs and is rolled back, so the report says exactly what would change.
    `file_name` is the name written to the sync log (default: the file's own name; the
    API passes the uploaded file's name).
    """
    started = time.monotonic()
    path = Path(path)
    file_name = file_name or path.name
    # One pass over the file: its SHA-256 for the log and the digest the seal signs.
    digest_started = time.monotonic()
    digests = file_digests(path) if path.is_file() else None
    digest_seconds = time.monotonic() - digest_started
    sha256, size = (digests.sha256, digests.size) if digests else ("", 0)
    stager = None

    def refused(exc: PackageRefused, **about) -> None:
        log_refusal(exc, user=user, file_name=file_name, sha256=sha256, size=size, **about)

    try:
        reader = package_verify(path, allowed_target=allowed_target)
    except PackageRefused as exc:
        refused(exc)
        raise
    m = reader.manifest
    result = ImportReport(
        package_id=m.get("package_id", ""),
        kind=reader.kind,
        origin=reader.origin,
        target=m.get("target"),
        center=m.get("center"),
        dry_run=dry_run,
        sha256=sha256,
        size_bytes=size,
    )
    try:
        try:
            phase = time.monotonic()
            package_verify_contents(reader, digests=digests, progress=progress)
            result.phases["verify"] = round(time.monotonic() - phase + digest_seconds, 3)
        except PackageRefused as exc:
            refused(
                exc,
                kind=reader.kind,
                package_id=result.package_id,
                origin=reader.origin,
                target=result.target or "",
                center=result.center or "",
            )
            raise
        stager = MediaStager(reader, extract=not dry_run, result=result)
        using = router.db_for_write(Tombstone)
        with transaction.atomic(using=using, durable=True):
            phase = time.monotonic()
            _apply(reader, result, stager, using, progress)
            result.phases["rows"] = round(time.monotonic() - phase - stager.seconds, 3)
            result.phases["media"] = round(stager.seconds, 3)
            if dry_run:
                transaction.set_rollback(True, using=using)
            else:
                # The last step before the commit: a kill from here on leaves at most
                # unreferenced files (see importing/staging.py), never a row without its file.
                stager.move_in()
        result.media_files = len(stager.names)
        result.media_restored = stager.healed
    finally:
        reader.close()
        if stager is not None:  # refused, dry run or rolled back: nothing moves in
            stager.discard()
    result.seconds = time.monotonic() - started
    log_import(result, user=user, file_name=file_name)
    return result


def _apply(reader: PackageReader, result: ImportReport, stager: MediaStager, using: str, progress) -> None:
    """Every row of the package, model by model in dependency order and batch by batch,
    staging the media files of applied rows; then the deletions."""
    _lock_imports(using)
    sender = reader.origin
    sender_center_id = None
    if sender != "HQ":
        sender_center_id = nodes.center_id_for_code(sender, using=using)
    in_package = set(reader.labels())
    total = sum(reader.row_count(label) for label in in_package)
    done = 0
    for spec in registry.specs():
        if spec.label not in in_package:
            continue
        names = reader.manifest["models"][spec.label]["fields"]
        decoder = RowDecoder(spec.model, names)
        counts = result.counts(spec.label)
        media_attnames = [spec.model._meta.get_field(f).attname for f in spec.media]
        for batch in reader.rows(spec.label, BATCH_SIZE):
            apply_batch(
                spec, batch, names, decoder, sender, sender_center_id, result, using, media_available=stager.available
            )
            for row in batch:
                if row.get("__applied__"):
                    for attname in media_attnames:
                        stager.add(row.get(attname))
                elif row.get("__unchanged__"):
                    for attname in media_attnames:
                        stager.heal(row.get(attname))
            done += len(batch)
            report(progress, done, total, spec.label)
            if batch_hook is not None:
                batch_hook(spec.label, done)
        counts.applied = counts.created + counts.updated
    if TOMBSTONE_LABEL in in_package:
        for batch in reader.rows(TOMBSTONE_LABEL, BATCH_SIZE):
            apply_tombstones(batch, sender, sender_center_id, result, using)
            done += len(batch)
            report(progress, done, total, "deletions")


def _lock_imports(using: str) -> None:
    connection = connections[using]
    if connection.vendor == "postgresql":
        # One import at a time (backend-guarded raw SQL): two concurrent imports of
        # overlapping packages would otherwise race into uniqueness conflicts. SQLite
        # serializes writers already (IMMEDIATE transactions).
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_xact_lock(%s)", [IMPORT_LOCK_ID])
