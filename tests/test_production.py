"""Production (issue: hardening, items 5 and 6): a clean `check --deploy` for the documented
HQ and center profiles, security headers, static files served by the application after
`collectstatic` (WhiteNoise), JSON logs, and the health check for anonymous callers and staff."""

import json
import subprocess
import sys
from datetime import timedelta

import pytest
from django.test import Client
from django.utils import timezone

from apps.sync.models import SyncLog
from tests.test_deploy_security import PRODUCTION, check_deploy
from tests.test_settings import ROOT, load_settings, settings_env

# The two production profiles of docs/deployment.md (keys: made in DATA_DIR/keys/ or set).
HQ = {**PRODUCTION, "HTTPS": "True", "TRUSTED_PROXY_COUNT": "1"}
CENTER = {**PRODUCTION, "PLAIN_HTTP": "True", "ALLOWED_HOSTS": "192.168.1.10,exam-center.lan"}


# --- check --deploy ------------------------------------------------------------------------


@pytest.mark.parametrize("profile", [HQ, CENTER], ids=["hq", "center-plain-http"])
def test_check_deploy_is_clean_for_the_documented_profiles(tmp_path, profile):
    result = check_deploy(tmp_path, **profile)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "System check identified no issues" in result.stdout


def test_check_deploy_is_clean_with_keys_made_in_data_dir(tmp_path):
    profile = {k: v for k, v in HQ.items() if k not in {"SECRET_KEY", "JWT_SECRET_KEY"}}
    result = check_deploy(tmp_path, **profile)
    assert result.returncode == 0, result.stdout + result.stderr
    assert (tmp_path / "keys" / "secret_key").is_file()


def test_a_plain_http_center_with_secure_cookies_forced_is_still_clean(tmp_path):
    result = check_deploy(tmp_path, **CENTER, SECURE_COOKIES="True")
    assert result.returncode == 0, result.stdout + result.stderr


def test_without_a_declaration_check_deploy_still_warns(tmp_path):
    """Neither HTTPS=True nor PLAIN_HTTP=True: the warnings stay, nothing is silenced by default."""
    result = check_deploy(tmp_path, **PRODUCTION, SECURE_COOKIES="False")
    assert result.returncode != 0
    for code in ("security.W004", "security.W008", "security.W012", "security.W016"):
        assert code in result.stderr


def test_https_and_plain_http_together_are_refused(tmp_path):
    result = load_settings(tmp_path, HTTPS="True", PLAIN_HTTP="True")
    assert result.returncode != 0
    assert "HTTPS and PLAIN_HTTP are invalid" in result.stderr


PLAIN_CODE = (
    "import exam_system.settings as s; "
    "print(getattr(s, 'SECURE_SSL_REDIRECT', False), getattr(s, 'SECURE_HSTS_SECONDS', 0), "
    "s.SESSION_COOKIE_SECURE, s.CSRF_COOKIE_SECURE, sorted(s.SILENCED_SYSTEM_CHECKS))"
)


@pytest.mark.parametrize(
    ("env", "expected"),
    [
        (CENTER, "False 0 False False ['security.W004', 'security.W008', 'security.W012', 'security.W016']"),
        ({**CENTER, "SECURE_COOKIES": "True"}, "False 0 True True ['security.W004', 'security.W008']"),
        (HQ, "True 31536000 True True ['security.W021']"),
        (PRODUCTION, "False 0 True True []"),
    ],
)
def test_what_each_declaration_turns_on_and_silences(tmp_path, env, expected):
    result = load_settings(tmp_path, PLAIN_CODE, **env)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == expected


# --- security headers ------------------------------------------------------------------------


@pytest.mark.django_db
@pytest.mark.parametrize("path", ["/admin/login/", "/api/docs/", "/api/health/"])
def test_security_headers_on_pages_and_the_api(path):
    response = Client().get(path)
    assert response.status_code == 200
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Referrer-Policy"] == "same-origin"
    assert response["X-Frame-Options"] == "DENY"
    assert response["Cross-Origin-Opener-Policy"] == "same-origin"
    assert "default-src 'self'" in response["Content-Security-Policy"]
    assert "Strict-Transport-Security" not in response  # only with HTTPS=True, over HTTPS


def test_whitenoise_comes_right_after_the_security_middleware(settings):
    assert settings.MIDDLEWARE[:2] == [
        "django.middleware.security.SecurityMiddleware",
        "whitenoise.middleware.WhiteNoiseMiddleware",
    ]


# --- static files: collectstatic, then WhiteNoise with DEBUG=False ---------------------------

STATIC_CODE = """
import django, json
django.setup()
from django.conf import settings
from django.core.management import call_command
from django.templatetags.static import static
from django.test import Client
call_command("collectstatic", "--no-input", verbosity=0)
client = Client()
plain = client.get("/static/admin/css/base.css")
hashed_url = static("admin/css/base.css")
hashed = client.get(hashed_url)
gzipped = client.get(hashed_url, HTTP_ACCEPT_ENCODING="gzip")
missing = client.get("/static/admin/css/no-such-file.css")
print(json.dumps({
    "storage": settings.STORAGES["staticfiles"]["BACKEND"],
    "static_root": str(settings.STATIC_ROOT),
    "plain": [plain.status_code, plain["Content-Type"], b"".join(plain.streaming_content).decode()[:2000]],
    "hashed_url": hashed_url,
    "hashed": [hashed.status_code, hashed.get("Cache-Control", "")],
    "gzip": gzipped.get("Content-Encoding", ""),
    "missing": missing.status_code,
}))
"""


def test_static_files_are_served_by_the_application_after_collectstatic(tmp_path):
    """A center needs no separate web server: with DEBUG=False, `collectstatic` fills
    STATIC_ROOT (DATA_DIR/static, here in tmp_path) and WhiteNoise serves it."""
    env = settings_env(tmp_path, **{**PRODUCTION, "PLAIN_HTTP": "True", "ALLOWED_HOSTS": "testserver"})
    result = subprocess.run(
        [sys.executable, "-c", STATIC_CODE], cwd=ROOT, env=env, capture_output=True, text=True, timeout=180
    )
    assert result.returncode == 0, result.stderr
    seen = json.loads(result.stdout.strip().splitlines()[-1])
    assert seen["storage"] == "whitenoise.storage.CompressedManifestStaticFilesStorage"
    assert seen["static_root"] == str(tmp_path / "static")
    assert (tmp_path / "static" / "admin" / "css" / "base.css").is_file()
    status, content_type, body = seen["plain"]
    assert status == 200 and content_type.startswith("text/css")
    assert body == (tmp_path / "static" / "admin" / "css" / "base.css").read_text()[:2000]
    # Pages link the content-hashed copy, cached for good; gzip copies are served when asked.
    assert (
        seen["hashed_url"].startswith("/static/admin/css/base.") and seen["hashed_url"] != "/static/admin/css/base.css"
    )
    assert seen["hashed"][0] == 200 and "immutable" in seen["hashed"][1]
    assert seen["gzip"] == "gzip"
    assert seen["missing"] == 404


def test_in_development_static_files_keep_their_names(settings):
    assert settings.STORAGES["staticfiles"]["BACKEND"] == "django.contrib.staticfiles.storage.StaticFilesStorage"


# --- logging ---------------------------------------------------------------------------------

LOG_CODE = """
import django, logging
django.setup()
logging.getLogger("apps.sync").info("package imported", extra={"center": "A01"})
logging.getLogger("django.request").warning("second line")
"""


def run_logging(tmp_path, **env):
    """Two records in a fresh interpreter, with DEBUG=False (as in production: Django's own
    development console handler then stays quiet)."""
    return subprocess.run(
        [sys.executable, "-c", LOG_CODE],
        cwd=ROOT,
        env=settings_env(tmp_path, **PRODUCTION, **env),
        capture_output=True,
        text=True,
        timeout=60,
    )


def test_log_format_json_writes_one_json_object_per_line(tmp_path):
    result = run_logging(tmp_path, LOG_FORMAT="json")
    assert result.returncode == 0, result.stderr
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 2
    first, second = (json.loads(line) for line in lines)
    assert first["message"] == "package imported" and first["level"] == "INFO"
    assert first["logger"] == "apps.sync" and first["center"] == "A01" and first["time"]
    assert second["message"] == "second line" and second["level"] == "WARNING"


def test_logs_stay_plain_text_by_default(tmp_path):
    result = run_logging(tmp_path)
    assert result.returncode == 0, result.stderr
    assert result.stderr.strip().splitlines() == ["package imported", "second line"]


def test_an_unknown_log_format_is_named(tmp_path):
    result = load_settings(tmp_path, LOG_FORMAT="xml")
    assert result.returncode != 0 and "Environment variable LOG_FORMAT is invalid" in result.stderr


# --- /api/health/ ----------------------------------------------------------------------------

ANONYMOUS_OK = {"status": "ok", "database": "ok", "cache": "ok", "disk": "ok"}


@pytest.fixture
def packages(db):
    """An export, then a newer dry run and a newer refusal, which are not exchanges."""
    now = timezone.now()
    rows = [
        ("export", "center-package", "ok", "A01", now - timedelta(hours=3)),
        ("import", "hq-package", "ok", "B01", now - timedelta(hours=2)),
        ("import", "hq-package", "dry_run", "A01", now - timedelta(hours=1)),
        ("import", "hq-package", "refused", "A01", now - timedelta(minutes=5)),
        ("backup", "backup", "ok", "", now - timedelta(minutes=1)),
    ]
    for direction, kind, status, center, when in rows:
        log = SyncLog.objects.create(direction=direction, kind=kind, status=status, center=center)
        SyncLog.objects.filter(pk=log.pk).update(created_at=when)
    return now - timedelta(hours=2)


def test_anonymous_health_says_only_ok_or_error(api, packages):
    response = api.get("/api/health/")
    assert response.status_code == 200
    assert response.json() == ANONYMOUS_OK
    text = response.content.decode().lower()
    for word in ("sqlite", "postgres", "redis", "locmem", "django", "python", "b01", "bytes"):
        assert word not in text


@pytest.mark.parametrize("who", ["admin", "manager_a", "invigilator_a", "evaluator"])
def test_staff_get_the_details(client_for, cast, packages, who, django_assert_max_num_queries):
    with django_assert_max_num_queries(4):  # SELECT 1, the user, the last package (+ savepoint)
        response = client_for(cast[who]).get("/api/health/")
    assert response.status_code == 200
    body = response.json()
    details = body.pop("details")
    assert body == ANONYMOUS_OK
    assert details["errors"] == {}
    assert details["last_package"] == {
        "time": packages.isoformat(),
        "direction": "import",
        "kind": "hq-package",
        "center": "B01",
    }
    disk = details["disk"]
    assert set(disk) == {"min_free_bytes", "data_dir_free_bytes", "media_root_free_bytes"}
    assert disk["data_dir_free_bytes"] > disk["min_free_bytes"] > 0
    assert disk["media_root_free_bytes"] > 0


def test_a_session_login_gets_the_details_too(admin, packages):
    client = Client()
    client.force_login(admin)
    assert "details" in client.get("/api/health/").json()


def test_staff_with_no_package_yet(client_for, admin):
    assert client_for(admin).get("/api/health/").json()["details"]["last_package"] is None


def test_a_bad_token_gets_the_anonymous_answer_not_a_401(api, db):
    api.credentials(HTTP_AUTHORIZATION="Bearer not-a-token")
    response = api.get("/api/health/")
    assert response.status_code == 200 and response.json() == ANONYMOUS_OK


def test_low_disk_space_is_an_error(api, client_for, admin, settings, monkeypatch):
    from exam_system import health

    settings.HEALTH_MIN_FREE_DISK_BYTES = 5 * 1024**3
    free = {str(settings.DATA_DIR): 100 * 1024**3, str(settings.MEDIA_ROOT): 4 * 1024**3}
    monkeypatch.setattr(health, "disk_usage", lambda path: free[str(path)])
    anonymous = api.get("/api/health/")
    assert anonymous.status_code == 503
    assert anonymous.json() == {"status": "error", "database": "ok", "cache": "ok", "disk": "error"}
    staff = client_for(admin).get("/api/health/")
    assert staff.status_code == 503
    details = staff.json()["details"]
    assert details["errors"] == {"disk": "low free space"}
    assert details["disk"] == {
        "min_free_bytes": 5 * 1024**3,
        "data_dir_free_bytes": 100 * 1024**3,
        "media_root_free_bytes": 4 * 1024**3,
    }
    settings.HEALTH_MIN_FREE_DISK_BYTES = 4 * 1024**3  # at the threshold is enough
    assert api.get("/api/health/").json() == ANONYMOUS_OK


def test_an_unreadable_disk_is_an_error(api, monkeypatch, db):
    from exam_system import health

    def broken(path):
        raise PermissionError("denied")

    monkeypatch.setattr(health, "disk_usage", broken)
    response = api.get("/api/health/")
    assert response.status_code == 503 and response.json()["disk"] == "error"


def test_the_media_folder_need_not_exist_yet(settings, tmp_path):
    from exam_system.health import disk_usage

    assert disk_usage(tmp_path / "not" / "yet" / "made") > 0


def test_a_broken_cache_is_detailed_for_staff_only(api, client_for, admin, monkeypatch):
    from django.core.cache import cache

    def broken(*args, **kwargs):
        raise ConnectionError("down")

    monkeypatch.setattr(cache, "set", broken)
    if hasattr(cache, "probe"):
        monkeypatch.setattr(cache, "probe", broken)
    assert api.get("/api/health/").json()["cache"] == "error"
    assert "ConnectionError" not in api.get("/api/health/").content.decode()
    assert client_for(admin).get("/api/health/").json()["details"]["errors"] == {"cache": "ConnectionError"}


# --- the deployment guide ------------------------------------------------------------------


def test_the_deployment_guide_is_linked_and_names_what_it_must():
    guide = (ROOT / "docs" / "deployment.md").read_text()
    readme = (ROOT / "README.md").read_text()
    deploying = readme[readme.index("## Deploying HQ") :]
    assert "docs/deployment.md" in deploying.split("\n## ")[0]
    assert "(deployment.md)" in (ROOT / "docs" / "README.md").read_text()
    for word in (
        "PLAIN_HTTP=True",
        "TRUSTED_PROXY_COUNT",
        "collectstatic",
        "db_worker",
        "nginx",
        "node_ed25519.pem",
        "question_master_key",
        "jwt_secret_key",
        "major.minor",
        "HEALTH_MIN_FREE_DISK_BYTES",
        "LOG_FORMAT=json",
    ):
        assert word in guide, word
