from django.core.management.base import BaseCommand

from apps.jobs.services import jobs_reap_stale


class Command(BaseCommand):
    help = (
        "Fail running jobs whose worker stopped sending heartbeats for JOBS_HEARTBEAT_TIMEOUT "
        "seconds (killed, crashed, machine off). Workers and job reads do this too; this is for cron."
    )

    def handle(self, *args, **options):
        reaped = jobs_reap_stale()
        if options["verbosity"] >= 1:
            self.stdout.write(f"Reaped {reaped} job(s) of dead workers.")
