"""The models that travel in packages today. Later issues add one line each, e.g.

    register(Attendance, owner=CENTER, center_path="candidate__center_id")
    register(Incident, owner=CENTER, center_path="center_id")
    register(Allocation, owner=HQ, center_path="center_id")

Imported by SyncConfig.ready(). See apps/sync/registry.py for what each argument means.
"""

from apps.authentication.models import User
from apps.candidates.models import Candidate
from apps.centers.models import Center, Room
from apps.exams.models import Exam, ExamSession, Paper
from apps.sync.models import TrustedKey
from apps.sync.registry import HQ, register


def _exam_ids(center):
    # Until sessions are assigned to centers (issue 5), a center holds the exams that
    # have candidates allocated to it.
    return Candidate.objects.filter(center_id=center.pk).values("exam_id")


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
register(ExamSession, owner=HQ, select=lambda center, since: ExamSession.objects.filter(exam_id__in=_exam_ids(center)))
register(Candidate, owner=HQ, center_path="center_id", media=("photo", "signature"))
# HQ's public key, so a center keeps trusting HQ after it has been set up once.
register(TrustedKey, owner=HQ, select=lambda center, since: TrustedKey.objects.filter(node="HQ"))
