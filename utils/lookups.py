"""Finding a row by its human code or its UUID, as commands and packages accept either
(docs/architecture.md, identity: `--center-id 1` works for a center whose code is `1`)."""

import uuid

from django.db.models import Model, QuerySet


def by_code_or_id(queryset: QuerySet, value: str) -> Model | None:
    """The row whose `code` is `value` (exactly, else ignoring case), else whose id is it."""
    value = str(value).strip()
    found = queryset.filter(code=value).first() or queryset.filter(code__iexact=value).first()
    if found is None:
        try:
            found = queryset.filter(pk=uuid.UUID(value)).first()
        except ValueError:  # neither a code nor a UUID
            found = None
    return found
