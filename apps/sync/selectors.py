"""Reads of the sync app: history, and the node's disk and database size."""

import shutil
from pathlib import Path

from django.conf import settings
from django.db import connection
from django.db.models import QuerySet

from apps.core.roles import Role
from apps.sync.models import SyncDirection, SyncLog, SyncStatus


def sync_log_list(*, user) -> QuerySet[SyncLog]:
    """HQ staff see the whole history; a center manager the entries about its center."""
    qs = SyncLog.objects.select_related("user")
    if user.role in (Role.ADMIN, Role.EXAM_MANAGER):
        return qs
    if user.role == Role.CENTER_MANAGER and user.center_id:
        return qs.filter(center=user.center.code)
    return qs.none()


def free_disk_bytes() -> int | None:
    try:
        return shutil.disk_usage(Path(settings.DATA_DIR)).free
    except OSError:
        return None


def database_bytes() -> int | None:
    """Size of the database: the SQLite file (+ WAL) or pg_database_size."""
    if connection.vendor == "sqlite":
        name = Path(str(connection.settings_dict["NAME"]))
        if not name.is_file():
            return None  # in-memory test database
        return sum(p.stat().st_size for p in (name, Path(f"{name}-wal")) if p.is_file())
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_database_size(current_database())")
            return int(cursor.fetchone()[0])
    return None


def last_package_exchanged() -> dict | None:
    """The newest package this node exported or imported (not a dry run, not a refusal), for
    the health check: its time, direction, kind and center. Newest first along the index on
    `created_at`, so it reads a few rows whatever the history's length."""
    return (
        SyncLog.objects.filter(direction__in=(SyncDirection.EXPORT, SyncDirection.IMPORT), status=SyncStatus.OK)
        .order_by("-created_at")
        .values("created_at", "direction", "kind", "center")
        .first()
    )
