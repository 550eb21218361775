import datetime as dt

import pytest
from rest_framework_simplejwt.token_blacklist.models import BlacklistedToken
from rest_framework_simplejwt.tokens import AccessToken, RefreshToken

from tests.factories import TEST_PASSWORD

pytestmark = pytest.mark.django_db


def login(api, username, password=TEST_PASSWORD, **extra):
    return api.post("/api/auth/login/", {"username": username, "password": password}, format="json", **extra)


def test_login_returns_tokens_and_user(api, manager_a):
    response = login(api, "manager_a")
    assert response.status_code == 200
    body = response.json()
    assert set(body) == {"access", "refresh", "user"}
    assert body["user"] == {
        "id": str(manager_a.id),
        "username": "manager_a",
        "role": "center_manager",
        "center": str(manager_a.center_id),
        "center_code": "A01",
    }
    me = api.get("/api/auth/me/", HTTP_AUTHORIZATION=f"Bearer {body['access']}")
    assert me.status_code == 200
    assert me.json()["username"] == "manager_a"


def test_bad_password_is_401_and_gives_no_tokens(api, admin):
    response = login(api, "admin", "wrong-password")
    assert response.status_code == 401
    assert "access" not in response.json()
    assert response.json()["code"] == "no_active_account"


def test_missing_fields_name_the_field(api):
    response = api.post("/api/auth/login/", {"username": "x"}, format="json")
    assert response.status_code == 400
    assert "password" in response.json()["errors"]


@pytest.mark.parametrize("body", [[], ["admin"], "just a string", 42])
def test_login_with_a_non_object_body_is_400(api, body):
    response = api.post("/api/auth/login/", body, format="json")
    assert response.status_code == 400


def test_inactive_user_cannot_log_in(api, admin):
    admin.is_active = False
    admin.save()
    assert login(api, "admin").status_code == 401


def test_refresh_rotates_and_blacklists_the_old_token(api, admin):
    tokens = login(api, "admin").json()
    response = api.post("/api/auth/refresh/", {"refresh": tokens["refresh"]}, format="json")
    assert response.status_code == 200
    rotated = response.json()
    assert set(rotated) == {"access", "refresh"}
    assert rotated["refresh"] != tokens["refresh"]
    assert BlacklistedToken.objects.count() == 1
    # The old refresh token is now refused.
    again = api.post("/api/auth/refresh/", {"refresh": tokens["refresh"]}, format="json")
    assert again.status_code == 401
    # The new one works.
    assert api.post("/api/auth/refresh/", {"refresh": rotated["refresh"]}, format="json").status_code == 200


def test_logout_blacklists_the_refresh_token(api, admin):
    tokens = login(api, "admin").json()
    response = api.post("/api/auth/logout/", {"refresh": tokens["refresh"]}, format="json")
    assert response.status_code == 205
    refused = api.post("/api/auth/refresh/", {"refresh": tokens["refresh"]}, format="json")
    assert refused.status_code == 401
    # Logging out twice with the same token is refused too.
    assert api.post("/api/auth/logout/", {"refresh": tokens["refresh"]}, format="json").status_code == 401


def test_logout_with_garbage_token_is_401(api):
    assert api.post("/api/auth/logout/", {"refresh": "not-a-token"}, format="json").status_code == 401
    assert api.post("/api/auth/logout/", {}, format="json").status_code == 400


@pytest.mark.clock
def test_token_lifetimes_match_settings(api, admin, settings):
    tokens = login(api, "admin").json()
    access, refresh = AccessToken(tokens["access"]), RefreshToken(tokens["refresh"])
    assert access["exp"] - access["iat"] == settings.SIMPLE_JWT["ACCESS_TOKEN_LIFETIME"].total_seconds()
    assert refresh["exp"] - refresh["iat"] == settings.SIMPLE_JWT["REFRESH_TOKEN_LIFETIME"].total_seconds()


@pytest.mark.clock
def test_expired_access_token_is_401(api, admin, settings):
    token = AccessToken.for_user(admin)
    token.set_exp(lifetime=-dt.timedelta(seconds=1))
    response = api.get("/api/centers/", HTTP_AUTHORIZATION=f"Bearer {token}")
    assert response.status_code == 401


def test_anonymous_is_401(api, center_a):
    assert api.get("/api/centers/").status_code == 401


# The lockout's cool-off runs on the clock: frozen, it cannot end mid-test.


def test_failed_logins_are_throttled_per_username(api, admin, settings, frozen_clock):
    settings.AXES_FAILURE_LIMIT = 3
    for i in range(3):
        # Different client addresses: the username limit still applies.
        assert login(api, "admin", "nope", REMOTE_ADDR=f"10.0.0.{i}").status_code == 401
    response = login(api, "admin", REMOTE_ADDR="10.0.0.99")
    assert response.status_code == 429
    assert 1 <= int(response["Retry-After"]) <= 60
    assert "Too many failed logins" in response.json()["detail"]


def test_failed_logins_are_throttled_per_address(api, admin, exam_manager, settings, frozen_clock):
    settings.AXES_FAILURE_LIMIT = 3
    for name in ("a", "b", "c"):
        assert login(api, name, "nope", REMOTE_ADDR="10.1.1.1").status_code == 401
    assert login(api, "admin", REMOTE_ADDR="10.1.1.1").status_code == 429
    # Another address is not affected.
    assert login(api, "exam_manager", REMOTE_ADDR="10.1.1.2").status_code == 200


def test_successful_logins_do_not_count_as_failures(api, admin, settings):
    settings.AXES_FAILURE_LIMIT = 2
    for _ in range(5):
        assert login(api, "admin").status_code == 200


@pytest.fixture
def tight_rates():
    from rest_framework.throttling import AnonRateThrottle, UserRateThrottle

    # DRF binds the rates to the throttle classes when they are imported.
    original = AnonRateThrottle.THROTTLE_RATES
    rates = {"anon": "2/min", "user": "3/min"}
    AnonRateThrottle.THROTTLE_RATES = UserRateThrottle.THROTTLE_RATES = rates
    yield rates
    AnonRateThrottle.THROTTLE_RATES = UserRateThrottle.THROTTLE_RATES = original


def test_general_anon_throttle_answers_429_with_retry_after(api, tight_rates):
    codes = [api.get("/api/schema/?format=json").status_code for _ in range(3)]
    assert codes == [200, 200, 429]
    response = api.get("/api/schema/?format=json")
    assert response.status_code == 429
    assert int(response["Retry-After"]) > 0


def test_general_user_throttle_answers_429(client_for, admin, tight_rates):
    client = client_for(admin)
    codes = [client.get("/api/centers/").status_code for _ in range(4)]
    assert codes == [200, 200, 200, 429]
