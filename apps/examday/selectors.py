from django.db.models import QuerySet

from apps.examday.models import Attendance, Incident


def attendance_list() -> QuerySet[Attendance]:
    return Attendance.objects.select_related("candidate", "marked_by")


def incident_list() -> QuerySet[Incident]:
    return Incident.objects.select_related("candidate", "center", "reported_by")
