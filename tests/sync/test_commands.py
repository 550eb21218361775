"""sync_keys, sync_link, export_center_data flags and safety rails."""

import datetime as dt
import zipfile

import pytest
from django.core.management import CommandError, call_command

from apps.centers.models import Center
from apps.exams.models import ExamSession
from apps.sync import keys
from apps.sync.credentials import decrypt_secret
from apps.sync.models import SyncLog, TrustedKey
from tests.clock import EXAM_DAY, local_moment

pytestmark = pytest.mark.django_db


def test_sync_keys_init_export_and_trust(tmp_path, settings):
    call_command("sync_keys", "--init", verbosity=0)
    assert keys.node_key_exists()
    # At HQ, our own public key is kept as a trusted key so it travels to centers.
    assert TrustedKey.objects.get(node="HQ").id == keys.trusted_key_id("HQ")
    with pytest.raises(CommandError, match="already exists"):
        call_command("sync_keys", "--init", verbosity=0)
    pem = tmp_path / "hq.pem"
    call_command("sync_keys", "--export-public", str(pem), verbosity=0)
    assert pem.read_text().startswith("-----BEGIN PUBLIC KEY-----")

    call_command("sync_keys", "--trust", "A01", str(pem), verbosity=0)
    assert TrustedKey.objects.get(node="A01").public_key == pem.read_text()
    bad = tmp_path / "bad.pem"
    bad.write_text("not a key")
    with pytest.raises(CommandError, match="does not hold an Ed25519 public key"):
        call_command("sync_keys", "--trust", "B01", str(bad), verbosity=0)


def test_export_needs_a_key_and_a_known_center(center_a, tmp_path):
    with pytest.raises(CommandError, match="sync_keys --init"):
        call_command("export_center_data", "--center-id", "A01", "--output-file", str(tmp_path / "x"), verbosity=0)
    with pytest.raises(CommandError, match="No center"):
        call_command("export_center_data", "--center-id", "ZZ", "--output-file", str(tmp_path / "x"), verbosity=0)


def test_export_accepts_a_uuid_and_writes_a_zip_whatever_the_name(center_package, center_a, tmp_path, capsys):
    out = tmp_path / "center_data.json"
    call_command("export_center_data", "--center-id", str(center_a.pk), "--output-file", str(out), verbosity=0)
    assert zipfile.is_zipfile(out)
    assert "Wrote center-package" in capsys.readouterr().out
    with pytest.raises(CommandError, match="not an ISO"):
        call_command("export_center_data", "--center-id", "A01", "--output-file", str(out), "--since", "yesterday")


def test_results_export_is_refused_during_a_session_unless_forced(
    hq_key, exam_a, candidates_a, settings, tmp_path, frozen_clock
):
    settings.NODE_CENTER = "A01"
    ExamSession.objects.update(date=EXAM_DAY, start_time=dt.time(10), end_time=dt.time(12))
    frozen_clock.move_to(local_moment(10, 30))  # a fixed clock inside the session, never near midnight
    out = tmp_path / "results.json"
    with pytest.raises(CommandError, match=r"in progress at A01.*--force"):
        call_command("export_center_data", "--output-file", str(out), verbosity=0)
    assert not out.exists()
    call_command("export_center_data", "--output-file", str(out), "--force", verbosity=0)
    assert zipfile.is_zipfile(out)
    log = SyncLog.objects.get(direction="export")
    assert (log.kind, log.origin, log.target) == ("results-package", "A01", "HQ")

    frozen_clock.move_to(local_moment(12, 0))  # the session has ended: no --force needed
    call_command("export_center_data", "--output-file", str(tmp_path / "after.zip"), verbosity=0)
    assert SyncLog.objects.filter(direction="export").count() == 2


def test_center_packages_are_written_only_at_hq(hq_key, center_a, center_b, settings, tmp_path):
    settings.NODE_CENTER = "A01"
    with pytest.raises(CommandError, match="results package of center B01 is written by that center"):
        call_command("export_center_data", "--center-id", "B01", "--output-file", str(tmp_path / "x"), verbosity=0)


@pytest.mark.usefixtures("center_b")
def test_sync_link_stores_the_password_encrypted(center_a, monkeypatch):
    monkeypatch.setenv("PW", "the-password")
    call_command(
        "sync_link", "--center-id", "A01", "--url", "http://10.0.0.5:8000/", "--username", "m", "--password-env", "PW"
    )
    center = Center.objects.get(pk=center_a.pk)
    assert center.sync_url == "http://10.0.0.5:8000" and center.sync_username == "m"
    assert "the-password" not in center.sync_secret
    assert decrypt_secret(center.sync_secret) == "the-password"
    assert center.version == center_a.version  # a local setting: no new version to ship


def test_sync_link_never_travels(center_package, center_a):
    Center.objects.filter(pk=center_a.pk).update(sync_url="http://x", sync_secret="secret")
    with zipfile.ZipFile(center_package) as zf:
        assert b"sync_url" not in zf.read("data/centers.Center.jsonl")


def test_sync_keys_list_shows_fingerprints(tmp_path, capsys):
    call_command("sync_keys", "--init", verbosity=0)
    pem = tmp_path / "k.pem"
    call_command("sync_keys", "--export-public", str(pem))
    exported = capsys.readouterr().out
    call_command("sync_keys", "--list")
    listed = capsys.readouterr().out
    fp = keys.fingerprint(pem.read_text())
    assert fp in exported and f"this node (HQ)\t{fp}" in listed and f"HQ\t{fp}" in listed


def test_a_key_copied_with_crlf_line_ends_is_stored_canonically(tmp_path):
    call_command("sync_keys", "--init", verbosity=0)
    pem = tmp_path / "hq.pem"
    call_command("sync_keys", "--export-public", str(pem), verbosity=0)
    crlf = tmp_path / "crlf.pem"
    crlf.write_bytes(pem.read_bytes().replace(b"\n", b"\r\n") + b"\r\n  ")
    call_command("sync_keys", "--trust", "A01", str(crlf), verbosity=0)
    assert TrustedKey.objects.get(node="A01").public_key == pem.read_text()
