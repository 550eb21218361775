"""Routes of the question bank (included by apps/questions/urls.py under /api/).

Detail routes take only a UUID, so the formats' `/api/questions/import/`, `/export/` and
`/template/` never reach them whichever order the includes come in.
"""

from rest_framework.routers import SimpleRouter

from apps.questions.bank import views

router = SimpleRouter()
router.register("questions", views.QuestionViewSet, basename="question")
router.register("question-images", views.QuestionImageViewSet, basename="question-image")
router.register("subjects", views.SubjectViewSet, basename="subject")
router.register("setter-assignments", views.SetterAssignmentViewSet, basename="setter-assignment")
router.register("passages", views.PassageViewSet, basename="passage")

urlpatterns = router.urls
