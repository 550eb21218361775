"""Every response under /api/ has the documented JSON error shape (issue 10 item 10):
bad bodies, oversized bodies, unknown paths and server errors alike. (A deleted user's
refresh token: tests/test_tokens.py.)"""

import json
import urllib.parse

import pytest
from axes.models import AccessAttempt
from django.test import Client
from rest_framework_simplejwt.token_blacklist.models import OutstandingToken

pytestmark = pytest.mark.django_db


@pytest.fixture
def client():
    return Client(raise_request_exception=False)


def assert_json_error(response, status, code):
    assert response.status_code == status
    assert response["Content-Type"] == "application/json"
    body = response.json()
    assert body["code"] == code
    assert isinstance(body["detail"], str) and body["detail"]
    return body


def nothing_written():
    return AccessAttempt.objects.count() == 0 and OutstandingToken.objects.count() == 0


@pytest.mark.parametrize(
    "body",
    [
        "[" * 1000 + "]" * 1000,
        '{"a":' * 1000 + "1" + "}" * 1000,
        '{"username": "admin", "password": ' + "[" * 100 + "]" * 100 + "}",
    ],
    ids=["1000 lists", "1000 objects", "100 levels"],
)
def test_deeply_nested_json_is_a_400(client, admin, body):
    response = client.post("/api/auth/login/", body, content_type="application/json")
    body = assert_json_error(response, 400, "parse_error")
    assert "nested deeper than 64 levels" in body["detail"]
    assert nothing_written()


def test_an_ordinary_nested_body_still_parses(client_for, exam_manager):
    # A candidate's list of cities is the deepest the API takes; nothing near the limit.
    response = client_for(exam_manager).post("/api/centers/", {"code": "X", "extra": [[["deep"]]]}, format="json")
    assert response.status_code == 400  # a validation error, not a parse error
    assert response.json()["code"] == "invalid"


def test_a_body_over_the_upload_limit_is_a_json_413(client, admin, settings):
    body = json.dumps({"username": "admin", "password": "x" * (11 * 1024 * 1024)})
    response = client.post("/api/auth/login/", body, content_type="application/json")
    body = assert_json_error(response, 413, "too_large")
    assert f"{settings.DATA_UPLOAD_MAX_MEMORY_SIZE:,} bytes" in body["detail"]
    assert nothing_written()


def test_too_many_form_fields_is_a_json_400(client, admin):
    fields = urllib.parse.urlencode({f"f{i}": "x" for i in range(1500)})
    response = client.post("/api/auth/login/", fields, content_type="application/x-www-form-urlencoded")
    assert_json_error(response, 400, "bad_request")
    assert nothing_written()


@pytest.mark.parametrize("debug", [False, True])
@pytest.mark.parametrize("path", ["/api/nope/", "/api/nope", "/api/centers/x/y/z/", "/api/auth/"])
def test_unknown_api_paths_are_json_404(client, settings, debug, path):
    settings.DEBUG = debug
    for method in (client.get, client.post, client.delete):
        assert_json_error(method(path), 404, "not_found")


def test_outside_the_api_django_pages_stay_html(client):
    response = client.get("/nowhere/")
    assert response.status_code == 404
    assert response["Content-Type"].startswith("text/html")


def test_a_server_error_under_the_api_is_json(client, monkeypatch):
    from exam_system.health import HealthView

    def broken(self, request):
        raise RuntimeError("boom")

    monkeypatch.setattr(HealthView, "get", broken)
    body = assert_json_error(client.get("/api/health/"), 500, "server_error")
    assert "boom" not in json.dumps(body)


def test_a_bad_host_header_under_the_api_is_json(client):
    assert_json_error(client.get("/api/health/", HTTP_HOST="evil.example"), 400, "bad_request")


def test_browsable_api_errors_are_json_too(client):
    response = client.get("/api/centers/", HTTP_ACCEPT="text/html")
    assert_json_error(response, 401, "unauthorized")
