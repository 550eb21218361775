"""A node is complete after `migrate`: its signing key is created when it is missing.

Like a host key on first boot. Every node signs what it issues (admit-card QR codes at
HQ, packages everywhere), so a fresh installation that followed the plain Django steps
(`migrate`, `createsuperuser`, `runserver`) must not answer 503 `no_node_key` on its
first admit card. The key is made by the `post_migrate` handler below:

* only after `migrate` (not after `flush`, which sends the same signal), for the default
  database, once per run (the signal is sent once per app: this one answers for sync);
* idempotent: an existing key is kept (`sync_keys --init --force` is the deliberate re-key);
* atomic across processes (`keys.ensure_node_key`): two `migrate` runs at once end with
  one key;
* it prints the new key's fingerprint, and nothing with `-v0`;
* at HQ it also keeps HQ's own public key among the trusted keys (it travels to centers
  in center packages), as `sync_keys --init` does;
* off when `settings.NODE_KEY_ON_MIGRATE` is False: the test suite turns it off
  (tests/conftest.py), so creating the test database never writes a key into the real
  data folder; tests that need a key make one with `keys.create_node_key()`.
"""

from django.conf import settings
from django.db import DEFAULT_DB_ALIAS, IntegrityError, transaction

from apps.sync import keys


def node_key_after_migrate(sender, *, app_config=None, verbosity=1, using=DEFAULT_DB_ALIAS, **kwargs) -> None:
    if app_config is None or app_config.name != "apps.sync":
        return
    if kwargs.get("plan") is None:  # `flush` sends post_migrate too, without a plan
        return
    if using != DEFAULT_DB_ALIAS or not getattr(settings, "NODE_KEY_ON_MIGRATE", True):
        return
    public, created = keys.ensure_node_key()
    pem = keys.public_key_pem(public)
    if settings.NODE_CENTER == "HQ" and _has_trusted_keys(kwargs.get("apps")):
        _trust_own_key(pem, using)
    if created and verbosity >= 1:
        stdout = kwargs.get("stdout")
        line = (
            f"Created the signing key of node {settings.NODE_CENTER} in {keys.node_key_path()} "
            f"(fingerprint {keys.fingerprint(pem)}). Back that file up; "
            "`python manage.py sync_keys --init --force` replaces it."
        )
        if stdout is not None:
            stdout.write(line)
        else:  # pragma: no cover - migrate always passes its stdout
            print(line)


def _has_trusted_keys(state_apps) -> bool:
    """False when migrated back to before the TrustedKey table existed."""
    if state_apps is None:
        return True
    try:
        state_apps.get_model("sync", "TrustedKey")
    except LookupError:
        return False
    return True


def _trust_own_key(pem: str, using: str) -> None:
    """HQ's own public key as its trusted "HQ" row (no write when it is already there)."""
    try:
        with transaction.atomic(using=using):
            keys.trust_node("HQ", pem)
    except IntegrityError:
        # Another process inserted the same row (same id) at the same moment: it holds
        # the same key, since only one process can have created the key file.
        with transaction.atomic(using=using):
            keys.trust_node("HQ", pem)
