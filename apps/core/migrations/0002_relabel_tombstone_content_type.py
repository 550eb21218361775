"""Tombstone's content type follows the model from the sync app (0001 moved the model, state
only), so the admin's content type keeps its id and the permissions on it, like the
content types of the models seating and examday took over from exams."""

from django.db import migrations


def relabel(apps, old, new):
    ContentType = apps.get_model("contenttypes", "ContentType")
    if not ContentType.objects.filter(app_label=new, model="tombstone").exists():
        ContentType.objects.filter(app_label=old, model="tombstone").update(app_label=new)


def forwards(apps, schema_editor):
    relabel(apps, "sync", "core")


def backwards(apps, schema_editor):
    relabel(apps, "core", "sync")


class Migration(migrations.Migration):
    dependencies = [
        ("core", "0001_initial"),
        ("contenttypes", "0002_remove_content_type_name"),
    ]

    operations = [migrations.RunPython(forwards, backwards)]
