"""Failed-login limits, per username and per client address.

DRF's throttles count every request; a login limit must count failures only, so a
user who mistypes once is not locked out by their own successful logins. Counters
live in the cache (Redis when REDIS_URL is set), so every worker shares them.
Windows are fixed: the counter expires at the end of the minute it started in.
"""

import time
from dataclasses import dataclass

from django.conf import settings
from django.core.cache import cache
from rest_framework.throttling import AnonRateThrottle


@dataclass
class LoginFailureLimiter:
    username: str
    address: str

    @classmethod
    def for_request(cls, request, username: str) -> "LoginFailureLimiter":
        # Same client identity as DRF's throttles (honours NUM_PROXIES).
        address = AnonRateThrottle().get_ident(request) or "unknown"
        return cls(username=(username or "").strip().lower(), address=address)

    def _window(self) -> tuple[int, int]:
        size = settings.LOGIN_FAILURE_WINDOW_SECONDS
        now = time.time()
        start = int(now // size) * size
        return start, max(1, int(start + size - now))

    def _keys(self, start: int) -> list[str]:
        keys = [f"login-fail:addr:{self.address}:{start}"]
        if self.username:
            keys.append(f"login-fail:user:{self.username}:{start}")
        return keys

    def retry_after(self) -> int | None:
        """Seconds until another attempt is allowed, or None when it is allowed now."""
        start, remaining = self._window()
        counts = cache.get_many(self._keys(start))
        if any(count >= settings.LOGIN_FAILURE_LIMIT for count in counts.values()):
            return remaining
        return None

    def record_failure(self) -> None:
        start, remaining = self._window()
        for key in self._keys(start):
            # add() is a no-op when the key exists; incr() is atomic on Redis.
            cache.add(key, 0, timeout=remaining + 1)
            try:
                cache.incr(key)
            except ValueError:  # expired between add and incr
                cache.set(key, 1, timeout=remaining + 1)
