"""Logistics routes, included under /api/ through apps/exams/urls.py."""

from django.urls import path
from rest_framework.routers import SimpleRouter

from apps.exams.logistics import views

router = SimpleRouter()
router.register("session-centers", views.SessionCenterViewSet, basename="session-center")
router.register("allocations", views.AllocationViewSet, basename="allocation")
router.register("attendance", views.AttendanceViewSet, basename="attendance")
router.register("incidents", views.IncidentViewSet, basename="incident")

urlpatterns = [
    path("exams/<uuid:pk>/allocate/", views.AllocateView.as_view(), name="exam-allocate"),
    path("exams/<uuid:pk>/admit-cards/", views.AdmitCardsZipView.as_view(), name="exam-admit-cards"),
    path("candidates/<uuid:pk>/admit-card/", views.AdmitCardView.as_view(), name="candidate-admit-card"),
    path("sessions/<uuid:pk>/attendance-sheet/", views.AttendanceSheetView.as_view(), name="session-attendance-sheet"),
    path("centers/<uuid:pk>/report/", views.CenterReportView.as_view(), name="center-report"),
    *router.urls,
]
