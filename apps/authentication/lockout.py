"""Login lockout: django-axes, with every attempt counted before its password is checked.

django-axes keeps the failure counts in the database (`axes.AccessAttempt`), so nothing
evicts a lockout, and every login goes through it: the API's `/api/auth/login/` and the
admin's `/admin/login/` call `authenticate(request, ...)`, whose first (and only) backend is
`LoginBackend` below. A username and a client address are each locked after
`AXES_FAILURE_LIMIT` failures until `AXES_COOLOFF_TIME` after the last one, and both entry
points share the counts.

Stock axes checks the count, checks the password, and records a failure afterwards, so N
concurrent wrong logins all pass the check before the first is recorded (measured on
PostgreSQL, 30 threads, limit 5: 30 passwords checked). Here the attempt is counted first, in
one short transaction that serialises the attempts of one username and of one address
(PostgreSQL advisory locks; SQLite's single write lock), and a correct password gives its
count back. The password itself is checked outside that transaction.
So at most `AXES_FAILURE_LIMIT` passwords are ever checked per username or address inside
the window, however many requests run at once.

The client address is REMOTE_ADDR unless `TRUSTED_PROXY_COUNT` reverse proxies are
declared; only then is X-Forwarded-For read, through django-ipware.
"""

import hashlib
import math

from axes.backends import AxesStandaloneBackend
from axes.exceptions import AxesBackendPermissionDenied, AxesBackendRequestParameterRequired
from axes.handlers.database import AxesDatabaseHandler
from axes.handlers.proxy import AxesProxyHandler
from axes.helpers import (
    get_client_username,
    get_cool_off,
    get_credentials,
    get_failure_limit,
    get_query_str,
)
from axes.models import AccessAttempt
from axes.signals import user_locked_out
from django.conf import settings
from django.contrib.auth.backends import ModelBackend
from django.db import connections, router, transaction
from django.db.models import F, Max, Sum
from django.http import HttpResponse, JsonResponse
from django.utils import timezone
from ipware import get_client_ip

LOCKED_MESSAGE = "Too many failed logins. Try again in {seconds} seconds."


def lockout_username(request, credentials=None) -> str | None:
    """The username attempts are counted under (AXES_USERNAME_CALLABLE): case and
    surrounding spaces do not matter, as for logging in."""
    if credentials:
        username = credentials.get(settings.AXES_USERNAME_FORM_FIELD)
    else:
        data = getattr(request, "data", None)
        username = (data if hasattr(data, "get") else request.POST).get(settings.AXES_USERNAME_FORM_FIELD)
    if not isinstance(username, str):
        return None
    # AccessAttempt.username holds 255 characters; no real username is longer than 150.
    return username.strip().lower()[:255] or None


def client_ip(request) -> str | None:
    """The client address (AXES_CLIENT_IP_CALLABLE).

    With no trusted proxy (the default) it is the connection's address and X-Forwarded-For
    is ignored, so a client cannot choose the address it is counted under. With
    TRUSTED_PROXY_COUNT = N, each of the N proxies appended the address it received the
    request from, so the client is the N-th entry from the right of X-Forwarded-For.
    """
    proxies = settings.TRUSTED_PROXY_COUNT
    if proxies <= 0:
        return request.META.get("REMOTE_ADDR")
    address, _routable = get_client_ip(
        request,
        proxy_order="left-most",
        # python-ipware counts the proxies listed in the header: all but the nearest one,
        # which is REMOTE_ADDR. Entries further left were written by the client: ignored.
        proxy_count=proxies - 1,
        request_header_order=["HTTP_X_FORWARDED_FOR", "REMOTE_ADDR"],
        strict=False,
    )
    return address or request.META.get("REMOTE_ADDR")


def _lock_ids(request, credentials) -> list[int]:
    keys = {f"ip:{request.axes_ip_address}", f"user:{get_client_username(request, credentials)}"}
    ids = {int.from_bytes(hashlib.sha256(k.encode()).digest()[:8], "big", signed=True) for k in keys}
    return sorted(ids)  # one order for everyone: no deadlock between two attempts


class LockoutDatabaseHandler(AxesDatabaseHandler):
    """axes' database handler, with `reserve_attempt` / `release_attempt` around the password
    check; a failure that was reserved is not counted a second time."""

    def reserve_attempt(self, request, credentials) -> bool:
        """Count this attempt as a failure now; False (nothing counted) when locked."""
        if self.is_blacklisted(request, credentials):
            return False
        if self.is_whitelisted(request, credentials):
            return True
        username = get_client_username(request, credentials)
        using = router.db_for_write(AccessAttempt)
        with transaction.atomic(using=using):
            connection = connections[using]
            if connection.vendor == "postgresql":
                # Serialise the attempts of this username and of this address, also when
                # their rows do not exist yet. On SQLite the transaction's BEGIN IMMEDIATE
                # already holds the database's one write lock.
                with connection.cursor() as cursor:
                    for lock_id in _lock_ids(request, credentials):
                        cursor.execute("SELECT pg_advisory_xact_lock(%s)", [lock_id])
            self.clean_expired_user_attempts(request, credentials)
            if self.get_failures(request, credentials) >= get_failure_limit(request, credentials):
                return False
            attempt, created = AccessAttempt.objects.select_for_update().get_or_create(
                username=username,
                ip_address=request.axes_ip_address,
                user_agent=request.axes_user_agent,
                defaults={
                    "get_data": get_query_str(request.GET).replace("\0", "0x00"),
                    "post_data": "",
                    "http_accept": request.axes_http_accept,
                    "path_info": request.axes_path_info,
                    "failures_since_start": 1,
                    "attempt_time": request.axes_attempt_time,
                },
            )
            if not created:
                attempt.failures_since_start = F("failures_since_start") + 1
                attempt.attempt_time = request.axes_attempt_time
                attempt.path_info = request.axes_path_info
                attempt.save(update_fields=["failures_since_start", "attempt_time", "path_info"])
        request.axes_attempt_reserved = True
        return True

    def release_attempt(self, request, credentials) -> None:
        """The password was right: give the reserved count back."""
        if not getattr(request, "axes_attempt_reserved", False):
            return
        request.axes_attempt_reserved = False
        mine = AccessAttempt.objects.filter(
            username=get_client_username(request, credentials),
            ip_address=request.axes_ip_address,
            user_agent=request.axes_user_agent,
        )
        with transaction.atomic(using=router.db_for_write(AccessAttempt)):
            # Only this attempt's count: the row goes; earlier failures stay counted.
            mine.filter(failures_since_start__lte=1).delete()
            mine.filter(failures_since_start__gt=1).update(failures_since_start=F("failures_since_start") - 1)

    def user_login_failed(self, sender, credentials: dict, request=None, **kwargs):
        if request is None or not getattr(request, "axes_attempt_reserved", False):
            return super().user_login_failed(sender, credentials, request, **kwargs)
        # Already counted by reserve_attempt: only say whether this failure locked it.
        request.axes_attempt_reserved = False
        failures = self.get_failures(request, credentials)
        request.axes_failures_since_start = failures
        if settings.AXES_LOCK_OUT_AT_FAILURE and failures >= get_failure_limit(request, credentials):
            request.axes_locked_out = True
            request.axes_credentials = credentials
            user_locked_out.send(
                "axes",
                request=request,
                username=get_client_username(request, credentials),
                ip_address=request.axes_ip_address,
            )
        return None


class LoginBackend(AxesStandaloneBackend, ModelBackend):
    """The one authentication backend: the lockout (count first), then Django's model backend
    (which finds the user ignoring case: ExamUserManager.get_by_natural_key)."""

    def authenticate(self, request, username=None, password=None, **kwargs):
        if not settings.AXES_ENABLED:
            return ModelBackend.authenticate(self, request, username=username, password=password, **kwargs)
        if request is None:
            raise AxesBackendRequestParameterRequired("LoginBackend needs the request to count attempts")
        credentials = get_credentials(username=username, password=password, **kwargs)
        AxesProxyHandler.update_request(request)
        handler = AxesProxyHandler.get_implementation()
        if not handler.reserve_attempt(request, credentials):
            request.axes_locked_out = True
            request.axes_refused = True  # refused unchecked (the login view answers 429)
            request.axes_credentials = credentials
            # Django's authenticate() catches this, sends user_login_failed and returns None.
            raise AxesBackendPermissionDenied("Locked out: too many failed logins")
        user = ModelBackend.authenticate(self, request, username=username, password=password, **kwargs)
        if user is not None:
            handler.release_attempt(request, credentials)
        return user


def retry_after(request, credentials=None) -> int:
    """Seconds until the lockout that refused `request` ends (at least 1)."""
    AxesProxyHandler.update_request(request)
    handler = AxesProxyHandler.get_implementation()
    limit = get_failure_limit(request, credentials)
    latest = None
    for attempts in handler.get_user_attempts(request, credentials):
        found = attempts.aggregate(failures=Sum("failures_since_start"), last=Max("attempt_time"))
        if (found["failures"] or 0) >= limit and found["last"] is not None:
            latest = found["last"] if latest is None else max(latest, found["last"])
    if latest is None:
        return 1
    remaining = (latest + get_cool_off(request) - timezone.now()).total_seconds()
    return max(1, math.ceil(remaining))


def lockout_body(seconds: int) -> dict:
    return {"code": "throttled", "detail": LOCKED_MESSAGE.format(seconds=seconds), "retry_after": seconds}


def lockout_response(request, original_response=None, credentials=None) -> HttpResponse:
    """What a locked-out login gets (AXES_LOCKOUT_CALLABLE): 429 with Retry-After; the API's
    JSON error shape under /api/, a short page elsewhere (the admin)."""
    seconds = retry_after(request, credentials)
    if request.path.startswith("/api/"):
        response = JsonResponse(lockout_body(seconds), status=429)
    else:
        response = HttpResponse(LOCKED_MESSAGE.format(seconds=seconds), status=429, content_type="text/plain")
    response["Retry-After"] = str(seconds)
    return response
