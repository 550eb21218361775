# Usernames become unique ignoring case (issue 10 item 12).

from django.db import migrations, models
from django.db.models import Count
from django.db.models.functions import Lower


def refuse_case_duplicates(apps, schema_editor):
    """Stop with the names to fix rather than with the database's bare constraint error."""
    users = apps.get_model("authentication", "User").objects.using(schema_editor.connection.alias)
    clashing = (
        users.values(lowered=Lower("username"))
        .annotate(count=Count("pk"))
        .filter(count__gt=1)
        .values_list("lowered", flat=True)
    )
    groups = []
    for lowered in clashing:
        names = users.annotate(lowered=Lower("username")).filter(lowered=lowered).values_list("username", flat=True)
        groups.append(" / ".join(sorted(names)))
    if groups:
        raise RuntimeError(
            "Usernames must be unique ignoring case, and these differ only in case: "
            + "; ".join(groups)
            + ". Rename or delete all but one of each (in the admin, or `manage.py shell`), then migrate again."
        )


class Migration(migrations.Migration):
    dependencies = [
        ("authentication", "0001_initial"),
    ]

    operations = [
        migrations.RunPython(refuse_case_duplicates, migrations.RunPython.noop, elidable=True),
        migrations.AddConstraint(
            model_name="user",
            constraint=models.UniqueConstraint(Lower("username"), name="user_username_unique_ignoring_case"),
        ),
    ]
