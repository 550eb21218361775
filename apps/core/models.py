"""Identity and change tracking shared by every model that travels between nodes.

See docs/architecture.md: rows created offline at different places must never collide (UUIDv7
keys), and every write is stamped with the node that made it (`origin`) and a
monotonically increasing `version`, which the package importer compares.
"""

from django.conf import settings
from django.db import models
from uuid_utils.compat import uuid7


def node_origin() -> str:
    """The code written into `origin` by writes on this node: "HQ" or a center code."""
    return settings.NODE_CENTER


class SyncedModel(models.Model):
    """Abstract base for synced rows: UUIDv7 key, timestamps, origin and version.

    `version` is bumped by the stamping helpers (apps/core/stamping.py) that every writer
    uses; it is never changed by a `save()` override, so bulk paths can set it explicitly.
    """

    id = models.UUIDField(primary_key=True, default=uuid7, editable=False)
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)
    updated_at = models.DateTimeField(auto_now=True, db_index=True)
    origin = models.CharField(max_length=32, default=node_origin, editable=False)
    version = models.PositiveBigIntegerField(default=1, editable=False)

    class Meta:
        abstract = True


class Tombstone(models.Model):
    """A record that a synced row was deleted, so the deletion can travel too."""

    id = models.UUIDField(primary_key=True, default=uuid7, editable=False)
    model = models.CharField(max_length=100, help_text="app_label.ModelName of the deleted row")
    object_id = models.UUIDField()
    origin = models.CharField(max_length=32, default=node_origin)
    version = models.PositiveBigIntegerField(help_text="version of the row when deleted, plus one")
    deleted_at = models.DateTimeField(auto_now_add=True, db_index=True)

    class Meta:
        # The table keeps the name it had when this model lived in the sync app.
        db_table = "sync_tombstone"
        ordering = ["deleted_at"]
        constraints = [models.UniqueConstraint(fields=["model", "object_id"], name="tombstone_unique_object")]

    def __str__(self) -> str:
        return f"{self.model} {self.object_id} deleted"
