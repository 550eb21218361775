"""Login lockout (issue 10 items 2 and 6): django-axes in the database, shared by the API
and the admin, counted before the password is checked, keyed on the real client address."""

import datetime as dt
import threading
import time
from collections import Counter

import pytest
import time_machine
from axes.models import AccessAttempt
from django.contrib.sessions.models import Session
from django.db import connection
from django.test import Client
from rest_framework_simplejwt.token_blacklist.models import OutstandingToken

from apps.authentication.models import User
from tests.factories import TEST_PASSWORD, UserFactory

NOW = dt.datetime(2026, 12, 1, 9, 0, tzinfo=dt.UTC)


def api_login(client, username, password=TEST_PASSWORD, **extra):
    return client.post(
        "/api/auth/login/", {"username": username, "password": password}, content_type="application/json", **extra
    )


def admin_login(client, username, password=TEST_PASSWORD, **extra):
    return client.post("/admin/login/?next=/admin/", {"username": username, "password": password}, **extra)


def counted(**lookup) -> int:
    return sum(AccessAttempt.objects.filter(**lookup).values_list("failures_since_start", flat=True))


@pytest.fixture
def limit(settings):
    settings.AXES_FAILURE_LIMIT = 5
    return 5


@pytest.mark.django_db
def test_admin_login_locks_after_the_limit_and_the_right_password_is_refused(admin, limit):
    client = Client()
    codes = [admin_login(client, "admin", "wrong").status_code for _ in range(15)]
    # The limit-th failure already answers the lockout page; later attempts are refused unchecked.
    assert codes == [200] * (limit - 1) + [429] * (15 - limit + 1)
    response = admin_login(client, "admin")  # the right password
    assert response.status_code == 429
    assert "Too many failed logins" in response.content.decode()
    assert 1 <= int(response["Retry-After"]) <= 60
    # Nothing changed: no session, no login recorded, only `limit` failures counted.
    assert client.get("/admin/").status_code == 302
    assert Session.objects.count() == 0
    admin.refresh_from_db()
    assert admin.last_login is None
    assert counted(username="admin") == limit


@pytest.mark.django_db
def test_admin_failures_lock_the_api_login(admin, limit):
    for _ in range(limit):
        admin_login(Client(), "admin", "wrong")
    response = api_login(Client(), "admin")
    assert response.status_code == 429
    body = response.json()
    assert body["code"] == "throttled"
    assert "Too many failed logins" in body["detail"]
    assert int(response["Retry-After"]) == body["retry_after"]
    assert OutstandingToken.objects.count() == 0


@pytest.mark.django_db
def test_api_failures_lock_the_admin_login(admin, limit):
    for _ in range(limit):
        assert api_login(Client(), "admin", "wrong").status_code == 401
    client = Client()
    assert admin_login(client, "admin").status_code == 429
    assert client.get("/admin/").status_code == 302
    assert Session.objects.count() == 0


@pytest.mark.django_db
def test_username_case_and_spaces_count_as_one_username(admin, limit):
    for name in ["ADMIN", "Admin", " admin", "admin ", "aDmIn"]:
        assert api_login(Client(), name, "wrong", REMOTE_ADDR=f"10.3.3.{len(name)}").status_code == 401
    assert api_login(Client(), "admin").status_code == 429
    assert set(AccessAttempt.objects.values_list("username", flat=True)) == {"admin"}


@pytest.mark.django_db
def test_forwarded_for_does_not_change_the_counted_address(admin, limit):
    client = Client()
    for i in range(limit):
        forged = {"HTTP_X_FORWARDED_FOR": f"1.2.3.{i}"}
        assert api_login(client, f"nobody{i}", "wrong", REMOTE_ADDR="10.2.2.2", **forged).status_code == 401
    # A new forged address does not make a new client: the connection's address is locked.
    response = api_login(client, "admin", REMOTE_ADDR="10.2.2.2", HTTP_X_FORWARDED_FOR="1.2.3.4")
    assert response.status_code == 429
    assert set(AccessAttempt.objects.values_list("ip_address", flat=True)) == {"10.2.2.2"}
    assert OutstandingToken.objects.count() == 0


@pytest.mark.django_db
def test_behind_a_trusted_proxy_the_forwarded_client_is_counted(admin, limit, settings):
    settings.TRUSTED_PROXY_COUNT = 1
    proxy = {"REMOTE_ADDR": "127.0.0.1"}
    for i in range(limit):
        # The client forged the left entry; the proxy appended the address it saw.
        forwarded = {"HTTP_X_FORWARDED_FOR": f"9.9.9.{i}, 203.0.113.7"}
        assert api_login(Client(), f"nobody{i}", "wrong", **proxy, **forwarded).status_code == 401
    assert set(AccessAttempt.objects.values_list("ip_address", flat=True)) == {"203.0.113.7"}
    assert api_login(Client(), "admin", **proxy, HTTP_X_FORWARDED_FOR="203.0.113.7").status_code == 429
    # Another client behind the same proxy is not affected.
    assert api_login(Client(), "admin", **proxy, HTTP_X_FORWARDED_FOR="198.51.100.2").status_code == 200


@pytest.mark.django_db
def test_many_distinct_failed_usernames_do_not_evict_a_lockout(admin, limit):
    for i in range(limit):
        api_login(Client(), "admin", "wrong", REMOTE_ADDR=f"10.4.0.{i}")
    # 320 failures with distinct usernames from distinct addresses: all counted, none evicts.
    for i in range(320):
        response = api_login(Client(), f"flood{i}", "wrong", REMOTE_ADDR=f"10.5.{i // 200}.{i % 200}")
        assert response.status_code == 401
    assert AccessAttempt.objects.count() == limit + 320
    response = api_login(Client(), "admin", REMOTE_ADDR="10.6.0.1")
    assert response.status_code == 429
    assert OutstandingToken.objects.count() == 0


@pytest.mark.django_db
def test_the_lockout_ends_after_the_cool_off(admin, limit, settings):
    settings.AXES_COOLOFF_TIME = dt.timedelta(seconds=60)
    with time_machine.travel(NOW, tick=False):
        for _ in range(limit):
            api_login(Client(), "admin", "wrong")
    with time_machine.travel(NOW + dt.timedelta(seconds=45), tick=False):
        response = api_login(Client(), "admin")
        assert response.status_code == 429
        assert response["Retry-After"] == "15"
    with time_machine.travel(NOW + dt.timedelta(seconds=61), tick=False):
        assert api_login(Client(), "admin").status_code == 200


@pytest.mark.django_db
def test_a_locked_login_is_refused_even_for_another_users_right_password_from_that_address(admin, evaluator, limit):
    for i in range(limit):
        api_login(Client(), f"guess{i}", "wrong", REMOTE_ADDR="10.7.7.7")
    assert api_login(Client(), "evaluator", REMOTE_ADDR="10.7.7.7").status_code == 429
    assert api_login(Client(), "evaluator", REMOTE_ADDR="10.7.7.8").status_code == 200


@pytest.mark.django_db
def test_an_attempt_is_counted_before_its_password_is_checked(admin, limit, monkeypatch):
    """Deterministic concurrency: while the first wrong password is being checked, 29 more
    logins for the same user arrive. With stock axes (check, then hash, then record) each
    of them would pass the check; here the one being checked already counts."""
    checked = []
    original = User.check_password

    def check_password(user, raw):
        checked.append(raw)
        if len(checked) == 1:
            codes.extend(api_login(Client(), "admin", "wrong").status_code for _ in range(29))
        return original(user, raw)

    codes = []
    monkeypatch.setattr(User, "check_password", check_password)
    outer = api_login(Client(), "admin", "wrong")
    assert outer.status_code == 401
    assert len(checked) == limit
    assert Counter(codes) == {401: limit - 1, 429: 30 - limit}
    assert counted(username="admin") == limit


@pytest.mark.django_db(transaction=True)
def test_concurrent_wrong_logins_never_check_more_passwords_than_the_limit(limit, monkeypatch):
    """30 threads at once against a real database. Only on PostgreSQL: the SQLite test
    database is in memory with a shared cache, where concurrent writers fail at once with
    "database table is locked" instead of waiting (the file database in WAL mode waits); the
    test above shows the same property without threads on every database."""
    if connection.vendor != "postgresql":
        pytest.skip("threads need a real database server; see the docstring")
    UserFactory(username="victim")
    checked = []
    original = User.check_password

    def slow_check(user, raw):
        checked.append(raw)
        time.sleep(0.2)  # what a real password hash costs, so the requests overlap
        return original(user, raw)

    monkeypatch.setattr(User, "check_password", slow_check)
    codes = []
    start = threading.Barrier(30)

    def attempt():
        try:
            start.wait()
            codes.append(api_login(Client(), "victim", "wrong").status_code)
        finally:
            connection.close()

    threads = [threading.Thread(target=attempt) for _ in range(30)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len(checked) == limit
    assert Counter(codes) == {401: limit, 429: 30 - limit}
    assert counted(username="victim") == limit


@pytest.mark.django_db
def test_successful_logins_give_their_count_back(admin, limit):
    api_login(Client(), "admin", "wrong")
    for _ in range(10):
        assert api_login(Client(), "admin").status_code == 200
    assert counted(username="admin") == 1
