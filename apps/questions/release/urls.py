"""Routes of encrypted documents and their release (included by apps/questions/urls.py)."""

from django.urls import include, path
from rest_framework.routers import DefaultRouter

from apps.questions.release import views

router = DefaultRouter()
router.register("paper-documents", views.PaperDocumentViewSet, basename="paper-document")
router.register("paper-releases", views.PaperReleaseViewSet, basename="paper-release")
router.register("release-attempts", views.ReleaseAttemptViewSet, basename="release-attempt")
router.register("document-downloads", views.DocumentDownloadViewSet, basename="document-download")

urlpatterns = [
    path("sessions/<uuid:pk>/release-codes/", views.ReleaseCodesView.as_view(), name="session-release-codes"),
    path("sessions/<uuid:pk>/release-paper/", views.ReleasePaperView.as_view(), name="session-release-paper"),
    path(
        "sessions/<uuid:pk>/paper-documents/", views.SessionDocumentUploadView.as_view(), name="session-paper-documents"
    ),
    path("", include(router.urls)),
]
