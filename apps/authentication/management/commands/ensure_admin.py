import os
import secrets

from django.core.management.base import BaseCommand
from django.db import transaction

from apps.authentication.models import User
from apps.authentication.services import user_create
from apps.core.roles import Role


class Command(BaseCommand):
    help = (
        "Create the first admin when none exists. Takes DJANGO_SUPERUSER_USERNAME and "
        "DJANGO_SUPERUSER_PASSWORD from the environment, otherwise creates 'admin' with a "
        "random password printed once."
    )

    @transaction.atomic
    def handle(self, *args, **options):
        if User.objects.filter(role=Role.ADMIN, is_active=True).exists():
            if options["verbosity"] >= 2:
                self.stdout.write("An admin already exists; nothing to do.")
            return
        username = os.environ.get("DJANGO_SUPERUSER_USERNAME") or "admin"
        password = os.environ.get("DJANGO_SUPERUSER_PASSWORD")
        generated = password is None
        if generated:
            password = secrets.token_urlsafe(12)
        user_create(username=username, password=password, role=Role.ADMIN)
        self.stdout.write(self.style.SUCCESS(f"Created admin user '{username}'."))
        if generated:
            self.stdout.write(self.style.WARNING(f"  password: {password}\n  (shown once; change it after logging in)"))
