"""Verifying and applying a package: all checks first, then one transaction.

Order of work (docs/architecture.md, docs/sync.md):

1. Refuse before touching anything: not a zip / truncated, unknown format or
   incompatible application version, origin not trusted, bad manifest signature,
   wrong kind or addressee for this node, unknown models/fields, the signed seal over
   every byte of the file, each data file's SHA-256 (and, when the seal fails, every
   file's, to name the damaged one). The seal covers the media bytes; each media
   file's own SHA-256 is checked again as it is extracted.
2. Apply in one durable transaction, model by model in dependency order, in batches:
   the existing (id, version, origin) of a batch are loaded with one query, new rows
   are inserted in bulk, newer rows updated in bulk with explicit fields. A row is
   applied only when the sender owns it and its version is newer; every other row is
   "unchanged" (same version, same content) or a conflict with a reason.
3. Media files of applied rows only are extracted to a flat staging directory and
   move into MEDIA_ROOT on commit; the staging directory is removed either way. A
   killed process leaves the database as before (SQLite/PostgreSQL roll the open
   transaction back) and no media moved.
"""

import os
import shutil
import time
import uuid
from collections import defaultdict
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from pathlib import Path

from django.conf import settings
from django.db import IntegrityError, connections, models, router, transaction
from django.db.models import ProtectedError

from apps.core.bulk import bulk_insert
from apps.core.models import Tombstone
from apps.sync import keys, nodes, registry
from apps.sync.codec import RowDecoder, encode_value, value_rows
from apps.sync.exporter import TOMBSTONE_LABEL
from apps.sync.history import sync_log_write
from apps.sync.models import SyncDirection, SyncStatus
from apps.sync.package import CENTER_PACKAGE, RESULTS_PACKAGE, PackageReader, PackageRefused, file_digests
from apps.sync.registry import HQ, SyncSpec
from utils.progress import ProgressCallback, report

BATCH_SIZE = 1000
IMPORT_LOCK_ID = 4_551_100_004  # pg_advisory_xact_lock key of package imports
# Fields that differ between two copies of the same row version without meaning a change.
_NOISE = {"created_at", "updated_at", "origin", "last_login"}

# Test hook: called after every applied batch, inside the transaction (tests use it to
# kill a process mid-import). Always None in production.
batch_hook: Callable[[str, int], None] | None = None

# Reasons a row is not applied (also the `reason` codes in reports and the log).
NOT_OWNER = "not owner"
OLDER = "older version"
BOTH_EDITED = "same version edited on both sides"
UNKNOWN_REFERENCE = "unknown reference"
DELETED_HERE = "deleted here"
UNIQUE = "violates a uniqueness rule"
STILL_REFERENCED = "still referenced"


@dataclass
class ModelCounts:
    applied: int = 0
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    conflicts: int = 0
    deleted: int = 0


@dataclass
class ImportReport:
    package_id: str
    kind: str
    origin: str
    target: str | None
    center: str | None
    dry_run: bool
    sha256: str
    size_bytes: int
    models: dict[str, ModelCounts] = field(default_factory=dict)
    conflicts: list[dict] = field(default_factory=list)
    conflict_count: int = 0
    media_files: int = 0
    seconds: float = 0.0
    # Where the time went: verify (checksums, signature), rows, media (extract), move (on commit).
    phases: dict[str, float] = field(default_factory=dict)

    def counts(self, label: str) -> ModelCounts:
        return self.models.setdefault(label, ModelCounts())

    def conflict(self, label: str, object_id, reason: str, detail: str = "") -> None:
        self.counts(label).conflicts += 1
        self.conflict_count += 1
        if len(self.conflicts) < 10_000:
            self.conflicts.append({"model": label, "id": str(object_id), "reason": reason, "detail": detail})

    def as_dict(self) -> dict:
        data = asdict(self)
        data["models"] = {k: asdict(v) for k, v in self.models.items()}
        return data


def package_verify(path: Path, *, allowed_target: str | None = None) -> PackageReader:
    """Open `path` and run every check that needs no file contents. Raises PackageRefused.

    `allowed_target`: a center code the caller is limited to (a center manager through
    the API may only import packages addressed to its center).
    """
    reader = PackageReader.open(path)
    try:
        reader.check_versions()
        reader.check_signature(_public_key(reader))
        _check_addressing(reader, allowed_target)
        _check_schema(reader)
    except BaseException:
        reader.close()
        raise
    return reader


def _public_key(reader: PackageReader):
    """The key that must have signed the package: the origin's trusted key."""
    try:
        if reader.origin == settings.NODE_CENTER:  # our own package coming back
            return keys.node_private_key().public_key()
        if reader.origin == "HQ":
            return keys.hq_public_key()
        return keys.trusted_public_key(reader.origin)
    except keys.KeyMissing as exc:
        raise PackageRefused(
            "untrusted_key",
            f"The package comes from {reader.origin}, whose public key this node does not trust. {exc}",
        ) from exc


def _check_addressing(reader: PackageReader, allowed_target: str | None) -> None:
    node = settings.NODE_CENTER
    m = reader.manifest
    if reader.kind == CENTER_PACKAGE:
        if reader.origin != "HQ":
            raise PackageRefused(
                "wrong_origin", f"A center package must come from HQ; this one is from {reader.origin}."
            )
        if m.get("center") != node:
            raise PackageRefused(
                "wrong_center",
                f"This package is for center {m.get('center')}; this node is {_node_name(node)}.",
            )
    elif reader.kind == RESULTS_PACKAGE:
        if reader.origin == "HQ" or reader.origin != m.get("center"):
            raise PackageRefused("wrong_origin", "A results package must be written by its own center's node.")
        if m.get("target") not in (None, node):
            raise PackageRefused(
                "wrong_center", f"This results package is addressed to {m.get('target')}; this node is {node}."
            )
    else:
        raise PackageRefused("wrong_kind", f"A {reader.kind} cannot be imported; use restore_database for backups.")
    if allowed_target is not None and m.get("target") != allowed_target:
        raise PackageRefused("not_your_center", f"You may only import packages addressed to center {allowed_target}.")


def _node_name(node: str) -> str:
    return "HQ" if node == "HQ" else f"center {node}"


def _check_schema(reader: PackageReader) -> None:
    for label, meta in reader.manifest.get("models", {}).items():
        if label == TOMBSTONE_LABEL:
            continue
        spec = registry.get(label)
        if spec is None:
            raise PackageRefused("incompatible_schema", f"The package carries {label}, which this node does not sync.")
        local = {f.attname for f in spec.fields()}
        unknown = sorted(set(meta.get("fields", [])) - local)
        if unknown:
            raise PackageRefused(
                "incompatible_schema", f"{label} in the package has fields this node does not know: {unknown}."
            )


def _log_refusal(exc: PackageRefused, *, user, file_name: str, sha256: str, size: int, **about) -> None:
    sync_log_write(
        direction=SyncDirection.IMPORT,
        user=user,
        status=SyncStatus.REFUSED,
        message=exc.message,
        file_name=file_name,
        sha256=sha256,
        size_bytes=size,
        **about,
    )


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
        _log_refusal(exc, user=user, file_name=file_name or path.name, sha256="", size=size)
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

    def log_refusal(exc: PackageRefused, **about) -> None:
        _log_refusal(exc, user=user, file_name=file_name, sha256=sha256, size=size, **about)

    try:
        reader = package_verify(path, allowed_target=allowed_target)
    except PackageRefused as exc:
        log_refusal(exc)
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
            try:
                reader.check_file_seal(_public_key(reader), digests=digests)
            except PackageRefused:
                reader.verify_files(progress=progress)  # names the damaged file, if one is
                raise
            # The signed seal covers every byte; the data files are checked one by one
            # too, media files again as they are extracted (MediaStager).
            reader.verify_files(media=False, progress=progress)
            result.phases["verify"] = round(time.monotonic() - phase + digest_seconds, 3)
        except PackageRefused as exc:
            log_refusal(
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
                # The callback owns the staged files from here (it removes the directory).
                moving, stager = stager, None
                transaction.on_commit(moving.move_in, using=using)
        result.media_files = len(moving.names) if not dry_run else len(stager.names)
    finally:
        reader.close()
        if stager is not None:  # refused, dry run or rolled back: nothing moves in
            stager.discard()
    result.seconds = time.monotonic() - started
    sync_log_write(
        direction=SyncDirection.IMPORT,
        user=user,
        status=SyncStatus.DRY_RUN if dry_run else SyncStatus.OK,
        kind=result.kind,
        package_id=result.package_id,
        origin=result.origin,
        target=result.target or "",
        center=result.center or "",
        file_name=file_name,
        sha256=sha256,
        size_bytes=size,
        counts={k: asdict(v) for k, v in result.models.items()},
        conflicts=result.conflicts,
        conflict_count=result.conflict_count,
        duration_seconds=result.seconds,
    )
    return result


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
        self.available = {n[len("media/") :] for n in reader.manifest.get("files", {}) if n.startswith("media/")}
        self.names: list[str] = []
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
        finally:
            self.discard()
            self.result.phases["move"] = round(time.monotonic() - started, 3)

    def discard(self) -> None:
        if self.dir is not None:
            shutil.rmtree(self.dir, ignore_errors=True)
            self.dir = None


# --- applying -------------------------------------------------------------------------


def _apply(reader: PackageReader, result: ImportReport, stager: MediaStager, using: str, progress) -> None:
    connection = connections[using]
    if connection.vendor == "postgresql":
        # One import at a time (backend-guarded raw SQL): two concurrent imports of
        # overlapping packages would otherwise race into uniqueness conflicts. SQLite
        # serializes writers already (IMMEDIATE transactions).
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_xact_lock(%s)", [IMPORT_LOCK_ID])
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
            _apply_batch(spec, batch, names, decoder, sender, sender_center_id, result, using)
            for row in batch:
                if row.get("__applied__"):
                    for attname in media_attnames:
                        stager.add(row.get(attname))
            done += len(batch)
            report(progress, done, total, spec.label)
            if batch_hook is not None:
                batch_hook(spec.label, done)
        counts.applied = counts.created + counts.updated
    if TOMBSTONE_LABEL in in_package:
        for batch in reader.rows(TOMBSTONE_LABEL, BATCH_SIZE):
            _apply_tombstones(batch, sender, sender_center_id, result, using)
            done += len(batch)
            report(progress, done, total, "deletions")


def _owner_ok(spec: SyncSpec, sender: str) -> bool:
    return sender == "HQ" if spec.owner == HQ else sender != "HQ"


def _row_centers(spec: SyncSpec, rows: list[dict], using: str) -> dict:
    """{row id: id of the center the row belongs to} through spec.center_path."""
    model = spec.model
    pk_name = model._meta.pk.attname
    parts = spec.center_path.split("__")
    if parts == ["pk"] or parts == ["id"]:
        return {r[pk_name]: r[pk_name] for r in rows}
    first = model._meta.get_field(parts[0])
    value_of = {r[pk_name]: r.get(first.attname) for r in rows}
    rest = parts[1:]
    if not first.is_relation or not rest or rest in (["id"], ["pk"]):
        return value_of
    related = first.related_model
    refs = {v for v in value_of.values() if v is not None}
    lookup = dict(
        related._base_manager.using(using).filter(pk__in=refs).values_list("pk", "__".join(rest)) if refs else []
    )
    lookup = {str(k): v for k, v in lookup.items()}
    return {pk: lookup.get(str(v)) if v is not None else None for pk, v in value_of.items()}


def _missing_references(spec: SyncSpec, rows: list[dict], batch_ids: set, using: str) -> dict:
    """{row id: "field=value"} for rows whose foreign keys point at nothing here."""
    missing = {}
    pk_name = spec.model._meta.pk.attname
    for f in spec.fields():
        if not f.is_relation or f.related_model is None:
            continue
        values = {r.get(f.attname) for r in rows} - {None}
        if not values:
            continue
        target_field = f.target_field
        found = {
            str(v)
            for v in f.related_model._base_manager.using(using)
            .filter(**{f"{target_field.attname}__in": [target_field.to_python(v) for v in values]})
            .values_list(target_field.attname, flat=True)
        }
        if f.related_model is spec.model:
            found |= {str(i) for i in batch_ids}
        for r in rows:
            v = r.get(f.attname)
            if v is not None and str(v) not in found:
                missing.setdefault(r[pk_name], f"{f.name}={v}")
    return missing


def _apply_batch(spec, rows, names, decoder, sender, sender_center_id, result: ImportReport, using) -> None:
    model = spec.model
    label = spec.label
    counts = result.counts(label)
    pk_name = model._meta.pk.attname
    pk_field = model._meta.pk
    ids = [pk_field.to_python(r[pk_name]) for r in rows]
    existing = {
        str(pk): (version, origin)
        for pk, version, origin in model._base_manager.using(using)
        .filter(pk__in=ids)
        .values_list("pk", "version", "origin")
    }
    tombstoned = {
        str(object_id): version
        for object_id, version in Tombstone.objects.using(using)
        .filter(model=label, object_id__in=ids)
        .values_list("object_id", "version")
    }
    owner_ok = _owner_ok(spec, sender)
    centers = _row_centers(spec, rows, using) if owner_ok and spec.owner != HQ else {}

    to_create, to_update, same_version_other_origin = [], [], []
    for row in rows:
        rid = str(row[pk_name])
        version = int(row.get("version") or 0)
        if not owner_ok:
            result.conflict(label, rid, NOT_OWNER, f"{label} is owned by {spec.owner}; the package is from {sender}")
            continue
        if spec.owner != HQ:
            row_center = centers.get(row[pk_name])
            if sender_center_id is None or row_center is None or str(row_center) != str(sender_center_id):
                result.conflict(label, rid, NOT_OWNER, f"the row belongs to another center than {sender}")
                continue
        if rid in tombstoned and tombstoned[rid] >= version:
            result.conflict(label, rid, DELETED_HERE, f"deleted here at version {tombstoned[rid]}")
            continue
        here = existing.get(rid)
        if here is None:
            to_create.append(row)
        elif version > here[0]:
            to_update.append(row)
        elif version == here[0]:
            if here[1] == row.get("origin"):
                counts.unchanged += 1
            else:
                same_version_other_origin.append(row)
        else:
            result.conflict(label, rid, OLDER, f"package version {version}, here {here[0]}")

    if same_version_other_origin:
        _compare_same_version(spec, same_version_other_origin, names, result, using)

    candidates = to_create + to_update
    if candidates:
        missing = _missing_references(spec, candidates, {r[pk_name] for r in candidates}, using)
        if missing:
            for row in candidates:
                if row[pk_name] in missing:
                    result.conflict(label, row[pk_name], UNKNOWN_REFERENCE, missing[row[pk_name]])
            to_create = [r for r in to_create if r[pk_name] not in missing]
            to_update = [r for r in to_update if r[pk_name] not in missing]

    if to_create:
        created = _insert(model, to_create, using, result, label)  # JSON form: prepared field by field
        counts.created += len(created)
        _mark_applied(to_create, created, pk_name)
    if to_update:
        update_fields = [f.name for f in decoder.fields if not f.primary_key]
        updated = _update(model, [decoder.instance(r) for r in to_update], update_fields, using, result, label)
        counts.updated += len(updated)
        _mark_applied(to_update, updated, pk_name)


def _mark_applied(rows, applied_ids: set, pk_name: str) -> None:
    for row in rows:
        if str(row[pk_name]) in applied_ids:
            row["__applied__"] = True


def _compare_same_version(spec, rows, names, result, using) -> None:
    """Same version written by different nodes: unchanged if the content is equal."""
    model = spec.model
    pk_name = model._meta.pk.attname
    compare = [pk_name] + [n for n in names if n not in _NOISE and n != pk_name]
    local = {
        str(values[0]): values
        for values in model._base_manager.using(using).filter(pk__in=[r[pk_name] for r in rows]).values_list(*compare)
    }
    counts = result.counts(spec.label)
    for row in rows:
        values = local.get(str(row[pk_name]))
        theirs = [row.get(n) for n in compare]
        ours = [encode_value(v) for v in values] if values else None
        if ours is not None and _same(ours, theirs):
            counts.unchanged += 1
        else:
            result.conflict(spec.label, row[pk_name], BOTH_EDITED, f"version {row.get('version')}")


def _same(ours: list, theirs: list) -> bool:
    return all(not (a != b and str(a) != str(b)) for a, b in zip(ours, theirs, strict=True))


def _insert(model, rows: list[dict], using, result, label) -> set[str]:
    """Bulk insert keeping every value as sent (created_at/updated_at included).

    On a uniqueness clash the batch falls back to one savepoint per row, so the
    offending rows become conflicts and the rest apply.
    """
    fields = list(model._meta.concrete_fields)
    pk = model._meta.pk.attname
    try:
        with transaction.atomic(using=using):
            bulk_insert(model, fields, value_rows(fields, rows), using=using)
        return {str(r[pk]) for r in rows}
    except IntegrityError:
        pass
    done = set()
    for row in rows:
        try:
            with transaction.atomic(using=using):
                bulk_insert(model, fields, value_rows(fields, [row]), using=using)
            done.add(str(row[pk]))
        except IntegrityError as exc:
            result.conflict(label, row[pk], UNIQUE, str(exc)[:200])
    return done


def _update(model, objs, field_names, using, result, label) -> set[str]:
    try:
        with transaction.atomic(using=using):
            model._base_manager.using(using).bulk_update(objs, field_names, batch_size=500)
        return {str(o.pk) for o in objs}
    except IntegrityError:
        pass
    done = set()
    for obj in objs:
        try:
            with transaction.atomic(using=using):
                model._base_manager.using(using).bulk_update([obj], field_names)
            done.add(str(obj.pk))
        except IntegrityError as exc:
            result.conflict(label, obj.pk, UNIQUE, str(exc)[:200])
    return done


def _apply_tombstones(rows, sender, sender_center_id, result: ImportReport, using) -> None:
    by_model = defaultdict(list)
    for row in rows:
        by_model[row["model"]].append(row)
    for label, group in by_model.items():
        spec = registry.get(label)
        if spec is None:
            for row in group:
                result.conflict(TOMBSTONE_LABEL, row["object_id"], "unknown model", label)
            continue
        counts = result.counts(label)
        model = spec.model
        ids = [uuid.UUID(r["object_id"]) for r in group]
        local = {
            str(pk): (version, pk)
            for pk, version in model._base_manager.using(using).filter(pk__in=ids).values_list("pk", "version")
        }
        stones = {
            str(object_id): version
            for object_id, version in Tombstone.objects.using(using)
            .filter(model=label, object_id__in=ids)
            .values_list("object_id", "version")
        }
        centers = {}
        if spec.owner != HQ and local:
            locals_as_rows = list(
                model._base_manager.using(using)
                .filter(pk__in=[v[1] for v in local.values()])
                .values(*{f.attname for f in spec.fields()})
            )
            centers = {str(k): v for k, v in _row_centers(spec, locals_as_rows, using).items()}
        for row in group:
            oid, version = row["object_id"], int(row["version"])
            if not _owner_ok(spec, sender) or (
                spec.owner != HQ and oid in local and str(centers.get(oid)) != str(sender_center_id)
            ):
                result.conflict(label, oid, NOT_OWNER, f"deletion from {sender}")
                continue
            if oid in stones and stones[oid] >= version:
                counts.unchanged += 1
                continue
            if oid in local:
                if local[oid][0] >= version:
                    result.conflict(label, oid, OLDER, f"deletion of version {version - 1}, here {local[oid][0]}")
                    continue
                try:
                    with transaction.atomic(using=using):
                        model._base_manager.using(using).filter(pk=local[oid][1]).delete()
                except (ProtectedError, IntegrityError, models.RestrictedError) as exc:
                    result.conflict(label, oid, STILL_REFERENCED, str(exc)[:200])
                    continue
                counts.deleted += 1
            else:
                counts.unchanged += 1
            Tombstone.objects.using(using).update_or_create(
                model=label, object_id=uuid.UUID(oid), defaults={"origin": row["origin"], "version": version}
            )
