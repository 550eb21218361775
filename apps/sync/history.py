"""Writing the sync history (SyncLog). Always outside the package's own transaction, so
a refused or rolled-back import is recorded too."""

from apps.sync.models import SyncLog, SyncStatus
from apps.sync.selectors import database_bytes, free_disk_bytes


def sync_log_write(*, direction: str, user=None, status: str = SyncStatus.OK, conflicts=None, **fields) -> SyncLog:
    conflicts = list(conflicts or [])
    if user is not None and not getattr(user, "pk", None):
        user = None
    return SyncLog.objects.create(
        direction=direction,
        user=user,
        status=status,
        conflicts=conflicts[: SyncLog.CONFLICT_LIMIT],
        conflict_count=fields.pop("conflict_count", len(conflicts)),
        free_disk_bytes=free_disk_bytes(),
        database_bytes=database_bytes(),
        **fields,
    )
