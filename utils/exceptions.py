"""One application error type and one API exception handler.

Every error body has the same shape:
    {"code": "<machine-readable>", "detail": "<human message>", "errors": {field: [..]}}
"errors" is present for validation failures. The handler also rolls the open
transaction back for `ApplicationError`, which DRF's own handler does not know about.
"""

import logging

from django.conf import settings
from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.core.exceptions import RequestDataTooBig, SuspiciousOperation
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import IntegrityError, OperationalError
from django.db.models import ProtectedError
from django.http import Http404
from rest_framework import exceptions, status
from rest_framework.response import Response
from rest_framework.serializers import as_serializer_error
from rest_framework.views import exception_handler as drf_exception_handler
from rest_framework.views import set_rollback

try:  # redis is installed with the project; the handler does not need it otherwise
    from redis.exceptions import ConnectionError as _RedisConnectionError
    from redis.exceptions import TimeoutError as _RedisTimeoutError

    CACHE_UNREACHABLE: tuple[type[BaseException], ...] = (_RedisConnectionError, _RedisTimeoutError)
except ImportError:  # pragma: no cover
    CACHE_UNREACHABLE = ()

logger = logging.getLogger("apps.api")

# Seconds a client is asked to wait when the cache does not answer.
CACHE_RETRY_AFTER = 5
# ...and when SQLite's write lock was busy for longer than the busy timeout.
DATABASE_BUSY_RETRY_AFTER = 2


class ApplicationError(Exception):
    """A business-rule failure a client can cause: rendered as `status` with `code`."""

    status_code = status.HTTP_400_BAD_REQUEST

    def __init__(self, code: str, message: str, *, extra: dict | None = None, status_code: int | None = None):
        super().__init__(message)
        self.code = code
        self.message = message
        self.extra = extra or {}
        if status_code is not None:
            self.status_code = status_code


class Conflict(ApplicationError):
    """A state or uniqueness conflict: HTTP 409."""

    status_code = status.HTTP_409_CONFLICT


def _sqlite_busy(exc: OperationalError) -> bool:
    message = str(exc).lower()
    return "database is locked" in message or "database table is locked" in message


def _rollback():
    # Same rule as DRF's own handler: only a request-wide transaction (ATOMIC_REQUESTS)
    # is marked for rollback; services' own atomic blocks have already rolled back.
    set_rollback()


def api_exception_handler(exc, context):
    if isinstance(exc, ApplicationError):
        _rollback()
        body = {"code": exc.code, "detail": exc.message, **exc.extra}
        response = Response(body, status=exc.status_code)
        if getattr(exc, "retry_after", None):  # a lock or limit that lifts by itself
            response["Retry-After"] = str(exc.retry_after)
        return response
    if isinstance(exc, RequestDataTooBig):
        limit = settings.DATA_UPLOAD_MAX_MEMORY_SIZE
        return Response(
            {"code": "too_large", "detail": f"The request body is larger than {limit:,} bytes."},
            status=status.HTTP_413_REQUEST_ENTITY_TOO_LARGE,
        )
    if isinstance(exc, SuspiciousOperation):  # too many fields or files, a malformed upload...
        return Response({"code": "bad_request", "detail": "Bad request."}, status=status.HTTP_400_BAD_REQUEST)
    if CACHE_UNREACHABLE and isinstance(exc, CACHE_UNREACHABLE):
        # Redis down and not absorbed by the cache's fallback (utils/cache.py): a JSON
        # 503 the client can retry, never an HTML 500 page.
        _rollback()
        view = context.get("view")
        logger.warning(
            "Cache unreachable in %s: %s: %s", view.__class__.__name__ if view else "?", exc.__class__.__name__, exc
        )
        response = Response(
            {"code": "cache_unavailable", "detail": "The cache (Redis) does not answer; try again shortly."},
            status=status.HTTP_503_SERVICE_UNAVAILABLE,
        )
        response["Retry-After"] = str(CACHE_RETRY_AFTER)
        return response
    if isinstance(exc, DjangoValidationError):
        exc = exceptions.ValidationError(as_serializer_error(exc))
    elif isinstance(exc, Http404):
        exc = exceptions.NotFound()
    elif isinstance(exc, DjangoPermissionDenied):
        exc = exceptions.PermissionDenied()
    elif isinstance(exc, ProtectedError):
        _rollback()
        names = sorted({obj._meta.verbose_name for obj in exc.protected_objects})
        return Response(
            {"code": "protected", "detail": f"Still referred to by: {', '.join(names)}."},
            status=status.HTTP_409_CONFLICT,
        )
    elif isinstance(exc, OperationalError) and _sqlite_busy(exc):
        # SQLite at a center: another writer held the lock past the busy timeout
        # (SQLITE_BUSY_TIMEOUT). Nothing was written; the client can simply try again.
        _rollback()
        response = Response(
            {"code": "database_busy", "detail": "The database is busy with another write; try again shortly."},
            status=status.HTTP_503_SERVICE_UNAVAILABLE,
        )
        response["Retry-After"] = str(DATABASE_BUSY_RETRY_AFTER)
        return response
    elif isinstance(exc, IntegrityError):
        # Uniqueness races that slipped past validation: a conflict, never a 500.
        _rollback()
        return Response(
            {"code": "conflict", "detail": "The change conflicts with existing data."},
            status=status.HTTP_409_CONFLICT,
        )

    response = drf_exception_handler(exc, context)
    if response is None:
        return None
    data = response.data
    if isinstance(exc, exceptions.ValidationError):
        errors = data if isinstance(data, dict) else {"non_field_errors": data}
        response.data = {"code": "invalid", "detail": "Invalid input.", "errors": errors}
    elif isinstance(data, dict) and "detail" in data:
        code = getattr(data["detail"], "code", None) or exc.default_code
        response.data = {
            "code": code,
            "detail": str(data["detail"]),
            **{k: v for k, v in data.items() if k != "detail"},
        }
    return response
