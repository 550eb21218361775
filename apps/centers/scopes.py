from apps.authentication.scoping import center_scoped, scope_rule
from apps.centers.models import Center, Room

scope_rule(Center)(center_scoped("pk"))
scope_rule(Room)(center_scoped("center_id"))
