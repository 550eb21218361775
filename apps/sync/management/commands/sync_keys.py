from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from apps.sync import keys
from apps.sync.models import TrustedKey


class Command(BaseCommand):
    help = (
        "Manage this node's Ed25519 signing key and the public keys it trusts. "
        "--init creates the key pair (`migrate` already does when there is none; --init --force re-keys); "
        "--export-public F writes our public key to F; "
        "--trust NODE F trusts NODE's (HQ or a center code) public key read from F."
    )

    def add_arguments(self, parser):
        group = parser.add_mutually_exclusive_group(required=True)
        group.add_argument(
            "--init",
            action="store_true",
            help="Create this node's key pair (`migrate` creates it when missing; with --force: re-key).",
        )
        group.add_argument("--export-public", metavar="FILE", help="Write this node's public key (PEM) to FILE.")
        group.add_argument("--trust", nargs=2, metavar=("NODE", "FILE"), help="Trust NODE's public key from FILE.")
        group.add_argument("--list", action="store_true", help="List trusted keys.")
        parser.add_argument("--force", action="store_true", help="With --init: replace an existing key pair.")

    def handle(self, *args, **options):
        if options["init"]:
            self.init(force=options["force"])
        elif options["export_public"]:
            self.export_public(Path(options["export_public"]))
        elif options["trust"]:
            node, file = options["trust"]
            self.trust(node.strip(), Path(file))
        else:
            if keys.node_key_exists():
                own = keys.public_key_pem(keys.node_private_key().public_key())
                self.stdout.write(f"this node ({settings.NODE_CENTER})\t{keys.fingerprint(own)}")
            for row in TrustedKey.objects.all():
                self.stdout.write(f"{row.node}\t{keys.fingerprint(row.public_key)}\tversion {row.version}")

    def init(self, *, force: bool) -> None:
        try:
            public = keys.create_node_key(overwrite=force)
        except FileExistsError as exc:
            # `migrate` creates the key of a new node; --init is the deliberate re-key.
            current = keys.fingerprint(keys.public_key_pem(keys.node_private_key().public_key()))
            raise CommandError(
                f"{exc} (fingerprint {current}). Use --force to replace it (every peer must then trust the new key)."
            ) from exc
        pem = keys.public_key_pem(public)
        if settings.NODE_CENTER == "HQ":
            # HQ's own public key travels to centers inside center packages.
            with transaction.atomic():
                keys.trust_node("HQ", pem)
        self.stdout.write(
            self.style.SUCCESS(
                f"Created the signing key of node {settings.NODE_CENTER} (fingerprint {keys.fingerprint(pem)})."
            )
        )

    def export_public(self, path: Path) -> None:
        try:
            pem = keys.public_key_pem(keys.node_private_key().public_key())
        except keys.KeyMissing as exc:
            raise CommandError(str(exc)) from exc
        path.write_text(pem)
        self.stdout.write(
            self.style.SUCCESS(
                f"Wrote the public key of node {settings.NODE_CENTER} to {path} (fingerprint {keys.fingerprint(pem)}: "
                "read it to the other side, who compares it after --trust)."
            )
        )

    def trust(self, node: str, path: Path) -> None:
        if not node:
            raise CommandError("NODE must be HQ or a center code.")
        if node == settings.NODE_CENTER:
            raise CommandError(f"{node} is this node; its key is trusted already.")
        try:
            pem = path.read_text()
        except OSError as exc:
            raise CommandError(f"Cannot read {path}: {exc.strerror}.") from exc
        try:
            with transaction.atomic():
                keys.trust_node(node, pem)
        except ValueError as exc:
            raise CommandError(f"{path} does not hold an Ed25519 public key: {exc}") from exc
        self.stdout.write(
            self.style.SUCCESS(f"This node now trusts packages signed by {node} (fingerprint {keys.fingerprint(pem)}).")
        )
