from pathlib import Path

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError

from apps.core.roles import Role
from apps.questions.formats.importing import import_questions
from apps.questions.formats.items import FORMATS
from utils.exceptions import ApplicationError
from utils.progress import TerminalProgress

SHOWN_SKIPPED = 50


class Command(BaseCommand):
    help = (
        "Import questions from Moodle XML, GIFT, Aiken or the xlsx template (the format is read from the "
        "content unless given). Questions that cannot be imported are listed and skipped; the rest go "
        "in as drafts in one transaction. Exit status 1 when nothing was imported and there were errors."
    )

    def add_arguments(self, parser):
        parser.add_argument("--file", required=True, type=Path, help="the question file")
        parser.add_argument("--format", choices=FORMATS, help="default: from the content")
        parser.add_argument("--subject", help="subject code (or id) for every question, overriding the file's")
        parser.add_argument("--dry-run", action="store_true", help="check and report; write nothing")
        parser.add_argument("--user", help="who imports (the author of the drafts); default: the first admin")

    def handle(self, *args, **options):
        path: Path = options["file"]
        if not path.is_file():
            raise CommandError(f"No such file: {path}")
        user = importing_user(options["user"])
        verbosity = options["verbosity"]
        try:
            with TerminalProgress(description="import", unit="questions", enabled=verbosity >= 1) as bar:
                report = import_questions(
                    source=path,
                    format=options["format"],
                    user=user,
                    subject=options["subject"],
                    dry_run=options["dry_run"],
                    progress=bar,
                )
        except ApplicationError as exc:
            raise CommandError(exc.message) from None
        shown = report.skipped if verbosity >= 2 else report.skipped[:SHOWN_SKIPPED]
        for entry in shown:
            name = f" ({entry['name']})" if entry.get("name") else ""
            self.stderr.write(f"question {entry['position']}, line {entry['line']}{name}: {entry['reason']}")
        if report.skipped_count > len(shown):
            self.stderr.write(f"... and {report.skipped_count - len(shown)} more skipped (-v 2 lists them all).")
        types = ", ".join(f"{kind} {count}" for kind, count in report.by_type.items()) or "none"
        created = f"; subjects created: {', '.join(report.subjects_created)}" if report.subjects_created else ""
        verb = "would import" if report.dry_run else "imported"
        line = (
            f"{report.file_name} ({report.format}): {report.found} questions in {report.seconds:.1f} s "
            f"({report.per_second:,.0f}/s): {verb} {report.imported} ({types}), skipped {report.skipped_count}"
            f"{created}."
        )
        if report.dry_run:
            line = "Dry run, nothing written. " + line
        ok = report.imported or not report.skipped_count
        self.stdout.write((self.style.SUCCESS if ok else self.style.WARNING)(line))
        if not ok:
            raise CommandError("Nothing was imported.")


def importing_user(username: str | None):
    """The user named, who must be an admin or a paper setter; by default the first admin."""
    users = get_user_model().objects.filter(is_active=True)
    if username:
        user = users.filter(username=username).first()
        if user is None:
            raise CommandError(f"No active user {username!r}.")
        if user.role not in (Role.ADMIN, Role.PAPER_SETTER):
            raise CommandError(f"{username} is not an admin or a paper setter.")
        return user
    user = users.filter(role=Role.ADMIN).order_by("date_joined").first()
    if user is None:
        raise CommandError("There is no admin user; give --user USERNAME.")
    return user
