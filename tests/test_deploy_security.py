"""Production settings: a clean `check --deploy` once HTTPS is declared, HTTPS behaviour, and
a Content-Security-Policy the admin and the API docs live with (issue 10 item 14)."""

import re
import subprocess
import sys
from html.parser import HTMLParser
from urllib.parse import urlsplit

import pytest
from django.contrib.staticfiles import finders
from django.test import Client

from tests.test_settings import GOOD_SECRET, ROOT, load_settings, settings_env

PRODUCTION = {
    "DEBUG": "False",
    "SECRET_KEY": GOOD_SECRET,
    "JWT_SECRET_KEY": GOOD_SECRET + "-jwt",
    "ALLOWED_HOSTS": "exams.example.org",
}


def check_deploy(tmp_path, **env):
    command = [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"]
    return subprocess.run(
        command, cwd=ROOT, env=settings_env(tmp_path, **env), capture_output=True, text=True, timeout=120
    )


def test_check_deploy_is_clean_when_https_is_declared(tmp_path):
    result = check_deploy(tmp_path, **PRODUCTION, HTTPS="True")
    assert result.returncode == 0, result.stdout + result.stderr
    assert "System check identified no issues" in result.stdout


def test_check_deploy_is_clean_behind_a_proxy_too(tmp_path):
    result = check_deploy(tmp_path, **PRODUCTION, HTTPS="True", TRUSTED_PROXY_COUNT="1")
    assert result.returncode == 0, result.stdout + result.stderr


def test_without_https_declared_check_deploy_says_what_is_missing(tmp_path):
    result = check_deploy(tmp_path, **PRODUCTION)
    assert result.returncode != 0
    assert "security.W004" in result.stderr and "security.W008" in result.stderr


SECURITY_CODE = (
    "import exam_system.settings as s; "
    "print(getattr(s, 'SECURE_SSL_REDIRECT', False), getattr(s, 'SECURE_HSTS_SECONDS', 0), "
    "getattr(s, 'SECURE_HSTS_INCLUDE_SUBDOMAINS', False), getattr(s, 'SESSION_COOKIE_SECURE', False), "
    "getattr(s, 'CSRF_COOKIE_SECURE', False), getattr(s, 'SECURE_PROXY_SSL_HEADER', None))"
)


@pytest.mark.parametrize(
    ("env", "expected"),
    [
        ({}, "False 0 False False False None"),
        ({"HTTPS": "True"}, "True 31536000 True True True None"),
        ({"HTTPS": "True", "HSTS_SECONDS": "3600"}, "True 3600 True True True None"),
        (
            {"HTTPS": "True", "TRUSTED_PROXY_COUNT": "1"},
            "True 31536000 True True True ('HTTP_X_FORWARDED_PROTO', 'https')",
        ),
        ({"TRUSTED_PROXY_COUNT": "1"}, "False 0 False False False None"),  # a proxy alone changes nothing
    ],
)
def test_https_settings_follow_the_environment(tmp_path, env, expected):
    result = load_settings(tmp_path, SECURITY_CODE, **env)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == expected


@pytest.fixture
def https_on(settings):
    """The settings the HTTPS block makes behind one proxy (read at import, so set here)."""
    settings.SECURE_SSL_REDIRECT = True
    settings.SECURE_REDIRECT_EXEMPT = [r"^api/health/$"]
    settings.SECURE_HSTS_SECONDS = 31536000
    settings.SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    settings.SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")


@pytest.mark.django_db
def test_with_https_plain_http_is_redirected_and_https_gets_hsts(https_on):
    client = Client()
    redirected = client.get("/admin/login/")
    assert redirected.status_code == 301
    assert redirected["Location"] == "https://testserver/admin/login/"
    secure = client.get("/admin/login/", HTTP_X_FORWARDED_PROTO="https")
    assert secure.status_code == 200
    assert secure["Strict-Transport-Security"] == "max-age=31536000; includeSubDomains"
    # A monitor on the host may still probe the health check over HTTP.
    assert client.get("/api/health/").status_code == 200


class _Assets(HTMLParser):
    def __init__(self):
        super().__init__()
        self.scripts, self.inline_scripts, self.links, self.styles = [], [], [], 0
        self._in_script = False

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "script":
            if attrs.get("src"):
                self.scripts.append(attrs["src"])
            elif attrs.get("type") not in ("application/json",):
                self._in_script = True
        elif tag == "link" and attrs.get("href"):
            self.links.append(attrs["href"])
        elif tag == "style":
            self.styles += 1

    def handle_data(self, data):
        if self._in_script and data.strip():
            self.inline_scripts.append(data.strip()[:80])

    def handle_endtag(self, tag):
        if tag == "script":
            self._in_script = False


def assets(response) -> _Assets:
    parser = _Assets()
    parser.feed(response.content.decode())
    return parser


def policy(response) -> dict[str, list[str]]:
    header = response["Content-Security-Policy"]
    return {part.split()[0]: part.split()[1:] for part in (p.strip() for p in header.split(";")) if part}


def assert_strict_scripts(csp):
    assert csp["default-src"] == ["'self'"]
    assert csp["script-src"] == ["'self'"]  # no inline script, no eval, no other host
    assert csp["object-src"] == ["'none'"]
    assert csp["frame-ancestors"] == ["'none'"]


def assert_served_here(client, url):
    parts = urlsplit(url)
    assert not parts.netloc, url  # same origin: nothing from a CDN
    if parts.path.startswith("/static/"):
        assert finders.find(parts.path.removeprefix("/static/")), url
    else:
        response = client.get(url)
        assert response.status_code == 200, url


@pytest.mark.django_db
def test_the_api_docs_render_under_the_policy():
    client = Client()
    page = client.get("/api/docs/")
    assert page.status_code == 200
    assert_strict_scripts(policy(page))
    found = assets(page)
    assert found.inline_scripts == []
    assert len(found.scripts) == 3  # swagger-ui-bundle, the standalone preset, the start-up script
    for url in found.scripts + found.links:
        assert_served_here(client, url)
    start = client.get(next(u for u in found.scripts if "script=" in u))
    assert start["Content-Type"].startswith("application/javascript")
    assert "SwaggerUIBundle(" in start.content.decode()
    # The page's one inline <style> block is why styles allow 'unsafe-inline'.
    assert found.styles == 1 and "'unsafe-inline'" in policy(page)["style-src"]
    # The schema it loads is fetched from here (connect-src 'self').
    assert re.search(r'url: "/api/schema/', start.content.decode())
    assert client.get("/api/schema/").status_code == 200


@pytest.mark.django_db
@pytest.mark.parametrize("path", ["/admin/login/", "/admin/", "/admin/authentication/user/", "USER_CHANGE"])
def test_admin_pages_run_no_inline_script(admin, path):
    client = Client()
    if path != "/admin/login/":
        client.force_login(admin)
    if path == "USER_CHANGE":
        path = f"/admin/authentication/user/{admin.pk}/change/"
    page = client.get(path)
    assert page.status_code == 200
    assert_strict_scripts(policy(page))
    found = assets(page)
    assert found.inline_scripts == []
    for url in found.scripts + found.links:
        assert_served_here(client, url)


@pytest.mark.django_db
def test_api_responses_carry_the_policy_too(api):
    assert "Content-Security-Policy" in api.get("/api/health/")
