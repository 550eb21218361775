"""Issue 11 item 1: a node is complete after `migrate`: its signing key is created when it
is missing (like a host key on first boot), its fingerprint printed, once, atomically, quiet
with -v0, never by the test database's own migrate; `sync_keys --init` is the re-key."""

import multiprocessing
import os
import stat
import subprocess
import sys
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command

from apps.sync import keys
from apps.sync.apps import SyncConfig
from apps.sync.firstboot import node_key_after_migrate
from apps.sync.models import TrustedKey
from tests.conftest import REAL_DATA_DIR, SUITE_STARTED

ROOT = Path(__file__).resolve().parents[2]


def manage(data_dir: Path, *args, node="HQ"):
    env = {k: v for k, v in os.environ.items() if k not in {"DATABASE_URL", "REDIS_URL", "MEDIA_ROOT"}}
    env.update(DATA_DIR=str(data_dir), NODE_CENTER=node, DEBUG="True")
    return subprocess.run(
        [sys.executable, "manage.py", *args], cwd=ROOT, env=env, capture_output=True, text=True, timeout=180
    )


@pytest.mark.slow
def test_migrate_creates_the_key_once_prints_its_fingerprint_and_is_quiet_with_v0(tmp_path):
    data = tmp_path / "node"
    key_file = data / "keys" / "node_ed25519.pem"

    quiet = manage(data, "migrate", "-v0")
    assert quiet.returncode == 0, quiet.stderr
    assert quiet.stdout == "" and key_file.is_file()
    assert stat.S_IMODE(key_file.stat().st_mode) == 0o600

    # A node migrated before this existed (or whose key file was removed): migrate makes one.
    key_file.unlink()
    loud = manage(data, "migrate")
    assert loud.returncode == 0, loud.stderr
    first = key_file.read_bytes()
    fingerprint = keys.fingerprint(keys.public_key_pem(keys.load_public_key_pem(_public_pem(first))))
    assert f"Created the signing key of node HQ in {key_file} (fingerprint {fingerprint})" in loud.stdout

    again = manage(data, "migrate")
    assert again.returncode == 0, again.stderr
    assert "Created the signing key" not in again.stdout
    assert key_file.read_bytes() == first  # idempotent: the key is kept

    # HQ's own key is among its trusted keys (it travels to centers); --init is the re-key.
    listed = manage(data, "sync_keys", "--list")
    assert f"this node (HQ)\t{fingerprint}" in listed.stdout and f"HQ\t{fingerprint}" in listed.stdout
    refused = manage(data, "sync_keys", "--init")
    assert refused.returncode != 0 and f"fingerprint {fingerprint}" in refused.stderr and "--force" in refused.stderr
    rekeyed = manage(data, "sync_keys", "--init", "--force")
    assert rekeyed.returncode == 0 and key_file.read_bytes() != first
    assert "fingerprint" in rekeyed.stdout


def _public_pem(private_pem: bytes) -> str:
    from cryptography.hazmat.primitives import serialization

    return keys.public_key_pem(serialization.load_pem_private_key(private_pem, password=None).public_key())


def _race(barrier, queue):
    barrier.wait()
    public, created = keys.ensure_node_key()
    queue.put((keys.public_key_pem(public), created))


@pytest.mark.slow
def test_two_processes_at_once_make_one_key(settings, tmp_path):
    context = multiprocessing.get_context("fork")
    for attempt in range(10):
        settings.DATA_DIR = tmp_path / f"race{attempt}"
        barrier, queue = context.Barrier(2), context.Queue()
        workers = [context.Process(target=_race, args=(barrier, queue)) for _ in range(2)]
        for worker in workers:
            worker.start()
        results = [queue.get(timeout=30) for _ in workers]
        for worker in workers:
            worker.join(timeout=30)
            assert worker.exitcode == 0
        assert sorted(created for _, created in results) == [False, True]
        on_disk = _public_pem((settings.DATA_DIR / "keys" / "node_ed25519.pem").read_bytes())
        assert {pem for pem, _ in results} == {on_disk}
        assert [p.name for p in (settings.DATA_DIR / "keys").iterdir()] == ["node_ed25519.pem"]  # no temp left


def _send(verbosity=1, **kwargs):
    from django.apps import apps

    node_key_after_migrate(
        sender=apps.get_app_config("sync"), app_config=apps.get_app_config("sync"), verbosity=verbosity, **kwargs
    )


@pytest.mark.django_db
def test_the_handler_runs_after_migrate_only_and_only_when_wanted(settings, tmp_path, capsys):
    settings.DATA_DIR = tmp_path / "node"
    assert settings.NODE_KEY_ON_MIGRATE is False  # tests/conftest.py: the suite's own migrate made no key
    _send(plan=[])
    assert not keys.node_key_exists()

    settings.NODE_KEY_ON_MIGRATE = True
    _send()  # `flush` sends post_migrate without a plan: no key
    assert not keys.node_key_exists()
    _send(plan=[], verbosity=0)
    assert keys.node_key_exists() and capsys.readouterr().out == ""
    own = keys.public_key_pem(keys.node_private_key().public_key())
    assert TrustedKey.objects.get(node="HQ").public_key == own

    # At a center: its own key, and no trusted row for itself.
    settings.DATA_DIR = tmp_path / "center"
    settings.NODE_CENTER = "A01"
    _send(plan=[])
    assert keys.node_key_exists() and "Created the signing key of node A01" in capsys.readouterr().out
    assert list(TrustedKey.objects.values_list("node", flat=True)) == ["HQ"]


def test_the_handler_is_connected_to_migrate_for_the_sync_app():
    from django.apps import apps
    from django.db.models.signals import post_migrate

    config = apps.get_app_config("sync")
    assert isinstance(config, SyncConfig)
    sync_receivers, _async = post_migrate._live_receivers(config)
    assert node_key_after_migrate in sync_receivers


def test_creating_the_test_database_wrote_no_key_into_the_real_data_folder():
    real = Path(REAL_DATA_DIR) / "keys" / "node_ed25519.pem"
    if real.exists():  # a developer's own key may be there: it must be older than this run
        assert real.stat().st_mtime < SUITE_STARTED


@pytest.mark.django_db
def test_sync_keys_init_refuses_an_existing_key_and_names_it(settings, tmp_path):
    settings.DATA_DIR = tmp_path / "node"
    keys.create_node_key()
    with pytest.raises(CommandError, match=r"already exists .*fingerprint .*--force"):
        call_command("sync_keys", "--init", verbosity=0)
