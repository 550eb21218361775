"""Issue 11 item 8: small things a newcomer trips on, and what the README promises them."""

import subprocess
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
README = (ROOT / "README.md").read_text()


def test_the_briefs_virtualenv_folder_is_ignored_by_git():
    lines = (ROOT / ".gitignore").read_text().split()
    assert "venv/" in lines and ".venv" in lines
    check = subprocess.run(["git", "check-ignore", "-q", "venv/bin/python"], cwd=ROOT, capture_output=True)
    assert check.returncode == 0 or not (ROOT / ".git").exists()


def test_the_readme_says_how_to_recover_a_lost_admin_password():
    assert "python manage.py changepassword admin" in README


def test_the_readme_says_which_databases_are_supported_and_why_not_mongodb():
    assert "MongoDB is not supported" in README
    assert "djongo" in README and "django-mongodb-backend" in README and "ORM" in README


def test_the_readme_follows_the_briefs_steps_without_a_separate_key_step():
    steps = README[README.index("The same by hand") : README.index("**First login.**")]
    for step in ("-m venv venv", "pip install -r requirements.txt", "cp .env.example .env", "manage.py migrate"):
        assert step in steps
    assert "sync_keys --init " not in steps.split("```")[1]  # migrate makes the key


def test_scripts_run_leaves_the_key_to_migrate():
    assert "sync_keys" not in (ROOT / "scripts" / "run").read_text()
