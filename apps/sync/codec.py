"""Row values in a database-neutral JSON form, and back.

Rows are read with `values_list()` (no model instances on export) and written as one
JSON object per row keyed by the field's `attname` (`center_id`, not `center`). The
same form serves packages and backups, so a backup taken on SQLite restores on
PostgreSQL: datetimes are ISO 8601 with offset, decimals and UUIDs are strings, bytes
are base64, JSON fields stay JSON.
"""

import base64
import datetime as dt
import uuid
from decimal import Decimal
from operator import itemgetter

from django.db import models
from django.utils.duration import duration_string


def encode_value(value):
    if value is None or type(value) in (str, int, float, bool):
        return value
    if isinstance(value, (dt.datetime, dt.date, dt.time)):
        return value.isoformat()
    if isinstance(value, (Decimal, uuid.UUID)):
        return str(value)
    if isinstance(value, dt.timedelta):
        return duration_string(value)
    if isinstance(value, (bytes, bytearray, memoryview)):
        return base64.b64encode(bytes(value)).decode("ascii")
    if isinstance(value, (list, dict, int, str, float)):  # JSONField payloads, int/str subclasses
        return value
    return str(value)


def field_names(fields: list[models.Field]) -> list[str]:
    return [f.attname for f in fields]


def encode_row(names: list[str], values: tuple) -> dict:
    return {name: encode_value(value) for name, value in zip(names, values, strict=True)}


def value_rows(fields: list[models.Field], rows: list[dict]) -> list[tuple]:
    """Decoded rows as tuples in the order of `fields`, for `apps.core.bulk.bulk_insert`
    (which prepares the JSON form itself). A field a row lacks (the sender's schema had
    no such column) takes its default; keys that are not fields are ignored."""
    names = [f.attname for f in fields]
    pick = itemgetter(*names)
    try:
        values = list(map(pick, rows))
    except KeyError:
        return [tuple(row[f.attname] if f.attname in row else f.get_default() for f in fields) for row in rows]
    return [(value,) for value in values] if len(names) == 1 else values


class RowDecoder:
    """Turns decoded JSON rows back into model instances, field by field."""

    def __init__(self, model: type[models.Model], names: list[str]):
        self.model = model
        by_attname = {f.attname: f for f in model._meta.concrete_fields}
        unknown = [n for n in names if n not in by_attname]
        if unknown:
            raise KeyError(", ".join(unknown))
        self.fields = [by_attname[n] for n in names]

    def values(self, row: dict) -> dict:
        out = {}
        for f in self.fields:
            if f.attname not in row:
                continue
            value = row[f.attname]
            if value is not None and not isinstance(f, models.JSONField):
                value = f.to_python(value)
            out[f.attname] = value
        return out

    def instance(self, row: dict) -> models.Model:
        return self.model(**self.values(row))
