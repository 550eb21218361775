"""Issue 11 item 3: with REDIS_URL pointing at a Redis that does not answer, requests that
need the cache only for throttling degrade (logged), never a 500; /api/health/ says 503.

Settings are read at import, so the dead Redis (a closed local port) is put in with
override_settings(CACHES=...): once with the backend REDIS_URL selects (it falls back to a
per-process cache), once with Django's plain RedisCache (the API answers a JSON 503)."""

import logging

import pytest
from django.core.cache import caches
from django.test import override_settings

from tests.factories import TEST_PASSWORD

pytestmark = pytest.mark.django_db

DEAD_REDIS = "redis://127.0.0.1:1/0"
FALLBACK = {
    "default": {
        "BACKEND": "utils.cache.FallbackRedisCache",
        "LOCATION": DEAD_REDIS,
        "KEY_PREFIX": "redis-down-test",
        "OPTIONS": {"socket_connect_timeout": 2, "socket_timeout": 2},
    }
}
PLAIN = {"default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": DEAD_REDIS}}


def login(api, username, password=TEST_PASSWORD):
    return api.post("/api/auth/login/", {"username": username, "password": password}, format="json")


@pytest.fixture
def fallback_cache():
    with override_settings(CACHES=FALLBACK):
        cache = caches["default"]
        cache._fallback.clear()
        yield cache
        cache._fallback.clear()


def test_login_and_throttled_requests_go_on_while_redis_is_down(api, client_for, manager_a, fallback_cache, caplog):
    with caplog.at_level(logging.WARNING, logger="apps.cache"):
        response = login(api, "manager_a")
    assert response.status_code == 200, response.content
    assert set(response.json()) == {"access", "refresh", "user"}
    assert "does not answer" in caplog.text and "127.0.0.1:1/0" in caplog.text
    assert fallback_cache.degraded

    # An authenticated request: UserRateThrottle counts it in the fallback cache.
    me = api.get("/api/auth/me/", HTTP_AUTHORIZATION=f"Bearer {response.json()['access']}")
    assert me.status_code == 200 and me.json()["username"] == "manager_a"
    assert client_for(manager_a).get("/api/centers/").status_code == 200


def test_failed_logins_are_still_limited_while_redis_is_down(api, manager_a, fallback_cache, settings):
    # The login lockout counts in the database (django-axes), so Redis being down changes nothing.
    settings.AXES_FAILURE_LIMIT = 3
    statuses = [login(api, "manager_a", "wrong-password").status_code for _ in range(4)]
    assert statuses == [401, 401, 401, 429]


def test_health_still_says_the_cache_is_down(api, fallback_cache):
    response = api.get("/api/health/")
    assert response.status_code == 503
    assert response.json()["cache"] == "error" and response.json()["database"] == "ok"


def test_with_a_plain_redis_cache_the_api_answers_a_json_503_not_a_500(api, client_for, manager_a, caplog):
    with override_settings(CACHES=PLAIN), caplog.at_level(logging.WARNING, logger="apps.api"):
        response = login(api, "manager_a")
        assert response.status_code == 503
        assert response["Content-Type"] == "application/json"
        assert response.json()["code"] == "cache_unavailable" and response["Retry-After"]
        throttled = client_for(manager_a).get("/api/centers/")
        assert throttled.status_code == 503 and throttled.json()["code"] == "cache_unavailable"
        health = api.get("/api/health/")
        assert health.status_code == 503 and health.json()["cache"] == "error"
    assert "Cache unreachable" in caplog.text


def test_the_fallback_is_left_once_redis_answers_again(fallback_cache, monkeypatch):
    from utils import cache as cache_module

    fallback_cache.set("k", "local")
    assert fallback_cache.get("k") == "local" and fallback_cache.degraded
    # Redis "comes back": the next call after the retry pause goes to Redis again.
    calls = []
    monkeypatch.setattr(cache_module.RedisCache, "get", lambda self, key, default=None, version=None: calls.append(key))
    monkeypatch.setitem(cache_module._down_until, fallback_cache._server_key, 0.5)  # long past
    assert fallback_cache.get("k") is None and calls == ["k"]
    assert not fallback_cache.degraded
