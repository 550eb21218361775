"""Who may write a row (docs/sync.md, "Conflict rules"): the owner named at registration
(HQ, or a center for the rows of its own candidates), shared by rows and deletions."""

from apps.sync.registry import HQ, SyncSpec


def owner_ok(spec: SyncSpec, sender: str) -> bool:
    return sender == "HQ" if spec.owner == HQ else sender != "HQ"


def row_centers(spec: SyncSpec, rows: list[dict], using: str) -> dict:
    """{row id: id of the center the row belongs to} through spec.center_path."""
    model = spec.model
    pk_name = model._meta.pk.attname
    parts = spec.center_path.split("__")
    if parts == ["pk"] or parts == ["id"]:
        return {r[pk_name]: r[pk_name] for r in rows}
    first = model._meta.get_field(parts[0])
    value_of = {r[pk_name]: r.get(first.attname) for r in rows}
    rest = parts[1:]
    if not first.is_relation or not rest or rest in (["id"], ["pk"]):
        return value_of
    related = first.related_model
    refs = {v for v in value_of.values() if v is not None}
    lookup = dict(
        related._base_manager.using(using).filter(pk__in=refs).values_list("pk", "__".join(rest)) if refs else []
    )
    lookup = {str(k): v for k, v in lookup.items()}
    return {pk: lookup.get(str(v)) if v is not None else None for pk, v in value_of.items()}
