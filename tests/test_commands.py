import subprocess
import sys
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command

from apps.authentication.models import User
from apps.centers.models import Center, Room
from apps.core.roles import Role
from apps.exams.models import Exam, ExamSession, Paper

pytestmark = pytest.mark.django_db
ROOT = Path(__file__).resolve().parent.parent


def test_ensure_admin_creates_one_with_a_printed_password(capsys, api):
    call_command("ensure_admin")
    out = capsys.readouterr().out
    password = out.split("password: ")[1].split()[0]
    admin = User.objects.get(username="admin")
    assert admin.role == Role.ADMIN and admin.is_superuser and admin.is_staff
    assert api.post("/api/auth/login/", {"username": "admin", "password": password}, format="json").status_code == 200
    # A second run changes nothing and prints no password.
    call_command("ensure_admin")
    assert "password" not in capsys.readouterr().out
    assert User.objects.count() == 1


def test_ensure_admin_takes_credentials_from_the_environment(monkeypatch, capsys):
    monkeypatch.setenv("DJANGO_SUPERUSER_USERNAME", "chief")
    monkeypatch.setenv("DJANGO_SUPERUSER_PASSWORD", "Chief-pass-2026")
    call_command("ensure_admin")
    assert "password:" not in capsys.readouterr().out
    assert User.objects.get(username="chief").check_password("Chief-pass-2026")


def test_seed_demo_fills_a_fresh_database_once(capsys, api, frozen_clock):  # demo sessions are dated from today
    call_command("seed_demo")
    out = capsys.readouterr().out
    assert Center.objects.count() == 3
    assert Room.objects.count() == 9
    assert Exam.objects.get().code == "DEMO2026"
    assert Paper.objects.count() == 2
    assert ExamSession.objects.count() == 2
    assert {u.role for u in User.objects.all()} == set(Role)
    assert "demo_invigilator" in out
    login = api.post("/api/auth/login/", {"username": "demo_invigilator", "password": "demo-pass-2026"}, format="json")
    assert login.status_code == 200
    assert login.json()["user"]["center_code"] == "DEL01"
    with pytest.raises(CommandError, match="already there"):
        call_command("seed_demo")


def test_manage_py_test_runs_the_pytest_suite():
    result = subprocess.run(
        [sys.executable, "manage.py", "test", "tests/test_settings.py::test_defaults_are_sqlite_and_local_cache"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "1 passed" in result.stdout
