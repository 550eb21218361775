"""Bulk import of candidates from an xlsx or CSV file: fast, exact and atomic.

One service, `candidates_import()`, serves the management command, the API endpoint and
background jobs. It works in two passes so the write transaction is short and nothing
is written unless the whole file is good:

1. **Check** (no transaction, nothing written): stream the sheet row by row, parse and
   validate every cell (`rules.py`), detect duplicates inside the file, and per batch of
   rows look the roll/application numbers up in the database to decide, for each row,
   *create*, *update* (it carries the key of an existing candidate and something differs)
   or *unchanged*. Every problem is recorded (sheet row, column, value, reason). The
   decided writes are spooled to a temporary file (pickled batches) so memory stays flat
   whatever the file size; only compact keys stay in memory for duplicate detection.
2. **Write** (one `transaction.atomic`): unless there were errors (and `skip_invalid` is
   off) or `dry_run` is on, replay the spool: new candidates through the shared bulk
   insert (apps/core/bulk.py), updates with `bulk_update` on explicit fields, reserving
   generated roll numbers in one block, then attach photos.

The progress callback is called per batch in both passes. Whatever it raises (for
example `OperationCancelled` from a job) propagates, and the transaction rolls back.
"""

import datetime as dt
import functools
import pickle
import re
import tempfile
import time

from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone

from apps.candidates import rules
from apps.candidates.models import Candidate
from apps.candidates.services.columns import FIELDS, HEADER_TO_FIELD, REQUIRED
from apps.candidates.services.photos import PhotoSet
from apps.candidates.services.registration import (
    person_key,
    registered_people,
    roll_number_format,
    roll_sequence_of,
    roll_sequence_reserve,
    same_person_message,
)
from apps.candidates.services.reports import ImportFailed, ImportReport
from apps.core.bulk import bulk_insert, cyclic_gc_paused
from apps.core.stamping import NEW_ROW_FIELDS, new_row_stamps, stamp_instances
from apps.exams.models import Exam
from apps.exams.selectors import exam_by_code_or_id
from utils.progress import ProgressCallback
from utils.progress import report as report_progress
from utils.spreadsheets import UnreadableFile, header_key, open_table

BATCH_SIZE = 2000
# Keys per IN (...) lookup: SQLite allows 999 parameters per statement (docs/architecture.md, Stack).
LOOKUP_CHUNK = 450

_LIMITS = {
    "roll_number": 32,
    "application_number": 64,
    "name": 200,
    "father_name": 200,
    "city": 100,
    "state": 100,
    "address": 2000,
}
_INDEX = {name: i for i, name in enumerate(FIELDS)}
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
ROLL, APP = _INDEX["roll_number"], _INDEX["application_number"]
NAME, FATHER, BIRTH = _INDEX["name"], _INDEX["father_name"], _INDEX["date_of_birth"]


def _text_field(limit: int):
    def parse(value) -> str:
        # Most cells are already text: skip the general conversion for them.
        value = value.strip() if value.__class__ is str else rules.text(value)
        if len(value) > limit:
            rules.bounded(value, limit)  # raises with the message
        if _CONTROL.search(value):
            # PostgreSQL refuses NUL in text, and no other control character belongs here.
            raise ValueError("Contains a control character (such as NUL); retype the value.")
        return value

    return parse


_PARSERS_TEXT_NAME = _text_field(_LIMITS["name"])
_PARSERS = {
    "roll_number": _text_field(_LIMITS["roll_number"]),
    "application_number": _text_field(_LIMITS["application_number"]),
    "name": lambda value: rules.required(_PARSERS_TEXT_NAME(value)),
    "father_name": _text_field(_LIMITS["father_name"]),
    "date_of_birth": rules.parse_date,
    "gender": rules.parse_gender,
    "category": rules.parse_category,
    "pwd": rules.parse_bool,
    "extra_time_minutes": rules.parse_extra_time,
    "email": rules.parse_email,
    "phone": rules.parse_phone,
    "address": _text_field(_LIMITS["address"]),
    "city": _text_field(_LIMITS["city"]),
    "state": _text_field(_LIMITS["state"]),
    "preferred_cities": rules.parse_cities,
    "preferred_shifts": rules.parse_shifts,
}


def _defaults() -> list:
    """The value of each field when its column is absent: the model's defaults."""
    return [Candidate._meta.get_field(name).get_default() for name in FIELDS]


def _map_header(header: list, report: ImportReport) -> tuple[dict[str, int], list[str]]:
    """Column index of each known field; the headers that match nothing are ignored (and listed)."""
    columns: dict[str, int] = {}
    ignored = []
    for index, title in enumerate(header):
        key = header_key(title)
        if not key:
            continue
        name = HEADER_TO_FIELD.get(key)
        if name is None:
            ignored.append(rules.text(title))
        elif name in columns:
            report.add_error(0, name, title, f"Two columns mean '{name}': column {columns[name] + 1} and {index + 1}.")
        else:
            columns[name] = index
    return columns, ignored


class _ExamState:
    """What the check pass keeps per exam: compact keys only (memory stays flat)."""

    def __init__(self, exam: Exam):
        self.exam = exam
        # key -> first sheet row using it, for duplicate detection inside the file.
        self.seen_roll: dict[str, int] = {}
        self.seen_app: dict[str, int] = {}
        self.seen_person: dict[int, int] = {}  # hash of (name, father's name, birth date) -> row
        self.generated = 0  # creates without a roll number
        self.highest_given = 0  # highest roll sequence given in the file (pattern of this exam)
        # An exam without candidates needs no lookups (the common first import).
        self.has_candidates = Candidate.objects.filter(exam=exam).exists()


class _Checker:
    """Pass 1: parse, validate and classify rows; spool the writes."""

    def __init__(self, *, exam: Exam | None, columns: dict[str, int], report: ImportReport, spool):
        self.exam = exam
        self.report = report
        self.spool = spool
        self.states: dict[str, _ExamState | None] = {}  # by exam code as written in the file
        self.default_state = _ExamState(exam) if exam is not None else None
        parsers = dict(
            _PARSERS,
            category=functools.partial(rules.parse_category, categories=rules.categories()),
            date_of_birth=functools.partial(rules.parse_date, today=dt.date.today()),
        )
        self.fields = [(_INDEX[name], columns[name], parsers[name], name) for name in FIELDS if name in columns]
        self.present = tuple(name for name in FIELDS if name in columns)
        self.exam_column = columns.get("exam_code")
        self.defaults = _defaults()
        self.batch: list[tuple[int, _ExamState, list]] = []
        self.writes = 0

    @property
    def used_states(self) -> list[_ExamState]:
        states = {id(s): s for s in [self.default_state, *self.states.values()] if s is not None}
        return list(states.values())

    def state_for(self, row: int, cells: list) -> _ExamState | None:
        if self.exam_column is None:
            return self.default_state
        code = rules.text(cells[self.exam_column]) if self.exam_column < len(cells) else ""
        if not code:
            if self.exam is None:
                self.report.add_error(row, "exam_code", "", "Required (or choose the exam for the whole file).")
            return self.default_state
        if self.exam is not None:
            if code != self.exam.code and code.upper() != self.exam.code.upper():
                self.report.add_error(
                    row, "exam_code", code, f"The file is being imported into {self.exam.code}, not {code}."
                )
                return None
            return self.default_state
        if code not in self.states:
            exam = Exam.objects.filter(code__iexact=code).first()
            self.states[code] = _ExamState(exam) if exam is not None else None
        state = self.states[code]
        if state is None:
            self.report.add_error(row, "exam_code", code, f"No exam has the code '{code}'.")
        return state

    def check_row(self, row: int, cells: list) -> None:
        errors = self.report.error_count
        values = self.defaults.copy()
        width = len(cells)
        for position, index, parse, name in self.fields:
            raw = cells[index] if index < width else ""
            try:
                values[position] = parse(raw)
            except ValueError as exc:
                self.report.add_error(row, name, raw, str(exc))
        state = self.state_for(row, cells)
        if state is None or self.report.error_count != errors:
            self.report.rejected += 1
            return
        self.batch.append((row, state, values))
        if len(self.batch) >= BATCH_SIZE:
            self.flush()

    def flush(self) -> None:
        """Classify the batch against the file so far and the database; spool the writes."""
        if not self.batch:
            return
        groups: dict[int, list] = {}
        for item in self.batch:
            groups.setdefault(id(item[1]), []).append(item)
        creates, updates = [], []
        for items in groups.values():
            state = items[0][1]
            exam_id = state.exam.pk
            existing_roll, existing_app = _lookup(exam_id, items) if state.has_candidates else ({}, {})
            people = _lookup_people(exam_id, items, existing_roll, existing_app) if state.has_candidates else {}
            for row, _, values in items:
                outcome = self._classify(row, state, values, existing_roll, existing_app, people)
                if outcome is None:
                    self.report.rejected += 1
                elif outcome == "unchanged":
                    self.report.unchanged += 1
                elif outcome[0] == "create":
                    creates.append((exam_id, values))
                    self.report.created += 1
                else:
                    updates.append(outcome[1:])
                    self.report.updated += 1
        if creates or updates:
            pickle.dump((creates, updates), self.spool, protocol=pickle.HIGHEST_PROTOCOL)
            self.writes += len(creates) + len(updates)
        self.batch = []

    def _classify(self, row, state: _ExamState, values, existing_roll, existing_app, people):
        roll, app = values[ROLL], values[APP]
        seen_roll, seen_app = state.seen_roll, state.seen_app
        bad = False
        if roll and roll in seen_roll:
            self.report.add_error(row, "roll_number", roll, f"Also on row {seen_roll[roll]} of this file.")
            bad = True
        if app and app in seen_app:
            self.report.add_error(row, "application_number", app, f"Also on row {seen_app[app]} of this file.")
            bad = True
        if bad:
            return None
        by_roll = existing_roll.get(roll) if roll else None
        by_app = existing_app.get(app) if app else None
        if by_roll and by_app and by_roll[0] != by_app[0]:
            self.report.add_error(
                row,
                "application_number",
                app,
                f"Belongs to candidate {by_app[2]}, but roll number {roll} is another candidate.",
            )
            return None
        if by_app and not by_roll and roll:
            self.report.add_error(
                row,
                "roll_number",
                roll,
                f"Application number {app} is registered with roll number {by_app[2]}; "
                "a roll number cannot be changed by import.",
            )
            return None
        target = by_roll or by_app
        if target is None:
            # A new row for a person already registered (same name, father's name and date
            # of birth) without that candidate's roll or application number is a duplicate.
            person = _person(values)
            if person in people:
                self.report.add_error(
                    row,
                    "name",
                    values[NAME],
                    f"{same_person_message(people[person])}; "
                    "give that candidate's roll or application number to update it.",
                )
                return None
            # Only the hash is kept for the rest of the file (flat memory); a collision of
            # two different people is about 1 in 10^10 at a million rows.
            person_hash = hash(person)
            if person_hash in state.seen_person:
                self.report.add_error(
                    row,
                    "name",
                    values[NAME],
                    f"Same name, father's name and date of birth as row {state.seen_person[person_hash]} of this file.",
                )
                return None
            state.seen_person[person_hash] = row
            if roll:
                seen_roll[roll] = row
                sequence = roll_sequence_of(state.exam, roll)
                if sequence and sequence > state.highest_given:
                    state.highest_given = sequence
            else:
                state.generated += 1
            if app:
                seen_app[app] = row
            return ("create",)
        # An existing candidate: the row's keys and the candidate's keys are now claimed,
        # so a later row reaching the same candidate through the other key is a duplicate.
        pk, version, old_roll, old_app, old_values = target
        seen_roll.setdefault(old_roll, row)
        if old_app:
            seen_app.setdefault(old_app, row)
        if app:
            seen_app[app] = row
        # An empty key cell never clears the candidate's key: it means "the one we have".
        if not roll:
            values[ROLL] = old_roll
        if not app:
            values[APP] = old_app
        changed = [name for name in self.present if values[_INDEX[name]] != old_values[name]]
        if not changed:
            return "unchanged"
        return ("update", pk, version, {name: values[_INDEX[name]] for name in self.present})


def _lookup(exam_id, items) -> tuple[dict, dict]:
    """Existing candidates of this batch by roll number and by application number."""
    rolls = [values[ROLL] for _, _, values in items if values[ROLL]]
    apps = [values[APP] for _, _, values in items if values[APP]]
    by_roll: dict[str, tuple] = {}
    by_app: dict[str, tuple] = {}
    if not rolls and not apps:
        return by_roll, by_app
    names = ("id", "version", *FIELDS)
    chunks = [Q(roll_number__in=rolls[i : i + LOOKUP_CHUNK]) for i in range(0, len(rolls), LOOKUP_CHUNK)]
    chunks += [Q(application_number__in=apps[i : i + LOOKUP_CHUNK]) for i in range(0, len(apps), LOOKUP_CHUNK)]
    for condition in chunks:
        for found in Candidate.objects.filter(condition, exam_id=exam_id).order_by().values(*names):
            entry = (found["id"], found["version"], found["roll_number"], found["application_number"], found)
            by_roll[found["roll_number"]] = entry
            if found["application_number"]:
                by_app[found["application_number"]] = entry
    return by_roll, by_app


def _person(values) -> tuple:
    return person_key(values[NAME], values[FATHER], values[BIRTH])


def _lookup_people(exam_id, items, existing_roll, existing_app) -> dict[tuple, str]:
    """Existing candidates who are the same person as a batch row that matched no key
    (registration's rule, `registered_people`): person key -> roll number."""
    names = {
        values[NAME]
        for _, _, values in items
        if not (values[ROLL] and values[ROLL] in existing_roll) and not (values[APP] and values[APP] in existing_app)
    }
    return {key: roll for key, (_pk, roll) in registered_people(exam_id, names).items()}


def _resolve_exam(exam) -> Exam | None:
    if exam is None or isinstance(exam, Exam):
        return exam
    found = exam_by_code_or_id(str(exam))
    if found is None:
        report = ImportReport()
        report.add_error(0, "exam", exam, f"No exam has the code or id '{exam}'.")
        raise ImportFailed(report, f"No exam has the code or id '{exam}'.")
    return found


def candidates_import(
    *,
    source,
    exam: Exam | str | None = None,
    skip_invalid: bool = False,
    dry_run: bool = False,
    photos=None,
    progress: ProgressCallback | None = None,
    source_name: str | None = None,
) -> ImportReport:
    """Import candidates from `source` (a path or a file object; xlsx or CSV by content).

    `exam` (an Exam or its code) imports every row into that exam; otherwise each row's
    `exam_code` chooses. Rows carrying the roll or application number of an existing
    candidate update it; identical rows change nothing (no version bump).
    `photos` is a directory or zip of `ROLLNUMBER.jpg|.png` files (see photos.py).
    `source_name` is the file's name in messages when `source` has another (a job's input).

    Returns the report. Raises `ImportFailed` (nothing written) when the file cannot be
    read, or when any row is invalid and `skip_invalid` is False.
    """
    started = time.perf_counter()
    report = ImportReport(dry_run=dry_run)
    exam = _resolve_exam(exam)
    try:
        table = open_table(source, name=source_name)
    except UnreadableFile as exc:
        report.add_error(0, "file", "", str(exc))
        raise ImportFailed(report, str(exc)) from None

    photo_set = None
    with table, tempfile.TemporaryFile(prefix="candidates-import-") as spool:
        report.file_format = table.format
        columns, report.ignored_columns = _map_header(table.header, report)
        missing = [name for name in REQUIRED if name not in columns]
        if exam is None and "exam_code" not in columns:
            missing.append("exam_code")
        for name in missing:
            hint = " (or choose the exam for the whole file)" if name == "exam_code" else ""
            report.add_error(table.header_row, name, "", f"The sheet has no '{name}' column{hint}.")
        if report.errors:
            report.seconds = time.perf_counter() - started
            raise ImportFailed(report, "The header row is not usable: " + "; ".join(e.message for e in report.errors))

        checker = _Checker(exam=exam, columns=columns, report=report, spool=spool)
        report_every = BATCH_SIZE
        try:
            for row, cells in table.rows:
                report.rows += 1
                checker.check_row(row, cells)
                if report.rows % report_every == 0:
                    report_progress(progress, report.rows, table.total, "checking")
        except UnreadableFile as exc:  # e.g. a CSV that stops being UTF-8 half-way
            report.add_error(0, "file", "", str(exc))
            report.seconds = time.perf_counter() - started
            raise ImportFailed(report, str(exc)) from None
        checker.flush()
        report_progress(progress, report.rows, report.rows, "checked")

        if photos is not None:
            photo_set = PhotoSet.open(photos, report=report)
            photo_set.check_matches(checker, count=dry_run)

        if report.errors and not skip_invalid:
            report.seconds = time.perf_counter() - started
            if photo_set:
                photo_set.discard()
            raise ImportFailed(report)
        if dry_run:
            if photo_set:
                photo_set.discard()
            report.seconds = time.perf_counter() - started
            return report

        try:
            with cyclic_gc_paused():
                _write(checker, spool, report, progress, photo_set, skip_invalid=skip_invalid)
            if photo_set:
                # Committed (or handed to an outer transaction): keep the stored files.
                photo_set.committed = True
                photo_set.discard()
        except IntegrityError:
            if photo_set:
                photo_set.discard()
            raise ImportFailed(
                report,
                "Another change to the same candidates was saved while this file was being imported; "
                "nothing was imported. Run the import again.",
            ) from None
        except BaseException:
            if photo_set:
                photo_set.discard()
            raise
    report.written = True
    report.seconds = time.perf_counter() - started
    return report


class _Stale(IntegrityError):
    pass


@transaction.atomic
def _write(checker: _Checker, spool, report: ImportReport, progress, photo_set, *, skip_invalid: bool) -> None:
    """Pass 2: replay the spooled writes in one transaction."""
    now = timezone.now()
    states = checker.used_states
    exams = {state.exam.pk: state.exam for state in states}
    next_sequence: dict = {}
    for state in states:
        if state.generated or state.highest_given:
            first = roll_sequence_reserve(exam=state.exam, count=state.generated, at_least=state.highest_given)
            next_sequence[state.exam.pk] = first

    present = list(checker.present)
    done = 0
    spool.seek(0)
    while True:
        try:
            creates, updates = pickle.load(spool)  # noqa: S301  (our own temporary file)
        except EOFError:
            break
        last_id = exam = None
        sequence = 0
        for exam_id, values in creates:
            if not values[ROLL]:
                if exam_id is not last_id:  # one UUID object per exam and batch (pickle memo)
                    if exam is not None:
                        next_sequence[exam.pk] = sequence
                    last_id, exam = exam_id, exams[exam_id]
                    sequence = next_sequence[exam.pk]
                values[ROLL] = roll_number_format(exam, sequence)
                sequence += 1
        if exam is not None:
            next_sequence[exam.pk] = sequence
        insert_candidates(creates, now=now)
        if updates:
            _apply_updates(updates, present, now)
        done += len(creates) + len(updates)
        report_progress(progress, done, checker.writes, "writing")
    if photo_set is not None:
        photo_set.attach(exams=list(exams.values()), skip_invalid=skip_invalid)


# A new candidate's columns: the stamp, the exam, the sheet's fields; the rest
# (photo, signature, center, status) take the model's defaults.
_NEW_FIELDS = [*NEW_ROW_FIELDS, "exam", *FIELDS]


def insert_candidates(creates: list[tuple], *, now) -> int:
    """Insert new candidates; `creates` are (exam_id, values in FIELDS order, roll number filled)."""
    stamps = new_row_stamps(now=now)
    rows = [(*stamp, exam_id, *values) for stamp, (exam_id, values) in zip(stamps, creates, strict=False)]
    return bulk_insert(Candidate, _NEW_FIELDS, rows)


def _apply_updates(updates, fields: list[str], now) -> None:
    # Optimistic check: a candidate changed by someone else since pass 1 read it makes
    # the whole import fail rather than silently overwrite that change.
    versions = {}
    ids = [pk for pk, _, _ in updates]
    for i in range(0, len(ids), LOOKUP_CHUNK * 2):
        versions.update(Candidate.objects.filter(pk__in=ids[i : i + LOOKUP_CHUNK * 2]).values_list("id", "version"))
    objects = []
    for pk, version, values in updates:
        if versions.get(pk) != version:
            raise _Stale(pk)
        objects.append(Candidate(id=pk, version=version, **values))
    Candidate.objects.bulk_update(objects, [*fields, *stamp_instances(objects, now=now)])
