"""Who sees which logistics rows. Center staff see their own center's rows only;
rows of another center answer 404 like missing ones. Paper setters and evaluators see none."""

from apps.authentication.models import HQ_ROLES, Role
from apps.authentication.scoping import center_scoped, scope_rule
from apps.exams.logistics.models import Allocation, Attendance, AttendanceAudit, Incident, SessionCenter

EXAM_STAFF = frozenset({Role.EXAM_MANAGER})  # admins see everything anyway

scope_rule(SessionCenter)(center_scoped("center_id", hq_roles=HQ_ROLES))
scope_rule(Allocation)(center_scoped("center_id", hq_roles=EXAM_STAFF))
scope_rule(Attendance)(center_scoped("center_id", hq_roles=EXAM_STAFF))
scope_rule(AttendanceAudit)(center_scoped("center_id", hq_roles=EXAM_STAFF))
scope_rule(Incident)(center_scoped("center_id", hq_roles=EXAM_STAFF))
