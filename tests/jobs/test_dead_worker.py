"""A real worker process, killed with SIGKILL in the middle of a job's transaction:
after the heartbeat timeout its job is `failed` with the reason, and none of its
writes remain. Runs against a SQLite file of its own (also when the suite runs on
PostgreSQL), because the worker is another process and cannot see the test database."""

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]

SETUP = """
import django; django.setup()
from django.core.management import call_command
call_command("migrate", verbosity=0)
from apps.core.roles import Role
from apps.authentication.models import User
from apps.jobs.services import job_start
from tests.jobs import kinds
kinds.register()
user = User.objects.create_user(username="owner", password="x-long-password-1", role=Role.EXAM_MANAGER)
job = job_start(kind="test.generate", user=user, params={"batches": 400, "per_batch": 1, "pause": 0.05})
print(job.pk)
"""

INSPECT = """
import json, sys, django; django.setup()
from apps.centers.models import Center
from apps.jobs.models import Job
from django_tasks_db.models import DBTaskResult
job = Job.objects.get(pk=sys.argv[1])
task = DBTaskResult.objects.get(pk=job.task_result_id)
print(json.dumps({"status": job.status, "error": job.error, "task": task.status,
                  "centers": Center.objects.filter(code__startswith="T").count()}))
"""


@pytest.fixture
def child_env(tmp_path):
    env = {k: v for k, v in os.environ.items() if k not in {"DATABASE_URL", "REDIS_URL", "MEDIA_ROOT"}}
    env.update(
        DJANGO_SETTINGS_MODULE="exam_system.settings",
        DATA_DIR=str(tmp_path / "data"),
        MEDIA_ROOT=str(tmp_path / "data" / "media"),
        DATABASE_URL="",
        REDIS_URL="",
        JOBS_HEARTBEAT_TIMEOUT="2",
        PYTHONPATH=str(ROOT),
        DEBUG="True",
    )
    return env


def _python(env, code, *args):
    result = subprocess.run(
        [sys.executable, "-c", code, *args], cwd=ROOT, env=env, capture_output=True, text=True, timeout=60
    )
    assert result.returncode == 0, result.stderr
    return result.stdout.strip().splitlines()[-1]


@pytest.mark.slow
def test_killed_worker_leaves_its_job_failed_after_the_heartbeat_timeout(child_env, tmp_path):
    job_id = _python(child_env, SETUP)
    live_dir = tmp_path / "data" / "media" / "jobs" / "live"
    worker = subprocess.Popen(
        [sys.executable, "-m", "tests.jobs.worker_main", "--no-reload", "--no-startup-delay", "--interval", "0.1"],
        cwd=ROOT,
        env=child_env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        deadline = time.monotonic() + 20
        done = 0
        while time.monotonic() < deadline and done < 5:
            time.sleep(0.05)
            for live_file in live_dir.glob("*.json"):  # the one job's heartbeat file
                try:
                    done = json.loads(live_file.read_text())["done"]
                except (OSError, ValueError):
                    continue
        assert done >= 5, "the worker never got going"
    finally:
        worker.send_signal(signal.SIGKILL)  # no clean-up of any kind: like a power cut
        worker.wait(timeout=10)

    state = json.loads(_python(child_env, INSPECT, job_id))
    assert state["status"] == "running"  # the dead worker could not say otherwise
    assert state["centers"] == 0  # its open transaction died with it

    time.sleep(2.2)  # let the last heartbeat age past JOBS_HEARTBEAT_TIMEOUT=2
    reap = subprocess.run(
        [sys.executable, "manage.py", "reap_jobs"], cwd=ROOT, env=child_env, capture_output=True, text=True, timeout=60
    )
    assert reap.returncode == 0, reap.stderr
    assert "Reaped 1 job(s)" in reap.stdout

    state = json.loads(_python(child_env, INSPECT, job_id))
    assert state["status"] == "failed"
    assert state["error"]["code"] == "worker_lost"
    assert "stopped sending heartbeats for more than 2 seconds" in state["error"]["message"]
    assert state["task"] == "FAILED"
    assert state["centers"] == 0
    assert list(live_dir.glob("*.json")) == []
