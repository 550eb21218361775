from django.apps import AppConfig
from django.db.models.signals import post_migrate
from django.utils.module_loading import autodiscover_modules


class SyncConfig(AppConfig):
    name = "apps.sync"
    label = "sync"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self):
        # Every app's models are loaded by now. Each app registers what of it travels in
        # packages from its own `sync.py` (see apps/sync/registry.py); sync imports none.
        autodiscover_modules("sync")
        # `migrate` leaves a complete node: its signing key is created when missing.
        from apps.sync.firstboot import node_key_after_migrate

        post_migrate.connect(node_key_after_migrate, sender=self, dispatch_uid="sync.node_key_after_migrate")
