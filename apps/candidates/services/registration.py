"""Single-candidate writes: create, update, delete, photos, roll numbers."""

from django.core.exceptions import ValidationError
from django.db import transaction

from apps.candidates.models import Candidate, CandidateStatus, RollNumberCounter
from apps.core.services import synced_delete, synced_save, update_fields_from
from apps.core.stamping import stamp_update
from apps.exams.models import Exam
from utils.exceptions import Conflict
from utils.images import ImageRejected, clean_image

ROLL_SEQUENCE_DIGITS = 6
IMAGE_FIELDS = ("photo", "signature")


def roll_number_format(exam: Exam, sequence: int) -> str:
    """`<EXAM CODE><6-digit sequence>`: EXAM2026000042. Longer sequences just grow."""
    return f"{exam.code}{sequence:0{ROLL_SEQUENCE_DIGITS}d}"


def roll_sequence_of(exam: Exam, roll_number: str) -> int | None:
    """The sequence inside a roll number that follows the pattern of `exam`, else None."""
    if roll_number.startswith(exam.code):
        tail = roll_number[len(exam.code) :]
        if len(tail) >= ROLL_SEQUENCE_DIGITS and tail.isdigit():
            return int(tail)
    return None


def roll_numbers_reserve(*, exam: Exam, count: int, at_least: int = 0) -> list[str]:
    """Reserve `count` new roll numbers for `exam` and return them (see roll_sequence_reserve)."""
    first = roll_sequence_reserve(exam=exam, count=count, at_least=at_least)
    return [roll_number_format(exam, seq) for seq in range(first, first + count)]


@transaction.atomic
def roll_sequence_reserve(*, exam: Exam, count: int, at_least: int = 0) -> int:
    """Reserve `count` consecutive roll-number sequences for `exam`; return the first.

    The counter row is moved with one conditional UPDATE (compare-and-swap on the value
    read), so two concurrent imports never receive the same block: the loser sees 0 rows
    updated and tries again from the new value. `at_least` moves the counter past a
    sequence already used by hand-given roll numbers, so generated ones never collide.
    """
    counter, _ = RollNumberCounter.objects.get_or_create(exam=exam)
    while True:
        start = max(counter.last_value, at_least)
        won = RollNumberCounter.objects.filter(pk=counter.pk, last_value=counter.last_value).update(
            last_value=start + count
        )
        if won:
            return start + 1
        counter.refresh_from_db(fields=["last_value"])


def roll_numbers_note_given(*, exam: Exam, roll_numbers) -> None:
    """Move the counter past any hand-given roll numbers that follow the generated pattern."""
    highest = max((roll_sequence_of(exam, r) or 0 for r in roll_numbers), default=0)
    if highest:
        RollNumberCounter.objects.get_or_create(exam=exam)
        RollNumberCounter.objects.filter(exam=exam, last_value__lt=highest).update(last_value=highest)


# --- One person, one registration per exam -----------------------------------------------
# The rule the bulk import applies (services/importing.py) and single writes apply too
# (create and update, through the API and the admin): a second candidate of the same exam
# with the same name, father's name and date of birth is the same person, refused with
# the existing candidate named. Names compare case-insensitively; the database is asked
# for exact names (the name index serves it), as the import does.

PEOPLE_LOOKUP_CHUNK = 450  # names per IN (...): SQLite allows 999 parameters per statement
PERSON_FIELDS = ("name", "father_name", "date_of_birth")


def person_key(name: str, father_name: str, date_of_birth) -> tuple:
    """What makes two registrations the same person."""
    return (name.casefold(), (father_name or "").casefold(), date_of_birth)


def registered_people(exam_id, names, *, exclude_pk=None) -> dict[tuple, tuple]:
    """The candidates of exam `exam_id` named one of `names`: person key -> (id, roll number)."""
    names = sorted(set(names))
    people: dict[tuple, tuple] = {}
    fields = ("id", "roll_number", "name", "father_name", "date_of_birth")
    for i in range(0, len(names), PEOPLE_LOOKUP_CHUNK):
        found = Candidate.objects.filter(exam_id=exam_id, name__in=names[i : i + PEOPLE_LOOKUP_CHUNK]).order_by()
        if exclude_pk is not None:
            found = found.exclude(pk=exclude_pk)
        for pk, roll, name, father, born in found.values_list(*fields):
            people[person_key(name, father, born)] = (pk, roll)
    return people


def same_person_message(roll_number: str) -> str:
    return f"Same name, father's name and date of birth as candidate {roll_number}"


def _check_same_person(candidate: Candidate) -> None:
    """409 when another candidate of the exam is the same person (the import's rule)."""
    if not candidate.name or not candidate.date_of_birth:
        return  # full_clean names the missing field
    key = person_key(candidate.name, candidate.father_name, candidate.date_of_birth)
    existing = registered_people(candidate.exam_id, [candidate.name], exclude_pk=candidate.pk).get(key)
    if existing is None:
        return
    pk, roll = existing
    message = f"{same_person_message(roll)} of this exam: this person is registered already."
    raise Conflict(
        "duplicate_person",
        message,
        extra={"existing": {"id": str(pk), "roll_number": roll}, "errors": {"name": [message]}},
    )


def _lock_exam(exam_id) -> None:
    """Serialize registrations of one exam (PostgreSQL), so two requests registering the
    same person at once cannot both pass the check. SQLite serializes writers anyway."""
    list(Exam.objects.select_for_update().filter(pk=exam_id).values_list("pk", flat=True))


def _clean_images(data: dict) -> dict:
    """Replace uploaded photo/signature files by validated, re-encoded copies (before the transaction)."""
    errors = {}
    for field in IMAGE_FIELDS:
        upload = data.get(field)
        if upload in (None, "") or upload is False:  # False: the admin's "clear" box
            if field in data:
                data[field] = ""
            continue
        try:
            data[field] = clean_image(upload).as_file(field)
        except ImageRejected as exc:
            errors[field] = str(exc)
    if errors:
        raise ValidationError(errors)
    return data


def candidate_create(**data) -> Candidate:
    """Register one candidate. `roll_number` is generated when not given.

    Raises ValidationError (bad field, bad image), Conflict (duplicate roll/application
    number, or the same person registered already: name, father's name, date of birth).
    """
    data = _clean_images(dict(data))
    return _candidate_create(data)


@transaction.atomic
def _candidate_create(data: dict) -> Candidate:
    candidate = Candidate(**data)
    exam = candidate.exam
    _lock_exam(exam.pk)
    _check_same_person(candidate)
    if candidate.roll_number:
        roll_numbers_note_given(exam=exam, roll_numbers=[candidate.roll_number])
    else:
        candidate.roll_number = roll_numbers_reserve(exam=exam, count=1)[0]
    _check_unique(candidate)
    candidate.full_clean()
    synced_save(candidate)
    return candidate


def candidate_update(*, candidate: Candidate, data: dict) -> Candidate:
    """Change a candidate's fields. The exam cannot change (roll numbers belong to it)."""
    data = dict(data)
    if "exam" in data and data["exam"].pk != candidate.exam_id:
        raise ValidationError({"exam": "A candidate cannot move to another exam; register them there instead."})
    data.pop("exam", None)
    data = _clean_images(data)
    return _candidate_update(candidate, data)


@transaction.atomic
def _candidate_update(candidate: Candidate, data: dict) -> Candidate:
    old_files = {f: getattr(candidate, f).name for f in IMAGE_FIELDS if f in data}
    changed = update_fields_from(candidate, {k: v for k, v in data.items() if k not in IMAGE_FIELDS})
    for field in IMAGE_FIELDS:
        if field in data:
            setattr(candidate, field, data[field])
            changed.append(field)
    if not changed:
        return candidate
    if "roll_number" in changed:
        roll_numbers_note_given(exam=candidate.exam, roll_numbers=[candidate.roll_number])
    if any(field in changed for field in PERSON_FIELDS):
        _lock_exam(candidate.exam_id)
        _check_same_person(candidate)
    _check_unique(candidate)
    candidate.full_clean()
    synced_save(candidate, update_fields=changed)
    _delete_files_on_commit(candidate, old_files)
    return candidate


def _check_unique(candidate: Candidate) -> None:
    """A roll or application number already used in the exam is a conflict (409), not bad input."""
    others = Candidate.objects.filter(exam_id=candidate.exam_id).exclude(pk=candidate.pk)
    errors = {}
    if others.filter(roll_number=candidate.roll_number).exists():
        errors["roll_number"] = [f"Roll number {candidate.roll_number} is already used in this exam."]
    if candidate.application_number and others.filter(application_number=candidate.application_number).exists():
        errors["application_number"] = [
            f"Application number {candidate.application_number} is already used in this exam."
        ]
    if errors:
        raise Conflict("duplicate", "Another candidate of this exam has the same number.", extra={"errors": errors})


def _delete_files_on_commit(candidate: Candidate, old_files: dict[str, str]) -> None:
    """Remove replaced image files once the change is committed (never before)."""
    for field, name in old_files.items():
        if name and name != getattr(candidate, field).name:
            storage = candidate._meta.get_field(field).storage
            transaction.on_commit(lambda s=storage, n=name: s.delete(n))


@transaction.atomic
def candidate_delete(*, candidate: Candidate) -> None:
    """Delete a candidate still `registered`; allocated or withdrawn ones are kept (409)."""
    locked = Candidate.objects.select_for_update().filter(pk=candidate.pk).values_list("status", flat=True).first()
    if locked != CandidateStatus.REGISTERED:
        raise Conflict(
            "candidate_not_registered",
            f"Only a registered candidate can be deleted; this one is {locked or 'gone'}.",
        )
    files = {f: getattr(candidate, f).name for f in IMAGE_FIELDS}
    synced_delete(candidate)
    for field, name in files.items():
        if name:
            storage = Candidate._meta.get_field(field).storage
            transaction.on_commit(lambda s=storage, n=name: s.delete(n))


@transaction.atomic
def candidate_withdraw(*, candidate: Candidate) -> Candidate:
    """Mark a registered or allocated candidate as withdrawn (kept, never deleted).

    One conditional UPDATE settles races: if another request withdrew the candidate
    first, this one changes nothing and answers 409.
    """
    changed = Candidate.objects.filter(
        pk=candidate.pk, status__in=[CandidateStatus.REGISTERED, CandidateStatus.ALLOCATED]
    ).update(**stamp_update(status=CandidateStatus.WITHDRAWN))
    if not changed:
        raise Conflict("candidate_already_withdrawn", "This candidate has already withdrawn.")
    candidate.refresh_from_db()
    return candidate
