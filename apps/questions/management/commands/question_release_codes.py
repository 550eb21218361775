import uuid

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from apps.centers.selectors import center_by_code_or_id
from apps.exams.models import ExamSession
from apps.questions.release import codes, storage


class Command(BaseCommand):
    help = (
        "Print the release code of a session's question paper for every center holding it (HQ only; "
        "read each center its own code on exam day). Also gives centers added as venues later their keys."
    )

    def add_arguments(self, parser):
        parser.add_argument("--session-id", required=True, help="Session UUID.")
        parser.add_argument("--center-id", help="Only this center (code or UUID).")

    def handle(self, *args, **options):
        if settings.NODE_CENTER != "HQ":
            raise CommandError(f"Release codes are made at HQ only (this node is center {settings.NODE_CENTER}).")
        session = ExamSession.objects.select_related("exam", "paper").filter(pk=_uuid(options["session_id"])).first()
        if session is None:
            raise CommandError(f"No session with id {options['session_id']!r}.")
        added = storage.ensure_center_keys(session)
        centers = storage.centers_holding(session).order_by("code")
        if options["center_id"]:
            center = center_by_code_or_id(options["center_id"])
            if center is None or not centers.filter(pk=center.pk).exists():
                raise CommandError(f"Center {options['center_id']!r} does not hold this session.")
            centers = centers.filter(pk=center.pk)
        self.stdout.write(f"{session.exam.code} {session.paper.code} {session.date} {session.start_time:%H:%M}")
        if added:
            self.stdout.write(f"({added} document keys added for centers that joined the session later)")
        for center in centers:
            self.stdout.write(f"{center.code:<12} {codes.release_code(session.pk, center.pk)}  {center.name}")


def _uuid(value: str):
    try:
        return uuid.UUID(str(value))
    except ValueError:
        raise CommandError(f"{value!r} is not a session id (a UUID).") from None
