"""A Redis cache that degrades instead of failing while Redis does not answer.

With `REDIS_URL` set the cache holds the throttling counters every worker shares. When
Redis is down, an operation on Django's own Redis backend raises `redis.ConnectionError`,
which turned every throttled request (login first) into a 500. `FallbackRedisCache` is
that backend with one difference: an operation that cannot reach Redis logs a warning
(once per outage) and is served by a per-process in-memory cache instead, so rate
limits go on per worker until Redis answers again. For `RETRY_SECONDS` after a failure
Redis is not tried at all, so a Redis that hangs does not slow every request.

`/api/health/` must still say that the cache is down: it calls `probe()`, which talks to
Redis and raises, with no fallback.

Anything else that reaches a view with Redis's ConnectionError (a plain RedisCache, a
direct client) is answered as a JSON 503 by `utils.exceptions.api_exception_handler`.
"""

import logging
import threading
import time

from django.core.cache.backends.base import DEFAULT_TIMEOUT
from django.core.cache.backends.locmem import LocMemCache
from django.core.cache.backends.redis import RedisCache
from redis.exceptions import ConnectionError as RedisConnectionError
from redis.exceptions import TimeoutError as RedisTimeoutError

logger = logging.getLogger("apps.cache")

UNREACHABLE = (RedisConnectionError, RedisTimeoutError)

# Shared by every thread of the process (Django makes one cache object per thread).
_lock = threading.Lock()
_down_until: dict[str, float] = {}


class FallbackRedisCache(RedisCache):
    RETRY_SECONDS = 5.0

    def __init__(self, server, params):
        super().__init__(server, params)
        self._server_key = str(server)
        self._fallback = LocMemCache(
            f"redis-fallback:{self._server_key}:{params.get('KEY_PREFIX', '')}",
            {k: v for k, v in params.items() if k in ("TIMEOUT", "KEY_PREFIX", "VERSION", "KEY_FUNCTION")},
        )

    # -- health ---------------------------------------------------------------------
    def probe(self) -> None:
        """A real round trip to Redis (no fallback): raises when Redis does not answer."""
        super().set("health-probe", "1", timeout=5)
        if super().get("health-probe") != "1":
            raise RedisConnectionError("read back failed")
        self._up()

    @property
    def degraded(self) -> bool:
        return time.monotonic() < _down_until.get(self._server_key, 0.0)

    # -- the switch -----------------------------------------------------------------
    def _call(self, name: str, *args, **kwargs):
        if not self.degraded:
            try:
                result = getattr(super(), name)(*args, **kwargs)
            except UNREACHABLE as exc:
                self._down(exc)
            else:
                if _down_until.get(self._server_key):
                    self._up()
                return result
        return getattr(self._fallback, name)(*args, **kwargs)

    def _down(self, exc: Exception) -> None:
        with _lock:
            first = not _down_until.get(self._server_key)
            _down_until[self._server_key] = time.monotonic() + self.RETRY_SECONDS
        if first:
            logger.warning(
                "Redis cache at %s does not answer (%s: %s): using a per-process cache until it does; "
                "rate limits are per worker meanwhile.",
                self._redacted(),
                exc.__class__.__name__,
                exc,
            )

    def _up(self) -> None:
        with _lock:
            was_down = bool(_down_until.pop(self._server_key, None))
        if was_down:
            logger.warning("Redis cache at %s answers again.", self._redacted())

    def _redacted(self) -> str:
        # Never log a password that REDIS_URL may carry.
        servers = self._servers if isinstance(self._servers, list) else [self._servers]
        return ", ".join(s.split("@", 1)[-1] for s in map(str, servers))

    # -- every operation of the backend ---------------------------------------------
    def add(self, key, value, timeout=DEFAULT_TIMEOUT, version=None):
        return self._call("add", key, value, timeout, version)

    def get(self, key, default=None, version=None):
        return self._call("get", key, default, version)

    def set(self, key, value, timeout=DEFAULT_TIMEOUT, version=None):
        return self._call("set", key, value, timeout, version)

    def touch(self, key, timeout=DEFAULT_TIMEOUT, version=None):
        return self._call("touch", key, timeout, version)

    def delete(self, key, version=None):
        return self._call("delete", key, version)

    def get_many(self, keys, version=None):
        return self._call("get_many", keys, version)

    def has_key(self, key, version=None):
        return self._call("has_key", key, version)

    def incr(self, key, delta=1, version=None):
        return self._call("incr", key, delta, version)

    def set_many(self, data, timeout=DEFAULT_TIMEOUT, version=None):
        return self._call("set_many", data, timeout, version)

    def delete_many(self, keys, version=None):
        return self._call("delete_many", keys, version)

    def clear(self):
        return self._call("clear")
