"""GET /api/health/: liveness and readiness of this node.

Anyone may ask (a monitor, a load balancer): the answer is `status`, `database`, `cache` and
`disk`, each the word `ok` or `error`, and names no product, version or path. A logged-in
user with a role also gets `details`: what failed, the free bytes on the data and media file
systems, and the last sync package this node exported or imported.
"""

import shutil
from pathlib import Path

from django.conf import settings
from django.core.cache import cache
from django.db import connection
from drf_spectacular.utils import extend_schema, inline_serializer
from rest_framework import permissions, serializers, status
from rest_framework.response import Response
from rest_framework.views import APIView

from apps.sync.selectors import last_package_exchanged

OK, ERROR = "ok", "error"


def disk_usage(path: Path) -> int:
    """Free bytes on the file system holding `path` (or its nearest existing parent: the
    media folder is made on the first upload)."""
    path = Path(path).resolve()
    while not path.exists() and path != path.parent:
        path = path.parent
    return shutil.disk_usage(path).free


def _check_database() -> None:
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
        cursor.fetchone()


def _check_cache() -> None:
    probe = getattr(cache, "probe", None)
    if probe is not None:
        # The Redis cache serves requests from a local fallback while Redis is down
        # (utils/cache.py); health asks Redis itself.
        probe()
        return
    cache.set("health-probe", "1", timeout=5)
    if cache.get("health-probe") != "1":
        raise RuntimeError("read back failed")


def _is_staff(request) -> bool:
    """A logged-in, active user with a role. Authentication runs here, not before the view, so
    that a stale token or a database that is down gives the anonymous answer, not a 401/500."""
    try:
        user = request.user
        return bool(user and user.is_authenticated and user.is_active and getattr(user, "role", ""))
    except Exception:  # a bad token, or no database to read the user from
        return False


class HealthView(APIView):
    """Liveness and readiness: the database answers a query, the cache a round trip, and the
    data and media file systems have HEALTH_MIN_FREE_DISK_BYTES free. 200 when all are ok,
    503 otherwise."""

    permission_classes = [permissions.AllowAny]
    throttle_classes = []

    def perform_authentication(self, request):
        pass  # lazily, in _is_staff

    @extend_schema(
        responses=inline_serializer(
            "Health",
            {
                "status": serializers.CharField(help_text="ok or error"),
                "database": serializers.CharField(help_text="ok or error"),
                "cache": serializers.CharField(help_text="ok or error"),
                "disk": serializers.CharField(help_text="ok or error"),
                "details": serializers.DictField(
                    required=False, help_text="Only for a logged-in user with a role: errors, disk, last_package."
                ),
            },
        )
    )
    def get(self, request):
        errors: dict[str, str] = {}
        for name, check in (("database", _check_database), ("cache", _check_cache)):
            try:
                check()
            except Exception as exc:  # any driver error means "down"
                errors[name] = exc.__class__.__name__
        disk = {"min_free_bytes": settings.HEALTH_MIN_FREE_DISK_BYTES}
        for key, path in (("data_dir_free_bytes", settings.DATA_DIR), ("media_root_free_bytes", settings.MEDIA_ROOT)):
            try:
                disk[key] = disk_usage(path)
            except OSError as exc:
                disk[key] = None
                errors["disk"] = exc.__class__.__name__
            else:
                if disk[key] < settings.HEALTH_MIN_FREE_DISK_BYTES:
                    errors.setdefault("disk", "low free space")
        checks = {name: ERROR if name in errors else OK for name in ("database", "cache", "disk")}
        body = {"status": ERROR if errors else OK, **checks}
        if _is_staff(request):
            body["details"] = {"errors": errors, "disk": disk, "last_package": self._last_package(errors)}
        return Response(body, status=status.HTTP_503_SERVICE_UNAVAILABLE if errors else status.HTTP_200_OK)

    @staticmethod
    def _last_package(errors) -> dict | None:
        if "database" in errors:
            return None
        try:
            row = last_package_exchanged()
        except Exception as exc:
            errors["last_package"] = exc.__class__.__name__
            return None
        if row is None:
            return None
        return {
            "time": row["created_at"].isoformat(),
            "direction": row["direction"],
            "kind": row["kind"],
            "center": row["center"],
        }
