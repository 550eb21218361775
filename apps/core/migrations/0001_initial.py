"""Tombstone, moved here from the sync app; its table keeps the name sync_tombstone."""

import apps.core.models
import uuid_utils.compat
from django.db import migrations, models


class Migration(migrations.Migration):
    initial = True

    dependencies = [
        ("sync", "0004_tombstone_to_core"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            # The tables stay as they are (same names); only Django's idea of which app
            # holds the model changes.
            state_operations=[
                migrations.CreateModel(
                    name="Tombstone",
                    fields=[
                        (
                            "id",
                            models.UUIDField(
                                default=uuid_utils.compat.uuid7, editable=False, primary_key=True, serialize=False
                            ),
                        ),
                        ("model", models.CharField(help_text="app_label.ModelName of the deleted row", max_length=100)),
                        ("object_id", models.UUIDField()),
                        ("origin", models.CharField(default=apps.core.models.node_origin, max_length=32)),
                        (
                            "version",
                            models.PositiveBigIntegerField(help_text="version of the row when deleted, plus one"),
                        ),
                        ("deleted_at", models.DateTimeField(auto_now_add=True, db_index=True)),
                    ],
                    options={
                        "db_table": "sync_tombstone",
                        "ordering": ["deleted_at"],
                        "constraints": [
                            models.UniqueConstraint(fields=("model", "object_id"), name="tombstone_unique_object")
                        ],
                    },
                ),
            ],
            database_operations=[],
        ),
    ]
