from django.apps import AppConfig
from django.utils.module_loading import autodiscover_modules


class JobsConfig(AppConfig):
    name = "apps.jobs"
    label = "jobs"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self):
        # Each app registers its job kinds in its own `jobs.py` (see apps/jobs/__init__.py).
        autodiscover_modules("jobs")
