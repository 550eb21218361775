from apps.centers.models import Center, Room
from apps.core.scoping import center_scoped, scope_rule

scope_rule(Center)(center_scoped("pk"))
scope_rule(Room)(center_scoped("center_id"))
