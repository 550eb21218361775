"""Nobody demotes or deactivates themselves or the last active admin (issue 10 item 11):
through the API, the admin site and the services alike."""

import pytest
from django.test import Client

from apps.authentication import services
from apps.authentication.models import User
from apps.core.models import Tombstone
from apps.core.roles import Role
from tests.factories import UserFactory
from utils.exceptions import Conflict

pytestmark = pytest.mark.django_db


def stored(user):
    return User.objects.values_list("role", "is_active", "is_superuser", "version").get(pk=user.pk)


@pytest.mark.parametrize("change", [{"role": "exam_manager"}, {"role": "evaluator"}, {"is_active": False}])
def test_an_admin_cannot_change_its_own_role_or_deactivate_itself(client_for, admin, change):
    other = UserFactory(username="second_admin", role=Role.ADMIN)  # not even with another admin left
    before = stored(admin)
    response = client_for(admin).patch(f"/api/users/{admin.id}/", change, format="json")
    assert response.status_code == 409
    assert response.json()["code"] == "self_change"
    assert "your own role" in response.json()["detail"]
    assert stored(admin) == before
    assert stored(other)[0] == Role.ADMIN


def test_an_admin_may_still_edit_its_own_details(client_for, admin):
    response = client_for(admin).patch(f"/api/users/{admin.id}/", {"first_name": "Ada", "role": "admin"}, format="json")
    assert response.status_code == 200
    assert User.objects.get(pk=admin.pk).first_name == "Ada"


def test_an_admin_demotes_another_admin(client_for, admin):
    other = UserFactory(username="second_admin", role=Role.ADMIN)
    response = client_for(admin).patch(f"/api/users/{other.id}/", {"role": "exam_manager"}, format="json")
    assert response.status_code == 200
    assert stored(other)[:3] == (Role.EXAM_MANAGER, True, False)


def test_two_admins_demoting_each_other_leave_one(admin):
    other = UserFactory(username="second_admin", role=Role.ADMIN)
    # Both requests passed the role check before either wrote (the second actor's object is stale).
    stale_admin = User.objects.get(pk=admin.pk)
    services.user_update(user=User.objects.get(pk=other.pk), data={"role": Role.EXAM_MANAGER}, actor=admin)
    with pytest.raises(Conflict, match="last active admin"):
        services.user_update(user=stale_admin, data={"is_active": False}, actor=other)
    assert stored(admin)[:2] == (Role.ADMIN, True)


@pytest.mark.parametrize("change", [{"role": Role.PAPER_SETTER}, {"is_active": False}])
def test_the_last_active_admin_cannot_be_demoted_or_deactivated(admin, change):
    UserFactory(username="retired_admin", role=Role.ADMIN, is_active=False)  # does not count
    before = stored(admin)
    with pytest.raises(Conflict) as refused:
        services.user_update(user=User.objects.get(pk=admin.pk), data=change)
    assert refused.value.code == "last_admin"
    assert stored(admin) == before


def test_the_last_active_admin_cannot_be_deleted(admin):
    with pytest.raises(Conflict, match="delete the last active admin"):
        services.user_delete(user=admin)
    assert User.objects.filter(pk=admin.pk).exists()
    assert not Tombstone.objects.exists()


def test_nobody_deletes_themselves(client_for, admin):
    UserFactory(username="second_admin", role=Role.ADMIN)
    response = client_for(admin).delete(f"/api/users/{admin.id}/")
    assert response.status_code == 409
    assert response.json()["code"] == "self_delete"
    assert User.objects.filter(pk=admin.pk).exists()


@pytest.fixture
def browser(admin):
    client = Client()
    client.force_login(admin)
    return client


def admin_form(user, **changes):
    data = {
        "username": user.username,
        "first_name": "",
        "last_name": "",
        "email": "",
        "is_active": "on",
        "role": user.role,
        "center": "",
        "date_joined_0": "2026-01-01",
        "date_joined_1": "09:00:00",
    }
    data.update(changes)
    return {k: v for k, v in data.items() if v is not None}


def test_the_admin_site_refuses_an_admin_demoting_itself(browser, admin):
    before = stored(admin)
    url = f"/admin/authentication/user/{admin.pk}/change/"
    response = browser.post(url, admin_form(admin, role="exam_manager"), follow=True)
    assert response.status_code == 200
    assert "Not saved: You cannot change your own role" in response.content.decode()
    assert stored(admin) == before
    response = browser.post(url, admin_form(admin, is_active=None), follow=True)
    assert "Not saved" in response.content.decode()
    assert stored(admin) == before


def test_the_admin_site_offers_no_delete_of_oneself_or_the_last_admin(browser, admin, evaluator):
    assert browser.get(f"/admin/authentication/user/{admin.pk}/delete/").status_code == 403
    assert browser.post(f"/admin/authentication/user/{admin.pk}/delete/", {"post": "yes"}).status_code == 403
    assert User.objects.filter(pk=admin.pk).exists()
    # Deleting someone else still works, through the service (a tombstone is left).
    response = browser.post(f"/admin/authentication/user/{evaluator.pk}/delete/", {"post": "yes"})
    assert response.status_code == 302
    assert not User.objects.filter(pk=evaluator.pk).exists()
    assert Tombstone.objects.filter(object_id=evaluator.pk).exists()
