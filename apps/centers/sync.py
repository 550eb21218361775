"""What of this app travels in packages (discovered by apps.sync at start-up)."""

from apps.centers.models import Center, Room
from apps.sync.nodes import register_center_model
from apps.sync.registry import HQ, register

# Centers are the nodes sync exchanges packages with.
register_center_model(Center)

register(
    Center,
    owner=HQ,
    select=lambda center, since: Center.objects.filter(pk=center.pk),
    # How HQ reaches a center is HQ's own business: never shipped, never overwritten.
    exclude=("sync_url", "sync_username", "sync_secret"),
)
register(Room, owner=HQ, center_path="center_id")
