"""Who sees which exams, papers, sessions and session venues.

HQ roles see all. Center staff see the published schedule (exams that left `draft`) of
their own center: the sessions it holds (`sessions_held_at`), and the exams and papers
that have such a session or no sessions yet. Evaluators see none of it.
"""

from django.db.models import Exists, OuterRef

from apps.core.roles import CENTER_ROLES, HQ_ROLES
from apps.core.scoping import center_scoped, scope_rule
from apps.exams.models import Exam, ExamSession, ExamStatus, Paper, SessionCenter
from apps.exams.selectors import sessions_held_at


def _held_here(session_link: str, center_id):
    """Q-able for exams or papers: no sessions yet, or a session held at `center_id`."""
    sessions = ExamSession.objects.filter(**{session_link: OuterRef("pk")})
    return ~Exists(sessions) | Exists(sessions_held_at(center_id).filter(**{session_link: OuterRef("pk")}))


def _schedule_rule(narrow):
    def rule(user, queryset):
        if user.role in HQ_ROLES:
            return queryset
        if user.role in CENTER_ROLES and user.center_id:
            return narrow(queryset, user.center_id)
        return queryset.none()

    return rule


scope_rule(Exam)(
    _schedule_rule(lambda qs, center_id: qs.exclude(status=ExamStatus.DRAFT).filter(_held_here("exam", center_id)))
)
scope_rule(Paper)(
    _schedule_rule(
        lambda qs, center_id: qs.exclude(exam__status=ExamStatus.DRAFT).filter(_held_here("paper", center_id))
    )
)
scope_rule(ExamSession)(
    _schedule_rule(
        lambda qs, center_id: qs.exclude(exam__status=ExamStatus.DRAFT).filter(
            pk__in=sessions_held_at(center_id).values("pk")
        )
    )
)
scope_rule(SessionCenter)(center_scoped("center_id", hq_roles=HQ_ROLES))
