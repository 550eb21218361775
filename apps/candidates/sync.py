"""What of this app travels in packages (discovered by apps.sync at start-up)."""

from apps.candidates.models import PHOTO_FOLDER, SIGNATURE_FOLDER, Candidate
from apps.sync.registry import HQ, register

# The candidates allocated to the center, with their photos and signatures.
register(
    Candidate,
    owner=HQ,
    center_path="center_id",
    media={"photo": PHOTO_FOLDER, "signature": SIGNATURE_FOLDER},
)
