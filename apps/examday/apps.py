from django.apps import AppConfig


class ExamdayConfig(AppConfig):
    """Exam day (center-owned): attendance and its audit, incidents, the center day report."""

    name = "apps.examday"
    label = "examday"
    default_auto_field = "django.db.models.BigAutoField"
