from django.apps import AppConfig


class CandidatesConfig(AppConfig):
    name = "apps.candidates"
    label = "candidates"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self):
        from . import scopes  # noqa: F401  (registers this app's scope rules)
