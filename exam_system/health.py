from django.core.cache import cache
from django.db import connection
from drf_spectacular.utils import extend_schema, inline_serializer
from rest_framework import permissions, serializers, status
from rest_framework.response import Response
from rest_framework.views import APIView


class HealthView(APIView):
    """Liveness and readiness: the database answers a query and the cache a round trip.
    Anonymous, so it says up or down and names no product (no database vendor, no version)."""

    permission_classes = [permissions.AllowAny]
    authentication_classes = []
    throttle_classes = []

    @extend_schema(
        responses=inline_serializer(
            "Health",
            {
                "status": serializers.CharField(),
                "database": serializers.CharField(),
                "cache": serializers.CharField(),
            },
        )
    )
    def get(self, request):
        checks = {"database": "ok", "cache": "ok"}
        try:
            with connection.cursor() as cursor:
                cursor.execute("SELECT 1")
                cursor.fetchone()
        except Exception as exc:  # any driver error means "down"
            checks["database"] = f"error: {exc.__class__.__name__}"
        try:
            probe = getattr(cache, "probe", None)
            if probe is not None:
                # The Redis cache serves requests from a local fallback while Redis is
                # down (utils/cache.py); health asks Redis itself.
                probe()
            else:
                cache.set("health-probe", "1", timeout=5)
                if cache.get("health-probe") != "1":
                    checks["cache"] = "error: read back failed"
        except Exception as exc:
            checks["cache"] = f"error: {exc.__class__.__name__}"
        healthy = checks["database"] == "ok" and checks["cache"] == "ok"
        body = {"status": "ok" if healthy else "error", **checks}
        return Response(body, status=status.HTTP_200_OK if healthy else status.HTTP_503_SERVICE_UNAVAILABLE)
