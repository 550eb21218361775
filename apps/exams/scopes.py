"""Who sees which exams, papers and sessions.

HQ roles see all. Center staff see the published schedule: everything of exams that
left `draft`. (Once sessions are assigned to centers, this narrows to their venues.)
Evaluators see none of it.
"""

from apps.authentication.models import CENTER_ROLES, HQ_ROLES
from apps.authentication.scoping import scope_rule
from apps.exams.models import Exam, ExamSession, ExamStatus, Paper


def _schedule_rule(exam_path: str):
    def rule(user, queryset):
        if user.role in HQ_ROLES:
            return queryset
        if user.role in CENTER_ROLES:
            return queryset.exclude(**{f"{exam_path}status": ExamStatus.DRAFT})
        return queryset.none()

    return rule


scope_rule(Exam)(_schedule_rule(""))
scope_rule(Paper)(_schedule_rule("exam__"))
scope_rule(ExamSession)(_schedule_rule("exam__"))

from apps.exams.logistics import scopes as _logistics_scopes  # noqa: E402, F401  (allocation, attendance, incidents)
