"""Writing center packages (at HQ) and results packages (at a center)."""

import time
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

from django.conf import settings
from django.db import connection, transaction
from django.db.models import Case, IntegerField, Value, When

from apps.core.models import Tombstone
from apps.sync import keys, registry
from apps.sync.codec import encode_row
from apps.sync.history import sync_log_write
from apps.sync.models import SyncDirection
from apps.sync.package import CENTER_PACKAGE, RESULTS_PACKAGE, PackageWriter, file_sha256
from apps.sync.registry import CENTER, HQ
from utils.exceptions import ApplicationError, Conflict
from utils.progress import ProgressCallback, report

TOMBSTONE_LABEL = Tombstone._meta.label
TOMBSTONE_FIELDS = ["id", "model", "object_id", "origin", "version", "deleted_at"]


@dataclass
class ExportReport:
    path: Path
    kind: str
    package_id: str
    center: str
    target: str
    counts: dict[str, int] = field(default_factory=dict)
    media_files: int = 0
    size_bytes: int = 0
    sha256: str = ""
    seconds: float = 0.0


@contextmanager
def _consistent_snapshot():
    """Every read of one package sees the same state of the database: a transaction
    (SQLite: a snapshot; PostgreSQL: REPEATABLE READ, READ ONLY). Inside an outer
    transaction (tests, callers' own) the outer one decides."""
    outer = connection.in_atomic_block
    with transaction.atomic():
        if not outer and connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ READ ONLY")
        yield


def hq_trusted_key_ensure() -> None:
    """At HQ, keep a TrustedKey row for HQ's own public key, so it travels to centers."""
    pem = keys.public_key_pem(keys.node_private_key().public_key())
    keys.trust_node("HQ", pem)


def _check_node(kind: str, center, force: bool) -> str:
    node = settings.NODE_CENTER
    if kind == CENTER_PACKAGE:
        if node != "HQ":
            raise ApplicationError(
                "wrong_node",
                f"Only HQ writes center packages; this node is center {node} (it writes results packages).",
            )
        return center.code
    if kind == RESULTS_PACKAGE:
        if node != center.code:
            raise ApplicationError(
                "wrong_node",
                f"A results package of center {center.code} is written by that center's node; this node is {node}.",
            )
        objections = [] if force else registry.results_objections(center)
        if objections:
            first = objections[0]
            raise Conflict(
                first.code,
                f"{first.message} A half-finished exam day is not shipped as final; export after it ends, "
                "or use --force.",
            )
        return "HQ"
    raise ApplicationError("unknown_kind", f"Unknown package kind {kind!r}.")


def package_export_check(*, kind: str, center, force: bool = False) -> str:
    """The quick checks `package_export` starts with (the API runs them before it starts
    a job): this node writes `kind` packages of `center`, no session of the center is in
    progress (results packages, unless `force`), the node has its signing key.

    Returns the package's default target. Raises ApplicationError / Conflict.
    """
    default_target = _check_node(kind, center, force)
    try:
        keys.node_private_key()
    except keys.KeyMissing as exc:
        raise ApplicationError("no_key", str(exc)) from exc
    return default_target


def package_rows_estimate(*, kind: str, center, since: datetime | None = None) -> int:
    """The size of the `kind` package about `center`, for choosing inline or a job: the row
    count of its largest model (a center's candidates, or its attendance). The other
    models are small beside it (one center, its rooms and staff, a few exams)."""
    owner = HQ if kind == CENTER_PACKAGE else CENTER
    return max((spec.rows_for(center, since).count() for spec in registry.specs(owner=owner)), default=0)


def package_export(
    *,
    kind: str,
    center,
    output: Path,
    since: datetime | None = None,
    target: str | None = None,
    user=None,
    force: bool = False,
    progress: ProgressCallback | None = None,
) -> ExportReport:
    """Write the `kind` package about `center` to `output` (streamed; flat memory).

    Raises ApplicationError when this node may not write that package, Conflict when a
    session of the center is in progress (results packages, unless `force`).
    """
    started = time.monotonic()
    default_target = package_export_check(kind=kind, center=center, force=force)
    target = target or default_target
    if settings.NODE_CENTER == "HQ":
        hq_trusted_key_ensure()

    # One consistent state of the database for the whole package (rows, references, media).
    with _consistent_snapshot():
        owner = HQ if kind == CENTER_PACKAGE else CENTER
        specs = registry.specs(owner=owner)
        querysets = [(spec, spec.rows_for(center, since)) for spec in specs]
        tombstones = _tombstones(specs, center, since, kind)
        total = sum(qs.count() for _, qs in querysets) + tombstones.count()
        exam_scope = registry.exam_scope(center)

        result = ExportReport(path=Path(output), kind=kind, package_id="", center=center.code, target=target)
        done = 0
        media_names: list[str] = []
        with PackageWriter(
            Path(output),
            kind=kind,
            origin=settings.NODE_CENTER,
            target=target,
            center=center.code,
            exam_scope=exam_scope,
            since=since.isoformat() if since else None,
        ) as writer:
            for spec, qs in querysets:
                fields = [f.attname for f in spec.fields()]
                media_idx = [fields.index(spec.model._meta.get_field(m).attname) for m in spec.media]

                def rows(qs=qs, fields=fields, media_idx=media_idx, label=spec.label):
                    nonlocal done
                    for values in qs.values_list(*fields).iterator(chunk_size=2000):
                        for i in media_idx:
                            if values[i]:
                                media_names.append(values[i])
                        yield encode_row(fields, values)
                        done += 1
                        if done % 2000 == 0:
                            report(progress, done, total, label)

                result.counts[spec.label] = writer.write_rows(spec.label, fields, rows())
            result.counts[TOMBSTONE_LABEL] = writer.write_rows(
                TOMBSTONE_LABEL,
                TOMBSTONE_FIELDS,
                (encode_row(TOMBSTONE_FIELDS, v) for v in tombstones.values_list(*TOMBSTONE_FIELDS).iterator()),
            )
            report(progress, total, total, "media")
            media_root = Path(settings.MEDIA_ROOT)
            for name in media_names:
                result.media_files += writer.add_media(name, media_root / name)
            manifest = writer.finish(sign=True)
    result.package_id = manifest["package_id"]
    result.sha256, result.size_bytes = file_sha256(result.path)
    result.seconds = time.monotonic() - started
    report(progress, total, total, "done")
    sync_log_write(
        direction=SyncDirection.EXPORT,
        user=user,
        kind=kind,
        package_id=result.package_id,
        origin=settings.NODE_CENTER,
        target=target,
        center=center.code,
        file_name=result.path.name,
        sha256=result.sha256,
        size_bytes=result.size_bytes,
        counts={**result.counts, "media files": result.media_files},
        duration_seconds=result.seconds,
    )
    return result


def _tombstones(specs, center, since, kind):
    """Deletions of the package's models, children before parents."""
    labels = [s.label for s in reversed(specs)]
    qs = Tombstone.objects.filter(model__in=labels)
    if kind == RESULTS_PACKAGE:
        qs = qs.filter(origin=center.code)
    if since is not None:
        qs = qs.filter(deleted_at__gt=since)
    rank = Case(*[When(model=label, then=Value(i)) for i, label in enumerate(labels)], output_field=IntegerField())
    return qs.annotate(rank=rank).order_by("rank", "deleted_at")
