"""The one guarded bulk-insert fast path: many new rows, every value stored as given.

    bulk_insert(Allocation, ["id", "created_at", ..., "paper_set"], rows)

`rows` are tuples (any sequences) of values in the order of `fields`; every concrete
field not in `fields` takes its default (a callable default, such as the id's `uuid7`,
is called once per row). A value is a Python value or any form the field's own
`to_python()` accepts (the ISO and UUID strings of sync packages, for example).
Unlike `bulk_create`, nothing is overwritten: `auto_now` / `auto_now_add` fields
(`created_at`, `updated_at`) keep the values given, which a package or a backup needs,
and fresh rows get theirs from `apps.core.stamping`.

FAST PATH (raw SQL, guarded by backend; docs/architecture.md, Stack). On SQLite and
PostgreSQL the rows are sent as one parameterised single-row INSERT run with
`cursor.executemany` per batch (SQLite runs it as one prepared statement, psycopg as a
pipeline). Each value is prepared by its field's own `get_db_prep_save()`, exactly as
the ORM prepares it, with shortcuts that were measured and give the same values (see
`_preparers` and `_prepare_column`): the preparer of each field is chosen once per call;
UUIDs, dates, datetimes and JSON are adapted directly, not through the field layers;
the values are prepared column by column, so a column that needs no preparation (text,
numbers, native UUIDs) is passed as it is and an object repeated on many rows (the
exam, a session, a center, the time of the write) is prepared once. Measured with
20,000 new candidates: 0.3-0.5 s on SQLite against 2.0-3.0 s for `bulk_create` (capped
there at 999 parameters per statement, 39 rows of that model), 1.1 s on PostgreSQL
against 1.9 s. Writers that build many rows also pause the cyclic garbage collector
(`cyclic_gc_paused`).

ORM PATH: every other backend, and every backend while `settings.BULK_FAST_PATH` is
False (read at each call; the tests use it to check that both paths store the same
rows), builds model instances from the same values and inserts them with the ORM in
raw mode, as `loaddata` does: `bulk_create` itself would call `pre_save()` and replace
the `auto_now` timestamps with the current time.
"""

import datetime
import gc
import uuid
from collections.abc import Callable, Iterable, Sequence
from contextlib import contextmanager
from itertools import islice, repeat
from operator import attrgetter, is_

from django.conf import settings
from django.db import DEFAULT_DB_ALIAS, connections, models, transaction

# Backends the fast path was written for and measured on.
FAST_PATH_VENDORS = ("sqlite", "postgresql")
# Rows per executemany: bounds the memory of the prepared parameters.
BATCH_SIZE = 20_000

# Field classes whose get_db_prep_save() returns a str/int/bool unchanged: their values
# skip it (a third of the insert time for a 25-column model). Exact classes only: a
# subclass may prepare values its own way.
_PASS_THROUGH = {
    models.CharField,
    models.TextField,
    models.EmailField,
    models.SlugField,
    models.URLField,
    models.IntegerField,
    models.BigIntegerField,
    models.SmallIntegerField,
    models.PositiveIntegerField,
    models.PositiveBigIntegerField,
    models.PositiveSmallIntegerField,
    models.BooleanField,
    models.FileField,
    models.ImageField,
}

# Field classes (besides those `_preparers` adapts itself) whose get_db_prep_save() takes
# the string forms (an ISO time, a decimal) itself, since their get_prep_value() calls
# to_python(); foreign keys hand the value to their target field.
_PREPARES_STRING_FORM = {
    models.TimeField,
    models.DecimalField,
    models.FloatField,
    models.ForeignKey,
    models.OneToOneField,
}

_SIMPLE = (str, int, bool)
_NONE = type(None)
_UUID_FIELDS = (models.UUIDField, models.ForeignKey, models.OneToOneField)


def fast_path_enabled(using: str = DEFAULT_DB_ALIAS) -> bool:
    """Whether `bulk_insert` on this database takes the executemany fast path."""
    return bool(getattr(settings, "BULK_FAST_PATH", True)) and connections[using].vendor in FAST_PATH_VENDORS


def bulk_insert(
    model: type[models.Model],
    fields: Sequence[str | models.Field],
    rows: Iterable[Sequence],
    *,
    using: str = DEFAULT_DB_ALIAS,
) -> int:
    """Insert `rows` (values in the order of `fields`: names, attnames or Field objects)
    into `model`'s table on database `using`; returns the number of rows inserted.

    All or nothing (one atomic block, no savepoint of its own). Raises IntegrityError
    like any insert; a row with the wrong number of values raises ValueError.
    """
    given = [f if isinstance(f, models.Field) else model._meta.get_field(f) for f in fields]
    names = {f.attname for f in given}
    rest = [f for f in model._meta.concrete_fields if f.attname not in names]
    if any(f.db_default is not models.NOT_PROVIDED for f in rest):
        raise ValueError("bulk_insert: give a value for every field with a db_default.")
    connection = connections[using]
    fast = fast_path_enabled(using)
    insert = _Executemany(model, given, rest, connection) if fast else _OrmInsert(model, given, rest, using)
    count = 0
    rows = iter(rows)
    with transaction.atomic(using=using, savepoint=False):
        while batch := list(islice(rows, BATCH_SIZE)):
            widths = set(map(len, batch))
            if widths != {len(given)}:
                raise ValueError(f"bulk_insert: {len(given)} fields, but rows of {sorted(widths)} values.")
            insert(batch)
            count += len(batch)
    return count


class _Executemany:
    """The fast path: one prepared single-row INSERT, its parameters prepared column by column."""

    def __init__(self, model, given, rest, connection):
        self.connection = connection
        quote = connection.ops.quote_name
        columns = ", ".join(quote(f.column) for f in [*given, *rest])
        placeholders = ", ".join(["%s"] * (len(given) + len(rest)))
        self.sql = f"INSERT INTO {quote(model._meta.db_table)} ({columns}) VALUES ({placeholders})"  # noqa: S608  (names from model metadata)
        preparers = dict(_preparers([*given, *rest], connection))
        self.given = [(preparers[f.attname], _shortcut(f, connection), f.primary_key) for f in given]
        self.rest = [(f, preparers[f.attname]) for f in rest]

    def __call__(self, batch: list[Sequence]) -> None:
        count = len(batch)
        columns = [
            _prepare_column(column, prepare, shortcut, distinct=distinct)
            for column, (prepare, shortcut, distinct) in zip(zip(*batch, strict=True), self.given, strict=True)
        ]
        for field, prepare in self.rest:
            if field.has_default() and callable(field.default):  # e.g. the id's uuid7: one per row
                columns.append([prepare(field.get_default()) for _ in range(count)])
            else:
                columns.append(repeat(prepare(field.get_default()), count))
        with self.connection.cursor() as cursor:
            cursor.executemany(self.sql, list(zip(*columns, strict=True)))


@contextmanager
def cyclic_gc_paused():
    """Pause Python's cyclic garbage collector while a bulk writer builds and writes its
    rows (it is switched back on afterwards, also on errors).

    A bulk writer holds many small objects until their batch is written: tuples of UUIDs,
    a million candidate ids in an allocation. They form no cycles (reference counting
    frees them), yet every full collection walks all of them again. Measured on SQLite:
    18 full collections, 1.1-1.4 s of a 9.5 s allocation of 400,000 seats, and 0.3-0.6 s
    of the write pass of a 100,000-row candidates import.
    """
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


def _prepare_column(column: tuple, prepare: Callable, shortcut: tuple, *, distinct: bool) -> Sequence:
    """The prepared values of one column, with the loops in C (map, zip, dict) where they
    can be: a column of one object (the exam, the time of the write) is prepared once, a
    column of few distinct objects (sessions, centers, rooms) once per object, a column
    of plain values as a whole (`shortcut`: the value types it covers and what it does).
    `distinct`: the values never repeat (the primary key), so that is not looked for."""
    types, whole = shortcut
    kinds = set(map(type, column)) if types else None
    if whole is None and kinds is not None and kinds <= types:
        return column  # text, numbers, native UUIDs: what get_db_prep_save() returns
    if not distinct:
        first = column[0]
        if all(map(is_, column, repeat(first))):
            return repeat(prepare(first), len(column))
        keys = list(map(id, column))  # the column holds every value: no id is reused meanwhile
        objects = dict(zip(keys, column, strict=True))
        if 4 * len(objects) <= len(column):
            prepared = {key: prepare(value) for key, value in objects.items()}
            return list(map(prepared.__getitem__, keys))
    if kinds is not None and kinds <= types:
        return whole(column)
    return list(map(prepare, column))


_HEX = attrgetter("hex")


def _shortcut(field: models.Field, connection) -> tuple:
    """(value types, function) for a whole column of this field whose values are all of
    those types: the function returns what get_db_prep_save() returns for each value;
    None means the values themselves."""
    if type(field) in _PASS_THROUGH:
        return frozenset({str, int, bool, _NONE}), None
    target = field.target_field if field.is_relation else field
    if type(field) in _UUID_FIELDS and type(target) is models.UUIDField:
        if connection.features.has_native_uuid_field:
            return frozenset({uuid.UUID, _NONE}), None
        return frozenset({uuid.UUID}), lambda column: list(map(_HEX, column))
    return frozenset(), None


def _preparers(fields: list[models.Field], connection) -> list[tuple[str, Callable]]:
    """(attname, prepare) per field: `prepare` turns a value (Python, or a string form the
    field's to_python() accepts) into what the database driver takes, the value the
    field's own get_db_prep_save() returns. Chosen once per call, not per value."""

    def preparer(field):
        target = field.target_field if field.is_relation else field
        if type(field) in _UUID_FIELDS and type(target) is models.UUIDField:
            # What UUIDField.get_db_prep_value does (the UUID, or its hex where the backend
            # has no uuid type), without the layers: a third of the insert time.
            native = connection.features.has_native_uuid_field

            def prepare(value):
                if type(value) is uuid.UUID:
                    return value if native else value.hex
                if type(value) is str and value:
                    parsed = uuid.UUID(value)
                    return parsed if native else parsed.hex
                return field.get_db_prep_save(value, connection)

        elif type(field) is models.DateTimeField:
            # An aware datetime (or its ISO form with an offset, codec.py) -> what
            # adapt_datetimefield_value stores; anything else (naive) takes Django's own path.
            adapt = connection.ops.adapt_datetimefield_value

            def prepare(value):
                if type(value) is str:
                    parsed = datetime.datetime.fromisoformat(value)
                    if parsed.utcoffset() is not None:
                        return adapt(parsed)
                elif type(value) is datetime.datetime and value.utcoffset() is not None:
                    return adapt(value)
                return field.get_db_prep_save(value, connection)

        elif type(field) is models.DateField:
            adapt_date = connection.ops.adapt_datefield_value

            def prepare(value):
                if type(value) is datetime.date:
                    return adapt_date(value)
                return field.get_db_prep_save(value, connection)

        elif type(field) is models.JSONField:
            adapt_json = connection.ops.adapt_json_value

            def prepare(value):
                if type(value) in (list, dict):  # what get_db_prep_save() ends in, without the layers
                    return adapt_json(value, field.encoder)
                return field.get_db_prep_save(value, connection)

        elif type(field) in _PASS_THROUGH:

            def prepare(value):
                if value is None or type(value) in _SIMPLE:
                    return value
                return field.get_db_prep_save(value, connection)

        elif type(field) in _PREPARES_STRING_FORM:

            def prepare(value):
                return field.get_db_prep_save(value, connection)

        else:  # e.g. BinaryField (base64), DurationField, custom fields: to_python first

            def prepare(value):
                if value is not None:
                    value = field.to_python(value)
                return field.get_db_prep_save(value, connection)

        return prepare

    return [(field.attname, preparer(field)) for field in fields]


class _OrmInsert:
    """The ORM path: instances built from the same values, inserted in raw mode."""

    def __init__(self, model, given, rest, using):
        self.model = model
        self.given = given
        self.fields = [*given, *rest]
        self.using = using

    def __call__(self, batch: list[Sequence]) -> None:
        model, given = self.model, self.given
        objs = [model(**{f.attname: _python(f, value) for f, value in zip(given, row, strict=True)}) for row in batch]
        # raw=True: no pre_save(), so auto_now fields keep the given values (as loaddata).
        size = max(1, connections[self.using].ops.bulk_batch_size(self.fields, objs))
        queryset = model._base_manager.using(self.using)
        for start in range(0, len(objs), size):
            queryset._insert(objs[start : start + size], fields=self.fields, using=self.using, raw=True)


def _python(field: models.Field, value):
    if value is None or isinstance(field, models.JSONField):
        return value
    return field.to_python(value)
