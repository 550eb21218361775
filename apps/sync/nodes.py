"""The centers that sync exchanges packages with, as the app that owns them registers them.

Sync imports no feature app. It knows a center only as a row with a `code` (the node's
name in `origin` and in manifests) and, at HQ, its sync link (`sync_url`,
`sync_username`, `sync_secret`). The centers app registers its model from its own
`apps/centers/sync.py`:

    register_center_model(Center)
"""

from django.core.exceptions import ImproperlyConfigured
from django.db.models import Model

from utils.lookups import by_code_or_id

_center_model: type[Model] | None = None


def register_center_model(model: type[Model]) -> None:
    global _center_model
    _center_model = model


def center_model() -> type[Model]:
    if _center_model is None:
        raise ImproperlyConfigured("No center model is registered with sync (apps/centers/sync.py does it).")
    return _center_model


def center_by_code_or_id(value: str) -> Model | None:
    """A center by its code or UUID (commands and the API accept either)."""
    return by_code_or_id(center_model()._default_manager.all(), value)


def center_get(pk) -> Model | None:
    return center_model()._default_manager.filter(pk=pk).first()


def center_id_for_code(code: str, *, using: str = "default"):
    """The id of the center whose node name is `code`, on database `using`, or None."""
    return center_model()._default_manager.using(using).filter(code=code).values_list("pk", flat=True).first()
