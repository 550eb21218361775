"""Who sees which exam-day rows: HQ exam staff all, center staff their own center's
(another center's rows answer 404 like missing ones). Paper setters and evaluators see none."""

from apps.core.roles import Role
from apps.core.scoping import center_scoped, scope_rule
from apps.examday.models import Attendance, AttendanceAudit, Incident

EXAM_STAFF = frozenset({Role.EXAM_MANAGER})  # admins see everything anyway

scope_rule(Attendance)(center_scoped("center_id", hq_roles=EXAM_STAFF))
scope_rule(AttendanceAudit)(center_scoped("center_id", hq_roles=EXAM_STAFF))
scope_rule(Incident)(center_scoped("center_id", hq_roles=EXAM_STAFF))
