"""Issue 10, item 7: zip bombs in packages are refused before they cost memory.

The issue's attack: a 1 MB zip whose manifest.json inflates to 1,000 MiB, posted to
POST /api/sync/import/ by a center manager, took the server from 91 MB to 2.15 GB before
any signature check. Every package here is a real zip; the bombs really inflate.
"""

import hashlib
import io
import json
import os
import shutil
import tracemalloc
import zipfile
from pathlib import Path

import pytest

from apps.candidates.models import Candidate
from apps.sync import keys
from apps.sync.importer import package_check, package_import
from apps.sync.models import SyncLog, SyncStatus
from apps.sync.package import PackageReader, PackageRefused
from tests.ziptools import patch_declared_size

pytestmark = pytest.mark.django_db

MiB = 1024 * 1024


@pytest.fixture(scope="module")
def thousand_mib_bomb(tmp_path_factory) -> Path:
    """The issue's file: about 1 MB of zip, manifest.json inflating to 1,000 MiB of `{`."""
    path = tmp_path_factory.mktemp("bomb") / "bomb.zip"
    with zipfile.ZipFile(path, "w") as archive:
        info = zipfile.ZipInfo("manifest.json")
        info.compress_type = zipfile.ZIP_DEFLATED
        block = b"{" * MiB
        with archive.open(info, "w", force_zip64=True) as out:
            for _ in range(1000):
                out.write(block)
        archive.writestr("manifest.sig", b"s" * 64)
    return path


def at_center(settings, code="A01"):
    settings.NODE_CENTER = code
    Candidate.objects.all().delete()
    shutil.rmtree(settings.MEDIA_ROOT, ignore_errors=True)


def nothing_changed(settings):
    assert not Candidate.objects.exists()
    media = Path(settings.MEDIA_ROOT)
    assert not media.exists() or not any(p.is_file() for p in media.rglob("*"))
    assert not list(media.parent.glob(".media-incoming-*"))


def refusal_log() -> SyncLog:
    log = SyncLog.objects.get(direction="import")
    assert log.status == SyncStatus.REFUSED
    return log


@pytest.fixture
def signature_never_checked(monkeypatch):
    """The refusal must come before the signature check (and cost no key work)."""
    monkeypatch.setattr(keys, "verify", lambda *a: pytest.fail("the signature was checked"))


def peak_mib(call) -> tuple[float, object]:
    """Run `call`; return the peak of Python allocations during it (MiB) and its outcome."""
    tracemalloc.start()
    try:
        tracemalloc.reset_peak()
        try:
            outcome = call()
        except PackageRefused as exc:
            outcome = exc
        return tracemalloc.get_traced_memory()[1] / MiB, outcome
    finally:
        tracemalloc.stop()


def zip_bytes(members: dict[str, bytes], method=zipfile.ZIP_DEFLATED) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", method) as archive:
        for name, data in members.items():
            archive.writestr(name, data)
    return out.getvalue()


# --- manifest.json -----------------------------------------------------------------------------


def test_the_issues_bomb_posted_by_a_center_manager_is_refused_for_a_few_mb(
    cast, client_for, hq_key, settings, thousand_mib_bomb, signature_never_checked
):
    at_center(settings)
    size = thousand_mib_bomb.stat().st_size
    assert size < 2 * MiB  # the issue's was 1 MB
    client = client_for(cast["manager_a"])

    def post():
        with open(thousand_mib_bomb, "rb") as fh:
            return client.post("/api/sync/import/", {"file": fh}, format="multipart")

    peak, response = peak_mib(post)
    assert response.status_code == 400, response.json()
    body = response.json()
    assert body["code"] == "limit_exceeded"
    assert body["detail"].startswith("Package refused, nothing changed: The package: manifest.json unpacks to ")
    assert "1,048,576,000 bytes" in body["detail"] and "MAX_PACKAGE_MANIFEST_BYTES" in body["detail"]
    # The whole request, the 1 MB upload held by the test client and Django included.
    assert peak < 12, f"{peak:.1f} MiB"
    log = refusal_log()
    assert log.user == cast["manager_a"] and log.file_name == "bomb.zip"
    assert "MAX_PACKAGE_MANIFEST_BYTES" in log.message and log.size_bytes == size
    assert log.sha256 == hashlib.sha256(thousand_mib_bomb.read_bytes()).hexdigest()
    nothing_changed(settings)


def test_the_reader_refuses_the_bomb_without_unpacking_it(hq_key, settings, thousand_mib_bomb):
    at_center(settings)
    peak, refused = peak_mib(lambda: package_check(path=thousand_mib_bomb))
    assert isinstance(refused, PackageRefused) and refused.code == "limit_exceeded"
    assert peak < 2, f"{peak:.1f} MiB"
    assert refusal_log().message == refused.message


def test_a_manifest_just_over_the_limit_is_refused(hq_key, settings, tmp_path, signature_never_checked):
    at_center(settings)
    settings.MAX_PACKAGE_MANIFEST_BYTES = MiB
    path = tmp_path / "over.zip"
    path.write_bytes(zip_bytes({"manifest.json": b"{" * (2 * MiB), "manifest.sig": b"s" * 64}))
    peak, refused = peak_mib(lambda: package_import(path=path))
    assert refused.code == "limit_exceeded"
    assert "manifest.json unpacks to 2,097,152 bytes; the limit is 1,049,600 bytes" in refused.message
    assert peak < 4, f"{peak:.1f} MiB"
    assert refusal_log().message == refused.message
    nothing_changed(settings)


def test_a_manifest_whose_header_lies_is_refused_one_byte_past_its_declared_size(
    hq_key, settings, tmp_path, signature_never_checked
):
    at_center(settings)
    data = zip_bytes({"manifest.json": b" " * (200 * MiB), "manifest.sig": b"s" * 64})
    path = tmp_path / "liar.zip"
    path.write_bytes(patch_declared_size(data, "manifest.json", 1000))
    peak, refused = peak_mib(lambda: package_import(path=path))
    assert refused.code == "damaged"
    assert "manifest.json unpacks to more than the 1,000 bytes its header declares" in refused.message
    assert peak < 4, f"{peak:.1f} MiB"
    assert refusal_log().status == SyncStatus.REFUSED
    nothing_changed(settings)


def test_the_manifest_limit_grows_with_the_files_a_package_holds(settings):
    from apps.sync.package import manifest_limit

    settings.MAX_PACKAGE_MANIFEST_BYTES = 16 * MiB
    assert manifest_limit(0) == 16 * MiB
    # A center of 20,000 candidates with photo and signature: 40,000 media files.
    assert manifest_limit(40_000) == 16 * MiB + 40_000 * 512


# --- data and media files ----------------------------------------------------------------------


def test_a_file_declared_over_the_member_limit_is_refused_before_the_signature(
    center_package, settings, signature_never_checked
):
    at_center(settings)
    settings.MAX_PACKAGE_MEMBER_BYTES = 100
    with pytest.raises(PackageRefused, match=r"unpacks to [\d,]+ bytes; the limit is 100 bytes") as refused:
        package_import(path=center_package)
    assert refused.value.code == "limit_exceeded" and "MAX_PACKAGE_MEMBER_BYTES" in refused.value.message
    assert refusal_log().message == refused.value.message
    nothing_changed(settings)


def test_a_file_compressed_like_a_bomb_is_refused_before_the_signature(
    hq_key, settings, tmp_path, signature_never_checked
):
    at_center(settings)
    manifest = json.dumps({"format": "exam-system-package", "files": {}}).encode()
    path = tmp_path / "ratio.zip"
    path.write_bytes(zip_bytes({"data/x.jsonl": b"\0" * (20 * MiB), "manifest.json": manifest}))
    with pytest.raises(PackageRefused, match=r"data/x\.jsonl is compressed [\d,]+ to 1 .*MAX_COMPRESSION_RATIO"):
        package_import(path=path)
    assert refusal_log().status == SyncStatus.REFUSED
    nothing_changed(settings)


def test_other_compression_methods_are_refused(hq_key, settings, tmp_path, signature_never_checked):
    at_center(settings)
    path = tmp_path / "bzip2.zip"
    path.write_bytes(zip_bytes({"manifest.json": b"{}", "data/x.jsonl": b"{}"}, method=zipfile.ZIP_BZIP2))
    with pytest.raises(PackageRefused, match="compressed with bzip2, which is not accepted"):
        package_import(path=path)


def test_too_many_files_are_refused_from_the_end_record(center_package, settings, monkeypatch):
    at_center(settings)
    settings.MAX_PACKAGE_FILES = 3
    built = []
    real = zipfile.ZipFile
    monkeypatch.setattr(zipfile, "ZipFile", lambda *a, **k: built.append(a) or real(*a, **k))
    with pytest.raises(PackageRefused, match=r"holds \d+ files or more; the limit is 3 \(MAX_PACKAGE_FILES\)"):
        PackageReader.open(center_package)
    assert built == []


def test_a_genuine_manifest_with_a_swollen_data_file_is_refused_with_bounded_reads(center_package, settings, tmp_path):
    """A replay: the signed manifest of a real package, with one data file replaced by one
    that unpacks far past the size both the zip header and the manifest give. The
    signature passes, the seal does not, and every file is then read to name the damaged
    one: that read stops one byte past the declared size, LZMA included."""
    at_center(settings)
    name = "data/candidates.Candidate.jsonl"
    out = tmp_path / "replay.zip"
    with zipfile.ZipFile(center_package) as source, zipfile.ZipFile(out, "w") as target:
        for info in source.infolist():
            data = source.read(info)
            if info.filename == name:
                declared = len(data)
                data += b"\0" * (64 * MiB) + os.urandom(1024)
            target.writestr(info.filename, data, compress_type=info.compress_type)
        target.comment = source.comment
    assert zipfile.ZipFile(out).getinfo(name).compress_type == zipfile.ZIP_LZMA
    out.write_bytes(patch_declared_size(out.read_bytes(), name, declared))
    peak, refused = peak_mib(lambda: package_import(path=out))
    assert isinstance(refused, PackageRefused) and refused.code == "checksum_mismatch", refused
    assert f"{name} unpacks to more than the {declared:,} bytes its header declares" in refused.message
    assert peak < 16, f"{peak:.1f} MiB"  # the 8 MiB LZMA dictionary and 1 MiB chunks
    assert refusal_log().status == SyncStatus.REFUSED
    nothing_changed(settings)


def test_a_genuine_package_still_imports(center_package, settings):
    at_center(settings)
    result = package_import(path=center_package)
    assert result.models["candidates.Candidate"].applied == 5
