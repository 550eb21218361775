"""sync_results: move a center's results package from its source node to a target node.

Where the package comes from:

* the source center is this node: a local export;
* the source center is another node with a sync link here (`sync_link`): a download from
  that node; without a link, nothing can be done here: the command must run on the
  source's node, and the message says so, with the commands to run there and at the target.

Where it goes:

* `--via-file F`: written to F, nothing imported; the report says which node must import
  it and with which command;
* the target is this node: a local import;
* the target is a center with a sync link: an upload;
* otherwise (HQ seen from a center, a center without a link): written to a file, as with
  `--via-file`, named `results_<source>_to_<target>.zip` in the current folder.
"""

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
from apps.sync.package import RESULTS_PACKAGE, PackageReader
from utils.exceptions import ApplicationError
from utils.progress import ProgressCallback


@dataclass
class ResultsSyncReport:
    source: str
    target: str
    pulled: str  # "local export" or the URL
    delivered: str  # "local import", the URL, or "file"
    package_bytes: int = 0
    counts: dict = field(default_factory=dict)  # rows applied per model, when delivered
    conflict_count: int = 0
    local_report: ImportReport | None = None
    # When the package was written to a file instead of being delivered:
    file: Path | None = None
    why_file: str = ""  # "--via-file", or why no delivery was possible
    package_counts: dict = field(default_factory=dict)  # rows per model in the package

    @property
    def carried(self) -> bool:
        return self.file is not None

    def import_instructions(self) -> list[str]:
        """What to do with the file: which node imports it, with which command."""
        assert self.file is not None
        where = _node_name(self.target)
        lines = [
            f"Carry {self.file} to the node of {where} and run there (NODE_CENTER={self.target}):",
            f"  python manage.py import_center_data --input-file {self.file.name}",
        ]
        if self.target != self.source:
            lines.append(
                f"That node must trust center {self.source}'s key, once: "
                f"python manage.py sync_keys --trust {self.source} {self.source}.pem "
                f"(the file from `sync_keys --export-public` on center {self.source}'s node)."
            )
        return lines


def _node_name(code: str) -> str:
    return "HQ" if code == "HQ" else f"center {code}"


def _center(value: str) -> Model:
    center = center_by_code_or_id(value)
    if center is None:
        raise ApplicationError("not_found", f"No center with code or id {value!r}.")
    return center


def default_file(source: str, target: str) -> Path:
    return Path(f"results_{source}_to_{target}.zip")


def run_at_source_message(source: str, target: str, via_file: Path | None) -> str:
    node = settings.NODE_CENTER
    name = (via_file or default_file(source, target)).name
    return (
        f"The results of center {source} are on center {source}'s own node, and this node "
        f"({_node_name(node)}) has no link to it. Run this on center {source}'s node (NODE_CENTER={source}): "
        f"python manage.py sync_results --source-center {source} --target-center {target} --via-file {name} "
        f"and then, on the node of {_node_name(target)}: python manage.py import_center_data --input-file {name}. "
        f"Or link this node to center {source}'s: python manage.py sync_link --center-id {source} "
        "--url http://HOST:8000 --username MANAGER."
    )


def _remote(center: Model) -> tuple[str, str]:
    """(base URL, access token) for the node of `center`, from its sync link."""
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
    ("HQ" or a center code), or write it to a file when asked (`via_file`) or when there is
    no way to deliver it from here. Idempotent: delivering the same package again changes
    nothing. Raises ApplicationError / transport.TransportError with a message."""
    node = settings.NODE_CENTER
    source_center = _center(source)
    source_code = source_center.code
    local_source = source_code == node
    to_hq = target.strip().upper() == "HQ"
    target_center = None if to_hq else center_by_code_or_id(target)
    if to_hq:
        target_code = "HQ"
    elif target_center is not None:
        target_code = target_center.code
    elif local_source and target.strip():
        # A center's node knows no other center (its package carries only itself): the
        # package can still be written for the code given, to be carried there.
        target_code = target.strip()
    else:
        raise ApplicationError("not_found", f"No center with code or id {target!r}.")

    if not local_source and not source_center.sync_url:
        raise ApplicationError("run_at_source", run_at_source_message(source_code, target_code, via_file))
    if local_source and target_code == node:
        raise ApplicationError("same_node", f"Center {source_code} is both the source and this node: nothing to move.")

    # How it will be delivered, decided before any work.
    why_file = ""
    if via_file is not None:
        why_file = "--via-file"
    elif target_code == node:
        pass
    elif to_hq:
        why_file = "HQ cannot be reached from a center node"
    elif target_center is None:
        why_file = f"center {target_code} is not known on this node"
    elif not target_center.sync_url:
        why_file = f"this node has no link to center {target_code} (sync_link)"
    carry_to = (via_file or default_file(source_code, target_code)) if why_file else None

    work = Path(settings.DATA_DIR) / "tmp"
    work.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(dir=work) as tmp:
        package = Path(tmp) / f"results-{source_code}.zip"
        if local_source:
            exported = package_export(
                kind=RESULTS_PACKAGE,
                center=source_center,
                output=package,
                target=target_code,
                force=force,
                user=user,
                progress=progress,
            )
            package_counts = dict(exported.counts)
            pulled = "local export"
        else:
            base, token = _remote(source_center)
            query = {"center": source_code, "kind": RESULTS_PACKAGE, "target": target_code}
            if force:
                query["force"] = "true"
            transport.download(base, token, query, package)
            package_counts = _package_counts(package)
            pulled = base
        result = ResultsSyncReport(
            source=source_code,
            target=target_code,
            pulled=pulled,
            delivered="",
            package_bytes=package.stat().st_size,
            package_counts=package_counts,
        )
        if carry_to is not None:
            carry_to.parent.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(package, carry_to)
            result.delivered = "file"
            result.file = carry_to.resolve()
            result.why_file = why_file
        elif target_code == node:
            report = package_import(path=package, user=user, progress=progress)
            result.delivered = "local import"
            result.local_report = report
            result.counts = {k: v.applied for k, v in report.models.items()}
            result.conflict_count = report.conflict_count
        else:
            base, token = _remote(target_center)
            body = transport.upload(base, token, package)
            result.delivered = base
            result.counts = {k: v["applied"] for k, v in body.get("models", {}).items()}
            result.conflict_count = body.get("conflict_count", 0)
    return result


def _package_counts(path: Path) -> dict[str, int]:
    reader = PackageReader.open(path)
    try:
        return {label: reader.row_count(label) for label in reader.labels()}
    finally:
        reader.close()
