"""JOBS_* settings are read strictly from the environment."""

import os
import subprocess
import sys

import pytest

from tests.test_settings import ROOT, load_settings


@pytest.mark.parametrize(
    ("name", "value"),
    [
        ("JOBS_ASYNC_THRESHOLD", "many"),
        ("JOBS_ASYNC_THRESHOLD", "-1"),
        ("JOBS_HEARTBEAT_TIMEOUT", "0"),
        ("JOBS_RETENTION_DAYS", "two weeks"),
    ],
)
def test_malformed_job_settings_are_named(tmp_path, name, value):
    result = load_settings(tmp_path, **{name: value})
    assert result.returncode != 0
    assert f"Environment variable {name} is invalid" in result.stderr


def _job_settings(tmp_path, **env):
    clean = {k: v for k, v in os.environ.items() if not k.startswith("JOBS_") and k != "DATABASE_URL"}
    clean.update({"DJANGO_SETTINGS_MODULE": "exam_system.settings", "DATA_DIR": str(tmp_path), **env})
    code = (
        "from django.conf import settings as s; "
        "print(s.JOBS_ASYNC_THRESHOLD, s.JOBS_HEARTBEAT_TIMEOUT, s.JOBS_RETENTION_DAYS)"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, env=clean, capture_output=True, text=True, timeout=60
    )
    assert result.returncode == 0, result.stderr
    return result.stdout.split()


def test_job_settings_defaults_and_overrides(tmp_path):
    assert _job_settings(tmp_path) == ["5000", "60", "14"]
    overridden = _job_settings(
        tmp_path, JOBS_ASYNC_THRESHOLD="100", JOBS_HEARTBEAT_TIMEOUT="30", JOBS_RETENTION_DAYS="3"
    )
    assert overridden == ["100", "30", "3"]
