"""What of this app travels in packages (discovered by apps.sync at start-up).

A center package carries the sessions the center holds (`sessions_held_at`, the one
statement of that rule), their exams and those exams' papers, and the center's venue rows.
"""

from django.utils import timezone

from apps.exams.models import Exam, ExamSession, Paper, SessionCenter
from apps.exams.selectors import sessions_held_at
from apps.sync.registry import HQ, Objection, register, register_exam_scope, register_results_guard


def exams_held_at(center):
    return Exam.objects.filter(pk__in=sessions_held_at(center).values("exam_id"))


def sessions_in_progress(center):
    """Sessions held at `center` that are running now (settings.TIME_ZONE)."""
    now = timezone.localtime()
    return sessions_held_at(center).filter(date=now.date(), start_time__lte=now.time(), end_time__gt=now.time())


@register_results_guard
def _no_session_in_progress(center) -> Objection | None:
    running = list(sessions_in_progress(center).select_related("paper__exam")[:3])
    if not running:
        return None
    names = ", ".join(str(s) for s in running)
    return Objection("session_in_progress", f"Session(s) in progress at {center.code}: {names}.")


@register_exam_scope
def _exams_of_center(center) -> list[str]:
    return list(exams_held_at(center).values_list("code", flat=True))


register(Exam, owner=HQ, select=lambda center, since: exams_held_at(center))
register(Paper, owner=HQ, select=lambda center, since: Paper.objects.filter(exam__in=exams_held_at(center)))
register(ExamSession, owner=HQ, select=lambda center, since: sessions_held_at(center))
register(SessionCenter, owner=HQ, center_path="center_id")
