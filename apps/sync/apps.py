from django.apps import AppConfig


class SyncConfig(AppConfig):
    name = "apps.sync"
    label = "sync"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self):
        # Every app's models are loaded by now; register what travels in packages.
        from . import registrations, scopes  # noqa: F401
