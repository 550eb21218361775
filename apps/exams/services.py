from django.core.exceptions import ValidationError
from django.db import transaction

from apps.core.roles import Role
from apps.core.services import synced_delete, synced_save, update_fields_from
from apps.exams.models import EXAM_STATUS_ORDER, Exam, ExamSession, Paper, SessionCenter
from utils.exceptions import Conflict


def exam_status_check(*, old: str, new: str, user) -> None:
    """Status moves forward only (one or more steps); an admin may move it back (reopen)."""
    if old == new:
        return
    if EXAM_STATUS_ORDER.index(new) > EXAM_STATUS_ORDER.index(old):
        return
    if user is not None and getattr(user, "role", None) == Role.ADMIN:
        return
    raise ValidationError(
        {"status": f"Status cannot move back from '{old}' to '{new}'; only an admin may reopen an exam."}
    )


@transaction.atomic
def exam_create(**data) -> Exam:
    exam = Exam(**data)
    exam.full_clean()
    return synced_save(exam)


def exam_change_check(*, exam: Exam, data: dict, user=None) -> None:
    """The rules of changing a saved exam that its own fields cannot check: the status
    moves forward (an admin may reopen), and the dates keep every session inside them.
    `exam` is the row as stored; `data` the new values. Raises ValidationError.

    `exam_update` runs it; so does the admin's form, to show the reason on the form.
    """
    if "status" in data:
        exam_status_check(old=exam.status, new=data["status"], user=user)
    start, end = data.get("start_date", exam.start_date), data.get("end_date", exam.end_date)
    if (start, end) != (exam.start_date, exam.end_date) and start and end and start <= end:
        outside = exam.sessions.exclude(date__range=(start, end))
        if outside.exists():
            dates = ", ".join(sorted({str(d) for d in outside.values_list("date", flat=True)}))
            raise ValidationError({"start_date": f"Sessions on {dates} would fall outside the exam's new dates."})


@transaction.atomic
def exam_update(*, exam: Exam, data: dict, user=None) -> Exam:
    """Change a stored exam (`exam` as loaded, `data` the new values). Raises ValidationError."""
    exam_change_check(exam=exam, data=data, user=user)
    changed = update_fields_from(exam, data)
    if not changed:
        return exam
    exam.full_clean()
    return synced_save(exam, update_fields=changed)


def exam_delete(*, exam: Exam) -> None:
    synced_delete(exam)


@transaction.atomic
def paper_create(**data) -> Paper:
    paper = Paper(**data)
    paper.full_clean()
    return synced_save(paper)


@transaction.atomic
def paper_update(*, paper: Paper, data: dict) -> Paper:
    changed = update_fields_from(paper, data)
    if changed:
        paper.full_clean()
        synced_save(paper, update_fields=changed)
    return paper


def paper_delete(*, paper: Paper) -> None:
    synced_delete(paper)


SESSION_IDENTITY = ("paper", "date", "start_time")


def session_duplicate_check(session: ExamSession) -> None:
    """One sitting of a paper per date and start time: a second identical session is a
    conflict (409) naming the existing one. API and admin both reach it through the
    services below."""
    if not (session.paper_id and session.date and session.start_time):
        return  # full_clean names the missing field
    # Serialize the sessions of one paper (PostgreSQL), so two identical requests at
    # once cannot both pass. SQLite serializes writers anyway.
    list(Paper.objects.select_for_update().filter(pk=session.paper_id).values_list("pk", flat=True))
    existing = (
        ExamSession.objects.filter(paper_id=session.paper_id, date=session.date, start_time=session.start_time)
        .exclude(pk=session.pk)
        .select_related("paper")
        .first()
    )
    if existing is None:
        return
    message = (
        f"Paper {existing.paper.code} already has a session on {existing.date} at {existing.start_time:%H:%M} "
        f"(session {existing.pk})."
    )
    raise Conflict(
        "duplicate_session",
        message,
        extra={
            "existing": {
                "id": str(existing.pk),
                "paper": str(existing.paper_id),
                "date": str(existing.date),
                "start_time": f"{existing.start_time:%H:%M:%S}",
                "end_time": f"{existing.end_time:%H:%M:%S}",
            }
        },
    )


@transaction.atomic
def session_create(**data) -> ExamSession:
    session = ExamSession(**data)
    session.full_clean()
    session_duplicate_check(session)
    return synced_save(session)


@transaction.atomic
def session_update(*, session: ExamSession, data: dict) -> ExamSession:
    changed = update_fields_from(session, data)
    if changed:
        session.full_clean()
        if any(name in changed or f"{name}_id" in changed for name in SESSION_IDENTITY):
            session_duplicate_check(session)
        synced_save(session, update_fields=changed)
    return session


def session_delete(*, session: ExamSession) -> None:
    synced_delete(session)


@transaction.atomic
def session_center_create(**data) -> SessionCenter:
    """Make a center a venue of a session (then only venue centers hold that session)."""
    venue = SessionCenter(**data)
    venue.full_clean()
    return synced_save(venue)


@transaction.atomic
def session_center_update(*, venue: SessionCenter, data: dict) -> SessionCenter:
    changed = update_fields_from(venue, data)
    if not changed:
        return venue
    venue.full_clean()
    return synced_save(venue, update_fields=changed)


def session_center_delete(*, venue: SessionCenter) -> None:
    synced_delete(venue)
