"""A full offline round trip between two separate databases (HQ and center A01), each a
process with its own SQLite file, and an import killed half-way.

Nodes run `python -m tests.sync.node ...` (see that module). The center owns its rooms
in these tests (SYNC_TEST_CENTER_ROOMS=1) until attendance and responses exist: when
they do, `center-edit` marks attendance / records responses instead, and the assertion
on "the center's data at HQ" covers those models automatically (it compares every
center-owned model).
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
pytestmark = pytest.mark.slow


class Node:
    def __init__(self, base: Path, code: str):
        self.code = code
        self.dir = base / code.lower()
        self.env = {k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", "REDIS_URL")}
        self.env.update(
            DATA_DIR=str(self.dir),
            NODE_CENTER=code,
            SYNC_TEST_CENTER_ROOMS="1",
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


@pytest.fixture(scope="module")
def nodes(tmp_path_factory):
    base = tmp_path_factory.mktemp("nodes")
    hq, center = Node(base, "HQ"), Node(base, "A01")
    hq.manage("migrate", "-v0")
    # One migration run: the centers start from copies of the empty, migrated database.
    shutil.copy(hq.dir / "exam_system.sqlite3", base / "empty.sqlite3")
    center.dir.mkdir()
    shutil.copy(base / "empty.sqlite3", center.dir / "exam_system.sqlite3")
    hq.run(
        "seed",
        "20",
        "+",
        "manage",
        "sync_keys",
        "--init",
        "+",
        "manage",
        "sync_keys",
        "--export-public",
        str(base / "hq.pem"),
    )
    center.run(
        *("manage", "sync_keys", "--init", "+", "manage", "sync_keys", "--export-public", str(base / "a01.pem")),
        *("+", "manage", "sync_keys", "--trust", "HQ", str(base / "hq.pem")),
    )
    hq.manage("sync_keys", "--trust", "A01", str(base / "a01.pem"))
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
    package = base / "center_data.json"
    out = hq.manage("export_center_data", "--center-id", "A01", "--output-file", str(package)).stdout
    assert "Wrote center-package" in out

    out = center.manage("import_center_data", "--input-file", str(package)).stdout
    assert counts(out, "candidates.Candidate") == (20, 0, 0)
    hq_dump, center_dump = hq.dump(), center.dump()
    a01 = next(k for k, v in hq_dump["centers.Center"].items() if v["code"] == "A01")
    expected = center_rows(hq_dump, a01)
    for label, rows in expected.items():
        assert center_dump[label] == rows, label
    # Photos and signatures arrived byte for byte.
    wanted = {name for c in expected["candidates.Candidate"].values() for name in (c["photo"], c["signature"])}
    assert {n: h for n, h in center_dump["media"].items() if n in wanted} == {
        n: h for n, h in hq_dump["media"].items() if n in wanted
    }
    assert len(wanted) == 40 and wanted <= set(center_dump["media"])
    # Staff log in at the offline center with the password hash from HQ.
    assert "manager_a" in {u["username"] for u in center_dump["authentication.User"].values()}

    # Replay: everything unchanged.
    out = center.run("manage", "import_center_data", "--input-file", str(package), "+", "dump").stdout
    assert "0 rows were applied, 0 conflict(s)" in out
    assert json.loads(out.splitlines()[-1]) == center_dump

    # Exam day at the center, then its results package goes back to HQ.
    center.run("center-edit")
    results = base / "results.json"
    center.manage("export_center_data", "--output-file", str(results))
    out = hq.manage("import_center_data", "--input-file", str(results)).stdout
    assert counts(out, "centers.Room") == (2, 0, 0)
    hq_after, center_after = hq.dump(), center.dump()
    center_owned = {k: v for k, v in center_after["centers.Room"].items() if v["center_id"] == a01}
    # Every row the center owns and sent is now at HQ, field for field (version, origin,
    # timestamps included).
    assert center_owned and {k: hq_after["centers.Room"].get(k) for k in center_owned} == center_owned
    assert "Computer lab" in {r["name"] for r in center_owned.values()}
    # Nothing else at HQ moved.
    for label in ("candidates.Candidate", "authentication.User", "exams.Exam", "centers.Center"):
        assert hq_after[label] == hq_dump[label]

    # Replay at HQ changes nothing; the older package is a conflict-free no-op.
    out = hq.manage("import_center_data", "--input-file", str(results)).stdout
    assert "0 rows were applied, 0 conflict(s)" in out
    assert hq.dump() == hq_after


def test_an_import_killed_mid_apply_leaves_the_database_as_before(nodes, tmp_path):
    base, hq, _ = nodes
    fresh = Node(tmp_path, "A01")
    fresh.dir.mkdir()
    package = base / "kill.json"
    hq.manage("export_center_data", "--center-id", "A01", "--output-file", str(package))
    shutil.copy(base / "empty.sqlite3", fresh.dir / "exam_system.sqlite3")
    before = json.loads(
        fresh.run("manage", "sync_keys", "--trust", "HQ", str(base / "hq.pem"), "+", "dump").stdout.splitlines()[-1]
    )

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
    out = fresh.manage("import_center_data", "--input-file", str(package)).stdout
    assert counts(out, "candidates.Candidate") == (20, 0, 0)
    after = fresh.dump()
    assert len(after["candidates.Candidate"]) == 20 and len(after["media"]) == 40


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
        center.run("room", "ANNEX", "Annex")
        wait_for(f"{url}/api/health/")
        link = ("sync_link", "--center-id", "A01", "--url", url, "--username", "manager_a", "--password-env", "PW")
        out = hq.run(
            *("manage", *link, "+", "manage", "sync_results", "--source-center", "A01", "--target-center", "HQ"),
            extra_env={"PW": "s3cret-Passw0rd!"},
        ).stdout
        assert counts(out, "centers.Room") == (1, 2, 0)
        assert f"from {url} delivered to HQ by local import" in out
        annex = {k: v for k, v in center.dump()["centers.Room"].items() if v["code"] == "ANNEX"}
        assert {k: hq.dump()["centers.Room"].get(k) for k in annex} == annex

        # Again: nothing changes. Pushed over HTTP to a node: counts come back.
        out = hq.manage("sync_results", "--source-center", "A01", "--target-center", "HQ").stdout
        assert "0 rows applied, 0 conflict(s)" in out
        out = hq.manage("sync_results", "--source-center", "A01", "--target-center", "A01").stdout
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
    assert counts(out, "centers.Room") == (0, 3, 0)
