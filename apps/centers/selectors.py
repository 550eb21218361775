from django.db.models import Count, QuerySet, Sum
from django.db.models.functions import Coalesce

from apps.centers.models import Center, Room
from utils.lookups import by_code_or_id


def center_list() -> QuerySet[Center]:
    """Centers with `capacity_total` (sum of room capacities) and `room_count` annotated."""
    return Center.objects.annotate(capacity_total=Coalesce(Sum("rooms__capacity"), 0), room_count=Count("rooms"))


def room_list() -> QuerySet[Room]:
    return Room.objects.select_related("center")


def center_by_code_or_id(value: str) -> Center | None:
    """A center by its code or UUID (commands accept either: docs/architecture.md, identity)."""
    return by_code_or_id(Center.objects.all(), value)
