"""Routes of this app, included under /api/ by exam_system/urls.py."""

from rest_framework.routers import SimpleRouter

router = SimpleRouter()

urlpatterns = router.urls
