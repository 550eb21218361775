"""Routes of this app, included under /api/ by exam_system/urls.py."""

from rest_framework.routers import SimpleRouter

from apps.jobs.views import JobViewSet

router = SimpleRouter()
router.register("jobs", JobViewSet, basename="job")

urlpatterns = router.urls
