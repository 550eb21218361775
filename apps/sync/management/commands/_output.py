"""Shared rendering for the sync commands (not a command: the name starts with "_")."""

from apps.sync.importer import ImportReport


def import_summary(report: ImportReport) -> list[str]:
    verb = "would be" if report.dry_run else "were"
    lines = [
        f"Package {report.package_id} ({report.kind}) from {report.origin}"
        f"{' to ' + report.target if report.target else ''}, sha256 {report.sha256[:16]}…",
        f"{'model':<28}{'applied':>9}{'unchanged':>11}{'conflicts':>11}{'deleted':>9}",
    ]
    for label, c in report.models.items():
        lines.append(f"{label:<28}{c.applied:>9}{c.unchanged:>11}{c.conflicts:>11}{c.deleted:>9}")
    applied = sum(c.applied for c in report.models.values())
    lines.append(
        f"{applied} rows {verb} applied, {report.conflict_count} conflict(s), "
        f"{report.media_files} media file(s), {report.seconds:.1f} s."
    )
    if report.media_restored:
        lines.append(f"{report.media_restored} media file(s) of unchanged rows were missing here and are restored.")
    if report.phases:
        lines.append("time: " + ", ".join(f"{k} {v:.2f} s" for k, v in report.phases.items()))
    for conflict in report.conflicts[:20]:
        lines.append(f"  conflict: {conflict['model']} {conflict['id']}: {conflict['reason']} ({conflict['detail']})")
    if report.conflict_count > 20:
        lines.append(f"  … and {report.conflict_count - 20} more (see GET /api/sync/log/).")
    return lines


def table_counts(counts: dict[str, int], verbosity: int) -> list[str]:
    """Rows per table, the same lines for a backup and its restore, by table name: the
    tables that hold rows (every table with -v2)."""
    lines = [f"  {label:<40}{counts[label]:>10,}" for label in sorted(counts) if counts[label] or verbosity > 1]
    empty = sum(1 for count in counts.values() if not count)
    if empty and verbosity <= 1:
        lines.append(f"  ({empty} empty tables; -v2 lists them)")
    return lines


def rows_and_tables(counts: dict[str, int], media_files: int) -> str:
    return f"{sum(counts.values()):,} rows in {len(counts)} tables and {media_files} media files"
