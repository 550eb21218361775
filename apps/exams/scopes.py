"""Who sees which exams, papers and sessions.

HQ roles see all. Center staff see the published schedule (exams that left `draft`) of
their venues: a session is theirs when a `SessionCenter` row assigns it to their center,
or when the session has no such rows at all (then every active center holds it). An
exam or paper is theirs when the exam has no venue rows yet or one of them is theirs.
Evaluators see none of it.
"""

from django.db.models import Exists, OuterRef

from apps.authentication.models import CENTER_ROLES, HQ_ROLES
from apps.authentication.scoping import scope_rule
from apps.exams.logistics.models import SessionCenter
from apps.exams.models import Exam, ExamSession, ExamStatus, Paper


def _venue_filter(venue_lookup: str, outer: str, center_id):
    """Q-able: the row has no venue assignments, or one for `center_id`."""
    venues = SessionCenter.objects.filter(**{venue_lookup: OuterRef(outer)})
    return ~Exists(venues) | Exists(venues.filter(center_id=center_id))


def _schedule_rule(exam_path: str, venue_lookup: str, outer: str):
    def rule(user, queryset):
        if user.role in HQ_ROLES:
            return queryset
        if user.role in CENTER_ROLES and user.center_id:
            return queryset.exclude(**{f"{exam_path}status": ExamStatus.DRAFT}).filter(
                _venue_filter(venue_lookup, outer, user.center_id)
            )
        return queryset.none()

    return rule


scope_rule(Exam)(_schedule_rule("", "session__exam", "pk"))
scope_rule(Paper)(_schedule_rule("exam__", "session__exam", "exam_id"))
scope_rule(ExamSession)(_schedule_rule("exam__", "session", "pk"))

from apps.exams.logistics import scopes as _logistics_scopes  # noqa: E402, F401  (allocation, attendance, incidents)
