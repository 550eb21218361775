"""What of this app travels in packages (discovered by apps.sync at start-up)."""

from apps.authentication.models import User
from apps.sync.registry import HQ, register

# Center staff (center managers, invigilators) with their password hashes, so they can
# log in at the offline center. HQ roles have no center and never travel.
register(User, owner=HQ, center_path="center_id")
