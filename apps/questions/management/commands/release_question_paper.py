import uuid

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from apps.centers.models import Center
from apps.exams.models import ExamSession
from apps.questions.release.release import release_paper
from utils.exceptions import ApplicationError


class Command(BaseCommand):
    help = (
        "At a center: release a session's question paper with the code HQ gave, so its sets can be "
        "printed. Every try is recorded; repeated wrong codes lock the release for a while."
    )

    def add_arguments(self, parser):
        parser.add_argument("--session-id", required=True, help="Session UUID.")
        parser.add_argument("--code", required=True, help="The release code, e.g. 7KQ2-M9XD-4RTB-HC0W-Q.")

    def handle(self, *args, **options):
        center = Center.objects.filter(code=settings.NODE_CENTER).first()
        if center is None:
            raise CommandError(
                f"This node is {settings.NODE_CENTER!r}, not a center that has imported its package (NODE_CENTER)."
            )
        try:
            session_id = uuid.UUID(options["session_id"])
        except ValueError:
            raise CommandError(f"{options['session_id']!r} is not a session id (a UUID).") from None
        session = ExamSession.objects.filter(pk=session_id).first()
        if session is None:
            raise CommandError(f"No session with id {options['session_id']} here.")
        try:
            done = release_paper(session=session, center=center, code=options["code"], client="command")
        except ApplicationError as exc:
            raise CommandError(f"Refused ({exc.code}): {exc.message}") from None
        documents = len(done.local_keys)
        self.stdout.write(
            self.style.SUCCESS(f"Released at {center.code}: {documents} documents of {session} can be printed.")
        )
