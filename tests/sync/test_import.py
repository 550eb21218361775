"""Applying packages: idempotence, dry runs, media on commit, conflicts with reasons."""

from pathlib import Path

import pytest
from django.core.management import call_command

from apps.candidates.models import Candidate
from apps.centers.models import Room
from apps.core.models import Tombstone
from apps.core.services import synced_delete, synced_save
from apps.exams.models import Exam, ExamSession, Paper
from apps.sync import registry
from apps.sync.exporter import package_export
from apps.sync.importer import BOTH_EDITED, NOT_OWNER, OLDER, UNKNOWN_REFERENCE, package_import
from apps.sync.importing.report import BAD_FILE
from apps.sync.models import SyncLog
from apps.sync.package import CENTER_PACKAGE


# Rooms stand in for a center-owned model here: beyond the row's own center and the stored
# row's center (checked by the importer itself), they need no further proof.
def no_further_proof(center_id, rows, using):
    return {}


pytestmark = pytest.mark.django_db


@pytest.fixture
def restore_registry():
    saved = dict(registry._registry)
    yield registry
    registry._registry.clear()
    registry._registry.update(saved)


def media_files(settings):
    root = Path(settings.MEDIA_ROOT)
    return sorted(str(p.relative_to(root)) for p in root.rglob("*") if p.is_file()) if root.exists() else []


def become_center(settings):
    """The center before its first package: no candidates, no media."""
    import shutil

    settings.NODE_CENTER = "A01"
    Candidate.objects.all().delete()
    shutil.rmtree(settings.MEDIA_ROOT, ignore_errors=True)


def test_import_applies_rows_and_media_then_a_replay_changes_nothing(
    center_package, settings, candidates_a, django_capture_on_commit_callbacks
):
    expected_media = media_files(settings)
    expected = {c.pk: (c.version, c.photo.name) for c in candidates_a}
    become_center(settings)

    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        first = package_import(path=center_package)
    # The media moved in as the transaction's last step, not after it: a kill after the
    # commit cannot leave a row without its file (test_roundtrip kills it mid-move).
    assert callbacks == []
    assert first.models["candidates.Candidate"].created == 5
    assert first.conflict_count == 0
    assert {c.pk: (c.version, c.photo.name) for c in Candidate.objects.all()} == expected
    assert media_files(settings) == expected_media
    assert first.media_files == 10

    second = package_import(path=center_package)
    assert all(c.applied == 0 and c.conflicts == 0 for c in second.models.values())
    assert second.models["candidates.Candidate"].unchanged == 5
    assert media_files(settings) == expected_media
    log = SyncLog.objects.filter(direction="import").first()
    assert log.sha256 == second.sha256 and log.counts["candidates.Candidate"]["unchanged"] == 5
    assert log.free_disk_bytes > 0


def test_dry_run_reports_and_changes_nothing(center_package, settings):
    become_center(settings)
    report = package_import(path=center_package, dry_run=True)
    assert report.models["candidates.Candidate"].created == 5
    assert Candidate.objects.count() == 0
    assert media_files(settings) == []
    assert SyncLog.objects.filter(direction="import").first().status == "dry_run"


def test_the_command_prints_counts_per_model(center_package, settings, capsys):
    become_center(settings)
    call_command("import_center_data", "--input-file", str(center_package), "--dry-run", verbosity=0)
    out = capsys.readouterr().out
    assert "candidates.Candidate                5          0          0" in out
    assert "would be applied" in out


def test_an_older_version_is_a_conflict_and_keeps_ours(center_package, settings, candidates_a):
    settings.NODE_CENTER = "A01"
    candidate = candidates_a[0]
    candidate.version = 7
    candidate.name = "Changed here"
    candidate.save()
    report = package_import(path=center_package)
    reasons = {(c["id"], c["reason"]) for c in report.conflicts}
    assert (str(candidate.pk), OLDER) in reasons
    candidate.refresh_from_db()
    assert candidate.name == "Changed here"


def test_same_version_edited_on_both_sides_is_a_conflict(center_package, settings, candidates_a):
    settings.NODE_CENTER = "A01"
    Candidate.objects.filter(pk=candidates_a[1].pk).update(name="Local edit", origin="A01")
    report = package_import(path=center_package)
    assert [(c["id"], c["reason"]) for c in report.conflicts] == [(str(candidates_a[1].pk), BOTH_EDITED)]
    assert Candidate.objects.get(pk=candidates_a[1].pk).name == "Local edit"


def test_a_newer_version_from_the_owner_is_applied(center_package, settings, candidates_a):
    settings.NODE_CENTER = "A01"
    Candidate.objects.filter(pk=candidates_a[2].pk).update(version=0, name="stale")
    report = package_import(path=center_package)
    assert report.models["candidates.Candidate"].updated == 1
    assert Candidate.objects.get(pk=candidates_a[2].pk).name == candidates_a[2].name


def test_rows_from_a_sender_that_does_not_own_them_are_conflicts(
    tmp_path, hq_key, candidates_a, center_a, settings, restore_registry
):
    # HQ writes rooms in its package, but the importing node believes centers own rooms.
    path = tmp_path / "pkg.zip"
    package_export(kind=CENTER_PACKAGE, center=center_a, output=path)
    restore_registry.register(Room, owner=registry.CENTER, center_path="center_id", proves_owner=no_further_proof)
    settings.NODE_CENTER = "A01"
    Room.objects.update(version=0, name="old")
    report = package_import(path=path)
    assert {c["reason"] for c in report.conflicts} == {NOT_OWNER}
    assert report.models["centers.Room"].conflicts == 1
    assert Room.objects.get().name == "old"


def test_a_row_pointing_at_an_unknown_row_is_a_conflict(
    tmp_path, hq_key, candidates_a, center_a, settings, restore_registry
):
    for model in (ExamSession, Paper, Exam):
        restore_registry.unregister(model)
    path = tmp_path / "pkg.zip"
    package_export(kind=CENTER_PACKAGE, center=center_a, output=path)
    become_center(settings)
    ExamSession.objects.all().delete()
    Paper.objects.all().delete()
    Exam.objects.all().delete()
    report = package_import(path=path)
    assert report.models["candidates.Candidate"].conflicts == 5
    assert {c["reason"] for c in report.conflicts} == {UNKNOWN_REFERENCE}
    assert report.conflicts[0]["detail"].startswith("exam=")
    assert Candidate.objects.count() == 0


def test_a_deletion_at_hq_reaches_the_center(tmp_path, hq_key, candidates_a, center_a, settings):
    first, second = tmp_path / "1.zip", tmp_path / "2.zip"
    package_export(kind=CENTER_PACKAGE, center=center_a, output=first)
    gone = candidates_a[0]
    gone_pk = gone.pk
    synced_delete(gone)
    gone.pk = gone_pk
    package_export(kind=CENTER_PACKAGE, center=center_a, output=second)
    become_center(settings)
    Tombstone.objects.all().delete()
    package_import(path=first)
    assert Candidate.objects.filter(pk=gone.pk).exists()
    report = package_import(path=second)
    assert report.models["candidates.Candidate"].deleted == 1
    assert not Candidate.objects.filter(pk=gone.pk).exists()
    assert Tombstone.objects.filter(object_id=gone.pk).exists()
    # Replaying the first package cannot resurrect the deleted row.
    replay = package_import(path=first)
    assert not Candidate.objects.filter(pk=gone.pk).exists()
    assert replay.models["candidates.Candidate"].conflicts == 1


def test_an_incremental_package_carries_only_changed_rows(tmp_path, hq_key, candidates_a, center_a, frozen_clock):
    from django.utils import timezone

    since = timezone.now()
    frozen_clock.shift(1)  # the change comes a second after `since`, whatever the clock's resolution
    candidates_a[0].name = "Renamed"
    synced_save(candidates_a[0], update_fields=["name"])
    result = package_export(kind=CENTER_PACKAGE, center=center_a, output=tmp_path / "inc.zip", since=since)
    assert result.counts["candidates.Candidate"] == 1
    assert result.counts["centers.Room"] == 0


def test_a_center_may_only_send_rows_of_its_own_center(
    tmp_path, hq_key, center_a, center_b, room_a, room_b, settings, restore_registry
):
    """Center-owned rows prove their center through center_path; A01 cannot send B01's."""
    from apps.sync import keys
    from apps.sync.package import RESULTS_PACKAGE

    # A01's node, whose (tampered) selection also picks up B01's room.
    restore_registry.register(
        Room,
        owner=registry.CENTER,
        center_path="center_id",
        select=lambda center, since: Room.objects.all(),
        proves_owner=no_further_proof,
    )
    settings.NODE_CENTER = "A01"
    Room.objects.filter(pk=room_a.pk).update(version=5, name="A lab", origin="A01")
    Room.objects.filter(pk=room_b.pk).update(version=5, name="B lab", origin="A01")
    path = tmp_path / "results.zip"
    package_export(kind=RESULTS_PACKAGE, center=center_a, output=path)

    # HQ trusts A01 (same key file in this test) and had older versions of both rooms.
    settings.NODE_CENTER = "HQ"
    keys.trust_node("A01", keys.public_key_pem(keys.node_private_key().public_key()))
    Room.objects.update(version=1, name="old", origin="HQ")
    report = package_import(path=path)
    assert report.models["centers.Room"].updated == 1
    assert [(c["id"], c["reason"]) for c in report.conflicts] == [(str(room_b.pk), NOT_OWNER)]
    assert Room.objects.get(pk=room_a.pk).name == "A lab"
    assert Room.objects.get(pk=room_b.pk).name == "old"


@pytest.mark.parametrize(
    "value",
    ["2026-01-02T03:04:05+00:00", "2026-01-02T03:04:05.000123+00:00", "2026-01-02T03:04:05+05:30"],
)
def test_the_insert_fast_path_stores_what_django_stores(value):
    """bulk.py prepares UUIDs and datetimes itself: it must match the ORM's own values."""
    import uuid

    from django.db import connection

    from apps.core.bulk import _preparers

    fields = [Candidate._meta.get_field(n) for n in ("created_at", "id", "exam")]
    prepare = dict(_preparers(fields, connection))
    assert prepare["created_at"](value) == fields[0].get_db_prep_save(value, connection)
    key = str(uuid.uuid4())
    assert prepare["id"](key) == fields[1].get_db_prep_save(key, connection)
    assert prepare["exam_id"](key) == fields[2].get_db_prep_save(key, connection)


def test_a_file_name_outside_its_folder_or_the_package_is_a_conflict(
    tmp_path, hq_key, candidates_a, center_a, settings
):
    # HQ's rows, as a forged or damaged package could carry them: a photo naming the node's
    # private key, one naming a job output (a file that exists, so it even travels), one
    # naming a photo the package does not carry.
    escape, elsewhere, absent = candidates_a[0], candidates_a[1], candidates_a[2]
    media = Path(settings.MEDIA_ROOT)
    (media / "jobs").mkdir(parents=True, exist_ok=True)
    (media / "jobs" / "out.zip").write_bytes(b"job output")
    Candidate.objects.filter(pk=escape.pk).update(photo="../../keys/node_private.pem")
    Candidate.objects.filter(pk=elsewhere.pk).update(photo="jobs/out.zip")
    Candidate.objects.filter(pk=absent.pk).update(photo="candidates/photos/zz/not-there.jpg")
    path = tmp_path / "pkg.zip"
    package_export(kind=CENTER_PACKAGE, center=center_a, output=path)
    become_center(settings)

    report = package_import(path=path)

    assert {c["id"]: (c["reason"], c["detail"]) for c in report.conflicts} == {
        str(escape.pk): (BAD_FILE, "photo='../../keys/node_private.pem' is not a file under candidates/photos/"),
        str(elsewhere.pk): (BAD_FILE, "photo='jobs/out.zip' is not a file under candidates/photos/"),
        str(absent.pk): (
            BAD_FILE,
            "photo='candidates/photos/zz/not-there.jpg' is neither in the package nor this row's file here",
        ),
    }
    assert set(Candidate.objects.values_list("pk", flat=True)) == {c.pk for c in candidates_a[3:]}
    assert not (media / "jobs").exists()  # the job output did not come along
    assert all(name.startswith("candidates/") for name in media_files(settings))
