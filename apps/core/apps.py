from django.apps import AppConfig


class CoreConfig(AppConfig):
    """The bottom layer: identity and change tracking, stamping, roles and scoping.

    It imports no feature app; feature apps register their scope rules into it from
    their own `scopes.py`, discovered here once every app is loaded.
    """

    name = "apps.core"
    label = "core"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self):
        from django.utils.module_loading import autodiscover_modules

        autodiscover_modules("scopes")
