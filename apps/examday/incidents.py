"""Incident writes (center-owned rows)."""

from django.core.exceptions import ValidationError
from django.db import transaction

from apps.core.services import synced_delete, synced_save, update_fields_from
from apps.examday.models import Incident
from apps.seating.models import Allocation


def _check(incident: Incident) -> None:
    if (
        incident.candidate_id
        and not Allocation.objects.filter(
            candidate_id=incident.candidate_id, session_id=incident.session_id, center_id=incident.center_id
        ).exists()
    ):
        raise ValidationError({"candidate": "This candidate is not seated at this center for this session."})
    if (
        not incident.candidate_id
        and not Allocation.objects.filter(session_id=incident.session_id, center_id=incident.center_id).exists()
    ):
        raise ValidationError({"session": "This center holds no candidates in this session."})


@transaction.atomic
def incident_create(*, session, center, kind, description, reported_by, candidate=None) -> Incident:
    incident = Incident(
        session=session, center=center, candidate=candidate, kind=kind, description=description, reported_by=reported_by
    )
    incident.full_clean()
    _check(incident)
    return synced_save(incident)


@transaction.atomic
def incident_update(*, incident: Incident, data: dict) -> Incident:
    changed = update_fields_from(incident, data)
    if changed:
        incident.full_clean()
        _check(incident)
        synced_save(incident, update_fields=changed)
    return incident


def incident_delete(*, incident: Incident) -> None:
    synced_delete(incident)
