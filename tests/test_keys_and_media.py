"""No key from the source signs anything, and nothing serves MEDIA_ROOT (issue 10 item 4)."""

import datetime as dt
import importlib
import uuid

import jwt
import pytest
from django.urls import clear_url_caches
from rest_framework_simplejwt.token_blacklist.models import OutstandingToken

from apps.authentication.models import User

pytestmark = pytest.mark.django_db

# The development key that settings.py used to fall back to (now gone from the source).
OLD_DEVELOPMENT_KEY = "change-me-insecure-development-secret-key-do-not-use-in-production-jwt"


def forged(user, token_type: str, key: str = OLD_DEVELOPMENT_KEY) -> str:
    now = dt.datetime.now(dt.UTC)
    claims = {
        "token_type": token_type,
        "exp": int((now + dt.timedelta(hours=1)).timestamp()),
        "iat": int(now.timestamp()),
        "jti": uuid.uuid4().hex,
        "user_id": str(user.pk),
    }
    return jwt.encode(claims, key, algorithm="HS256")


def test_a_token_signed_with_the_old_development_key_is_refused(api, admin, evaluator):
    response = api.get("/api/users/", HTTP_AUTHORIZATION=f"Bearer {forged(admin, 'access')}")
    assert response.status_code == 401
    assert response.json()["code"] == "token_not_valid"
    assert "results" not in response.json()
    refresh = api.post("/api/auth/refresh/", {"refresh": forged(admin, "refresh")}, format="json")
    assert refresh.status_code == 401
    assert "access" not in refresh.json()
    assert OutstandingToken.objects.count() == 0
    assert User.objects.count() == 2


def test_the_configured_key_is_not_a_development_value(settings):
    for key in (settings.SECRET_KEY, settings.SIMPLE_JWT["SIGNING_KEY"]):
        assert len(key) >= 32
        assert not key.startswith("change-me")


@pytest.fixture
def media_files(settings):
    files = {}
    for name in ("candidates/photos/abc.jpg", "jobs/outputs/Xy3q.xlsx", "jobs/live/Xy3q.json"):
        path = settings.MEDIA_ROOT / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(b"private")
        files[name] = path
    return files


@pytest.fixture(params=[False, True], ids=["DEBUG=False", "DEBUG=True"])
def url_mode(request, settings):
    """The URLconf as built in either mode (it used to add /media/ when DEBUG was on)."""
    import exam_system.urls

    settings.DEBUG = request.param
    importlib.reload(exam_system.urls)
    clear_url_caches()
    yield request.param
    settings.DEBUG = False
    importlib.reload(exam_system.urls)
    clear_url_caches()


def test_media_is_never_served_anonymously_or_otherwise(client, admin, media_files, url_mode):
    for name in media_files:
        assert client.get(f"/media/{name}").status_code == 404
    client.force_login(admin)
    for name, path in media_files.items():
        response = client.get(f"/media/{name}")
        assert response.status_code == 404
        assert path.read_bytes() == b"private"  # untouched
