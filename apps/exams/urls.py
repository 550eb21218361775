"""Routes of this app, included under /api/ by exam_system/urls.py."""

from django.urls import include, path
from rest_framework.routers import SimpleRouter

router = SimpleRouter()

urlpatterns = [
    *router.urls,
    # Exam logistics (issue 5): allocation, admit cards, attendance, incidents, reports.
    path("", include("apps.exams.logistics.urls")),
]
