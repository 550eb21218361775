"""Rows that name Allocation by its old label follow it into this app: tombstones (so a
deletion still travels), the admin's content type, and background jobs of its kinds."""

from django.db import migrations

MOVES = {"Allocation": ("exams", "seating")}
JOB_KINDS = {"exams.allocate": "seating.allocate", "exams.admit_cards": "seating.admit_cards"}


def relabel(apps, schema_editor, *, backwards=False):
    Tombstone = apps.get_model("core", "Tombstone")
    ContentType = apps.get_model("contenttypes", "ContentType")
    Job = apps.get_model("jobs", "Job")
    for model, (old, new) in MOVES.items():
        if backwards:
            old, new = new, old
        Tombstone.objects.filter(model=f"{old}.{model}").update(model=f"{new}.{model}")
        if not ContentType.objects.filter(app_label=new, model=model.lower()).exists():
            ContentType.objects.filter(app_label=old, model=model.lower()).update(app_label=new)
    for old, new in JOB_KINDS.items():
        if backwards:
            old, new = new, old
        Job.objects.filter(kind=old).update(kind=new)


def forwards(apps, schema_editor):
    relabel(apps, schema_editor)


def backwards(apps, schema_editor):
    relabel(apps, schema_editor, backwards=True)


class Migration(migrations.Migration):
    dependencies = [
        ("seating", "0001_initial"),
        ("core", "0001_initial"),
        ("contenttypes", "0002_remove_content_type_name"),
        ("jobs", "0001_initial"),
    ]

    operations = [migrations.RunPython(forwards, backwards)]
