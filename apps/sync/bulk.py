"""Bulk writes that keep every value exactly as given."""

from django.db import connections, models


def raw_bulk_insert(model: type[models.Model], objs: list, fields: list, using: str) -> None:
    """Insert `objs` in batches the backend accepts, without pre_save().

    `bulk_create` calls pre_save(), which overwrites auto_now/auto_now_add fields
    (created_at, updated_at) with the current time; a package or a backup must keep
    the sender's values. A raw insert is what `loaddata` does (Model.save_base(raw=True)).
    `QuerySet._insert` is private Django API; tests cover it on SQLite and PostgreSQL.
    """
    if not objs:
        return
    batch = max(1, connections[using].ops.bulk_batch_size(fields, objs))
    qs = model._base_manager.using(using)
    for start in range(0, len(objs), batch):
        qs._insert(objs[start : start + batch], fields=fields, using=using, raw=True)
