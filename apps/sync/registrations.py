"""The models that travel in packages. A new synced model adds one line, e.g.

    register(Incident, owner=CENTER, center_path="center_id")

Imported by SyncConfig.ready(). See apps/sync/registry.py for what each argument means.
"""

from django.db.models import Q

from apps.authentication.models import User
from apps.candidates.models import Candidate
from apps.centers.models import Center, Room
from apps.exams.logistics.models import Allocation, Attendance, AttendanceAudit, Incident, SessionCenter
from apps.exams.models import Exam, ExamSession, Paper
from apps.sync.models import TrustedKey
from apps.sync.registry import CENTER, HQ, register


def _exam_ids(center):
    # A center holds the exams that have candidates allocated to it or a session it is a
    # venue of.
    return Exam.objects.filter(
        Q(pk__in=Candidate.objects.filter(center_id=center.pk).values("exam_id"))
        | Q(pk__in=SessionCenter.objects.filter(center_id=center.pk).values("session__exam_id"))
    ).values("pk")


def _sessions(center):
    # Of those exams, the sessions this center is a venue of; a session with no venue
    # rows is held by every center (SessionCenter's rule).
    with_venues = SessionCenter.objects.values("session_id")
    here = SessionCenter.objects.filter(center_id=center.pk).values("session_id")
    return ExamSession.objects.filter(exam_id__in=_exam_ids(center)).filter(Q(pk__in=here) | ~Q(pk__in=with_venues))


register(
    Center,
    owner=HQ,
    select=lambda center, since: Center.objects.filter(pk=center.pk),
    # How HQ reaches a center is HQ's own business: never shipped, never overwritten.
    exclude=("sync_url", "sync_username", "sync_secret"),
)
register(Room, owner=HQ, center_path="center_id")
# Center staff (center managers, invigilators) with their password hashes, so they can
# log in at the offline center. HQ roles have no center and never travel.
register(User, owner=HQ, center_path="center_id")
register(Exam, owner=HQ, select=lambda center, since: Exam.objects.filter(pk__in=_exam_ids(center)))
register(Paper, owner=HQ, select=lambda center, since: Paper.objects.filter(exam_id__in=_exam_ids(center)))
register(ExamSession, owner=HQ, select=lambda center, since: _sessions(center))
register(Candidate, owner=HQ, center_path="center_id", media=("photo", "signature"))
register(SessionCenter, owner=HQ, center_path="center_id")
register(Allocation, owner=HQ, center_path="center_id")
# Exam day at the center: what the center owns and sends back in its results package.
register(Attendance, owner=CENTER, center_path="center_id")
register(AttendanceAudit, owner=CENTER, center_path="center_id")
register(Incident, owner=CENTER, center_path="center_id")
# HQ's public key, so a center keeps trusting HQ after it has been set up once.
register(TrustedKey, owner=HQ, select=lambda center, since: TrustedKey.objects.filter(node="HQ"))
