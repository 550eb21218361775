"""The center's day report: every session that day, per room allocated / present /
absent / not marked, the incidents, and when the last package was sent to HQ."""

import datetime as dt
import io
import json
from dataclasses import asdict, dataclass, field

from django.db.models import Max, Q
from django.utils import timezone
from reportlab.lib.pagesizes import A4
from reportlab.lib.units import mm
from reportlab.pdfgen import canvas

from apps.centers.models import Center, Room
from apps.examday.models import Attendance, AttendanceStatus, Incident
from apps.exams.models import ExamSession
from apps.seating.models import Allocation
from utils.safe_cells import new_workbook


def last_package_sent(center: Center) -> dt.datetime | None:
    """When this center last sent a results package, from the sync history: its export
    (on the center's own node) or its import at HQ, whichever is newer. None if never."""
    from apps.sync.models import SyncDirection, SyncLog, SyncStatus

    sent = SyncLog.objects.filter(
        Q(direction=SyncDirection.EXPORT, center=center.code) | Q(direction=SyncDirection.IMPORT, origin=center.code),
        kind="results-package",
        status=SyncStatus.OK,
    ).aggregate(last=Max("created_at"))
    return sent["last"]


@dataclass
class RoomLine:
    room: str
    allocated: int
    present: int
    absent: int
    not_marked: int


@dataclass
class SessionBlock:
    session_id: str
    exam: str
    paper: str
    start_time: str
    end_time: str
    shift: str = ""  # "2 of 3" for a paper held in several sessions (shifts); "" when held once
    rooms: list[RoomLine] = field(default_factory=list)
    allocated: int = 0
    present: int = 0
    absent: int = 0
    not_marked: int = 0


@dataclass
class IncidentLine:
    id: str
    session_id: str
    kind: str
    candidate: str | None
    description: str
    reported_by: str | None
    reported_at: str


@dataclass
class CenterReport:
    center: str
    center_name: str
    date: str
    generated_at: str
    last_package_sent: str | None
    sessions: list[SessionBlock]
    incidents: list[IncidentLine]

    def as_dict(self) -> dict:
        return asdict(self)


def center_report(*, center: Center, date: dt.date) -> CenterReport:
    """Build the report from the allocation and attendance rows (a handful of grouped queries)."""
    session_ids = set(Allocation.objects.filter(center=center, session__date=date).values_list("session_id", flat=True))
    session_ids |= set(Incident.objects.filter(center=center, session__date=date).values_list("session_id", flat=True))
    sessions = list(
        ExamSession.objects.filter(pk__in=session_ids).select_related("exam", "paper").order_by("start_time", "id")
    )
    rooms = {r.id: r for r in Room.objects.filter(center=center)}
    # A center seats at most a few thousand candidates a day: count in memory over two
    # narrow value lists rather than a join per room.
    room_of: dict[tuple, object] = {}
    allocated: dict[tuple, int] = {}
    for candidate_id, session_id, room_id in Allocation.objects.filter(
        center=center, session_id__in=session_ids
    ).values_list("candidate_id", "session_id", "room_id"):
        room_of[(candidate_id, session_id)] = room_id
        allocated[(session_id, room_id)] = allocated.get((session_id, room_id), 0) + 1
    marks: dict[tuple, list[int]] = {}
    for candidate_id, session_id, status in Attendance.objects.filter(
        center=center, session_id__in=session_ids
    ).values_list("candidate_id", "session_id", "status"):
        room_id = room_of.get((candidate_id, session_id))
        if room_id is None:  # marked without a seat here (should not happen): not counted
            continue
        counts = marks.setdefault((session_id, room_id), [0, 0])
        counts[0 if status == AttendanceStatus.PRESENT else 1] += 1

    # Each session's place among its paper's sessions: a paper held in shifts shows "2 of 3".
    shifts: dict = {}
    for paper_id, session_id in (
        ExamSession.objects.filter(paper_id__in={s.paper_id for s in sessions})
        .order_by("date", "start_time", "id")
        .values_list("paper_id", "id")
    ):
        shifts.setdefault(paper_id, []).append(session_id)
    blocks = []
    for s in sessions:
        of_paper = shifts.get(s.paper_id, [s.id])
        block = SessionBlock(
            session_id=str(s.id),
            exam=s.exam.code,
            paper=f"{s.paper.code} {s.paper.name}",
            start_time=f"{s.start_time:%H:%M}",
            end_time=f"{s.end_time:%H:%M}",
            shift=f"{of_paper.index(s.id) + 1} of {len(of_paper)}" if len(of_paper) > 1 else "",
        )
        keys = sorted((k for k in allocated if k[0] == s.id), key=lambda k: rooms[k[1]].code if k[1] in rooms else "")
        for key in keys:
            n = allocated[key]
            present, absent = marks.get(key, (0, 0))
            room = rooms.get(key[1])
            line = RoomLine(
                room=room.code if room else str(key[1]),
                allocated=n,
                present=present,
                absent=absent,
                not_marked=n - present - absent,
            )
            block.rooms.append(line)
            block.allocated += n
            block.present += present
            block.absent += absent
            block.not_marked += line.not_marked
        blocks.append(block)

    incidents = [
        IncidentLine(
            id=str(i.id),
            session_id=str(i.session_id),
            kind=i.kind,
            candidate=i.candidate.roll_number if i.candidate_id else None,
            description=i.description,
            reported_by=i.reported_by.username if i.reported_by_id else None,
            reported_at=timezone.localtime(i.created_at).isoformat(timespec="minutes"),
        )
        for i in Incident.objects.filter(center=center, session__date=date)
        .select_related("candidate", "reported_by")
        .order_by("created_at")
    ]
    sent = last_package_sent(center)
    return CenterReport(
        center=center.code,
        center_name=center.name,
        date=date.isoformat(),
        generated_at=timezone.localtime().isoformat(timespec="seconds"),
        # Local time, as every other time of the report (the log stores UTC).
        last_package_sent=timezone.localtime(sent).isoformat(timespec="seconds") if sent else None,
        sessions=blocks,
        incidents=incidents,
    )


def report_json(report: CenterReport) -> bytes:
    return json.dumps(report.as_dict(), indent=2).encode()


def report_xlsx(report: CenterReport) -> bytes:
    buffer = io.BytesIO()
    book = new_workbook(buffer, {"in_memory": True})  # user text (incidents) stays text
    bold = book.add_format({"bold": True})
    sheet = book.add_worksheet("Attendance")
    sheet.write_row(0, 0, [f"Center {report.center} {report.center_name}", f"Date {report.date}"], bold)
    sheet.write_row(1, 0, ["Last package sent", report.last_package_sent or "unknown"])
    headers = ["Exam", "Paper", "Start", "End", "Room", "Allocated", "Present", "Absent", "Not marked"]
    sheet.write_row(3, 0, headers, bold)
    r = 4
    for block in report.sessions:
        paper = f"{block.paper} (shift {block.shift})" if block.shift else block.paper
        for line in block.rooms:
            sheet.write_row(
                r,
                0,
                [
                    block.exam,
                    paper,
                    block.start_time,
                    block.end_time,
                    line.room,
                    line.allocated,
                    line.present,
                    line.absent,
                    line.not_marked,
                ],
            )
            r += 1
        total = ["", "", "", "", "Total", block.allocated, block.present, block.absent, block.not_marked]
        sheet.write_row(r, 0, [block.exam, paper, block.start_time, block.end_time, *total[4:]], bold)
        r += 2
    incidents = book.add_worksheet("Incidents")
    incidents.write_row(0, 0, ["Reported at", "Kind", "Candidate", "Reported by", "Description"], bold)
    for i, line in enumerate(report.incidents, start=1):
        incidents.write_row(
            i, 0, [line.reported_at, line.kind, line.candidate or "", line.reported_by or "", line.description]
        )
    book.close()
    return buffer.getvalue()


def report_pdf(report: CenterReport) -> bytes:
    buffer = io.BytesIO()
    pdf = canvas.Canvas(buffer, pagesize=A4)
    pdf.setTitle(f"Center report {report.center} {report.date}")
    _width, height = A4
    left = 18 * mm
    y = height - 20 * mm

    def line(text, *, size=10, bold=False, x=left):
        nonlocal y
        if y < 20 * mm:
            pdf.showPage()
            y = height - 20 * mm
        pdf.setFont("Helvetica-Bold" if bold else "Helvetica", size)
        pdf.drawString(x, y, text)
        y -= size + 5

    line(f"Center report: {report.center} {report.center_name}", size=14, bold=True)
    line(f"Date {report.date}   Last package sent: {report.last_package_sent or 'unknown'}")
    line(f"Generated {report.generated_at}", size=8)
    y -= 6
    if not report.sessions:
        line("No sessions at this center on this date.")
    for block in report.sessions:
        shift = f"  shift {block.shift}" if block.shift else ""
        line(f"{block.exam}  {block.paper}  {block.start_time}-{block.end_time}{shift}", size=11, bold=True)
        line("Room          Allocated   Present   Absent   Not marked", bold=True, size=9)
        for r in block.rooms:
            line(f"{r.room:<12}  {r.allocated:>9}   {r.present:>7}   {r.absent:>6}   {r.not_marked:>10}", size=9)
        line(
            f"{'Total':<12}  {block.allocated:>9}   {block.present:>7}   {block.absent:>6}   {block.not_marked:>10}",
            size=9,
            bold=True,
        )
        y -= 6
    line(f"Incidents ({len(report.incidents)})", size=11, bold=True)
    for i in report.incidents:
        who = f" candidate {i.candidate}" if i.candidate else ""
        line(f"{i.reported_at} {i.kind}{who}: {i.description[:90]}", size=9)
    pdf.showPage()
    pdf.save()
    return buffer.getvalue()


RENDERERS = {
    "json": (report_json, "application/json", "json"),
    "xlsx": (report_xlsx, "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", "xlsx"),
    "pdf": (report_pdf, "application/pdf", "pdf"),
}
