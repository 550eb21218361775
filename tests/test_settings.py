"""Settings come from the environment and refuse unsafe production values."""

import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
GOOD_SECRET = "x" * 20 + "-very-private-random-value-1234567890"


def load_settings(tmp_path, **env):
    """Import the settings in a fresh interpreter with exactly `env` set."""
    clean = {
        k: v
        for k, v in os.environ.items()
        if k
        not in {
            "DEBUG",
            "SECRET_KEY",
            "JWT_SECRET_KEY",
            "DATABASE_URL",
            "REDIS_URL",
            "ALLOWED_HOSTS",
            "CORS_ALLOWED_ORIGINS",
            "JWT_ACCESS_MINUTES",
            "JWT_REFRESH_DAYS",
        }
    }
    clean.update({"DJANGO_SETTINGS_MODULE": "exam_system.settings", "DATA_DIR": str(tmp_path), **env})
    code = (
        "import django; from django.conf import settings; django.setup(); "
        "print(settings.DATABASES['default']['ENGINE']); "
        "print(settings.CACHES['default']['BACKEND']); "
        "print(int(settings.SIMPLE_JWT['ACCESS_TOKEN_LIFETIME'].total_seconds())); "
        "print(','.join(settings.CORS_ALLOWED_ORIGINS))"
    )
    return subprocess.run([sys.executable, "-c", code], cwd=ROOT, env=clean, capture_output=True, text=True, timeout=60)


@pytest.mark.parametrize("missing", ["SECRET_KEY", "JWT_SECRET_KEY"])
def test_production_refuses_missing_secret(tmp_path, missing):
    env = {"DEBUG": "False", "SECRET_KEY": GOOD_SECRET, "JWT_SECRET_KEY": GOOD_SECRET + "jwt"}
    del env[missing]
    result = load_settings(tmp_path, **env)
    assert result.returncode != 0
    assert f"{missing} must be set" in result.stderr


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
    [("DEBUG", "maybe"), ("JWT_ACCESS_MINUTES", "ten"), ("REDIS_URL", "localhost:6379")],
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
