from django.apps import AppConfig


class CentersConfig(AppConfig):
    name = "apps.centers"
    label = "centers"
    default_auto_field = "django.db.models.BigAutoField"
