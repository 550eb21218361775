"""`manage.py db_worker`: django-tasks-db's worker, plus the reaper of dead jobs.

Same options as the backend's command (`--batch`, `--max-tasks`, `--queue-name`, ...).
In addition, a background thread fails every running job whose worker stopped sending
heartbeats (see `jobs_reap_stale`): once at start-up and then every
JOBS_HEARTBEAT_TIMEOUT / 2 seconds. That is how a job whose worker was killed or lost
power ends `failed` with a reason even when no one reads it through the API.
"""

import logging
import os
import threading

from django.conf import settings
from django.db import connection
from django.utils.autoreload import DJANGO_AUTORELOAD_ENV
from django_tasks_db.management.commands.db_worker import Command as BackendWorkerCommand

from apps.jobs.services import jobs_reap_stale

logger = logging.getLogger("apps.jobs")


def _reap_once() -> None:
    try:
        jobs_reap_stale()
    except Exception:  # a reaper hiccup (database restarting) must not stop the worker
        logger.exception("Reaping stale jobs failed; will retry")
    finally:
        connection.close()


def _reap_forever(stop: threading.Event, every: float) -> None:
    while not stop.wait(every):
        _reap_once()


class Command(BackendWorkerCommand):
    help = "Run a background-job worker (django-tasks-db) that also fails jobs of dead workers."

    def handle(self, *args, **options):
        # With --reload the parent process only watches files; the child does the work.
        if not options.get("reload") or os.environ.get(DJANGO_AUTORELOAD_ENV) == "true":
            _reap_once()
            stop = threading.Event()
            every = max(1.0, settings.JOBS_HEARTBEAT_TIMEOUT / 2)
            threading.Thread(target=_reap_forever, args=(stop, every), name="job-reaper", daemon=True).start()
        return super().handle(*args, **options)
