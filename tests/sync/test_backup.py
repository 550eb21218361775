"""backup_database / restore_database reproduce every table and every media file.

Runs in-process on the test database, so CI runs it on SQLite and on PostgreSQL.
"""

import hashlib
from pathlib import Path

import pytest
from django.contrib.admin.models import ADDITION, LogEntry
from django.contrib.auth.models import Group, Permission
from django.contrib.contenttypes.models import ContentType
from django.contrib.sessions.backends.db import SessionStore
from django.core.management import CommandError, call_command
from rest_framework_simplejwt.tokens import RefreshToken

from apps.core.models import Tombstone
from apps.core.services import synced_delete
from apps.sync import backup, keys
from apps.sync.codec import encode_row
from apps.sync.models import SyncLog
from apps.sync.package import PackageRefused
from tests.factories import RoomFactory

pytestmark = pytest.mark.django_db


def snapshot(settings) -> dict:
    """Every row of every table (content types and permissions by natural key) and every file."""
    ct_key = {ct.pk: f"{ct.app_label}.{ct.model}" for ct in ContentType.objects.all()}
    perm_key = {p.pk: f"{ct_key[p.content_type_id]}.{p.codename}" for p in Permission.objects.all()}
    out = {}
    for model in backup.backup_models():
        names = [f.attname for f in model._meta.concrete_fields]
        fk_maps = {
            f.attname: ct_key if f.related_model is ContentType else perm_key
            for f in model._meta.concrete_fields
            if f.is_relation and f.related_model in (ContentType, Permission)
        }
        rows = []
        for values in model._base_manager.values_list(*names):
            row = encode_row(names, values)
            for attname, mapping in fk_maps.items():
                row[attname] = mapping.get(row[attname], row[attname])
            if model is ContentType:
                row.pop("id")
            if model is Permission:
                row.pop("id")
            if model is SyncLog and row["direction"] in ("backup", "restore"):
                continue
            rows.append(row)
        out[model._meta.label] = sorted(rows, key=lambda r: repr(sorted(r.items())))
    root = Path(settings.MEDIA_ROOT)
    out["media"] = {
        str(p.relative_to(root)): hashlib.sha256(p.read_bytes()).hexdigest() for p in root.rglob("*") if p.is_file()
    }
    return out


@pytest.fixture
def rich_database(cast, candidates_a, center_package, center_a, settings):
    """Something in every kind of table: users and hashes, blacklisted tokens, groups and
    permissions, admin log, sessions, tombstones, sync history, media."""
    admin = cast["admin"]
    token = RefreshToken.for_user(admin)
    token.blacklist()
    RefreshToken.for_user(cast["manager_a"])
    group = Group.objects.create(name="auditors")
    group.permissions.add(*Permission.objects.filter(codename__startswith="view_")[:5])
    cast["exam_manager"].groups.add(group)
    cast["exam_manager"].user_permissions.add(Permission.objects.get(codename="change_center"))
    LogEntry.objects.log_actions(
        user_id=admin.pk, queryset=[center_a], action_flag=ADDITION, change_message="created", single_object=True
    )
    session = SessionStore()
    session["hello"] = "world"
    session.create()
    synced_delete(RoomFactory(center=center_a, code="GONE"))
    assert Tombstone.objects.count() == 1
    assert SyncLog.objects.count() == 1
    return settings


def rich_database_admin():
    from apps.authentication.models import User

    return User.objects.get(username="admin")


def wipe():
    """Empty every table but content types and permissions, restarting id sequences (as a
    freshly migrated database has them), so a restore must reset them itself."""
    from django.db import connection

    models = [m for m in backup.backup_models() if m not in backup.NATURAL]
    for model in reversed(models):
        model._base_manager.all()._raw_delete("default")
    tables = {m._meta.db_table for m in models}
    with connection.cursor() as cursor:
        for seq in connection.introspection.sequence_list():
            if seq["table"] not in tables:
                continue
            if connection.vendor == "postgresql":
                cursor.execute("SELECT setval(pg_get_serial_sequence(%s, %s), 1, false)", [seq["table"], seq["column"]])
            elif connection.vendor == "sqlite":
                cursor.execute("DELETE FROM sqlite_sequence WHERE name = %s", [seq["table"]])


def test_restore_into_an_empty_database_reproduces_every_row_and_file(
    rich_database, tmp_path, django_capture_on_commit_callbacks
):
    settings = rich_database
    before = snapshot(settings)
    assert before["token_blacklist.BlacklistedToken"] and before["admin.LogEntry"] and before["sessions.Session"]
    assert len(before["media"]) == 10
    path = tmp_path / "backup.json"
    call_command("backup_database", "--output-file", str(path), verbosity=0)

    wipe()
    import shutil

    shutil.rmtree(settings.MEDIA_ROOT)
    assert backup.database_is_empty()
    with django_capture_on_commit_callbacks(execute=True):
        call_command("restore_database", "--input-file", str(path), verbosity=0)
    assert snapshot(settings) == before
    # Sequences continue after the restored ids (PostgreSQL): new rows do not collide.
    admin = rich_database_admin()
    RefreshToken.for_user(admin).blacklist()
    LogEntry.objects.log_actions(
        user_id=admin.pk, queryset=[admin], action_flag=ADDITION, change_message="after", single_object=True
    )


def test_restore_refuses_a_non_empty_database_unless_forced(
    rich_database, tmp_path, django_capture_on_commit_callbacks
):
    settings = rich_database
    before = snapshot(settings)
    path = tmp_path / "backup.zip"
    backup.database_backup(output=path)
    with pytest.raises(CommandError, match=r"not empty.*--force"):
        call_command("restore_database", "--input-file", str(path), verbosity=0)

    # Changes after the backup are undone by a forced restore.
    RoomFactory(code="NEW")
    Group.objects.all().delete()
    (Path(settings.MEDIA_ROOT) / "stray.txt").write_text("x")
    with django_capture_on_commit_callbacks(execute=True):
        backup.database_restore(path=path, force=True)
    assert snapshot(settings) == before


def test_a_damaged_backup_is_refused_before_anything_changes(rich_database, tmp_path):
    path = tmp_path / "backup.zip"
    backup.database_backup(output=path)
    data = bytearray(path.read_bytes())
    data[len(data) // 3] ^= 0xFF
    path.write_bytes(bytes(data))
    before = snapshot(rich_database)
    with pytest.raises(PackageRefused):
        backup.database_restore(path=path, force=True)
    assert snapshot(rich_database) == before


def test_a_package_is_not_a_backup(center_package):
    with pytest.raises(PackageRefused, match="not a backup"):
        backup.database_restore(path=center_package, force=True)


def test_an_unsigned_backup_is_sealed_by_a_checksum(rich_database, tmp_path, settings):
    import shutil as sh

    sh.rmtree(settings.DATA_DIR / "keys")
    path = tmp_path / "backup.zip"
    assert not backup.database_backup(output=path).signed
    data = bytearray(path.read_bytes())
    data[12] ^= 0x01  # the first zip header's timestamp: no content changes
    path.write_bytes(bytes(data))
    with pytest.raises(PackageRefused, match="altered"):
        backup.database_restore(path=path, force=True)


def test_backup_and_restore_count_and_report_the_same_rows_per_table(
    rich_database, tmp_path, django_capture_on_commit_callbacks, capsys
):
    """Issue 11 item 5: "Restored 38 rows" after "Backed up 163 rows in 28 tables", and a
    progress bar that stopped at 23%: both sides count every table, content types and
    permissions included, and the bar ends at its total."""
    import re

    path = tmp_path / "backup.json"
    backed_up = []
    written = backup.database_backup(output=path, progress=lambda d, t, m: backed_up.append((d, t)))
    assert backed_up[-1][0] == backed_up[-1][1] == sum(written.counts.values())
    call_command("backup_database", "--output-file", str(tmp_path / "second.json"))
    backup_out = capsys.readouterr().out

    wipe()
    progress = []
    with django_capture_on_commit_callbacks(execute=True):
        restored = backup.database_restore(path=path, progress=lambda d, t, m: progress.append((d, t, m)))
    assert restored.counts == written.counts  # the same tables, in the same order, with the same rows
    assert restored.counts[ContentType._meta.label] > 0 and restored.counts[Permission._meta.label] > 0
    assert restored.media_files == written.media_files
    rows = [(d, t) for d, t, m in progress if m != "verifying"]
    assert rows[-1] == (sum(written.counts.values()),) * 2  # 100%
    assert all(d <= t for d, t in rows)

    wipe()
    with django_capture_on_commit_callbacks(execute=True):
        call_command("restore_database", "--input-file", str(tmp_path / "second.json"))
    restore_out = capsys.readouterr().out
    said = re.compile(r"(\d[\d,]*) rows in (\d+) tables and (\d+) media files")
    assert said.search(backup_out).groups() == said.search(restore_out).groups()
    table_lines = re.compile(r"^  (\S+\.\S+)\s+([\d,]+)$", re.MULTILINE)
    assert table_lines.findall(backup_out) == table_lines.findall(restore_out)
    assert "contenttypes.ContentType" in dict(table_lines.findall(restore_out))


def test_a_new_node_restores_its_own_backup_with_the_key_migrate_made_there(
    rich_database, tmp_path, django_capture_on_commit_callbacks
):
    """`migrate` gives a new machine a key of its own (and, at HQ, its trusted row): the
    database still counts as empty, and the old node's signature is reported as not
    checked rather than refused. With data in the database it is refused as before."""
    from apps.sync.models import TrustedKey

    settings = rich_database
    before = snapshot(settings)
    path = tmp_path / "backup.json"
    backup.database_backup(output=path)

    wipe()
    new = keys.create_node_key(overwrite=True)  # the new machine's key, made by its migrate
    keys.trust_node("HQ", keys.public_key_pem(new))
    assert backup.database_is_empty()
    with django_capture_on_commit_callbacks(execute=True):
        restored = backup.database_restore(path=path)
    assert restored.signature.startswith("signature of HQ not checked, checksums verified: this new node's key")
    assert snapshot(settings) == before
    assert TrustedKey.objects.get(node="HQ").public_key != keys.public_key_pem(new)  # the backup's row

    RoomFactory(code="MORE")  # a node with data: a signature that does not match is refused
    with pytest.raises(PackageRefused, match="signature does not match"):
        backup.database_restore(path=path, force=True)
