"""sync_results: move a center's results package from its source node to a target node."""

import shutil
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

from django.conf import settings
from django.db.models import Model

from apps.sync import transport
from apps.sync.credentials import decrypt_secret
from apps.sync.exporter import package_export
from apps.sync.importer import ImportReport, package_import
from apps.sync.nodes import center_by_code_or_id
from apps.sync.package import RESULTS_PACKAGE
from utils.exceptions import ApplicationError
from utils.progress import ProgressCallback


@dataclass
class ResultsSyncReport:
    source: str
    target: str
    pulled: str  # "local export" or the URL
    delivered: str  # "local import", the URL, or the file written
    package_bytes: int = 0
    counts: dict = field(default_factory=dict)
    conflict_count: int = 0
    local_report: ImportReport | None = None


def _center(value: str) -> Model:
    center = center_by_code_or_id(value)
    if center is None:
        raise ApplicationError("not_found", f"No center with code or id {value!r}.")
    return center


def _remote(center: Model) -> tuple[str, str]:
    """(base URL, access token) for the node of `center`, from its sync link."""
    if not center.sync_url:
        raise ApplicationError(
            "no_link",
            f"Center {center.code} is not this node and has no sync_url: set one with "
            f"`python manage.py sync_link --center-id {center.code} ...`, or carry the file (--via-file).",
        )
    password = decrypt_secret(center.sync_secret)
    return center.sync_url, transport.login(center.sync_url, center.sync_username, password)


def results_sync(
    *,
    source: str,
    target: str,
    via_file: Path | None = None,
    force: bool = False,
    user=None,
    progress: ProgressCallback | None = None,
) -> ResultsSyncReport:
    """Pull the results package of center `source` and deliver it to node `target`
    ("HQ" or a center code). Idempotent: delivering the same package again changes
    nothing. Raises ApplicationError / transport.TransportError with a message."""
    node = settings.NODE_CENTER
    source_center = _center(source)
    target_code = "HQ" if target.upper() == "HQ" else _center(target).code
    work = Path(settings.DATA_DIR) / "tmp"
    work.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(dir=work) as tmp:
        package = Path(tmp) / f"results-{source_center.code}.zip"
        if source_center.code == node:
            package_export(
                kind=RESULTS_PACKAGE,
                center=source_center,
                output=package,
                target=target_code,
                force=force,
                user=user,
                progress=progress,
            )
            pulled = "local export"
        else:
            base, token = _remote(source_center)
            query = {"center": source_center.code, "kind": RESULTS_PACKAGE, "target": target_code}
            if force:
                query["force"] = "true"
            transport.download(base, token, query, package)
            pulled = base
        result = ResultsSyncReport(
            source=source_center.code,
            target=target_code,
            pulled=pulled,
            delivered="",
            package_bytes=package.stat().st_size,
        )
        if via_file is not None:
            shutil.copyfile(package, via_file)
            result.delivered = str(via_file)
        elif target_code == node:
            report = package_import(path=package, user=user, progress=progress)
            result.delivered = "local import"
            result.local_report = report
            result.counts = {k: v.applied for k, v in report.models.items()}
            result.conflict_count = report.conflict_count
        elif target_code == "HQ":
            raise ApplicationError(
                "no_link", "HQ is not this node and cannot be reached from here: carry the file (--via-file)."
            )
        else:
            base, token = _remote(_center(target_code))
            body = transport.upload(base, token, package)
            result.delivered = base
            result.counts = {k: v["applied"] for k, v in body.get("models", {}).items()}
            result.conflict_count = body.get("conflict_count", 0)
    return result
