"""Attendance, AttendanceAudit and Incident, moved here from the exams app; their tables
keep their exams_* names."""

import apps.core.models
import django.db.models.deletion
import uuid_utils.compat
from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):
    initial = True

    dependencies = [
        ("exams", "0003_move_logistics_out"),
        ("candidates", "0002_application_number_index"),
        ("centers", "0002_center_sync_link"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            # The tables stay as they are (same names); only Django's idea of which app
            # holds the model changes.
            state_operations=[
                migrations.CreateModel(
                    name="Attendance",
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
                        (
                            "status",
                            models.CharField(choices=[("present", "Present"), ("absent", "Absent")], max_length=8),
                        ),
                        ("marked_at", models.DateTimeField()),
                        (
                            "candidate",
                            models.ForeignKey(
                                on_delete=django.db.models.deletion.CASCADE,
                                related_name="attendance",
                                to="candidates.candidate",
                            ),
                        ),
                        (
                            "center",
                            models.ForeignKey(
                                on_delete=django.db.models.deletion.PROTECT,
                                related_name="attendance",
                                to="centers.center",
                            ),
                        ),
                        (
                            "marked_by",
                            models.ForeignKey(
                                blank=True,
                                null=True,
                                on_delete=django.db.models.deletion.SET_NULL,
                                related_name="+",
                                to=settings.AUTH_USER_MODEL,
                            ),
                        ),
                        (
                            "session",
                            models.ForeignKey(
                                on_delete=django.db.models.deletion.CASCADE,
                                related_name="attendance",
                                to="exams.examsession",
                            ),
                        ),
                    ],
                    options={
                        "db_table": "exams_attendance",
                        "ordering": ["session_id", "candidate_id"],
                    },
                ),
                migrations.CreateModel(
                    name="AttendanceAudit",
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
                        ("old_status", models.CharField(blank=True, default="", max_length=8)),
                        (
                            "new_status",
                            models.CharField(choices=[("present", "Present"), ("absent", "Absent")], max_length=8),
                        ),
                        (
                            "source",
                            models.CharField(
                                choices=[("manual", "Marked"), ("bulk", "Bulk"), ("scan", "Admit-card scan")],
                                default="manual",
                                max_length=8,
                            ),
                        ),
                        ("changed_at", models.DateTimeField()),
                        (
                            "attendance",
                            models.ForeignKey(
                                on_delete=django.db.models.deletion.CASCADE,
                                related_name="audit",
                                to="examday.attendance",
                            ),
                        ),
                        (
                            "center",
                            models.ForeignKey(
                                on_delete=django.db.models.deletion.PROTECT, related_name="+", to="centers.center"
                            ),
                        ),
                        (
                            "changed_by",
                            models.ForeignKey(
                                blank=True,
                                null=True,
                                on_delete=django.db.models.deletion.SET_NULL,
                                related_name="+",
                                to=settings.AUTH_USER_MODEL,
                            ),
                        ),
                    ],
                    options={
                        "db_table": "exams_attendanceaudit",
                        "ordering": ["changed_at"],
                    },
                ),
                migrations.CreateModel(
                    name="Incident",
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
                        (
                            "kind",
                            models.CharField(
                                choices=[
                                    ("malpractice", "Malpractice"),
                                    ("late_arrival", "Late arrival"),
                                    ("medical", "Medical"),
                                    ("paper_shortage", "Paper shortage"),
                                    ("other", "Other"),
                                ],
                                max_length=16,
                            ),
                        ),
                        ("description", models.TextField()),
                        (
                            "candidate",
                            models.ForeignKey(
                                blank=True,
                                null=True,
                                on_delete=django.db.models.deletion.PROTECT,
                                related_name="incidents",
                                to="candidates.candidate",
                            ),
                        ),
                        (
                            "center",
                            models.ForeignKey(
                                on_delete=django.db.models.deletion.PROTECT,
                                related_name="incidents",
                                to="centers.center",
                            ),
                        ),
                        (
                            "reported_by",
                            models.ForeignKey(
                                blank=True,
                                null=True,
                                on_delete=django.db.models.deletion.SET_NULL,
                                related_name="+",
                                to=settings.AUTH_USER_MODEL,
                            ),
                        ),
                        (
                            "session",
                            models.ForeignKey(
                                on_delete=django.db.models.deletion.PROTECT,
                                related_name="incidents",
                                to="exams.examsession",
                            ),
                        ),
                    ],
                    options={
                        "db_table": "exams_incident",
                        "ordering": ["-created_at"],
                    },
                ),
                migrations.AddIndex(
                    model_name="attendance",
                    index=models.Index(fields=["center", "session"], name="attendance_center_session"),
                ),
                migrations.AddConstraint(
                    model_name="attendance",
                    constraint=models.UniqueConstraint(
                        fields=("candidate", "session"), name="attendance_once_per_session"
                    ),
                ),
                migrations.AddIndex(
                    model_name="incident",
                    index=models.Index(fields=["center", "session"], name="incident_center_session"),
                ),
            ],
            database_operations=[],
        ),
    ]
