from django.db.models import Exists, OuterRef, QuerySet

from apps.exams.models import Exam, ExamSession, Paper, SessionCenter
from utils.lookups import by_code_or_id


def exam_list() -> QuerySet[Exam]:
    return Exam.objects.all()


def paper_list() -> QuerySet[Paper]:
    return Paper.objects.select_related("exam")


def session_list() -> QuerySet[ExamSession]:
    return ExamSession.objects.select_related("exam", "paper")


def exam_by_code_or_id(value: str) -> Exam | None:
    """An exam by its code or UUID (commands accept either: docs/architecture.md, identity)."""
    return by_code_or_id(Exam.objects.all(), value)


def session_center_list() -> QuerySet[SessionCenter]:
    return SessionCenter.objects.select_related("session__paper", "center")


def sessions_held_at(center) -> QuerySet[ExamSession]:
    """The sessions `center` (a Center or its id) holds.

    The one statement of this rule, used by the scope rules (what center staff see) and
    by sync (what a center package carries, which sessions may be in progress): a session
    is held at a center when a `SessionCenter` row assigns it there, or when it has no
    such rows at all (then every center holds it).
    """
    center_id = getattr(center, "pk", center)
    venues = SessionCenter.objects.filter(session=OuterRef("pk"))
    return ExamSession.objects.filter(~Exists(venues) | Exists(venues.filter(center_id=center_id)))


ID_CHUNK = 400  # ids per IN (...) list, well inside SQLite's parameter limit


def id_chunks(values) -> list[list]:
    """`values` sorted and cut into lists short enough for one IN (...) each."""
    items = sorted(values, key=str)
    return [items[i : i + ID_CHUNK] for i in range(0, len(items), ID_CHUNK)]


def held_session_ids(center_id, session_ids, using: str = "default") -> set[str]:
    """Which of `session_ids` `center_id` holds, by the receiver's own records (sync's
    ownership proofs of center-owned rows), as strings."""
    held = set()
    for chunk in id_chunks(session_ids):
        rows = sessions_held_at(center_id).using(using).filter(pk__in=chunk).values_list("pk", flat=True)
        held |= {str(pk) for pk in rows}
    return held
