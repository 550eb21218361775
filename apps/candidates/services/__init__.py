"""Writes for candidates (docs/architecture.md): registration, bulk import, export, photos."""

from apps.candidates.services.registration import (
    candidate_create,
    candidate_delete,
    candidate_update,
    candidate_withdraw,
    roll_number_format,
    roll_numbers_reserve,
    roll_sequence_reserve,
)

__all__ = [
    "candidate_create",
    "candidate_delete",
    "candidate_update",
    "candidate_withdraw",
    "roll_number_format",
    "roll_numbers_reserve",
    "roll_sequence_reserve",
]
