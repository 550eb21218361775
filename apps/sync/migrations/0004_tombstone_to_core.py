"""Tombstone moves to the core app (its table, sync_tombstone, stays)."""

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [
        ("sync", "0003_synclog"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            # The tables stay as they are (same names); only Django's idea of which app
            # holds the model changes.
            state_operations=[
                migrations.DeleteModel(
                    name="Tombstone",
                ),
            ],
            database_operations=[],
        ),
    ]
