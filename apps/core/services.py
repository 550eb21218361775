"""Writes shared by every app's services: saving (stamped) and deleting synced rows."""

from collections.abc import Iterable

from django.db import models, transaction

from apps.core.models import SyncedModel, Tombstone, node_origin
from apps.core.stamping import stamp_instances, tombstone_stamp


def synced_save(instance: SyncedModel, *, update_fields: Iterable[str] | None = None) -> SyncedModel:
    """Save a synced row, bumping its version and origin when it already exists."""
    if instance._state.adding:
        instance.origin = node_origin()
        instance.save(force_insert=True)
        return instance
    stamped = stamp_instances([instance])
    if update_fields is not None:
        instance.save(update_fields=sorted({*update_fields, *stamped}))
    else:
        instance.save()
    return instance


@transaction.atomic
def synced_delete(instance: SyncedModel) -> None:
    """Delete a synced row and leave a tombstone so the deletion reaches other nodes.

    Raises django.db.models.ProtectedError when other rows still refer to it.
    """
    label = instance._meta.label
    object_id = instance.pk
    stamp = tombstone_stamp(instance.version)
    instance.delete()
    Tombstone.objects.update_or_create(model=label, object_id=object_id, defaults=stamp)


def update_fields_from(instance: models.Model, data: dict) -> list[str]:
    """Copy `data` onto `instance`; return the names of the fields whose value changed."""
    changed = []
    for field, value in data.items():
        if getattr(instance, field) != value:
            setattr(instance, field, value)
            changed.append(field)
    return changed
