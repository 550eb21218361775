"""Settings come from the environment and refuse unsafe production values."""

import hashlib
import os
import re
import stat
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
GOOD_SECRET = "x" * 20 + "-very-private-random-value-1234567890"
SETTINGS_CODE = (
    "import django; from django.conf import settings; django.setup(); "
    "print(settings.DATABASES['default']['ENGINE']); "
    "print(settings.CACHES['default']['BACKEND']); "
    "print(int(settings.SIMPLE_JWT['ACCESS_TOKEN_LIFETIME'].total_seconds())); "
    "print(','.join(settings.CORS_ALLOWED_ORIGINS))"
)
# The digests of both keys, so a test can compare them without printing them.
KEYS_CODE = (
    "import hashlib; import exam_system.settings as settings; "
    "print(hashlib.sha256(settings.SECRET_KEY.encode()).hexdigest()); "
    "print(hashlib.sha256(settings.SIMPLE_JWT['SIGNING_KEY'].encode()).hexdigest())"
)
# Variables a test's environment must not inherit from the one running the suite.
SETTINGS_VARIABLES = {
    "DEBUG",
    "SECRET_KEY",
    "JWT_SECRET_KEY",
    "DATABASE_URL",
    "REDIS_URL",
    "ALLOWED_HOSTS",
    "CORS_ALLOWED_ORIGINS",
    "JWT_ACCESS_MINUTES",
    "JWT_REFRESH_DAYS",
    "LOGIN_FAILURE_LIMIT",
    "LOGIN_LOCKOUT_SECONDS",
    "TRUSTED_PROXY_COUNT",
    "MEDIA_ROOT",
    "HTTPS",
    "HSTS_SECONDS",
    "HSTS_INCLUDE_SUBDOMAINS",
    "HSTS_PRELOAD",
    "SECURE_COOKIES",
    "PLAIN_HTTP",
    "LOG_FORMAT",
    "HEALTH_MIN_FREE_DISK_BYTES",
}


def settings_env(tmp_path, **env) -> dict:
    clean = {k: v for k, v in os.environ.items() if k not in SETTINGS_VARIABLES}
    clean.update({"DJANGO_SETTINGS_MODULE": "exam_system.settings", "DATA_DIR": str(tmp_path), **env})
    return clean


def load_settings(tmp_path, code=SETTINGS_CODE, **env):
    """Import the settings in a fresh interpreter with exactly `env` set."""
    return subprocess.run(
        [sys.executable, "-c", code],
        cwd=ROOT,
        env=settings_env(tmp_path, **env),
        capture_output=True,
        text=True,
        timeout=60,
    )


def sha256(text: str) -> str:
    return hashlib.sha256(text.encode()).hexdigest()


@pytest.mark.parametrize("debug", ["True", "False"])
def test_unset_keys_are_made_on_the_first_start_and_kept_private(tmp_path, debug):
    first = load_settings(tmp_path, KEYS_CODE, DEBUG=debug)
    assert first.returncode == 0, first.stderr
    keys = tmp_path / "keys"
    files = {name: keys / name for name in ("secret_key", "jwt_secret_key", "question_master_key")}
    assert stat.S_IMODE(keys.stat().st_mode) == 0o700
    for path in files.values():
        assert stat.S_IMODE(path.stat().st_mode) == 0o600
        assert len(path.read_text().strip()) >= 60
    secret, jwt = first.stdout.split()
    assert (secret, jwt) == (
        sha256(files["secret_key"].read_text().strip()),
        sha256(files["jwt_secret_key"].read_text().strip()),
    )
    assert secret != jwt
    # The next start (migrate, runserver, the seed...) reads the same keys.
    again = load_settings(tmp_path, KEYS_CODE, DEBUG=debug)
    assert again.stdout == first.stdout
    assert sorted(p.name for p in keys.iterdir()) == [
        "jwt_secret_key",
        "question_master_key",
        "secret_key",
    ]  # no temporary left


def test_processes_starting_at_once_agree_on_the_keys(tmp_path):
    env = settings_env(tmp_path)
    starts = [
        subprocess.Popen([sys.executable, "-c", KEYS_CODE], cwd=ROOT, env=env, stdout=subprocess.PIPE, text=True)
        for _ in range(8)
    ]
    outputs = {start.communicate(timeout=60)[0] for start in starts}
    assert len(outputs) == 1
    assert sorted(p.name for p in (tmp_path / "keys").iterdir()) == [
        "jwt_secret_key",
        "question_master_key",
        "secret_key",
    ]


def test_explicit_keys_win_over_stored_ones(tmp_path):
    assert load_settings(tmp_path, KEYS_CODE).returncode == 0
    result = load_settings(tmp_path, KEYS_CODE, SECRET_KEY=GOOD_SECRET, JWT_SECRET_KEY=GOOD_SECRET + "jwt")
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == [sha256(GOOD_SECRET), sha256(GOOD_SECRET + "jwt")]


def test_no_key_from_the_source_is_used(tmp_path):
    """Neither key appears in any file of the repository, in either mode."""
    sources = [ROOT / "exam_system" / "settings.py", ROOT / ".env.example", ROOT / "README.md"]
    for debug in ("True", "False"):
        result = load_settings(
            tmp_path,
            "import exam_system.settings as s; print(s.SECRET_KEY); print(s.SIMPLE_JWT['SIGNING_KEY'])",
            DEBUG=debug,
        )
        assert result.returncode == 0, result.stderr
        for key in result.stdout.split():
            for source in sources:
                assert key not in source.read_text()
    assert "change-me-insecure" not in (ROOT / "exam_system" / "settings.py").read_text()


@pytest.mark.parametrize("debug", ["True", "False"])
@pytest.mark.parametrize("name", ["SECRET_KEY", "JWT_SECRET_KEY"])
def test_the_example_keys_are_refused_in_every_mode(tmp_path, debug, name):
    result = load_settings(tmp_path, DEBUG=debug, **{name: "change-me-to-a-long-random-string-0123456789"})
    assert result.returncode != 0
    assert f"{name} must be set" in result.stderr


def test_production_refuses_a_short_explicit_key(tmp_path):
    result = load_settings(tmp_path, DEBUG="False", SECRET_KEY="short", JWT_SECRET_KEY=GOOD_SECRET)
    assert result.returncode != 0
    assert "SECRET_KEY must be set" in result.stderr


def test_an_unwritable_data_dir_is_named(tmp_path):
    (tmp_path / "keys").write_text("")  # a file where the folder should be
    result = load_settings(tmp_path)
    assert result.returncode != 0
    assert "Cannot create the signing key" in result.stderr


def test_production_refuses_the_example_secret(tmp_path):
    result = load_settings(
        tmp_path, DEBUG="False", SECRET_KEY="change-me-to-a-long-random-string", JWT_SECRET_KEY=GOOD_SECRET
    )
    assert result.returncode != 0
    assert "SECRET_KEY must be set" in result.stderr


def test_production_starts_with_real_secrets(tmp_path):
    result = load_settings(tmp_path, DEBUG="False", SECRET_KEY=GOOD_SECRET, JWT_SECRET_KEY=GOOD_SECRET + "jwt")
    assert result.returncode == 0, result.stderr


def test_defaults_are_sqlite_and_local_cache(tmp_path):
    result = load_settings(tmp_path)
    assert result.returncode == 0, result.stderr
    engine, cache, lifetime, _ = result.stdout.splitlines()
    assert engine == "django.db.backends.sqlite3"
    assert cache.endswith("LocMemCache")
    assert lifetime == "900"


def test_environment_switches_database_cache_and_lifetimes(tmp_path):
    result = load_settings(
        tmp_path,
        DATABASE_URL="postgres://u:p@db.example:5432/exams",
        REDIS_URL="redis://127.0.0.1:6379/3",
        JWT_ACCESS_MINUTES="7",
        CORS_ALLOWED_ORIGINS="https://a.example,https://b.example",
    )
    assert result.returncode == 0, result.stderr
    engine, cache, lifetime, cors = result.stdout.splitlines()
    assert engine == "django.db.backends.postgresql"
    assert cache.endswith("RedisCache")
    assert lifetime == "420"
    assert cors == "https://a.example,https://b.example"


@pytest.mark.parametrize(
    ("name", "value"),
    [
        ("DEBUG", "maybe"),
        ("JWT_ACCESS_MINUTES", "ten"),
        ("REDIS_URL", "localhost:6379"),
        ("LOGIN_FAILURE_LIMIT", "0"),
        ("LOGIN_LOCKOUT_SECONDS", "soon"),
        ("TRUSTED_PROXY_COUNT", "-1"),
    ],
)
def test_malformed_values_are_named(tmp_path, name, value):
    result = load_settings(tmp_path, **{name: value})
    assert result.returncode != 0
    assert f"Environment variable {name} is invalid" in result.stderr


def test_sqlite_runs_in_wal_mode(db):
    from django.db import connection

    if connection.vendor != "sqlite":
        pytest.skip("SQLite only")
    with connection.cursor() as cursor:
        cursor.execute("PRAGMA journal_mode")
        mode = cursor.fetchone()[0]
    # The in-memory test database cannot use WAL; the configured one must ask for it.
    assert mode in {"wal", "memory"}
    assert "journal_mode=WAL" in connection.settings_dict["OPTIONS"]["init_command"]


def manage_check(tmp_path, **env):
    """`python manage.py check` in a fresh interpreter, as a user would run it."""
    clean = {k: v for k, v in os.environ.items() if k not in {"DATABASE_URL", "REDIS_URL", "DEBUG"}}
    clean.update({"DATA_DIR": str(tmp_path), **env})
    return subprocess.run(
        [sys.executable, "manage.py", "check"], cwd=ROOT, env=clean, capture_output=True, text=True, timeout=60
    )


@pytest.mark.parametrize("url", ["mongodb://localhost:27017/exam_system", "mongodb+srv://u:p@cluster.example/exam"])
def test_a_mongodb_database_url_is_refused_in_one_line(tmp_path, url):
    """Issue 11 item 2: the seed's example value names the variable and what is supported."""
    result = manage_check(tmp_path, DATABASE_URL=url)
    assert result.returncode != 0
    assert "Traceback" not in result.stderr
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    (line,) = lines
    assert "DATABASE_URL" in line and "MongoDB is not a supported database backend" in line
    assert "SQLite at a center" in line and "PostgreSQL at HQ" in line
    assert "u:p" not in line  # the URL's password is not echoed


def test_another_unsupported_backend_is_refused_the_same_way(tmp_path):
    result = manage_check(tmp_path, DATABASE_URL="mysql://u:p@db.example:3306/exams")
    assert result.returncode != 0 and "Traceback" not in result.stderr
    assert result.stderr.strip() == (
        "Configuration error: Environment variable DATABASE_URL is invalid: 'mysql' is not a supported database "
        "backend. Supported: SQLite at a center (leave DATABASE_URL empty) and PostgreSQL at HQ "
        "(postgres://USER:PASSWORD@HOST:5432/NAME)."
    )


def test_any_malformed_variable_stops_manage_py_in_one_line(tmp_path):
    result = manage_check(tmp_path, DEBUG="maybe")
    assert result.returncode == 1 and "Traceback" not in result.stderr
    assert result.stderr.strip().splitlines() == [
        "Configuration error: Environment variable DEBUG is invalid: expected true/false, got 'maybe'"
    ]


def test_supported_database_urls_pass_the_check(tmp_path):
    result = manage_check(tmp_path, DATABASE_URL=f"sqlite:///{tmp_path / 'x.sqlite3'}")
    assert result.returncode == 0, result.stderr


def test_with_redis_the_cache_falls_back_instead_of_failing(tmp_path):
    """Issue 11 item 3: REDIS_URL selects the Redis backend that degrades (utils/cache.py)."""
    result = load_settings(tmp_path, REDIS_URL="redis://127.0.0.1:6379/3")
    assert result.returncode == 0, result.stderr
    assert result.stdout.splitlines()[1] == "utils.cache.FallbackRedisCache"


def test_every_variable_the_settings_read_is_in_env_example():
    source = (ROOT / "exam_system" / "settings.py").read_text()
    names = set(re.findall(r'_env\([^,]+, "([A-Z_]+)"', source)) | set(re.findall(r'_signing_key\("([A-Z_]+)"', source))
    assert {"LOGIN_LOCKOUT_SECONDS", "TRUSTED_PROXY_COUNT", "HTTPS", "SECRET_KEY"} <= names
    example = (ROOT / ".env.example").read_text()
    assert [name for name in sorted(names) if not re.search(rf"^#? ?{name}=", example, re.M)] == []
