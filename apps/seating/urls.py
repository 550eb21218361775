"""Seating routes, included under /api/ by exam_system/urls.py."""

from django.urls import path
from rest_framework.routers import SimpleRouter

from apps.seating.views import admit_cards, allocations, attendance_sheets

router = SimpleRouter()
router.register("allocations", allocations.AllocationViewSet, basename="allocation")

urlpatterns = [
    path("exams/<uuid:pk>/allocate/", allocations.AllocateView.as_view(), name="exam-allocate"),
    path("exams/<uuid:pk>/admit-cards/", admit_cards.AdmitCardsZipView.as_view(), name="exam-admit-cards"),
    path("candidates/<uuid:pk>/admit-card/", admit_cards.AdmitCardView.as_view(), name="candidate-admit-card"),
    path(
        "sessions/<uuid:pk>/attendance-sheet/",
        attendance_sheets.AttendanceSheetView.as_view(),
        name="session-attendance-sheet",
    ),
    *router.urls,
]
