"""Routes of this part of the questions app (included by apps/questions/urls.py): plain
paths, so they never meet the bank's `/api/questions/{uuid}/` routes."""

from django.urls import path

from apps.questions.formats.views import QuestionExportView, QuestionImportView, QuestionTemplateView

urlpatterns = [
    path("questions/import/", QuestionImportView.as_view(), name="question-import"),
    path("questions/export/", QuestionExportView.as_view(), name="question-export"),
    path("questions/template/", QuestionTemplateView.as_view(), name="question-template"),
]
