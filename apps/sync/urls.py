"""Routes of this app, included under /api/ by exam_system/urls.py."""

from django.urls import path

from apps.sync.views import ExportView, ImportView, SyncLogView

urlpatterns = [
    path("sync/export/", ExportView.as_view(), name="sync-export"),
    path("sync/import/", ImportView.as_view(), name="sync-import"),
    path("sync/log/", SyncLogView.as_view(), name="sync-log"),
]
