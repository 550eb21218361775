"""Every app registers what of it travels, from its own sync.py: nothing synced is forgotten."""

from django.apps import apps

from apps.core.models import SyncedModel
from apps.sync import nodes, registry


def _synced_models():
    return sorted(
        (m for m in apps.get_models() if issubclass(m, SyncedModel) and not m._meta.abstract),
        key=lambda m: m._meta.label,
    )


def test_every_synced_model_is_registered_by_its_own_app():
    missing = [m._meta.label for m in _synced_models() if registry.get(m._meta.label) is None]
    assert missing == []


def test_center_owned_models_are_the_exam_day_rows():
    owned = sorted(spec.label for spec in registry.specs(owner=registry.CENTER))
    assert owned == [
        "examday.Attendance",
        "examday.AttendanceAudit",
        "examday.Incident",
        # a center's records of releasing and printing its question papers
        "questions.DocumentDownload",
        "questions.PaperRelease",
        "questions.ReleaseAttempt",
    ]


def test_parents_are_imported_before_children():
    order = [spec.label for spec in registry.specs()]
    for before, after in [
        ("centers.Center", "centers.Room"),
        ("exams.Exam", "exams.ExamSession"),
        ("candidates.Candidate", "seating.Allocation"),
        ("examday.Attendance", "examday.AttendanceAudit"),
    ]:
        assert order.index(before) < order.index(after)


def test_the_centers_app_tells_sync_which_model_the_centers_are():
    assert nodes.center_model()._meta.label == "centers.Center"
