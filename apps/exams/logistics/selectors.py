from django.db.models import QuerySet

from apps.exams.logistics.models import Allocation, Attendance, Incident, SessionCenter


def session_center_list() -> QuerySet[SessionCenter]:
    return SessionCenter.objects.select_related("session__paper", "center")


def allocation_list() -> QuerySet[Allocation]:
    return Allocation.objects.select_related("candidate", "center", "room")


def attendance_list() -> QuerySet[Attendance]:
    return Attendance.objects.select_related("candidate", "marked_by")


def incident_list() -> QuerySet[Incident]:
    return Incident.objects.select_related("candidate", "center", "reported_by")
