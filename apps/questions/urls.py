"""The questions app's routes: one module per part (bank, formats, papers, release)."""

from django.urls import include, path

urlpatterns = [
    path("", include("apps.questions.bank.urls")),
    path("", include("apps.questions.formats.urls")),
    path("", include("apps.questions.papers.urls")),
    path("", include("apps.questions.release.urls")),
]
