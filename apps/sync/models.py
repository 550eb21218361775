"""The sync app's own rows: trusted keys of other nodes and this node's sync history."""

from django.conf import settings
from django.db import models
from uuid_utils.compat import uuid7

from apps.core.models import SyncedModel, node_origin


class TrustedKey(SyncedModel):
    """The Ed25519 public key of another node (`HQ` or a center code)."""

    node = models.CharField(max_length=32, unique=True)
    public_key = models.TextField(help_text="PEM (SubjectPublicKeyInfo)")

    class Meta:
        ordering = ["node"]

    def __str__(self) -> str:
        return f"key of {self.node}"


class SyncDirection(models.TextChoices):
    EXPORT = "export", "Export"
    IMPORT = "import", "Import"
    BACKUP = "backup", "Backup"
    RESTORE = "restore", "Restore"


class SyncStatus(models.TextChoices):
    OK = "ok", "Done"
    DRY_RUN = "dry_run", "Dry run (nothing changed)"
    REFUSED = "refused", "Refused"


class SyncLog(models.Model):
    """The sync history of this node: every export, import, backup and restore.

    Local to the node (it never travels). Counts are per model:
    {"app.Model": {"applied": n, "unchanged": n, "conflicts": n, "deleted": n}} on
    import, {"app.Model": rows} on export. Conflicts list each rejected row with its
    reason (capped at CONFLICT_LIMIT entries; `conflict_count` has the full number).
    """

    CONFLICT_LIMIT = 1000

    id = models.UUIDField(primary_key=True, default=uuid7, editable=False)
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True)
    node = models.CharField(max_length=32, default=node_origin, help_text="this node when the entry was written")
    direction = models.CharField(max_length=10, choices=SyncDirection.choices)
    kind = models.CharField(max_length=20, blank=True)
    status = models.CharField(max_length=10, choices=SyncStatus.choices, default=SyncStatus.OK)
    message = models.TextField(blank=True)
    package_id = models.CharField(max_length=36, blank=True)
    origin = models.CharField(max_length=32, blank=True, help_text="node that wrote the package")
    target = models.CharField(max_length=32, blank=True, help_text="node the package is addressed to")
    center = models.CharField(max_length=32, blank=True, db_index=True, help_text="center the package is about")
    file_name = models.CharField(max_length=255, blank=True)
    sha256 = models.CharField(max_length=64, blank=True)
    size_bytes = models.PositiveBigIntegerField(default=0)
    counts = models.JSONField(default=dict, blank=True)
    conflicts = models.JSONField(default=list, blank=True)
    conflict_count = models.PositiveIntegerField(default=0)
    duration_seconds = models.FloatField(default=0)
    free_disk_bytes = models.PositiveBigIntegerField(null=True, blank=True)
    database_bytes = models.PositiveBigIntegerField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.direction} {self.kind} {self.created_at:%Y-%m-%d %H:%M}"
