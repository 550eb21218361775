"""Applying the rows of one batch (docs/sync.md, "Conflict rules").

One query loads the batch's existing (id, version, origin), new rows are inserted in
bulk, newer rows updated in bulk with explicit fields. A row is applied only when the
sender owns it and its version is newer; every other row is "unchanged" (same version,
same content) or a conflict with a reason. Applied rows are marked `__applied__`, so the
caller stages their media files.
"""

from django.db import IntegrityError, transaction

from apps.core.bulk import bulk_insert
from apps.core.models import Tombstone
from apps.sync.codec import RowDecoder, encode_value, value_rows
from apps.sync.importing.ownership import owner_ok, ownership_refusals
from apps.sync.importing.report import (
    BAD_FILE,
    BOTH_EDITED,
    DELETED_HERE,
    NOT_OWNER,
    OLDER,
    UNIQUE,
    UNKNOWN_REFERENCE,
    ImportReport,
)
from apps.sync.package import safe_storage_name
from apps.sync.registry import HQ, SyncSpec

# Fields that differ between two copies of the same row version without meaning a change.
_NOISE = {"created_at", "updated_at", "origin", "last_login"}


def apply_batch(
    spec: SyncSpec,
    rows: list[dict],
    names: list[str],
    decoder: RowDecoder,
    sender: str,
    sender_center_id,
    result: ImportReport,
    using: str,
    media_available=frozenset(),
) -> None:
    """`media_available`: the storage names of the media files the package carries."""
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
    bad_files = _file_refusals(spec, rows, media_available, using) if spec.media else {}
    sender_owns = owner_ok(spec, sender)
    refused = (
        ownership_refusals(spec, rows, sender, sender_center_id, using) if sender_owns and spec.owner != HQ else {}
    )

    to_create, to_update, same_version_other_origin = [], [], []
    for row in rows:
        rid = str(row[pk_name])
        version = int(row.get("version") or 0)
        if not sender_owns:
            result.conflict(label, rid, NOT_OWNER, f"{label} is owned by {spec.owner}; the package is from {sender}")
            continue
        if rid in refused:
            result.conflict(label, rid, NOT_OWNER, refused[rid])
            continue
        if rid in bad_files:
            result.conflict(label, rid, BAD_FILE, bad_files[rid])
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
                row["__unchanged__"] = True  # its media files are checked, and restored if lost
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


def _file_refusals(spec: SyncSpec, rows: list[dict], media_available, using: str) -> dict:
    """{row id: reason} for rows whose file fields could make this node serve or overwrite a
    file it should not: the name must lie inside the field's folder (no `..`, no absolute
    path) and be carried by the package, or already be this very row's file here."""
    model = spec.model
    pk_name = model._meta.pk.attname
    attnames = {model._meta.get_field(name).attname: folder for name, folder in spec.media.items()}
    stored = {
        str(values[0]): values[1:]
        for values in model._base_manager.using(using)
        .filter(pk__in=[r[pk_name] for r in rows])
        .values_list(pk_name, *attnames)
    }
    refused = {}
    for row in rows:
        rid = str(row[pk_name])
        for i, (attname, folder) in enumerate(attnames.items()):
            name = row.get(attname) or ""
            if not name:
                continue
            if not safe_storage_name(name) or not name.startswith(folder + "/"):
                refused[rid] = f"{attname}={name!r} is not a file under {folder}/"
            elif name not in media_available and (rid not in stored or stored[rid][i] != name):
                refused[rid] = f"{attname}={name!r} is neither in the package nor this row's file here"
            else:
                continue
            break
    return refused


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
            row["__unchanged__"] = True
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
