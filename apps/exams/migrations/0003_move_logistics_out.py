"""Allocation moves to the seating app, Attendance, AttendanceAudit and Incident to the
examday app; their tables keep their exams_* names (seating 0001, examday 0001)."""

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [
        ("exams", "0002_logistics"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            # The tables stay as they are (same names); only Django's idea of which app
            # holds the model changes.
            state_operations=[
                migrations.RemoveField(
                    model_name="attendance",
                    name="candidate",
                ),
                migrations.RemoveField(
                    model_name="attendance",
                    name="center",
                ),
                migrations.RemoveField(
                    model_name="attendance",
                    name="marked_by",
                ),
                migrations.RemoveField(
                    model_name="attendance",
                    name="session",
                ),
                migrations.RemoveField(
                    model_name="attendanceaudit",
                    name="attendance",
                ),
                migrations.RemoveField(
                    model_name="attendanceaudit",
                    name="center",
                ),
                migrations.RemoveField(
                    model_name="attendanceaudit",
                    name="changed_by",
                ),
                migrations.RemoveField(
                    model_name="incident",
                    name="candidate",
                ),
                migrations.RemoveField(
                    model_name="incident",
                    name="center",
                ),
                migrations.RemoveField(
                    model_name="incident",
                    name="reported_by",
                ),
                migrations.RemoveField(
                    model_name="incident",
                    name="session",
                ),
                migrations.DeleteModel(
                    name="Allocation",
                ),
                migrations.DeleteModel(
                    name="Attendance",
                ),
                migrations.DeleteModel(
                    name="AttendanceAudit",
                ),
                migrations.DeleteModel(
                    name="Incident",
                ),
            ],
            database_operations=[],
        ),
    ]
