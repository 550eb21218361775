"""Refusing a package before anything is touched (docs/sync.md, "What an import checks").

`package_verify` runs every check that needs no file contents: the container, format and
application versions, the origin's trusted key, the manifest signature, the kind and the
addressee, the models and fields. `package_verify_contents` then reads the file: the signed
seal over every byte and each data file's SHA-256 (every file's, when the seal fails, to
name the damaged one). Media files are checked again one by one as they are extracted
(`staging.MediaStager`). Every refusal raises PackageRefused.
"""

from pathlib import Path

from django.conf import settings

from apps.sync import keys, registry
from apps.sync.exporter import TOMBSTONE_LABEL
from apps.sync.package import CENTER_PACKAGE, RESULTS_PACKAGE, FileDigests, PackageReader, PackageRefused
from utils.progress import ProgressCallback


def package_verify(path: Path, *, allowed_target: str | None = None) -> PackageReader:
    """Open `path` and run every check that needs no file contents. Raises PackageRefused.

    `allowed_target`: a center code the caller is limited to (a center manager through
    the API may only import packages addressed to its center).
    """
    reader = PackageReader.open(path)
    try:
        reader.check_versions()
        reader.check_signature(_public_key(reader))
        _check_addressing(reader, allowed_target)
        _check_schema(reader)
    except BaseException:
        reader.close()
        raise
    return reader


def package_verify_contents(
    reader: PackageReader, *, digests: FileDigests | None, progress: ProgressCallback | None = None
) -> None:
    """The checks that read the file: the signed seal over every byte (`digests`: the file's,
    computed once by the caller), then the data files one by one. Raises PackageRefused."""
    try:
        reader.check_file_seal(_public_key(reader), digests=digests)
    except PackageRefused:
        reader.verify_files(progress=progress)  # names the damaged file, if one is
        raise
    # The signed seal covers every byte; the data files are checked one by one
    # too, media files again as they are extracted (MediaStager).
    reader.verify_files(media=False, progress=progress)


def _public_key(reader: PackageReader):
    """The key that must have signed the package: the origin's trusted key."""
    try:
        if reader.origin == settings.NODE_CENTER:  # our own package coming back
            return keys.node_private_key().public_key()
        if reader.origin == "HQ":
            return keys.hq_public_key()
        return keys.trusted_public_key(reader.origin)
    except keys.KeyMissing as exc:
        raise PackageRefused(
            "untrusted_key",
            f"The package comes from {reader.origin}, whose public key this node does not trust. {exc}",
        ) from exc


def _check_addressing(reader: PackageReader, allowed_target: str | None) -> None:
    node = settings.NODE_CENTER
    m = reader.manifest
    if reader.kind == CENTER_PACKAGE:
        if reader.origin != "HQ":
            raise PackageRefused(
                "wrong_origin", f"A center package must come from HQ; this one is from {reader.origin}."
            )
        if m.get("center") != node:
            raise PackageRefused(
                "wrong_center",
                f"This package is for center {m.get('center')}; this node is {_node_name(node)}.",
            )
    elif reader.kind == RESULTS_PACKAGE:
        if reader.origin == "HQ" or reader.origin != m.get("center"):
            raise PackageRefused("wrong_origin", "A results package must be written by its own center's node.")
        if m.get("target") not in (None, node):
            raise PackageRefused(
                "wrong_center", f"This results package is addressed to {m.get('target')}; this node is {node}."
            )
    else:
        raise PackageRefused("wrong_kind", f"A {reader.kind} cannot be imported; use restore_database for backups.")
    if allowed_target is not None and m.get("target") != allowed_target:
        raise PackageRefused("not_your_center", f"You may only import packages addressed to center {allowed_target}.")


def _node_name(node: str) -> str:
    return "HQ" if node == "HQ" else f"center {node}"


def _check_schema(reader: PackageReader) -> None:
    for label, meta in reader.manifest.get("models", {}).items():
        if label == TOMBSTONE_LABEL:
            continue
        spec = registry.get(label)
        if spec is None:
            raise PackageRefused("incompatible_schema", f"The package carries {label}, which this node does not sync.")
        local = {f.attname for f in spec.fields()}
        unknown = sorted(set(meta.get("fields", [])) - local)
        if unknown:
            raise PackageRefused(
                "incompatible_schema", f"{label} in the package has fields this node does not know: {unknown}."
            )
