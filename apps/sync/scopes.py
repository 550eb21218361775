from apps.core.scoping import scope_rule
from apps.sync.models import SyncLog
from apps.sync.selectors import sync_log_list

# The sync history: HQ staff see all of it, a center manager its own center's entries.
scope_rule(SyncLog)(lambda user, queryset: queryset & sync_log_list(user=user))
