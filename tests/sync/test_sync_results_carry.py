"""Issue 11 item 4: `sync_results --source-center 1 --target-center 2` as the seed writes it.

Where the source is this node, --via-file (or no link to the target) writes the package to a
file and says which node imports it with which command; where the source is another node
with no link, the message says to run the command on that node. A file is never reported
as "delivered ... 0 rows applied"."""

import pytest
from django.core.management import CommandError, call_command

from apps.sync.package import PackageReader
from tests.factories import CenterFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def centers_1_and_2(db):
    return CenterFactory(code="1", name="Center One"), CenterFactory(code="2", name="Center Two")


@pytest.mark.parametrize("via", [False, True])
def test_at_hq_without_a_link_the_message_says_to_run_it_on_the_source_node(centers_1_and_2, tmp_path, via):
    args = ["sync_results", "--source-center", "1", "--target-center", "2"]
    if via:
        args += ["--via-file", str(tmp_path / "F.zip")]
    with pytest.raises(CommandError) as refused:
        call_command(*args, verbosity=0)
    message = str(refused.value)
    assert "Run this on center 1's node (NODE_CENTER=1)" in message
    assert "sync_results --source-center 1 --target-center 2 --via-file" in message
    assert "on the node of center 2: python manage.py import_center_data --input-file" in message
    assert "sync_link --center-id 1" in message
    assert not (tmp_path / "F.zip").exists()


@pytest.fixture
def center_node(settings, hq_key, exam_a, candidates_a, center_a, center_b):
    """This test database as center A01's node, holding its results."""
    settings.NODE_CENTER = "A01"
    return center_a


def _manifest(path):
    reader = PackageReader.open(path)
    try:
        return reader.manifest
    finally:
        reader.close()


def test_via_file_at_the_source_writes_the_file_and_says_where_it_must_be_imported(center_node, tmp_path, capsys):
    out_file = tmp_path / "F.zip"
    call_command("sync_results", "--source-center", "A01", "--target-center", "HQ", "--via-file", str(out_file))
    out = capsys.readouterr().out
    assert out_file.is_file()
    manifest = _manifest(out_file)
    assert (manifest["kind"], manifest["origin"], manifest["target"]) == ("results-package", "A01", "HQ")
    assert "Wrote the results package of center A01 for HQ (" in out and f"to {out_file}. Nothing was imported" in out
    assert "Carry" in out and "to the node of HQ and run there (NODE_CENTER=HQ):" in out
    assert "python manage.py import_center_data --input-file F.zip" in out
    assert "delivered" not in out and "rows applied" not in out


def test_no_link_to_the_target_center_writes_a_file_too(center_node, tmp_path, capsys, monkeypatch):
    monkeypatch.chdir(tmp_path)
    call_command("sync_results", "--source-center", "A01", "--target-center", "B01")
    out = capsys.readouterr().out
    written = tmp_path / "results_A01_to_B01.zip"
    assert written.is_file() and _manifest(written)["target"] == "B01"
    assert "(this node has no link to center B01 (sync_link))" in out
    assert "to the node of center B01 and run there (NODE_CENTER=B01):" in out
    assert "sync_keys --trust A01" in out  # B01 must trust A01's key to import it
    assert "delivered" not in out and "rows applied" not in out


def test_hq_as_target_from_a_center_writes_the_default_file(center_node, tmp_path, capsys, monkeypatch):
    monkeypatch.chdir(tmp_path)
    call_command("sync_results", "--source-center", "A01", "--target-center", "HQ")
    out = capsys.readouterr().out
    assert (tmp_path / "results_A01_to_HQ.zip").is_file()
    assert "(HQ cannot be reached from a center node)" in out and "import_center_data" in out


def test_the_source_and_target_cannot_both_be_this_node(center_node, tmp_path):
    with pytest.raises(CommandError, match="both the source and this node"):
        call_command("sync_results", "--source-center", "A01", "--target-center", "A01", verbosity=0)


def test_a_center_node_writes_the_file_for_a_center_it_does_not_know(center_node, tmp_path, capsys, monkeypatch):
    """A center's node holds only its own center: `--target-center 2` there is a code to
    address the package to, carried by hand."""
    monkeypatch.chdir(tmp_path)
    call_command("sync_results", "--source-center", "A01", "--target-center", "C99")
    out = capsys.readouterr().out
    assert _manifest(tmp_path / "results_A01_to_C99.zip")["target"] == "C99"
    assert "(center C99 is not known on this node)" in out and "NODE_CENTER=C99" in out


def test_an_unknown_source_or_remote_target_is_named(centers_1_and_2):
    with pytest.raises(CommandError, match="No center with code or id 'ZZ'"):
        call_command("sync_results", "--source-center", "ZZ", "--target-center", "HQ", verbosity=0)
