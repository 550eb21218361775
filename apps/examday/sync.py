"""What of this app travels in packages (discovered by apps.sync at start-up).

Exam day at the center: what the center owns and sends back in its results package.
"""

from apps.examday.models import Attendance, AttendanceAudit, Incident
from apps.sync.registry import CENTER, register

register(Attendance, owner=CENTER, center_path="center_id")
register(AttendanceAudit, owner=CENTER, center_path="center_id")
register(Incident, owner=CENTER, center_path="center_id")
