from django.db.models import QuerySet

from apps.seating.models import Allocation


def allocation_list() -> QuerySet[Allocation]:
    return Allocation.objects.select_related("candidate", "center", "room")
