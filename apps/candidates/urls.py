"""Routes of this app, included under /api/ by exam_system/urls.py."""

from django.urls import path
from rest_framework.routers import SimpleRouter

from apps.candidates.views import CandidateImportView, CandidateViewSet

router = SimpleRouter()
router.register("candidates", CandidateViewSet, basename="candidate")

# The import route comes first so "import" is never taken for a candidate id.
urlpatterns = [
    path("candidates/import/", CandidateImportView.as_view(), name="candidate-import"),
    *router.urls,
]
