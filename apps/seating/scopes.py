"""Who sees which seats: HQ exam staff all, center staff their own center's (another
center's rows answer 404 like missing ones). Paper setters and evaluators see none."""

from apps.core.roles import Role
from apps.core.scoping import center_scoped, scope_rule
from apps.seating.models import Allocation

scope_rule(Allocation)(center_scoped("center_id", hq_roles=frozenset({Role.EXAM_MANAGER})))
