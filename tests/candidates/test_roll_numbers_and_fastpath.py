"""Roll numbers `<EXAM CODE><6 digits>` and the insert fast path of new candidates."""

import datetime as dt

import pytest
from django.db import connection

from apps.candidates.models import Candidate, RollNumberCounter
from apps.candidates.services import roll_numbers_reserve
from apps.candidates.services.columns import FIELDS
from apps.candidates.services.importing import candidates_import, insert_candidates
from apps.core.bulk import fast_path_enabled
from tests.candidates.conftest import row, write_csv

pytestmark = pytest.mark.django_db


def test_blocks_do_not_overlap(exam):
    first = roll_numbers_reserve(exam=exam, count=3)
    second = roll_numbers_reserve(exam=exam, count=2)
    assert first == ["EXAM2026000001", "EXAM2026000002", "EXAM2026000003"]
    assert second == ["EXAM2026000004", "EXAM2026000005"]


def test_reservation_retries_when_another_writer_moved_the_counter(exam, monkeypatch):
    roll_numbers_reserve(exam=exam, count=1)
    original = RollNumberCounter.objects.filter
    raced = {"done": False}

    def racing_filter(*args, **kwargs):
        # Another process takes 10 numbers between our read and our conditional update.
        if "last_value" in kwargs and not raced["done"]:
            raced["done"] = True
            original(exam=exam).update(last_value=11)
        return original(*args, **kwargs)

    monkeypatch.setattr(RollNumberCounter.objects, "filter", racing_filter)
    assert roll_numbers_reserve(exam=exam, count=2) == ["EXAM2026000012", "EXAM2026000013"]


def test_given_roll_numbers_in_a_file_move_the_counter_past_them(tmp_path, exam):
    rows = [row(roll_number="EXAM2026000040"), row(name="Other Person", email="b@example.in", roll_number="")]
    path = write_csv(tmp_path / "in.csv", rows)
    candidates_import(source=path, exam="EXAM2026")
    assert sorted(Candidate.objects.values_list("roll_number", flat=True)) == ["EXAM2026000040", "EXAM2026000041"]


def _values(**overrides):
    data = {
        "roll_number": "EXAM2026000001",
        "application_number": "A1",
        "name": "Asha Verma",
        "father_name": "Ramesh",
        "date_of_birth": dt.date(2001, 4, 12),
        "gender": "F",
        "category": "OBC",
        "pwd": True,
        "extra_time_minutes": 20,
        "email": "asha@example.in",
        "phone": "9876543210",
        "address": "1 Road",
        "city": "Delhi",
        "state": "Delhi",
        "preferred_cities": ["Delhi", "Agra"],
        "preferred_shifts": ["2026-12-01", "2026-12-02 14:00"],
    }
    data.update(overrides)
    return [data[name] for name in FIELDS]


def test_fast_path_stores_exactly_what_the_orm_stores(exam, settings):
    # The first insert takes the executemany fast path (SQLite and PostgreSQL), the
    # second the ORM (forced by BULK_FAST_PATH).
    from django.utils import timezone

    now = timezone.now()
    insert_candidates([(exam.pk, _values())], now=now)
    settings.BULK_FAST_PATH = False
    insert_candidates([(exam.pk, _values(roll_number="EXAM2026000002", application_number="A2"))], now=now)
    fast, slow = Candidate.objects.order_by("roll_number")
    ignore = {"id", "roll_number", "application_number", "created_at", "updated_at", "_state"}
    fast_values = {k: v for k, v in vars(fast).items() if k not in ignore}
    slow_values = {k: v for k, v in vars(slow).items() if k not in ignore}
    assert fast_values == slow_values
    assert fast.version == 1 and fast.status == "registered" and fast.origin == "HQ"
    # Both paths stamp every row with the import's time.
    assert fast.created_at == fast.updated_at == slow.created_at == slow.updated_at == now
    settings.BULK_FAST_PATH = True
    assert fast_path_enabled() == (connection.vendor in ("sqlite", "postgresql"))
    assert fast.preferred_cities == ["Delhi", "Agra"] and fast.date_of_birth == dt.date(2001, 4, 12)


def test_each_exam_in_one_file_gets_its_own_sequence(tmp_path, exam, other_exam):
    codes = ["EXAM2026", "OTHER2026", "EXAM2026", "OTHER2026", "EXAM2026"]
    rows = [row(name=f"P{i}", email=f"p{i}@example.in", exam_code=code) for i, code in enumerate(codes)]
    candidates_import(source=write_csv(tmp_path / "in.csv", rows))
    rolls = dict(Candidate.objects.values_list("name", "roll_number"))
    assert rolls == {
        "P0": "EXAM2026000001",
        "P1": "OTHER2026000001",
        "P2": "EXAM2026000002",
        "P3": "OTHER2026000002",
        "P4": "EXAM2026000003",
    }
    assert RollNumberCounter.objects.get(exam=other_exam).last_value == 2
