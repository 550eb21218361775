"""Full logical backup and restore of every table plus media, in the package container.

A backup is a package of kind `backup`: every managed model of every installed app
(auth, token blacklist, admin log, sessions, tasks, sync history, M2M tables, ...) as
JSON lines in the database-neutral form of `codec.py`, and every file under
MEDIA_ROOT. Checksummed always; signed when this node has a key.

Content types and permissions are created by `migrate` with ids that depend on the
database and migration order, so they are matched by natural key (app_label, model /
content type, codename) and every foreign key to them is remapped on restore; every
other row keeps its primary key. Restoring therefore works across SQLite and
PostgreSQL. The node's private key (DATA_DIR/keys) is deliberately not in a backup:
copy it separately.
"""

import os
import shutil
import time
import uuid
from dataclasses import dataclass, field
from pathlib import Path

from django.apps import apps
from django.conf import settings
from django.contrib.auth.models import Permission
from django.contrib.contenttypes.models import ContentType
from django.core.management.color import no_style
from django.db import connections, router, transaction

from apps.core.bulk import bulk_insert
from apps.sync import keys
from apps.sync.codec import RowDecoder, encode_row, value_rows
from apps.sync.history import sync_log_write
from apps.sync.models import SyncDirection, TrustedKey
from apps.sync.package import BACKUP, PackageReader, PackageRefused, PackageWriter, file_sha256
from apps.sync.registry import dependency_order
from utils.progress import ProgressCallback, report

BATCH_SIZE = 2000
NATURAL = (ContentType, Permission)


@dataclass
class BackupReport:
    path: Path
    counts: dict[str, int] = field(default_factory=dict)
    media_files: int = 0
    size_bytes: int = 0
    sha256: str = ""
    signed: bool = False
    seconds: float = 0.0


@dataclass
class RestoreReport:
    counts: dict[str, int] = field(default_factory=dict)
    media_files: int = 0
    signature: str = ""
    seconds: float = 0.0


def backup_models() -> list:
    """Every table Django manages, parents before children."""
    found = [
        m
        for m in apps.get_models(include_auto_created=True)
        if m._meta.managed and not m._meta.proxy and not m._meta.swapped
    ]
    return dependency_order(found)


def database_backup(*, output: Path, user=None, progress: ProgressCallback | None = None) -> BackupReport:
    started = time.monotonic()
    models = backup_models()
    result = BackupReport(path=Path(output))
    total = sum(m._base_manager.count() for m in models)
    done = 0
    with PackageWriter(Path(output), kind=BACKUP, origin=settings.NODE_CENTER) as writer:
        for model in models:
            names = [f.attname for f in model._meta.concrete_fields]

            def rows(model=model, names=names):
                nonlocal done
                qs = model._base_manager.order_by(model._meta.pk.attname).values_list(*names)
                for values in qs.iterator(chunk_size=BATCH_SIZE):
                    yield encode_row(names, values)
                    done += 1
                    if done % BATCH_SIZE == 0:
                        report(progress, done, total, model._meta.label)

            result.counts[model._meta.label] = writer.write_rows(model._meta.label, names, rows())
        media_root = Path(settings.MEDIA_ROOT)
        if media_root.is_dir():
            for dirpath, _dirs, files in os.walk(media_root):
                for name in sorted(files):
                    path = Path(dirpath) / name
                    result.media_files += writer.add_media(path.relative_to(media_root).as_posix(), path)
        result.signed = keys.node_key_exists()
        writer.finish(sign=result.signed)
    result.sha256, result.size_bytes = file_sha256(result.path)
    result.seconds = time.monotonic() - started
    report(progress, total, total, "done")
    sync_log_write(
        direction=SyncDirection.BACKUP,
        user=user,
        kind=BACKUP,
        origin=settings.NODE_CENTER,
        file_name=result.path.name,
        sha256=result.sha256,
        size_bytes=result.size_bytes,
        counts={**result.counts, "media files": result.media_files},
        duration_seconds=result.seconds,
    )
    return result


def database_is_empty() -> bool:
    """True when no table holds rows except the ones `migrate` fills itself: content types,
    permissions, and at HQ the trusted row of its own key (apps/sync/firstboot.py)."""
    for model in backup_models():
        if model in NATURAL:
            continue
        rows = model._base_manager.all()
        if model is TrustedKey:
            rows = rows.exclude(node=settings.NODE_CENTER)
        if rows.exists():
            return False
    return True


def database_restore(
    *, path: Path, force: bool = False, user=None, progress: ProgressCallback | None = None
) -> RestoreReport:
    """Replace the database's rows and MEDIA_ROOT's files with the backup's.

    Verifies every checksum (and the signature when a key for its origin is known)
    before touching anything. Refuses a non-empty database unless `force`. One
    transaction; the media folder is swapped in on commit (the old one is kept next
    to it as `.media-before-restore-<time>`).
    """
    started = time.monotonic()
    result = RestoreReport()
    reader = PackageReader.open(Path(path))
    staging = None
    try:
        reader.check_versions()
        if reader.kind != BACKUP:
            raise PackageRefused("wrong_kind", f"This is a {reader.kind}, not a backup: use import_center_data.")
        empty = database_is_empty()
        result.signature = _check_backup_signature(reader, new_node=empty)
        if not force and not empty:
            raise PackageRefused(
                "not_empty", "The database is not empty: restoring would replace its data. Use --force to do so."
            )
        local = {m._meta.label: m for m in backup_models()}
        unknown = [label for label in reader.labels() if label not in local]
        if unknown:
            raise PackageRefused("incompatible_schema", f"The backup holds tables this node does not have: {unknown}.")
        for label in reader.labels():
            try:
                RowDecoder(local[label], reader.manifest["models"][label]["fields"])
            except KeyError as exc:
                raise PackageRefused(
                    "incompatible_schema", f"{label} in the backup has columns this node does not know: {exc}."
                ) from exc
        media_root = Path(settings.MEDIA_ROOT)
        media_root.parent.mkdir(parents=True, exist_ok=True)
        staging = media_root.parent / f".{media_root.name}-restore-{uuid.uuid4().hex}"
        staging.mkdir()
        reader.verify_files(stage_media_to=staging, progress=progress)
        verified = result.signature == f"signature of {reader.origin} verified"
        if reader.signature is None or verified:
            reader.check_file_seal(_backup_public_key(reader) if verified else None)
        result.media_files = sum(1 for n in reader.manifest["files"] if n.startswith("media/"))

        using = router.db_for_write(ContentType)
        connection = connections[using]
        total = sum(reader.row_count(label) for label in reader.labels())
        with transaction.atomic(using=using, durable=True):
            # Content types and permissions are matched, not inserted, but they are rows
            # of the backup all the same: counted like every other table, so the summary
            # reports what the backup's summary reported, and the progress bar ends at 100%.
            ct_map = _restore_content_types(reader, using)
            perm_map = _restore_permissions(reader, ct_map, using)
            result.counts[ContentType._meta.label] = len(ct_map)
            result.counts[Permission._meta.label] = len(perm_map)
            done = len(ct_map) + len(perm_map)
            report(progress, done, total, Permission._meta.label)
            ordinary = [m for m in backup_models() if m not in NATURAL]
            # Plain DELETEs (no cascade collection, no signals): every table is emptied
            # anyway, and foreign keys are checked at commit (deferred on both backends).
            for model in reversed(ordinary):
                model._base_manager.using(using).all()._raw_delete(using)
            for model in ordinary:
                label = model._meta.label
                if label not in reader.labels():
                    continue
                remap = _remappers(model, ct_map, perm_map)
                fields = list(model._meta.concrete_fields)  # a field the backup lacks takes its default
                count = 0
                for batch in reader.rows(label, BATCH_SIZE):
                    objs = []
                    for row in batch:
                        for attname, mapping in remap:
                            if row.get(attname) is not None:
                                row[attname] = mapping[row[attname]]
                        objs.append(row)  # JSON form: bulk_insert prepares it
                    bulk_insert(model, fields, value_rows(fields, objs), using=using)
                    count += len(objs)
                    done += len(objs)
                    report(progress, done, total, label)
                result.counts[label] = count
            statements = connection.ops.sequence_reset_sql(no_style(), ordinary)
            if statements:
                with connection.cursor() as cursor:
                    for sql in statements:
                        cursor.execute(sql)
            swap, staging = staging, None
            transaction.on_commit(lambda: _swap_media(swap), using=using)
        report(progress, total, total, "done")
    finally:
        reader.close()
        if staging is not None:
            shutil.rmtree(staging, ignore_errors=True)
    result.seconds = time.monotonic() - started
    sync_log_write(
        direction=SyncDirection.RESTORE,
        user=None,
        kind=BACKUP,
        origin=reader.origin,
        package_id=reader.manifest.get("package_id", ""),
        file_name=Path(path).name,
        sha256=file_sha256(Path(path))[0],
        size_bytes=Path(path).stat().st_size,
        counts={**result.counts, "media files": result.media_files},
        duration_seconds=result.seconds,
        message=result.signature,
    )
    return result


def _backup_public_key(reader: PackageReader):
    if reader.origin == settings.NODE_CENTER:
        return keys.node_private_key().public_key()
    if reader.origin == "HQ":
        return keys.hq_public_key()
    return keys.trusted_public_key(reader.origin)


def _check_backup_signature(reader: PackageReader, *, new_node: bool = False) -> str:
    """Verify the signature when we hold a key for its origin; say what was checked.

    `new_node`: the database is empty. A node restoring its own backup on a new machine
    has the key `migrate` just created there, not the one that signed the backup; with
    nothing to protect yet, that is said (and the checksums still verified), not refused.
    On a node with data (--force) a signature that does not match is refused.
    """
    if reader.signature is None:
        return "unsigned backup (checksums verified)"
    try:
        public_key = _backup_public_key(reader)
    except keys.KeyMissing:
        return f"signature of {reader.origin} not checked: no key for it on this node (checksums verified)"
    try:
        reader.check_signature(public_key)
    except PackageRefused:
        if not (new_node and reader.origin == settings.NODE_CENTER):
            raise
        return (
            f"signature of {reader.origin} not checked, checksums verified: this new node's key is not the one "
            "that signed the backup (copy DATA_DIR/keys from the node that wrote it to keep that key)"
        )
    return f"signature of {reader.origin} verified"


def _restore_content_types(reader: PackageReader, using: str) -> dict:
    mapping = {}
    for batch in reader.rows(ContentType._meta.label, BATCH_SIZE):
        for row in batch:
            ct, _ = ContentType.objects.db_manager(using).get_or_create(app_label=row["app_label"], model=row["model"])
            mapping[row["id"]] = ct.pk
    return mapping


def _restore_permissions(reader: PackageReader, ct_map: dict, using: str) -> dict:
    mapping = {}
    for batch in reader.rows(Permission._meta.label, BATCH_SIZE):
        for row in batch:
            perm, _ = Permission.objects.db_manager(using).get_or_create(
                content_type_id=ct_map[row["content_type_id"]],
                codename=row["codename"],
                defaults={"name": row["name"]},
            )
            mapping[row["id"]] = perm.pk
    return mapping


def _remappers(model, ct_map: dict, perm_map: dict) -> list[tuple[str, dict]]:
    out = []
    for f in model._meta.concrete_fields:
        if f.is_relation and f.related_model is ContentType:
            out.append((f.attname, ct_map))
        elif f.is_relation and f.related_model is Permission:
            out.append((f.attname, perm_map))
    return out


def _swap_media(staging: Path) -> None:
    media_root = Path(settings.MEDIA_ROOT)
    if media_root.exists():
        # Unique even for two restores in the same second (the second would fail after commit).
        kept = f".{media_root.name}-before-restore-{int(time.time())}-{uuid.uuid4().hex[:8]}"
        os.replace(media_root, media_root.parent / kept)
    os.replace(staging, media_root)
