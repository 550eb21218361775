"""Routes of this part of the questions app (included by apps/questions/urls.py)."""

from rest_framework.routers import SimpleRouter

from apps.questions.papers import views

router = SimpleRouter()
router.register("question-papers", views.QuestionPaperViewSet, basename="question-paper")

urlpatterns = router.urls
