"""Exam-day routes, included under /api/ by exam_system/urls.py."""

from django.urls import path
from rest_framework.routers import SimpleRouter

from apps.examday.views import attendance, incidents, reports

router = SimpleRouter()
router.register("attendance", attendance.AttendanceViewSet, basename="attendance")
router.register("incidents", incidents.IncidentViewSet, basename="incident")

urlpatterns = [
    path("centers/<uuid:pk>/report/", reports.CenterReportView.as_view(), name="center-report"),
    *router.urls,
]
