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
