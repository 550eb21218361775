from apps.candidates.models import Candidate
from apps.core.roles import Role
from apps.core.scoping import center_scoped, scope_rule

# HQ staff who manage registrations see every candidate; center staff only those
# allocated to their center. Paper setters and evaluators see none (evaluation works
# on anonymised scripts).
scope_rule(Candidate)(center_scoped("center_id", hq_roles=frozenset({Role.EXAM_MANAGER})))
