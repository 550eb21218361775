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


def ownership_refusals(spec: SyncSpec, rows: list[dict], sender: str, sender_center_id, using: str) -> dict:
    """{row id: reason} for the rows of a center-owned model that the sending center may
    not write, decided by this node's own records (docs/sync.md, "Conflict rules"):

    * the row must name the sender as its center (`center_path`);
    * a row that exists here already must belong to the sender here;
    * the model's `proves_owner` must find the row's references to be the sender's (its
      candidate seated there, its session held there...).
    """
    pk_name = spec.model._meta.pk.attname
    if sender_center_id is None:
        return {str(r[pk_name]): f"{sender} is not a center known here" for r in rows}
    refused = {}
    claimed = row_centers(spec, rows, using)
    stored = {
        str(pk): center
        for pk, center in spec.model._base_manager.using(using)
        .filter(pk__in=[r[pk_name] for r in rows])
        .values_list("pk", spec.center_path)
    }
    for row in rows:
        rid = str(row[pk_name])
        if str(claimed.get(row[pk_name])) != str(sender_center_id):
            refused[rid] = f"the row names another center than {sender}"
        elif rid in stored and str(stored[rid]) != str(sender_center_id):
            refused[rid] = f"the row here belongs to another center than {sender}"
    unproven = [r for r in rows if str(r[pk_name]) not in refused]
    if unproven:
        refused.update(spec.proves_owner(sender_center_id, unproven, using))
    return refused
