from django.apps import AppConfig


class QuestionsConfig(AppConfig):
    """The question bank (HQ only), question papers per session, their sets and keys, and the
    encrypted set documents that travel to centers and are released there by code."""

    name = "apps.questions"
    label = "questions"
    default_auto_field = "django.db.models.BigAutoField"
