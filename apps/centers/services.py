from django.db import transaction

from apps.centers.models import Center, Room
from apps.core.services import synced_delete, synced_save, update_fields_from


@transaction.atomic
def center_create(**data) -> Center:
    center = Center(**data)
    center.full_clean()
    return synced_save(center)


@transaction.atomic
def center_update(*, center: Center, data: dict) -> Center:
    changed = update_fields_from(center, data)
    if changed:
        center.full_clean()
        synced_save(center, update_fields=changed)
    return center


def center_delete(*, center: Center) -> None:
    synced_delete(center)


@transaction.atomic
def room_create(**data) -> Room:
    room = Room(**data)
    room.full_clean()
    return synced_save(room)


@transaction.atomic
def room_update(*, room: Room, data: dict) -> Room:
    changed = update_fields_from(room, data)
    if changed:
        room.full_clean()
        synced_save(room, update_fields=changed)
    return room


def room_delete(*, room: Room) -> None:
    synced_delete(room)
