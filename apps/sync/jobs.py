"""Job kinds of this app (discovered at start-up by apps.jobs): package export and import.

Both runners check the job's user again (apps.sync.access): the view checked the same
rules before it started the job, but the user's role or center may have changed since.
"""

from django.utils import timezone
from django.utils.dateparse import parse_datetime

from apps.jobs.registry import register_job_kind
from apps.jobs.services import job_output_path
from apps.sync import nodes
from apps.sync.access import export_access_check, import_allowed_target
from apps.sync.exporter import ExportReport, package_export
from apps.sync.importer import ImportReport, package_import
from apps.sync.package import PackageRefused
from utils.exceptions import ApplicationError

# At most this many conflicts are answered (inline) or kept in a job's result; the
# sync log keeps up to 10,000 and the count is always complete.
CONFLICTS_IN_RESPONSE = 1000


def export_filename(kind: str, center) -> str:
    """The download name of a package, inline or from a job."""
    return f"{kind}-{center.code}-{timezone.now():%Y%m%dT%H%M%S}.zip"


def export_summary(result: ExportReport) -> dict:
    return {
        "package_id": result.package_id,
        "kind": result.kind,
        "center": result.center,
        "target": result.target,
        "sha256": result.sha256,
        "size_bytes": result.size_bytes,
        "counts": result.counts,
        "media_files": result.media_files,
        "seconds": round(result.seconds, 3),
    }


def import_body(result: ImportReport) -> dict:
    """The import report as the API answers it (inline, or as a job's result)."""
    body = result.as_dict()
    body["conflicts"] = body["conflicts"][:CONFLICTS_IN_RESPONSE]
    return body


def refusal_error(exc: PackageRefused) -> ApplicationError:
    """A refused package as the job's error: the inline answer's code and reason."""
    return ApplicationError(exc.code, f"Package refused, nothing changed: {exc.message}", extra={"refused": True})


def run_export(job, params, progress):
    """params: {"center": id, "kind", "since": ISO time or None, "target", "force"} as
    GET /api/sync/export/ took them; produces the package as the job's download."""
    center = nodes.center_get(params["center"])
    if center is None:
        raise ApplicationError("not_found", "The center no longer exists.", status_code=404)
    export_access_check(user=job.created_by, kind=params["kind"], center=center)
    since = parse_datetime(params["since"]) if params.get("since") else None
    path = job_output_path(job, suffix=".zip", filename=export_filename(params["kind"], center))
    result = package_export(
        kind=params["kind"],
        center=center,
        output=path,
        since=since,
        target=params.get("target") or None,
        force=params["force"],
        user=job.created_by,
        progress=progress,
    )
    return export_summary(result)


def run_import(job, params, progress):
    """params: {"dry_run", "file_name"} as POST /api/sync/import/ took them; the package
    is the job's input file. A refused package fails the job with the reason."""
    user = job.created_by
    try:
        result = package_import(
            path=job.input_file.path,
            user=user,
            dry_run=params["dry_run"],
            allowed_target=import_allowed_target(user),
            progress=progress,
            file_name=params.get("file_name") or None,
        )
    except PackageRefused as exc:
        raise refusal_error(exc) from exc
    return import_body(result)


register_job_kind("sync.export", run_export, label="Export a sync package (zip)")
register_job_kind("sync.import", run_import, label="Verify and apply a sync package")
