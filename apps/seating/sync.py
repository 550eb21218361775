"""What of this app travels in packages (discovered by apps.sync at start-up)."""

from apps.seating.models import Allocation
from apps.sync.registry import HQ, register

register(Allocation, owner=HQ, center_path="center_id")
