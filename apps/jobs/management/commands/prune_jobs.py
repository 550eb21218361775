from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from apps.jobs.models import FINISHED_STATUSES, Job
from apps.jobs.services import jobs_prune


class Command(BaseCommand):
    help = (
        "Delete finished jobs older than --days (default JOBS_RETENTION_DAYS), their input and "
        "produced files, and the task backend's rows for them."
    )

    def add_arguments(self, parser):
        parser.add_argument("--days", type=int, default=None, help="Keep jobs finished within this many days.")
        parser.add_argument("--dry-run", action="store_true", help="Only count what would be deleted.")

    def handle(self, *args, days=None, dry_run=False, **options):
        days = settings.JOBS_RETENTION_DAYS if days is None else days
        if days < 0:
            raise CommandError("--days must be zero or more.")
        if dry_run:
            from datetime import timedelta

            from django.utils import timezone

            cutoff = timezone.now() - timedelta(days=days)
            count = Job.objects.filter(status__in=FINISHED_STATUSES, finished_at__lt=cutoff).count()
            self.stdout.write(f"Would delete {count} job(s) finished more than {days} day(s) ago.")
            return
        report = jobs_prune(days=days)
        if options["verbosity"] >= 1:
            self.stdout.write(
                f"Deleted {report['jobs']} job(s), {report['tasks']} task row(s) and {report['files']} file(s) "
                f"(finished more than {days} day(s) ago)."
            )
