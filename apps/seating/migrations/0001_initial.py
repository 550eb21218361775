"""Allocation, moved here from the exams app; its table keeps the name exams_allocation."""

import apps.core.models
import django.db.models.deletion
import uuid_utils.compat
from django.db import migrations, models


class Migration(migrations.Migration):
    initial = True

    dependencies = [
        ("exams", "0003_move_logistics_out"),
        ("candidates", "0002_application_number_index"),
        ("centers", "0002_center_sync_link"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            # The tables stay as they are (same names); only Django's idea of which app
            # holds the model changes.
            state_operations=[
                migrations.CreateModel(
                    name="Allocation",
                    fields=[
                        (
                            "id",
                            models.UUIDField(
                                default=uuid_utils.compat.uuid7, editable=False, primary_key=True, serialize=False
                            ),
                        ),
                        ("created_at", models.DateTimeField(auto_now_add=True, db_index=True)),
                        ("updated_at", models.DateTimeField(auto_now=True, db_index=True)),
                        (
                            "origin",
                            models.CharField(default=apps.core.models.node_origin, editable=False, max_length=32),
                        ),
                        ("version", models.PositiveBigIntegerField(default=1, editable=False)),
                        ("row", models.PositiveIntegerField()),
                        ("column", models.PositiveIntegerField()),
                        ("seat_number", models.PositiveIntegerField()),
                        ("paper_set", models.CharField(max_length=2)),
                        (
                            "candidate",
                            models.ForeignKey(
                                db_index=False,
                                on_delete=django.db.models.deletion.CASCADE,
                                related_name="allocations",
                                to="candidates.candidate",
                            ),
                        ),
                        (
                            "center",
                            models.ForeignKey(
                                db_index=False,
                                on_delete=django.db.models.deletion.PROTECT,
                                related_name="allocations",
                                to="centers.center",
                            ),
                        ),
                        (
                            "exam",
                            models.ForeignKey(
                                db_index=False,
                                on_delete=django.db.models.deletion.CASCADE,
                                related_name="allocations",
                                to="exams.exam",
                            ),
                        ),
                        (
                            "room",
                            models.ForeignKey(
                                on_delete=django.db.models.deletion.PROTECT,
                                related_name="allocations",
                                to="centers.room",
                            ),
                        ),
                        (
                            "session",
                            models.ForeignKey(
                                db_index=False,
                                on_delete=django.db.models.deletion.CASCADE,
                                related_name="allocations",
                                to="exams.examsession",
                            ),
                        ),
                    ],
                    options={
                        "db_table": "exams_allocation",
                        "ordering": ["session_id", "room_id", "seat_number"],
                        "indexes": [
                            models.Index(fields=["exam", "center"], name="allocation_exam_center"),
                            models.Index(fields=["center", "session"], name="allocation_center_session"),
                        ],
                        "constraints": [
                            models.UniqueConstraint(
                                fields=("candidate", "session"), name="allocation_one_seat_per_session"
                            ),
                            models.UniqueConstraint(
                                fields=("session", "room", "seat_number"), name="allocation_seat_taken_once"
                            ),
                        ],
                    },
                ),
            ],
            database_operations=[],
        ),
    ]
