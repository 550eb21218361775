"""A package that is damaged, altered, misaddressed or untrusted is refused, naming why,
and nothing changes (database and media)."""

import io
import json
import shutil
import tomllib
import zipfile
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command

from apps.candidates.models import Candidate
from apps.sync import keys
from apps.sync.importer import package_import
from apps.sync.models import SyncLog, SyncStatus, TrustedKey
from apps.sync.package import APPLICATION_VERSION, PackageRefused

pytestmark = pytest.mark.django_db


def at_center(settings, code="A01"):
    """Become the center, holding none of the package's candidates yet (so an import
    that went through would visibly change the database and the media folder)."""
    settings.NODE_CENTER = code
    Candidate.objects.all().delete()
    shutil.rmtree(settings.MEDIA_ROOT, ignore_errors=True)


def flip_byte_in(path, member, offset_in_member=10):
    """Flip one byte inside the stored/deflated bytes of `member` in the zip."""
    with zipfile.ZipFile(path) as zf:
        info = zf.getinfo(member)
    data = bytearray(path.read_bytes())
    # Local header: 30 bytes + name + extra, then the member's data.
    name_len = int.from_bytes(data[info.header_offset + 26 : info.header_offset + 28], "little")
    extra_len = int.from_bytes(data[info.header_offset + 28 : info.header_offset + 30], "little")
    start = info.header_offset + 30 + name_len + extra_len
    data[start + min(offset_in_member, info.compress_size - 1)] ^= 0x01
    path.write_bytes(bytes(data))


def rewrite_manifest(path, change):
    """Rewrite manifest.json with a valid zip CRC (so only the signature can catch it)."""
    out = io.BytesIO()
    with zipfile.ZipFile(path) as src, zipfile.ZipFile(out, "w") as dst:
        for item in src.infolist():
            body = src.read(item.filename)
            if item.filename == "manifest.json":
                manifest = json.loads(body)
                change(manifest)
                body = json.dumps(manifest, indent=1, sort_keys=True).encode()
            dst.writestr(item, body)
    path.write_bytes(out.getvalue())


def refused(path, match, **kwargs):
    from django.conf import settings

    with pytest.raises(PackageRefused, match=match):
        package_import(path=path, **kwargs)
    assert Candidate.objects.count() == 0
    media = Path(settings.MEDIA_ROOT)
    assert not media.exists() or not any(p.is_file() for p in media.rglob("*"))
    assert not list(media.parent.glob(".media-incoming-*"))
    log = SyncLog.objects.filter(direction="import").first()
    assert log.status == SyncStatus.REFUSED


def test_a_flipped_byte_in_a_data_file_is_refused(center_package, settings):
    at_center(settings)
    flip_byte_in(center_package, "data/candidates.Candidate.jsonl")
    refused(center_package, r"candidates\.Candidate\.jsonl .*(altered|damaged)")


def test_a_flipped_byte_in_a_media_file_is_refused(center_package, settings):
    at_center(settings)
    with zipfile.ZipFile(center_package) as zf:
        member = next(n for n in zf.namelist() if n.startswith("media/"))
    flip_byte_in(center_package, member, 2)
    refused(center_package, "altered|damaged")


def test_a_flipped_byte_in_the_manifest_is_refused(center_package, settings):
    at_center(settings)
    flip_byte_in(center_package, "manifest.json", 200)
    refused(center_package, "manifest|signature")


def test_an_edited_manifest_with_a_valid_crc_fails_the_signature(center_package, settings):
    at_center(settings)
    rewrite_manifest(center_package, lambda m: m["files"]["data/candidates.Candidate.jsonl"].update(rows=99))
    refused(center_package, "signature does not match")


def test_a_truncated_package_is_refused(center_package, settings):
    at_center(settings)
    data = center_package.read_bytes()
    center_package.write_bytes(data[: len(data) // 2])
    refused(center_package, "truncated or damaged")


def test_a_file_that_is_not_a_package_is_refused(tmp_path, settings, hq_key):
    at_center(settings)
    path = tmp_path / "center_data.json"
    path.write_text('{"not": "a package"}')
    refused(path, "not a sync package")


def test_a_package_for_another_center_is_refused(center_package, settings, center_b):
    at_center(settings, "B01")
    refused(center_package, "for center A01; this node is center B01")


def test_a_center_package_is_refused_at_hq(center_package, settings):
    at_center(settings, "HQ")
    refused(center_package, "for center A01; this node is HQ")


def test_an_untrusted_origin_is_refused(center_package, settings):
    at_center(settings)
    TrustedKey.objects.all().delete()
    refused(center_package, "does not trust")


def test_a_package_signed_by_another_key_is_refused(center_package, settings, tmp_path):
    at_center(settings)
    settings.DATA_DIR = tmp_path / "rogue"
    rogue = keys.create_node_key()
    TrustedKey.objects.filter(node="HQ").update(public_key=keys.public_key_pem(rogue))
    refused(center_package, "signature does not match")


def test_an_unknown_format_or_application_version_names_both(center_package, settings):
    at_center(settings)

    def future(m):
        m["format_version"] = 9
        m["application_version"] = "7.2.0"

    rewrite_manifest(center_package, future)
    refused(center_package, r"format version 9, application version 7\.2\.0; this node reads format version 1")


def test_the_command_says_refused_and_exits_non_zero(center_package, settings):
    at_center(settings, "B01")
    with pytest.raises(CommandError, match="Package refused, nothing changed: This package is for center A01"):
        call_command("import_center_data", "--input-file", str(center_package), verbosity=0)


def test_a_flipped_byte_anywhere_in_the_file_is_refused(center_package, settings):
    """Zip headers and the central directory too (a changed timestamp in a header alters no
    checksummed content, but the whole-file seal catches it)."""
    at_center(settings)
    original = center_package.read_bytes()
    with zipfile.ZipFile(center_package) as zf:
        central = zf.start_dir
    # Every byte of the first local header and central directory record (flags, method,
    # times, CRCs, sizes, name), the end records, the seal, and bytes spread over the file.
    offsets = [*range(0, 46), *range(central, central + 56), *range(len(original) - 90, len(original))]
    offsets += [len(original) * k // 23 for k in range(1, 23)]
    for offset in offsets:
        data = bytearray(original)
        data[offset] ^= 0x01
        center_package.write_bytes(bytes(data))
        refused(center_package, "altered|damaged|truncated|signature|not a sync package")


def test_a_package_of_the_previous_release_is_refused_naming_both_versions(center_package, settings):
    # 0.2 moved models between apps (their labels changed): a 0.1 package is not mixed in.
    at_center(settings)
    rewrite_manifest(center_package, lambda m: m.update(application_version="0.1.0"))
    refused(
        center_package, r"application version 0\.1\.0; this node reads format version 1, application version 0\.2\.0"
    )


def test_the_project_version_is_the_one_written_into_packages():
    pyproject = tomllib.loads((Path(__file__).resolve().parents[2] / "pyproject.toml").read_text())
    assert pyproject["project"]["version"] == APPLICATION_VERSION
