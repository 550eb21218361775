"""`python -m tests.jobs.worker_main [db_worker options]`: a real worker process that
also knows the test job kinds (used by the dead-worker test)."""

import os
import sys

if __name__ == "__main__":
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "exam_system.settings")
    import django

    django.setup()
    from django.core.management import call_command

    from tests.jobs import kinds

    kinds.register()
    call_command("db_worker", *sys.argv[1:])
