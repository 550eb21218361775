import threading

import pytest
from django.db import connection
from django_tasks_db.management.commands import db_worker
from django_tasks_db.management.commands.db_worker import Worker

from tests.jobs import kinds


@pytest.fixture(autouse=True)
def _test_kinds(settings):
    kinds.register()
    settings.JOBS_PROGRESS_INTERVAL = 0.05
    settings.JOBS_HEARTBEAT_TIMEOUT = 60
    yield
    kinds.unregister()


def _worker(worker_id="test-worker"):
    # The backend's own worker loop, in batch mode: runs every ready task, then returns.
    # (Not `call_command("db_worker")`: that would install signal handlers in pytest.)
    return Worker(
        queue_names=["default"],
        interval=0,
        batch=True,
        backend_name="default",
        startup_delay=False,
        max_tasks=None,
        worker_id=worker_id,
        excluded_queue_names=[],
    )


@pytest.fixture(autouse=True)
def _keep_test_connection(monkeypatch):
    # The worker loop calls close_old_connections(), which closes a connection that is
    # inside a transaction, i.e. the test's own one (Django's test client disables it
    # for the same reason). Harmless on in-memory SQLite, fatal on PostgreSQL.
    monkeypatch.setattr(db_worker, "close_old_connections", lambda: None)


@pytest.fixture
def worker_thread():
    """Start a batch worker in a background thread; returns the thread (join it)."""
    threads = []

    def start():
        def target():
            try:
                _worker("thread-worker").run()
            finally:
                connection.close()

        thread = threading.Thread(target=target, daemon=True)
        thread.start()
        threads.append(thread)
        return thread

    yield start
    for thread in threads:
        thread.join(timeout=30)
