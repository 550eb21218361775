from django.core.management.base import BaseCommand, CommandError

from apps.seating.demo import DEMO_PASSWORD, DemoAlreadySeeded, seed_demo


class Command(BaseCommand):
    help = "Fill a fresh database with a small demo dataset and one user per role."

    def handle(self, *args, **options):
        try:
            report = seed_demo()
        except DemoAlreadySeeded as exc:
            raise CommandError(str(exc)) from exc
        self.stdout.write(
            self.style.SUCCESS(
                f"Created {report.centers} centers, {report.rooms} rooms, {report.exams} exam, "
                f"{report.papers} papers, {report.sessions} sessions, {report.candidates} candidates."
            )
        )
        if report.allocated:
            self.stdout.write(f"Allocated seats to {report.allocated} demo candidates.")
        if report.users:
            self.stdout.write(f"Demo users (password for all: {DEMO_PASSWORD}):")
            for username, role, center in report.users:
                self.stdout.write(f"  {username:<22} {role:<15} {center}")
