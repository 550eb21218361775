"""Rows that name the moved models by their old labels follow them into this app:
tombstones (so a deletion still travels) and the admin's content types."""

from django.db import migrations

MODELS = ("Attendance", "AttendanceAudit", "Incident")


def relabel(apps, old, new):
    Tombstone = apps.get_model("core", "Tombstone")
    ContentType = apps.get_model("contenttypes", "ContentType")
    for model in MODELS:
        Tombstone.objects.filter(model=f"{old}.{model}").update(model=f"{new}.{model}")
        if not ContentType.objects.filter(app_label=new, model=model.lower()).exists():
            ContentType.objects.filter(app_label=old, model=model.lower()).update(app_label=new)


def forwards(apps, schema_editor):
    relabel(apps, "exams", "examday")


def backwards(apps, schema_editor):
    relabel(apps, "examday", "exams")


class Migration(migrations.Migration):
    dependencies = [
        ("examday", "0001_initial"),
        ("core", "0001_initial"),
        ("contenttypes", "0002_remove_content_type_name"),
    ]

    operations = [migrations.RunPython(forwards, backwards)]
