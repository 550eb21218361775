import getpass
import os

from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from apps.sync.credentials import encrypt_secret
from apps.sync.nodes import center_by_code_or_id


class Command(BaseCommand):
    help = (
        "Record how this node reaches a center's node over HTTP (for sync_results): its base URL and the "
        "account to log in with. The password is read from --password-env VAR or asked for, and stored "
        "encrypted. This link is local: it never travels in a package."
    )

    def add_arguments(self, parser):
        parser.add_argument("--center-id", required=True, help="Center code or UUID.")
        parser.add_argument("--url", required=True, help="Base URL of the center's node, e.g. http://10.0.0.5:8000")
        parser.add_argument("--username", required=True, help="An account at that node (its center manager).")
        parser.add_argument("--password-env", help="Name of an environment variable holding the password.")

    def handle(self, *args, **options):
        center = center_by_code_or_id(options["center_id"])
        if center is None:
            raise CommandError(f"No center with code or id {options['center_id']!r}.")
        if not options["url"].startswith(("http://", "https://")):
            raise CommandError("--url must start with http:// or https://")
        if options["password_env"]:
            password = os.environ.get(options["password_env"])
            if password is None:
                raise CommandError(f"Environment variable {options['password_env']} is not set.")
        else:
            password = getpass.getpass(f"Password of {options['username']} at {options['url']}: ")
        with transaction.atomic():
            # Local settings of this node: saved without a version bump (they never travel).
            center.sync_url = options["url"].rstrip("/")
            center.sync_username = options["username"]
            center.sync_secret = encrypt_secret(password)
            center.save(update_fields=["sync_url", "sync_username", "sync_secret"])
        self.stdout.write(self.style.SUCCESS(f"Center {center.code} is reached at {center.sync_url}."))
