"""Applying deletions: the package's tombstones, under the same ownership and version rules
as rows. A deletion still referenced elsewhere is a conflict; every applied or already
known deletion leaves (or updates) the local tombstone, so it travels on."""

import uuid
from collections import defaultdict

from django.db import IntegrityError, models, transaction
from django.db.models import ProtectedError

from apps.core.models import Tombstone
from apps.sync import registry
from apps.sync.exporter import TOMBSTONE_LABEL
from apps.sync.importing.ownership import owner_ok, row_centers
from apps.sync.importing.report import NOT_OWNER, OLDER, STILL_REFERENCED, ImportReport
from apps.sync.registry import HQ


def apply_tombstones(rows: list[dict], sender: str, sender_center_id, result: ImportReport, using: str) -> None:
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
            centers = {str(k): v for k, v in row_centers(spec, locals_as_rows, using).items()}
        for row in group:
            oid, version = row["object_id"], int(row["version"])
            if not owner_ok(spec, sender) or (
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
