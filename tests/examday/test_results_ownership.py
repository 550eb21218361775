"""A center's results package may only carry rows that HQ's own records show as that
center's: a forged center_id, another center's row id or candidate is refused."""

import datetime as dt

import pytest

from apps.examday.models import Attendance, AttendanceAudit, Incident
from apps.sync import keys, registry
from apps.sync.exporter import package_export
from apps.sync.importer import package_import
from apps.sync.importing.report import NOT_OWNER
from apps.sync.package import RESULTS_PACKAGE

pytestmark = pytest.mark.django_db

MARKED = dt.datetime(2026, 12, 1, 10, 5, tzinfo=dt.UTC)


def attendance(candidate, session, center, *, status, version, origin, pk=None):
    row = Attendance(
        candidate=candidate, session=session, center=center, status=status, marked_at=MARKED, origin=origin
    )
    if pk is not None:
        row.pk = pk
    row.save(force_insert=True)
    Attendance.objects.filter(pk=row.pk).update(version=version)
    return Attendance.objects.get(pk=row.pk)


@pytest.fixture
def hq_with_b_marked(seated, session, center_b, node_key, settings):
    """HQ's state: B01 already reported one of its candidates present."""
    settings.NODE_CENTER = "HQ"
    return attendance(seated["b"][0], session, center_b, status="present", version=3, origin="B01")


def test_a_center_cannot_overwrite_or_create_rows_of_another_centers_candidates(
    hq_with_b_marked, seated, session, center_a, center_b, settings, tmp_path
):
    b_row = hq_with_b_marked
    # --- at A01's node: its database holds a forged copy of B's row (B's candidate and id,
    # center_id = A01, version 50), a forged new row for B's other candidate, an audit
    # entry and an incident about B's candidate, and one honest row of its own.
    settings.NODE_CENTER = "A01"
    Attendance.objects.filter(pk=b_row.pk).update(center=center_a, status="absent", version=50, origin="A01")
    forged_new = attendance(seated["b"][1], session, center_a, status="absent", version=1, origin="A01")
    forged_audit = AttendanceAudit.objects.create(
        attendance_id=b_row.pk, center=center_a, old_status="present", new_status="absent", changed_at=MARKED
    )
    forged_incident = Incident.objects.create(
        session=session, center=center_a, candidate=seated["b"][1], kind="malpractice", description="forged"
    )
    honest = attendance(seated["a"][0], session, center_a, status="present", version=1, origin="A01")
    package = tmp_path / "results-A01.zip"
    package_export(kind=RESULTS_PACKAGE, center=center_a, output=package, force=True)

    # --- at HQ: its own records as they were before the package arrived.
    settings.NODE_CENTER = "HQ"
    Attendance.objects.filter(pk=b_row.pk).update(center=center_b, status="present", version=3, origin="B01")
    for model, pk in [(AttendanceAudit, forged_audit.pk), (Incident, forged_incident.pk)]:
        model.objects.filter(pk=pk).delete()
    Attendance.objects.filter(pk__in=[forged_new.pk, honest.pk]).delete()
    keys.trust_node("A01", keys.public_key_pem(keys.node_private_key().public_key()))

    report = package_import(path=package)

    refused = {c["id"]: (c["reason"], c["detail"]) for c in report.conflicts}
    assert refused == {
        str(b_row.pk): (NOT_OWNER, "the row here belongs to another center than A01"),
        str(forged_new.pk): (
            NOT_OWNER,
            f"candidate {seated['b'][1].pk} has no seat at the sending center in session {session.pk}",
        ),
        str(forged_audit.pk): (NOT_OWNER, f"attendance {b_row.pk} here is not the sending center's"),
        str(forged_incident.pk): (
            NOT_OWNER,
            f"candidate {seated['b'][1].pk} has no seat at the sending center in session {session.pk}",
        ),
    }
    assert report.models["examday.Attendance"].created == 1  # the honest row only
    stored = Attendance.objects.get(pk=b_row.pk)
    assert (stored.center_id, stored.status, stored.version, stored.origin) == (center_b.pk, "present", 3, "B01")
    assert not Attendance.objects.filter(candidate=seated["b"][1]).exists()
    assert not AttendanceAudit.objects.exists() and not Incident.objects.exists()
    assert Attendance.objects.get(pk=honest.pk).center_id == center_a.pk


def test_a_row_that_names_another_center_is_refused_even_for_its_own_candidate(
    seated, session, center_a, center_b, node_key, settings, tmp_path, monkeypatch
):
    # A01's node, whose (tampered) exporter ships every attendance row it has: one for its
    # own seated candidate that claims to be B01's. No center writes in another's name.
    settings.NODE_CENTER = "A01"
    monkeypatch.setattr(registry.get("examday.Attendance"), "select", lambda center, since: Attendance.objects.all())
    claimed = attendance(seated["a"][1], session, center_b, status="absent", version=1, origin="A01")
    package = tmp_path / "results-A01.zip"
    package_export(kind=RESULTS_PACKAGE, center=center_a, output=package, force=True)

    settings.NODE_CENTER = "HQ"
    Attendance.objects.all().delete()
    keys.trust_node("A01", keys.public_key_pem(keys.node_private_key().public_key()))
    report = package_import(path=package)

    assert [(c["id"], c["reason"], c["detail"]) for c in report.conflicts] == [
        (str(claimed.pk), NOT_OWNER, "the row names another center than A01")
    ]
    assert not Attendance.objects.exists()


def test_a_center_owned_model_cannot_be_registered_without_an_ownership_proof():
    with pytest.raises(ValueError, match="proves_owner"):
        registry.register(Incident, owner=registry.CENTER, center_path="center_id")
    assert registry.get("examday.Incident").proves_owner is not None  # the real registration stands
