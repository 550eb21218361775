"""Concurrent writers on a center's SQLite database never get a 500 "database is locked":
a write waits for another's lock within the busy timeout (SQLITE_BUSY_TIMEOUT), and beyond
it the API answers 503 JSON with Retry-After, having written nothing.

Real processes on a real database file (a test database in memory would share one
connection): `migrate` once, then writer processes post centers through the API while a
"long writer" holds SQLite's write lock for a set time.
"""

import json
import os
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
pytestmark = pytest.mark.slow

WRITER = r"""
import json, os, sys
import django
django.setup()
from rest_framework.test import APIClient
from apps.authentication.models import User
client = APIClient()
client.force_authenticate(User.objects.get(username="admin"))
code = sys.argv[1]
import time
sent_at = time.time()
body = {"code": code, "name": "Center " + code, "city": "Pune", "state": "MH"}
response = client.post("/api/centers/", body, format="json", HTTP_HOST="127.0.0.1")
answer = {"sent_at": sent_at, "status": response.status_code, "retry_after": response.get("Retry-After")}
answer["body"] = response.json()
print(json.dumps(answer))
"""

SETUP = r"""
import django
django.setup()
from django.core.management import call_command
call_command("migrate", verbosity=0)
from apps.authentication.models import User
User.objects.create_superuser("admin", password="not-used-here-0", role="admin")
"""


def node_env(data_dir: Path, **extra) -> dict:
    env = {k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", "REDIS_URL")}
    env.update(
        DJANGO_SETTINGS_MODULE="exam_system.settings",
        DATA_DIR=str(data_dir),
        DEBUG="True",
        PYTHONPATH=str(ROOT),
        NODE_KEY_ON_MIGRATE="False",
        **extra,
    )
    return env


@pytest.fixture(scope="module")
def center_db(tmp_path_factory):
    data_dir = tmp_path_factory.mktemp("center")
    subprocess.run([sys.executable, "-c", SETUP], cwd=ROOT, env=node_env(data_dir), check=True, timeout=300)
    return data_dir


def hold_write_lock(database: Path, seconds: float) -> subprocess.Popen:
    """Another writer: takes SQLite's write lock, keeps it `seconds`, then commits."""
    code = (
        "import sqlite3, sys, time\n"
        f"db = sqlite3.connect({str(database)!r}, isolation_level=None)\n"
        "db.execute('BEGIN IMMEDIATE')\n"
        "print('locked', flush=True)\n"
        f"time.sleep({seconds})\n"
        "db.execute('COMMIT')\n"
        "print(time.time(), flush=True)\n"
    )
    locker = subprocess.Popen([sys.executable, "-c", code], stdout=subprocess.PIPE, text=True)
    assert locker.stdout.readline().strip() == "locked"
    return locker


def write_centers(center_db: Path, codes: list[str], busy_timeout: int) -> list[dict]:
    env = node_env(center_db, SQLITE_BUSY_TIMEOUT=str(busy_timeout))
    writers = [
        subprocess.Popen([sys.executable, "-c", WRITER, code], cwd=ROOT, env=env, stdout=subprocess.PIPE, text=True)
        for code in codes
    ]
    return [json.loads(w.communicate(timeout=120)[0].strip().splitlines()[-1]) for w in writers]


def centers_in(database: Path) -> set[str]:
    with sqlite3.connect(database) as db:
        return {row[0] for row in db.execute("SELECT code FROM centers_center")}


def test_writers_wait_for_a_lock_shorter_than_the_busy_timeout(center_db):
    database = center_db / "exam_system.sqlite3"
    # The writers need a few seconds to start Django; the lock outlasts that start-up.
    locker = hold_write_lock(database, seconds=8)
    results = write_centers(center_db, ["W1", "W2", "W3"], busy_timeout=60)
    released_at = float(locker.communicate(timeout=30)[0].strip())
    assert [r["status"] for r in results] == [201, 201, 201], results
    # They wrote while the lock was held, so they waited for it; none failed.
    assert min(r["sent_at"] for r in results) < released_at
    assert {"W1", "W2", "W3"} <= centers_in(database)


def test_beyond_the_busy_timeout_the_answer_is_503_with_retry_after_and_nothing_is_written(center_db):
    database = center_db / "exam_system.sqlite3"
    locker = hold_write_lock(database, seconds=25)
    try:
        results = write_centers(center_db, ["L1", "L2"], busy_timeout=1)
    finally:
        locker.kill()
        locker.wait()
    for result in results:
        assert result["status"] == 503, result
        assert result["retry_after"] == "2"
        assert result["body"]["code"] == "database_busy"
    assert not {"L1", "L2"} & centers_in(database)
