"""Usernames are unique ignoring case, and passwords pass every validator (issue 10 item 12)."""

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, connection, transaction
from django.db.migrations.executor import MigrationExecutor
from django.test import Client

from apps.authentication import services
from apps.authentication.models import User
from apps.core.roles import Role
from tests.factories import TEST_PASSWORD, UserFactory

GOOD = "A-long-enough-passphrase"


@pytest.mark.django_db
@pytest.mark.parametrize("username", ["DEMO_ADMIN", "Demo_Admin", "demo_ADMIN"])
def test_a_username_differing_only_in_case_is_refused(client_for, admin, username):
    UserFactory(username="demo_admin")
    response = client_for(admin).post(
        "/api/users/", {"username": username, "password": GOOD, "role": "evaluator"}, format="json"
    )
    assert response.status_code == 400
    assert response.json()["errors"]["username"] == ["A user with that username already exists."]
    assert User.objects.filter(username__iexact="demo_admin").count() == 1


@pytest.mark.django_db
def test_renaming_onto_another_users_name_in_another_case_is_refused(client_for, admin, evaluator):
    response = client_for(admin).patch(f"/api/users/{evaluator.id}/", {"username": "ADMIN"}, format="json")
    assert response.status_code == 400
    assert "username" in response.json()["errors"]
    assert User.objects.get(pk=evaluator.pk).username == "evaluator"
    # Changing the case of one's own name is fine.
    response = client_for(admin).patch(f"/api/users/{evaluator.id}/", {"username": "Evaluator"}, format="json")
    assert response.status_code == 200


@pytest.mark.django_db
def test_the_database_refuses_a_case_duplicate_that_skipped_validation(evaluator):
    with pytest.raises(IntegrityError), transaction.atomic():
        User.objects.create(username="EVALUATOR", role=Role.EVALUATOR)
    assert User.objects.count() == 1


@pytest.mark.django_db
def test_the_admin_site_refuses_a_case_duplicate(admin):
    browser = Client()
    browser.force_login(admin)
    response = browser.post(
        "/admin/authentication/user/add/",
        {
            "username": "ADMIN",
            "role": "evaluator",
            "center": "",
            "password1": GOOD,
            "password2": GOOD,
            "usable_password": "true",
        },
    )
    assert response.status_code == 200
    assert "already exists" in response.content.decode()
    assert User.objects.count() == 1


@pytest.mark.django_db
@pytest.mark.parametrize("typed", ["MANAGER_A", "Manager_A", "manager_a"])
def test_login_ignores_the_case_of_the_username(api, manager_a, typed):
    response = api.post("/api/auth/login/", {"username": typed, "password": TEST_PASSWORD}, format="json")
    assert response.status_code == 200
    assert response.json()["user"]["username"] == "manager_a"


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("password", "reason"),
    [
        (" " * 8, "only whitespace"),
        ("\t \n " * 3, "only whitespace"),
        ("aaaaaaaaaaaa", "fewer than 4 different characters"),
        ("abababababab", "fewer than 4 different characters"),
        ("12345678", "entirely numeric"),
        ("password", "too common"),
        ("short", "too short"),
    ],
)
def test_weak_passwords_are_refused_with_the_reason(client_for, admin, evaluator, password, reason):
    client = client_for(admin)
    created = client.post(
        "/api/users/", {"username": "newbie", "password": password, "role": "evaluator"}, format="json"
    )
    assert created.status_code == 400
    assert any(reason in message for message in created.json()["errors"]["password"])
    assert not User.objects.filter(username="newbie").exists()
    before = User.objects.get(pk=evaluator.pk).password
    changed = client.patch(f"/api/users/{evaluator.id}/", {"password": password}, format="json")
    assert changed.status_code == 400
    assert User.objects.get(pk=evaluator.pk).password == before


@pytest.mark.django_db
def test_the_admin_site_refuses_a_blank_password(admin):
    browser = Client()
    browser.force_login(admin)
    blank = " " * 8
    response = browser.post(
        "/admin/authentication/user/add/",
        {
            "username": "spaces",
            "role": "evaluator",
            "center": "",
            "password1": blank,
            "password2": blank,
            "usable_password": "true",
        },
    )
    assert response.status_code == 200
    assert "only whitespace" in response.content.decode()
    assert not User.objects.filter(username="spaces").exists()


@pytest.mark.django_db
def test_a_password_with_outer_spaces_logs_in_as_typed(api, admin):
    user = services.user_create(username="spacey", password="  padded passphrase  ", role=Role.EVALUATOR)
    ok = api.post("/api/auth/login/", {"username": "spacey", "password": "  padded passphrase  "}, format="json")
    assert ok.status_code == 200
    trimmed = api.post("/api/auth/login/", {"username": "spacey", "password": "padded passphrase"}, format="json")
    assert trimmed.status_code == 401
    assert user.check_password("  padded passphrase  ")


@pytest.mark.django_db
def test_services_name_the_field_for_commands_too(evaluator):
    with pytest.raises(ValidationError) as refused:
        services.user_create(username="Evaluator", password=GOOD, role=Role.EVALUATOR)
    assert refused.value.message_dict == {"username": ["A user with that username already exists."]}


@pytest.mark.django_db(transaction=True)
def test_the_migration_names_existing_case_duplicates():
    executor = MigrationExecutor(connection)
    before = [("authentication", "0001_initial")]
    after = [("authentication", "0002_username_unique_ignoring_case")]
    executor.migrate(before)
    try:
        User.objects.bulk_create([User(username="Priya", role="evaluator"), User(username="PRIYA", role="evaluator")])
        executor.loader.build_graph()
        with pytest.raises(RuntimeError, match="differ only in case: PRIYA / Priya"):
            executor.migrate(after)
        assert User.objects.count() == 2  # nothing changed
    finally:
        User.objects.filter(username__iexact="priya").delete()
        executor.loader.build_graph()
        executor.migrate(after)
