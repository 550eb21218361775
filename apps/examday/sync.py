"""What of this app travels in packages (discovered by apps.sync at start-up).

Exam day at the center: what the center owns and sends back in its results package.
Each registration says how the receiver proves, from its own records, that a row
belongs to the sending center: HQ's allocation of the candidate to that center for that
session, the sessions that center holds (`sessions_held_at`), and, for an audit entry,
an attendance row here that is that center's. Nothing in the incoming row is trusted
for it (a center could write any `center_id` into its own database).
"""

from apps.examday.models import Attendance, AttendanceAudit, Incident
from apps.exams.selectors import held_session_ids, id_chunks
from apps.seating.models import Allocation
from apps.sync.registry import CENTER, register


def _seats_here(center_id, candidate_ids: set, using: str) -> set[tuple[str, str]]:
    """(candidate, session) pairs HQ allocated to a seat at `center_id`."""
    seats = set()
    for chunk in id_chunks(candidate_ids):
        rows = (
            Allocation.objects.using(using)
            .filter(center_id=center_id, candidate_id__in=chunk)
            .values_list("candidate_id", "session_id")
        )
        seats |= {(str(c), str(s)) for c, s in rows}
    return seats


def _candidate_session_proof(center_id, rows: list[dict], using: str, *, candidate_required: bool) -> dict[str, str]:
    held = held_session_ids(center_id, {r["session_id"] for r in rows if r.get("session_id")}, using)
    seats = _seats_here(center_id, {r["candidate_id"] for r in rows if r.get("candidate_id")}, using)
    refused = {}
    for row in rows:
        session, candidate = str(row.get("session_id")), row.get("candidate_id")
        if session not in held:
            refused[str(row["id"])] = f"session {session} is not held at the sending center"
        elif candidate is None and candidate_required:
            refused[str(row["id"])] = "no candidate"
        elif candidate is not None and (str(candidate), session) not in seats:
            refused[str(row["id"])] = f"candidate {candidate} has no seat at the sending center in session {session}"
    return refused


def attendance_proof(center_id, rows: list[dict], using: str) -> dict[str, str]:
    return _candidate_session_proof(center_id, rows, using, candidate_required=True)


def incident_proof(center_id, rows: list[dict], using: str) -> dict[str, str]:
    # An incident may concern no candidate (a paper shortage); its session must be held there.
    return _candidate_session_proof(center_id, rows, using, candidate_required=False)


def attendance_audit_proof(center_id, rows: list[dict], using: str) -> dict[str, str]:
    # Attendance is applied before its audit (parents first), so an audit entry is the
    # center's when the attendance it belongs to is, here.
    ours = set()
    for chunk in id_chunks({r["attendance_id"] for r in rows if r.get("attendance_id")}):
        found = Attendance.objects.using(using).filter(pk__in=chunk, center_id=center_id).values_list("pk", flat=True)
        ours |= {str(pk) for pk in found}
    return {
        str(r["id"]): f"attendance {r.get('attendance_id')} here is not the sending center's"
        for r in rows
        if str(r.get("attendance_id")) not in ours
    }


register(Attendance, owner=CENTER, center_path="center_id", proves_owner=attendance_proof)
register(AttendanceAudit, owner=CENTER, center_path="center_id", proves_owner=attendance_audit_proof)
register(Incident, owner=CENTER, center_path="center_id", proves_owner=incident_proof)
