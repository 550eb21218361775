"""Stamping synced rows: the one place that decides `version`, `origin` and `updated_at`.

Every write to a synced row (docs/architecture.md, identity) stamps it: `version` goes up
by one, `origin` becomes this node (`node_origin()`) and `updated_at` the time of the
write. A deletion leaves a tombstone stamped the same way. `synced_save` and
`synced_delete` stamp single rows; the bulk writers (imports, allocation, photos,
withdrawals) stamp many rows at once with the helpers below, so no service writes these
fields by hand:

* `stamp_instances(objs)` for loaded instances about to be saved with `bulk_update`;
* `stamp_update(**changes)` for a queryset `.update()`;
* `new_row_stamp()` / `new_row_stamps()` for fresh rows inserted in bulk
  (`apps.core.bulk.bulk_insert`), which skip the model's defaults and `auto_now`;
* `tombstone_stamp(version)` / `tombstone_rows(label, deleted)` for deletions.
"""

import datetime as dt
from collections.abc import Iterable, Iterator

from django.db.models import F
from django.utils import timezone
from uuid_utils.compat import uuid7

from apps.core.models import node_origin

# The fields every write of a synced row changes: add them to `update_fields`.
STAMP_FIELDS = ("version", "origin", "updated_at")
# The fields a fresh row gets from `new_row_stamp()`, in this order.
NEW_ROW_FIELDS = ("id", "created_at", "updated_at", "origin", "version")
# The columns of a tombstone, in the order of `tombstone_rows()`.
TOMBSTONE_FIELDS = ("id", "model", "object_id", "origin", "version", "deleted_at")


def stamp_instances(objs: Iterable, *, now: dt.datetime | None = None) -> list[str]:
    """Stamp loaded instances before `bulk_update`: version + 1, origin = this node,
    updated_at = `now` (default: the current time, one value for all).

    Returns `STAMP_FIELDS` as a list, to add to the `bulk_update` fields.
    """
    now = timezone.now() if now is None else now
    origin = node_origin()
    for obj in objs:
        obj.version = (obj.version or 0) + 1
        obj.origin = origin
        obj.updated_at = now
    return list(STAMP_FIELDS)


def stamp_update(*, now: dt.datetime | None = None, **changes) -> dict:
    """The keyword arguments of a queryset `.update()` that also stamps every row it changes:
    `changes` plus version = F("version") + 1, origin = this node, updated_at = `now`.

        Candidate.objects.filter(...).update(**stamp_update(status=CandidateStatus.WITHDRAWN))
    """
    clash = set(changes) & set(STAMP_FIELDS)
    if clash:
        raise ValueError(f"stamp_update() sets {', '.join(sorted(clash))} itself.")
    return {
        **changes,
        "version": F("version") + 1,
        "origin": node_origin(),
        "updated_at": timezone.now() if now is None else now,
    }


def new_row_stamps(*, now: dt.datetime | None = None) -> Iterator[tuple]:
    """An endless supply of stamps for fresh rows, as tuples in `NEW_ROW_FIELDS` order:
    (a new UUIDv7 id, created_at = updated_at = `now`, origin = this node, version 1).

    For bulk writers: everything but the id is computed once.

        stamps = new_row_stamps(now=now)
        rows = [(*next(stamps), exam_id, ...) for ...]
    """
    now = timezone.now() if now is None else now
    rest = (now, now, node_origin(), 1)
    while True:
        yield (uuid7(), *rest)


def new_row_stamp(*, now: dt.datetime | None = None) -> dict:
    """The stamp of one fresh row: {id, created_at, updated_at, origin, version}."""
    return dict(zip(NEW_ROW_FIELDS, next(new_row_stamps(now=now)), strict=True))


def tombstone_stamp(version: int | None) -> dict:
    """origin and version of the tombstone of a row deleted at `version` (version + 1)."""
    return {"origin": node_origin(), "version": (version or 0) + 1}


def tombstone_rows(label: str, deleted: Iterable[tuple], *, now: dt.datetime | None = None) -> Iterator[tuple]:
    """Tombstones (`TOMBSTONE_FIELDS` order) for rows of model `label` ("app.Model")
    deleted in bulk; `deleted` yields (object_id, version) of each deleted row."""
    now = timezone.now() if now is None else now
    origin = node_origin()
    for object_id, version in deleted:
        yield (uuid7(), label, object_id, origin, (version or 0) + 1, now)
