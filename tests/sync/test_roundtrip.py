"""A full offline round trip between two separate databases (HQ and center A01), each a
process with its own SQLite file, and an import killed half-way.

Nodes run `python -m tests.sync.node ...` (see that module). On exam day the center
marks attendance and files an incident with the real services; the results package
brings them to HQ, and the test compares every center-owned model field for field.
"""

import json
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
pytestmark = [pytest.mark.slow, pytest.mark.clock]  # results exports, on the nodes' own clocks (node.py)


class Node:
    def __init__(self, base: Path, code: str):
        self.code = code
        self.dir = base / code.lower()
        self.env = {k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", "REDIS_URL")}
        self.env.update(
            DATA_DIR=str(self.dir),
            NODE_CENTER=code,
            DEBUG="True",
            PYTHONPATH=str(ROOT),
        )

    def run(self, *args, check=True, extra_env=None):
        env = {**self.env, **(extra_env or {})}
        proc = subprocess.run(
            [sys.executable, "-m", "tests.sync.node", *args],
            cwd=ROOT,
            env=env,
            capture_output=True,
            text=True,
            timeout=120,
        )
        if check and proc.returncode != 0:
            raise AssertionError(f"{self.code} {args} failed:\n{proc.stdout}\n{proc.stderr}")
        return proc

    def manage(self, *args, **kwargs):
        return self.run("manage", *args, **kwargs)

    def dump(self) -> dict:
        return json.loads(self.run("dump").stdout)

    def then_dump(self, *steps, **kwargs) -> tuple[str, dict]:
        """Run `steps` and then dump, in one process (each process start costs ~0.7 s)."""
        out = self.run(*steps, "+", "dump", **kwargs).stdout
        text, _, last = out.rstrip("\n").rpartition("\n")
        return text, json.loads(last)


def steps(*commands) -> list[str]:
    """steps(("manage", "x"), ("dump",)) -> ["manage", "x", "+", "dump"]"""
    out = []
    for command in commands:
        out.extend([*command, "+"])
    return out[:-1]


@pytest.fixture(scope="module")
def nodes(tmp_path_factory):
    base = tmp_path_factory.mktemp("nodes")
    hq, center = Node(base, "HQ"), Node(base, "A01")
    hq.manage("migrate", "-v0")  # also creates HQ's signing key (apps/sync/firstboot.py)
    # One migration run: the centers start from copies of the empty, migrated database
    # (without HQ's key, which is a file in HQ's DATA_DIR, and its trusted-key row).
    shutil.copy(hq.dir / "exam_system.sqlite3", base / "empty.sqlite3")
    center.dir.mkdir()
    shutil.copy(base / "empty.sqlite3", center.dir / "exam_system.sqlite3")
    hq.run(
        *steps(
            ("seed", "20"),
            ("manage", "sync_keys", "--export-public", str(base / "hq.pem")),
        )
    )
    center.run(
        *steps(
            ("manage", "sync_keys", "--init"),  # no migrate ran here: the center makes its key
            ("manage", "sync_keys", "--export-public", str(base / "a01.pem")),
            ("manage", "sync_keys", "--trust", "HQ", str(base / "hq.pem")),
        )
    )
    hq.run(
        *steps(
            ("manage", "sync_keys", "--trust", "A01", str(base / "a01.pem")),
            ("manage", "export_center_data", "--center-id", "A01", "--output-file", str(base / "center_data.json")),
        )
    )
    return base, hq, center


def counts(out: str, label: str) -> tuple[int, int, int]:
    """(applied, unchanged, conflicts) of `label` in an import summary."""
    match = re.search(rf"^{re.escape(label)}\s+(\d+)\s+(\d+)\s+(\d+)", out, re.MULTILINE)
    assert match, out
    return tuple(int(g) for g in match.groups())


def center_rows(dump: dict, center_id: str) -> dict:
    """What a center package for `center_id` should make the center hold."""
    candidates = {k: v for k, v in dump["candidates.Candidate"].items() if v["center_id"] == center_id}
    exams = {c["exam_id"] for c in candidates.values()}
    return {
        "centers.Center": {k: v for k, v in dump["centers.Center"].items() if k == center_id},
        "authentication.User": {k: v for k, v in dump["authentication.User"].items() if v["center_id"] == center_id},
        "exams.Exam": {k: v for k, v in dump["exams.Exam"].items() if k in exams},
        "exams.Paper": {k: v for k, v in dump["exams.Paper"].items() if v["exam_id"] in exams},
        "exams.ExamSession": {k: v for k, v in dump["exams.ExamSession"].items() if v["exam_id"] in exams},
        "candidates.Candidate": candidates,
    }


def test_offline_round_trip_between_two_databases(nodes):
    base, hq, center = nodes
    package = base / "center_data.json"  # written by HQ in the fixture

    out, center_dump = center.then_dump("manage", "import_center_data", "--input-file", str(package))
    assert counts(out, "candidates.Candidate") == (20, 0, 0)
    hq_dump = hq.dump()
    a01 = next(k for k, v in hq_dump["centers.Center"].items() if v["code"] == "A01")
    expected = center_rows(hq_dump, a01)
    for label, rows in expected.items():
        assert center_dump[label] == rows, label
    # Photos and signatures arrived byte for byte.
    wanted = {name for c in expected["candidates.Candidate"].values() for name in (c["photo"], c["signature"])}
    assert len(wanted) == 40
    assert {n: center_dump["media"].get(n) for n in wanted} == {n: hq_dump["media"][n] for n in wanted}
    # Staff can log in at the offline center: their password hashes came along.
    assert "manager_a" in {u["username"] for u in center_dump["authentication.User"].values()}

    # Replay: everything unchanged.
    out, again = center.then_dump("manage", "import_center_data", "--input-file", str(package))
    assert "0 rows were applied, 0 conflict(s)" in out
    assert again == center_dump

    # Exam day at the center, then its results package goes back to HQ.
    results = base / "results.json"
    _, center_after = center.then_dump(
        *steps(("center-edit",), ("manage", "export_center_data", "--output-file", str(results)))
    )
    out, hq_after = hq.then_dump("manage", "import_center_data", "--input-file", str(results))
    assert counts(out, "examday.Attendance") == (6, 0, 0)
    assert counts(out, "examday.AttendanceAudit") == (7, 0, 0)
    assert counts(out, "examday.Incident") == (1, 0, 0)
    statuses = sorted(v["status"] for v in center_after["examday.Attendance"].values())
    assert statuses == ["absent"] + ["present"] * 5
    # HQ now holds exactly the center's data, field for field (version, origin,
    # timestamps included).
    for label in ("examday.Attendance", "examday.AttendanceAudit", "examday.Incident"):
        assert center_after[label], label
        assert hq_after[label] == center_after[label], label
    assert {v["origin"] for v in hq_after["examday.Attendance"].values()} == {"A01"}
    # Nothing HQ owns moved.
    for label in ("candidates.Candidate", "authentication.User", "exams.Exam", "centers.Center", "seating.Allocation"):
        assert hq_after[label] == hq_dump[label]

    # Replay at HQ changes nothing.
    out, replayed = hq.then_dump("manage", "import_center_data", "--input-file", str(results))
    assert "0 rows were applied, 0 conflict(s)" in out
    assert replayed == hq_after


def new_center(base: Path, tmp_path: Path) -> tuple[Node, dict]:
    """A01's node before its first package: the empty migrated database, trusting HQ's key.
    Returns the node and its snapshot."""
    fresh = Node(tmp_path, "A01")
    fresh.dir.mkdir()
    shutil.copy(base / "empty.sqlite3", fresh.dir / "exam_system.sqlite3")
    _, snapshot = fresh.then_dump("manage", "sync_keys", "--trust", "HQ", str(base / "hq.pem"))
    return fresh, snapshot


def test_an_import_killed_mid_apply_leaves_the_database_as_before(nodes, tmp_path):
    base, _, _ = nodes
    package = base / "center_data.json"
    fresh, before = new_center(base, tmp_path)

    proc = subprocess.Popen(
        [sys.executable, "-m", "tests.sync.node", "manage", "import_center_data", "--input-file", str(package)],
        cwd=ROOT,
        env={**fresh.env, "SYNC_TEST_BATCH_DELAY": "0.3"},
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        text=True,
    )
    assert proc.stdout.readline().strip() == "APPLYING"  # at least one batch written, uncommitted
    time.sleep(0.4)
    proc.send_signal(signal.SIGKILL)
    proc.wait(timeout=10)
    assert proc.returncode == -signal.SIGKILL

    assert fresh.dump() == before  # not a single row or file of the package
    out, after = fresh.then_dump("manage", "import_center_data", "--input-file", str(package))
    assert counts(out, "candidates.Candidate") == (20, 0, 0)
    assert len(after["candidates.Candidate"]) == 20 and len(after["media"]) == 40


def _referenced_media(dump: dict) -> dict:
    """{file name: sha256} of the media files the candidates' rows refer to, as stored."""
    names = {row[field] for row in dump["candidates.Candidate"].values() for field in ("photo", "signature")}
    return {name: dump["media"].get(name) for name in names if name}


@pytest.mark.parametrize("killed_after", [1, 20, 40])
def test_an_import_killed_while_moving_media_never_leaves_a_row_without_its_file(nodes, tmp_path, killed_after):
    base, _, _ = nodes
    package = base / "center_data.json"
    fresh, before = new_center(base, tmp_path)

    proc = subprocess.Popen(
        [sys.executable, "-m", "tests.sync.node", "manage", "import_center_data", "--input-file", str(package)],
        cwd=ROOT,
        env={**fresh.env, "SYNC_TEST_MOVE_STOP_AT": str(killed_after)},
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        text=True,
    )
    assert proc.stdout.readline().strip() == f"MOVED {killed_after}"
    proc.send_signal(signal.SIGKILL)  # 40 media files: 1 = first, 40 = the last one before the commit
    proc.wait(timeout=10)

    killed = fresh.dump()
    for label in (k for k in before if k != "media"):
        assert killed[label] == before[label]  # no row of the package: rolled back
    assert len(killed["media"]) == killed_after  # files moved in so far: unreferenced, harmless

    out, after = fresh.then_dump("manage", "import_center_data", "--input-file", str(package))
    assert counts(out, "candidates.Candidate") == (20, 0, 0)
    referenced = _referenced_media(after)
    assert len(referenced) == 40 and None not in referenced.values()


def test_a_reimport_restores_media_files_lost_here(nodes, tmp_path):
    base, _, _ = nodes
    package = base / "center_data.json"
    fresh, _ = new_center(base, tmp_path)
    _, first = fresh.then_dump("manage", "import_center_data", "--input-file", str(package))
    names = sorted(_referenced_media(first))
    media = fresh.dir / "media"
    for name in names[:3]:
        (media / name).unlink()  # lost (a disk restored from an old copy, a kill of an older version)
    (media / names[3]).write_bytes(b"truncat")  # damaged

    out, after = fresh.then_dump("manage", "import_center_data", "--input-file", str(package))
    assert counts(out, "candidates.Candidate") == (0, 20, 0)
    assert "4 media file(s) of unchanged rows were missing here and are restored." in out
    assert after == first

    _, again = fresh.then_dump("manage", "import_center_data", "--input-file", str(package))
    assert again == first


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def wait_for(url: str, seconds: float = 20) -> None:
    deadline = time.monotonic() + seconds
    while True:
        try:
            with urllib.request.urlopen(url, timeout=2):  # noqa: S310
                return
        except OSError:
            if time.monotonic() > deadline:
                raise
            time.sleep(0.2)


def test_sync_results_pulls_and_pushes_over_http_or_carries_a_file(nodes):
    """HQ pulls A01's results from A01's own server (a live process on loopback), logging
    in with the center manager's account that reached A01 in the center package."""
    base, hq, center = nodes
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    server = subprocess.Popen(
        [sys.executable, "-m", "tests.sync.node", "manage", "runserver", "--noreload", f"127.0.0.1:{port}"],
        cwd=ROOT,
        env=center.env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        _, center_dump = center.then_dump("incident", "Fire drill at 11:00")
        wait_for(f"{url}/api/health/")
        link = ("manage", "sync_link", "--center-id", "A01", "--url", url, "--username", "manager_a")
        out, hq_dump = hq.then_dump(
            *steps(
                (*link, "--password-env", "PW"),
                ("manage", "sync_results", "--source-center", "A01", "--target-center", "HQ"),
            ),
            extra_env={"PW": "s3cret-Passw0rd!"},
        )
        assert counts(out, "examday.Incident") == (1, 1, 0)
        assert f"from {url} delivered to HQ by local import" in out
        assert hq_dump["examday.Incident"] == center_dump["examday.Incident"]

        # Again: nothing changes. Pushed over HTTP to a node: its counts come back.
        out = hq.run(
            *steps(
                ("manage", "sync_results", "--source-center", "A01", "--target-center", "HQ"),
                ("manage", "sync_results", "--source-center", "A01", "--target-center", "A01"),
            )
        ).stdout
        assert "delivered to HQ by local import; 0 rows applied, 0 conflict(s)" in out
        assert f"delivered to A01 by {url}; 0 rows applied, 0 conflict(s)" in out
    finally:
        server.kill()
        server.wait(timeout=10)

    # No link any more: refused with the way out, and the way out works.
    refused = hq.manage("sync_results", "--source-center", "A01", "--target-center", "HQ", check=False)
    assert refused.returncode != 0 and "unreachable" in refused.stderr and "--via-file" in refused.stderr
    carried = base / "carried.json"
    center.manage("sync_results", "--source-center", "A01", "--target-center", "HQ", "--via-file", str(carried))
    out = hq.manage("import_center_data", "--input-file", str(carried)).stdout
    assert counts(out, "examday.Incident") == (0, 2, 0)


@pytest.mark.django_db
def test_a_sqlite_backup_restores_into_this_test_database(nodes, django_capture_on_commit_callbacks):
    """SQLite (the HQ node) -> the suite's own database: PostgreSQL when CI runs the suite
    there, so this is the cross-backend restore."""
    from apps.sync.backup import database_restore
    from tests.sync.node import snapshot

    base, hq, _ = nodes
    path = base / "hq-backup.json"
    _, expected = hq.then_dump("manage", "backup_database", "--output-file", str(path))
    with django_capture_on_commit_callbacks(execute=True):
        database_restore(path=path, force=True)
    restored = json.loads(json.dumps(snapshot(), sort_keys=True))
    assert restored == expected
