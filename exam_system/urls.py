from django.contrib import admin
from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView
from rest_framework.routers import DefaultRouter

from apps.authentication.views import LoginView, LogoutView, MeView, RefreshView, UserViewSet
from apps.centers.views import CenterViewSet, RoomViewSet
from apps.exams.views import ExamSessionViewSet, ExamViewSet, PaperViewSet
from exam_system.health import HealthView

router = DefaultRouter()
router.register("users", UserViewSet, basename="user")
router.register("centers", CenterViewSet, basename="center")
router.register("rooms", RoomViewSet, basename="room")
router.register("exams", ExamViewSet, basename="exam")
router.register("papers", PaperViewSet, basename="paper")
router.register("sessions", ExamSessionViewSet, basename="session")

api_patterns = [
    path("auth/login/", LoginView.as_view(), name="login"),
    path("auth/refresh/", RefreshView.as_view(), name="token-refresh"),
    path("auth/logout/", LogoutView.as_view(), name="logout"),
    path("auth/me/", MeView.as_view(), name="me"),
    path("health/", HealthView.as_view(), name="health"),
    path("schema/", SpectacularAPIView.as_view(), name="schema"),
    # The split view serves Swagger UI's start-up script as a file (/api/docs/?script=), so
    # the Content-Security-Policy needs no inline script.
    path("docs/", SpectacularSwaggerSplitView.as_view(url_name="schema"), name="docs"),
    path("", include(router.urls)),
    # Each app owns its routes; keep one line per app.
    path("", include("apps.centers.urls")),
    path("", include("apps.exams.urls")),
    path("", include("apps.candidates.urls")),
    path("", include("apps.seating.urls")),
    path("", include("apps.questions.urls")),
    path("", include("apps.examday.urls")),
    path("", include("apps.jobs.urls")),
    path("", include("apps.sync.urls")),
]

urlpatterns = [
    path("admin/", admin.site.urls),
    path("api/", include(api_patterns)),
]

admin.site.site_header = "Examination management"
admin.site.site_title = "Examination management"

# Nothing serves MEDIA_ROOT, in any mode: uploaded files (candidates' photos, job outputs)
# are read only through API views that apply the API's checks, e.g.
# /api/candidates/{id}/photo/ and /api/jobs/{id}/download/.
