"""`scripts/run` starts the server and one job worker, and stops both on Ctrl-C (a SIGINT
to the terminal's process group) or on a SIGTERM to the script alone (a supervisor, a
closed terminal), leaving no orphan behind."""

import os
import signal
import socket
import subprocess
import time
import urllib.request
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _session_members(session_id: int) -> list[str]:
    """Command lines of the live processes in a session (Linux /proc)."""
    members = []
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
            cmdline = (stat.parent / "cmdline").read_bytes().replace(b"\0", b" ").decode().strip()
        except (OSError, IndexError):
            continue
        if int(fields[3]) == session_id and fields[0] != "Z":
            members.append(cmdline)
    return members


@pytest.fixture(scope="module")
def data_dir(tmp_path_factory):
    # Shared by both cases: the second start finds the database migrated (faster).
    return tmp_path_factory.mktemp("run-data")


@pytest.mark.slow
@pytest.mark.parametrize("stop", ["ctrl-c", "sigterm-to-script"])
def test_run_script_stops_server_and_worker(data_dir, stop):
    if not Path("/proc/self/stat").exists():
        pytest.skip("needs Linux /proc")
    port = _free_port()
    env = {k: v for k, v in os.environ.items() if k not in {"DATABASE_URL", "REDIS_URL", "MEDIA_ROOT"}}
    env.update(DATA_DIR=str(data_dir), RUN_ADDR=f"127.0.0.1:{port}", DJANGO_SUPERUSER_PASSWORD="run-script-pass-1")
    script = subprocess.Popen(
        ["bash", "scripts/run"],
        cwd=ROOT,
        env=env,
        start_new_session=True,  # its own session and process group, like a terminal's job
        # A terminal's foreground job has SIGINT at its default; pytest's child may not.
        preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL),
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        deadline = time.monotonic() + 40
        while True:
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/api/health/", timeout=1):
                    break
            except OSError:
                if time.monotonic() > deadline or script.poll() is not None:
                    pytest.fail("scripts/run never served")
                time.sleep(0.2)
        running = _session_members(script.pid)
        assert any("db_worker" in cmd for cmd in running), running
        assert any("runserver" in cmd for cmd in running), running
        # The first start made this node's signing key; the second found it and kept it.
        assert (data_dir / "keys" / "node_ed25519.pem").is_file()

        if stop == "ctrl-c":
            os.killpg(script.pid, signal.SIGINT)
        else:
            script.send_signal(signal.SIGTERM)
        try:
            script.wait(timeout=20)
        except subprocess.TimeoutExpired:
            print("LEFT", _session_members(script.pid))
            raise
        deadline = time.monotonic() + 5
        while _session_members(script.pid) and time.monotonic() < deadline:
            time.sleep(0.1)
        assert _session_members(script.pid) == []
        assert script.returncode != 0
    finally:
        if script.poll() is None or _session_members(script.pid):
            os.killpg(script.pid, signal.SIGKILL)
