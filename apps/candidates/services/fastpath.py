"""Inserting many new candidates: `bulk_create`, or a measured SQLite fast path.

FAST PATH (raw SQL, guarded by backend). On SQLite, Django's `bulk_create` splits
inserts into statements of at most 999 parameters, i.e. 39 candidate rows each, and
prepares every value through the field machinery; at 100,000 rows that is ~12 s of the
import (docs/architecture.md, Stack). Here the values are already validated and normalised by the
importer, so they are adapted with the backend's own adapters (`connection.ops`) once per
distinct kind and sent with one `executemany` of a single-row INSERT, which SQLite runs
as a prepared statement: several times faster. Every other backend (PostgreSQL: 65,535
parameters per statement) uses plain `bulk_create`. `test_import_fastpath.py` checks both
paths store identical rows.
"""

import json

from django.db import connection
from uuid_utils import uuid7  # its .hex is the same 32 digits Django stores, without a uuid.UUID

from apps.candidates.models import Candidate, CandidateStatus
from apps.candidates.services.columns import FIELDS

_INDEX = {name: i for i, name in enumerate(FIELDS)}


def use_fast_path() -> bool:
    return connection.vendor == "sqlite"


def insert_candidates(rows: list[tuple], *, origin: str, now) -> None:
    """Insert new candidates. `rows` are (exam_id, values in FIELDS order, roll number filled)."""
    if not rows:
        return
    if not use_fast_path():
        objects = [
            Candidate(exam_id=exam_id, origin=origin, **dict(zip(FIELDS, values, strict=True)))
            for exam_id, values in rows
        ]
        Candidate.objects.bulk_create(objects)
        return
    _sqlite_insert(rows, origin=origin, now=now)


_EXPECTED_LAYOUT = [
    *("id", "created_at", "updated_at", "origin", "version", "exam"),
    *FIELDS,
    *("photo", "signature", "center", "status"),
]


def _generic_row(fields, constants, exam_id, values) -> list:
    row = []
    for field in fields:
        name = field.name
        if name == "id":
            row.append(uuid7().hex)
        elif name == "exam":
            row.append(exam_id.hex)
        elif name in constants:
            row.append(constants[name])
        elif name == "date_of_birth":
            row.append(values[_INDEX[name]].isoformat())
        elif name == "preferred_cities":
            row.append(json.dumps(values[_INDEX[name]]))
        elif name in _INDEX:
            row.append(values[_INDEX[name]])
        else:  # a field added to the model later and not handled here: refuse, never guess
            raise RuntimeError(f"Candidate.{name} is not handled by the SQLite fast path.")
    return row


def _sqlite_insert(rows, *, origin, now) -> None:
    ops = connection.ops
    stamp = ops.adapt_datetimefield_value(now)
    constants = {
        "created_at": stamp,
        "updated_at": stamp,
        "origin": origin,
        "version": 1,
        "photo": "",
        "signature": "",
        "center": None,
        "status": CandidateStatus.REGISTERED.value,
    }
    fields = Candidate._meta.concrete_fields
    columns = ", ".join(ops.quote_name(f.column) for f in fields)
    placeholders = ", ".join(["%s"] * len(fields))
    sql = f"INSERT INTO {ops.quote_name(Candidate._meta.db_table)} ({columns}) VALUES ({placeholders})"  # noqa: S608  (names from model meta)

    status = constants["status"]
    dumps = json.dumps
    if [f.name for f in fields] == _EXPECTED_LAYOUT:
        # The model's column order is the one written out here (checked above, so a model
        # change falls back to the generic loop below instead of writing wrong columns).
        params = [
            (
                uuid7().hex,
                stamp,
                stamp,
                origin,
                1,
                exam_id.hex,
                *values[:4],
                values[4].isoformat(),
                *values[5:14],
                dumps(values[14]),
                "",
                "",
                None,
                status,
            )
            for exam_id, values in rows
        ]
    else:
        params = [_generic_row(fields, constants, exam_id, values) for exam_id, values in rows]
    with connection.cursor() as cursor:
        cursor.executemany(sql, params)
