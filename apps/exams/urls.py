"""Routes of this app, included under /api/ by exam_system/urls.py (exams, papers and
sessions are on the root router there)."""

from rest_framework.routers import SimpleRouter

from apps.exams import views

router = SimpleRouter()
router.register("session-centers", views.SessionCenterViewSet, basename="session-center")

urlpatterns = router.urls
