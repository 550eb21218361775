"""Refresh tokens end (issue 10 item 9): a change of password, activity, role or center
revokes them, and a rotation chain ends at the login plus JWT_REFRESH_DAYS."""

import datetime as dt

import pytest
import time_machine
from django.core.management import call_command
from django.http import HttpRequest
from django.test import Client
from rest_framework_simplejwt.token_blacklist.models import BlacklistedToken, OutstandingToken
from rest_framework_simplejwt.tokens import AccessToken, RefreshToken

from apps.authentication import services
from apps.authentication.models import User
from tests.factories import TEST_PASSWORD

pytestmark = pytest.mark.django_db

LOGIN = dt.datetime(2026, 12, 1, 9, 0, tzinfo=dt.UTC)


def login(api, username, password=TEST_PASSWORD):
    response = api.post("/api/auth/login/", {"username": username, "password": password}, format="json")
    assert response.status_code == 200, response.content
    return response.json()


def refresh(api, token):
    return api.post("/api/auth/refresh/", {"refresh": token}, format="json")


@pytest.mark.parametrize(
    ("change", "value"),
    [
        ("password", "A-new-and-long-passphrase"),
        ("is_active", False),
        ("role", "paper_setter"),
    ],
)
def test_an_admins_change_revokes_the_users_refresh_tokens(api, client_for, admin, evaluator, change, value):
    first, second = login(api, "evaluator"), login(api, "evaluator")  # two devices
    response = client_for(admin).patch(f"/api/users/{evaluator.id}/", {change: value}, format="json")
    assert response.status_code == 200, response.content
    for tokens in (first, second):
        refused = refresh(api, tokens["refresh"])
        assert refused.status_code == 401
        assert refused.json()["code"] == "token_not_valid"
        assert "access" not in refused.json()
    assert BlacklistedToken.objects.filter(token__user=evaluator).count() == 2
    # The admin's own tokens are untouched.
    assert not BlacklistedToken.objects.filter(token__user=admin).exists()


def test_moving_center_staff_to_another_center_revokes_their_tokens(api, client_for, admin, manager_a, center_b):
    tokens = login(api, "manager_a")
    response = client_for(admin).patch(f"/api/users/{manager_a.id}/", {"center": str(center_b.id)}, format="json")
    assert response.status_code == 200
    assert refresh(api, tokens["refresh"]).status_code == 401


def test_other_changes_keep_the_tokens(api, client_for, admin, evaluator):
    tokens = login(api, "evaluator")
    response = client_for(admin).patch(f"/api/users/{evaluator.id}/", {"first_name": "Eva"}, format="json")
    assert response.status_code == 200
    assert refresh(api, tokens["refresh"]).status_code == 200
    assert BlacklistedToken.objects.count() == 1  # only the rotated one


def test_a_password_changed_in_the_admin_site_revokes_the_tokens(api, admin, evaluator):
    tokens = login(api, "evaluator")
    browser = Client()
    browser.force_login(admin)
    response = browser.post(
        f"/admin/authentication/user/{evaluator.pk}/password/",
        {"password1": "Changed-in-the-admin-1", "password2": "Changed-in-the-admin-1"},
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    assert refresh(api, tokens["refresh"]).status_code == 401


def test_a_password_changed_by_command_revokes_the_tokens(api, evaluator, monkeypatch):
    tokens = login(api, "evaluator")
    monkeypatch.setattr("getpass.getpass", lambda prompt="": "Changed-by-command-1")
    call_command("changepassword", "evaluator", stdout=None)
    assert refresh(api, tokens["refresh"]).status_code == 401


def test_last_login_updates_do_not_revoke(api, evaluator):
    tokens = login(api, "evaluator")
    login(api, "evaluator")  # writes last_login
    assert refresh(api, tokens["refresh"]).status_code == 200


def test_a_rotation_chain_ends_at_the_login_plus_the_refresh_lifetime(api, evaluator, settings):
    lifetime = settings.SIMPLE_JWT["REFRESH_TOKEN_LIFETIME"]
    end = LOGIN + lifetime
    with time_machine.travel(LOGIN, tick=False):
        token = login(api, "evaluator")["refresh"]
    assert RefreshToken(token, verify=False)["auth_time"] == int(LOGIN.timestamp())
    # Rotating every few hours: each new token still ends where the login's chain ends.
    moment = LOGIN
    for _ in range(4):
        moment += lifetime / 5
        with time_machine.travel(moment, tick=False):
            response = refresh(api, token)
            assert response.status_code == 200
            token = response.json()["refresh"]
            rotated = RefreshToken(token)
            assert rotated["exp"] == int(min(moment + lifetime, end).timestamp())
            assert rotated["auth_time"] == int(LOGIN.timestamp())
            access = AccessToken(response.json()["access"])
            assert access["exp"] <= int(end.timestamp())
    with time_machine.travel(end + dt.timedelta(seconds=1), tick=False):
        refused = refresh(api, token)
        assert refused.status_code == 401
        assert refused.json()["code"] == "token_not_valid"
    # The refused token was not rotated: no new token was written.
    assert OutstandingToken.objects.filter(user=evaluator).count() == 5


def test_a_token_from_before_auth_time_ends_at_its_own_expiry(api, evaluator, settings):
    lifetime = settings.SIMPLE_JWT["REFRESH_TOKEN_LIFETIME"]
    with time_machine.travel(LOGIN, tick=False):
        old = str(RefreshToken.for_user(evaluator))  # no auth_time claim
    with time_machine.travel(LOGIN + lifetime / 2, tick=False):
        response = refresh(api, old)
        assert response.status_code == 200
        assert RefreshToken(response.json()["refresh"])["exp"] == int((LOGIN + lifetime).timestamp())


def test_a_refresh_token_of_a_deleted_user_is_a_json_401(api, client_for, admin, evaluator):
    tokens = login(api, "evaluator")
    assert client_for(admin).delete(f"/api/users/{evaluator.id}/").status_code == 204
    response = refresh(api, tokens["refresh"])
    assert response.status_code == 401
    assert response["Content-Type"] == "application/json"
    assert response.json()["code"] == "no_active_account"
    assert not User.objects.filter(username="evaluator").exists()


def test_a_refresh_token_is_rotated_once(api, evaluator):
    tokens = login(api, "evaluator")
    assert refresh(api, tokens["refresh"]).status_code == 200
    again = refresh(api, tokens["refresh"])
    assert again.status_code == 401
    assert OutstandingToken.objects.filter(user=evaluator).count() == 2


def test_revoke_refresh_tokens_skips_expired_and_blacklisted(evaluator):
    with time_machine.travel(LOGIN - dt.timedelta(days=30), tick=False):
        RefreshToken.for_user(evaluator)  # long expired
    live = RefreshToken.for_user(evaluator)
    live.blacklist()
    RefreshToken.for_user(evaluator)
    from apps.authentication.tokens import revoke_refresh_tokens

    assert revoke_refresh_tokens(evaluator) == 1
    assert BlacklistedToken.objects.count() == 2


def test_services_and_admin_password_paths_share_the_rule(api, evaluator):
    tokens = login(api, "evaluator")
    services.user_update(user=evaluator, data={"password": "Through-the-service-1"})
    assert refresh(api, tokens["refresh"]).status_code == 401
    assert Client().login(request=HttpRequest(), username="evaluator", password="Through-the-service-1")
