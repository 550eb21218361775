from apps.authentication.models import Role
from apps.authentication.scoping import center_scoped, scope_rule
from apps.candidates.models import Candidate

# HQ staff who manage registrations see every candidate; center staff only those
# allocated to their center. Paper setters and evaluators see none (evaluation works
# on anonymised scripts).
scope_rule(Candidate)(center_scoped("center_id", hq_roles=frozenset({Role.EXAM_MANAGER})))
