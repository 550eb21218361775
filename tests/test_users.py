import pytest

from apps.authentication.models import User

pytestmark = pytest.mark.django_db


def test_admin_creates_a_center_manager_who_can_log_in(client_for, admin, center_a, api):
    response = client_for(admin).post(
        "/api/users/",
        {"username": "priya", "password": "S3cure-enough-pass", "role": "center_manager", "center": str(center_a.id)},
        format="json",
    )
    assert response.status_code == 201, response.content
    body = response.json()
    assert "password" not in body
    assert (body["role"], body["center"]) == ("center_manager", str(center_a.id))
    user = User.objects.get(username="priya")
    assert user.check_password("S3cure-enough-pass")
    assert user.is_staff and not user.is_superuser
    login = api.post("/api/auth/login/", {"username": "priya", "password": "S3cure-enough-pass"}, format="json")
    assert login.status_code == 200


def test_weak_password_is_rejected_with_reasons(client_for, admin):
    response = client_for(admin).post(
        "/api/users/", {"username": "bob", "password": "123", "role": "evaluator"}, format="json"
    )
    assert response.status_code == 400
    assert response.json()["errors"]["password"]
    assert not User.objects.filter(username="bob").exists()


@pytest.mark.parametrize(
    ("role", "with_center"),
    [("center_manager", False), ("invigilator", False), ("exam_manager", True), ("evaluator", True)],
)
def test_center_must_match_role(client_for, admin, center_a, role, with_center):
    payload = {"username": "x", "password": "S3cure-enough-pass", "role": role}
    if with_center:
        payload["center"] = str(center_a.id)
    response = client_for(admin).post("/api/users/", payload, format="json")
    assert response.status_code == 400
    assert "center" in response.json()["errors"]


def test_admin_changes_password_and_role(client_for, admin, evaluator, api):
    client = client_for(admin)
    response = client.patch(
        f"/api/users/{evaluator.id}/", {"password": "Another-g00d-one", "role": "paper_setter"}, format="json"
    )
    assert response.status_code == 200
    evaluator.refresh_from_db()
    assert evaluator.role == "paper_setter"
    assert evaluator.check_password("Another-g00d-one")
    assert evaluator.version == 2


def test_admin_cannot_delete_itself(client_for, admin, evaluator):
    client = client_for(admin)
    assert client.delete(f"/api/users/{admin.id}/").status_code == 409
    assert client.delete(f"/api/users/{evaluator.id}/").status_code == 204
    assert not User.objects.filter(pk=evaluator.pk).exists()


def test_createsuperuser_makes_an_admin(db):
    from django.core.management import call_command

    call_command("createsuperuser", username="root", email="r@example.org", interactive=False, verbosity=0)
    assert User.objects.get(username="root").role == "admin"
