"""The stamping helpers (apps/core/stamping.py): what every bulk writer stamps."""

import datetime as dt
import uuid

import pytest
from django.db.models import F

from apps.candidates.models import Candidate
from apps.core.stamping import (
    NEW_ROW_FIELDS,
    STAMP_FIELDS,
    TOMBSTONE_FIELDS,
    new_row_stamp,
    new_row_stamps,
    stamp_instances,
    stamp_update,
    tombstone_rows,
    tombstone_stamp,
)
from tests.factories import CandidateFactory

NOW = dt.datetime(2026, 3, 4, 5, 6, 7, 890123, tzinfo=dt.UTC)


@pytest.fixture(autouse=True)
def _center_node(settings):
    settings.NODE_CENTER = "C07"


def test_stamp_instances_bumps_version_and_returns_the_fields_to_save():
    objs = [Candidate(version=1), Candidate(version=4), Candidate(version=None)]
    assert stamp_instances(objs, now=NOW) == ["version", "origin", "updated_at"] == list(STAMP_FIELDS)
    assert [(o.version, o.origin, o.updated_at) for o in objs] == [(2, "C07", NOW), (5, "C07", NOW), (1, "C07", NOW)]


def test_stamp_update_adds_the_stamp_to_the_changes():
    changes = stamp_update(now=NOW, status="withdrawn")
    assert changes == {"status": "withdrawn", "version": F("version") + 1, "origin": "C07", "updated_at": NOW}
    with pytest.raises(ValueError, match="version"):
        stamp_update(version=3)


@pytest.mark.django_db
def test_stamp_update_stamps_every_changed_row():
    candidate = CandidateFactory(version=3)
    Candidate.objects.filter(pk=candidate.pk).update(**stamp_update(now=NOW, name="New name"))
    candidate.refresh_from_db()
    assert (candidate.name, candidate.version, candidate.origin, candidate.updated_at) == ("New name", 4, "C07", NOW)


def test_new_rows_get_a_fresh_id_each_and_version_one():
    stamps = new_row_stamps(now=NOW)
    first, second = next(stamps), next(stamps)
    assert first[1:] == second[1:] == (NOW, NOW, "C07", 1)
    assert isinstance(first[0], uuid.UUID) and first[0].version == 7 and first[0] != second[0]
    one = new_row_stamp(now=NOW)
    assert list(one) == list(NEW_ROW_FIELDS) and one["created_at"] == one["updated_at"] == NOW


def test_tombstones_carry_the_next_version_and_this_node():
    assert tombstone_stamp(4) == {"origin": "C07", "version": 5}
    ids = [uuid.uuid4(), uuid.uuid4()]
    rows = list(tombstone_rows("seating.Allocation", [(ids[0], 1), (ids[1], 9)], now=NOW))
    assert [dict(zip(TOMBSTONE_FIELDS, r, strict=True)) | {"id": None} for r in rows] == [
        {
            "id": None,
            "model": "seating.Allocation",
            "object_id": ids[0],
            "origin": "C07",
            "version": 2,
            "deleted_at": NOW,
        },
        {
            "id": None,
            "model": "seating.Allocation",
            "object_id": ids[1],
            "origin": "C07",
            "version": 10,
            "deleted_at": NOW,
        },
    ]
