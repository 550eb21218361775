"""What an import reports: counts per model, conflicts with their reasons, and the entries
it writes to the sync history (refused or done)."""

from dataclasses import asdict, dataclass, field

from apps.sync.history import sync_log_write
from apps.sync.models import SyncDirection, SyncStatus
from apps.sync.package import PackageRefused

# Reasons a row is not applied (also the `reason` codes in reports and the log).
NOT_OWNER = "not owner"
OLDER = "older version"
BOTH_EDITED = "same version edited on both sides"
UNKNOWN_REFERENCE = "unknown reference"
DELETED_HERE = "deleted here"
UNIQUE = "violates a uniqueness rule"
STILL_REFERENCED = "still referenced"
BAD_FILE = "file outside the package or its folder"


@dataclass
class ModelCounts:
    applied: int = 0
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    conflicts: int = 0
    deleted: int = 0


@dataclass
class ImportReport:
    package_id: str
    kind: str
    origin: str
    target: str | None
    center: str | None
    dry_run: bool
    sha256: str
    size_bytes: int
    models: dict[str, ModelCounts] = field(default_factory=dict)
    conflicts: list[dict] = field(default_factory=list)
    conflict_count: int = 0
    media_files: int = 0
    media_restored: int = 0  # of media_files: files of unchanged rows that were missing here
    seconds: float = 0.0
    # Where the time went: verify (checksums, signature), rows, media (extract), move (before commit).
    phases: dict[str, float] = field(default_factory=dict)

    def counts(self, label: str) -> ModelCounts:
        return self.models.setdefault(label, ModelCounts())

    def conflict(self, label: str, object_id, reason: str, detail: str = "") -> None:
        self.counts(label).conflicts += 1
        self.conflict_count += 1
        if len(self.conflicts) < 10_000:
            self.conflicts.append({"model": label, "id": str(object_id), "reason": reason, "detail": detail})

    def as_dict(self) -> dict:
        data = asdict(self)
        data["models"] = {k: asdict(v) for k, v in self.models.items()}
        return data


def log_refusal(exc: PackageRefused, *, user, file_name: str, sha256: str, size: int, **about) -> None:
    sync_log_write(
        direction=SyncDirection.IMPORT,
        user=user,
        status=SyncStatus.REFUSED,
        message=exc.message,
        file_name=file_name,
        sha256=sha256,
        size_bytes=size,
        **about,
    )


def log_import(result: ImportReport, *, user, file_name: str) -> None:
    """The entry of an import that ran (applied, or rolled back as a dry run)."""
    sync_log_write(
        direction=SyncDirection.IMPORT,
        user=user,
        status=SyncStatus.DRY_RUN if result.dry_run else SyncStatus.OK,
        kind=result.kind,
        package_id=result.package_id,
        origin=result.origin,
        target=result.target or "",
        center=result.center or "",
        file_name=file_name,
        sha256=result.sha256,
        size_bytes=result.size_bytes,
        counts={
            **{k: asdict(v) for k, v in result.models.items()},
            "media files": {"moved in": result.media_files, "restored": result.media_restored},
        },
        conflicts=result.conflicts,
        conflict_count=result.conflict_count,
        duration_seconds=result.seconds,
    )
