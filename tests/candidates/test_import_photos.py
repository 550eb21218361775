"""--photos DIR_OR_ZIP: ROLLNUMBER.jpg/.png files checked like uploads and attached to candidates."""

import zipfile

import pytest
from django.core.management import call_command

from apps.candidates.models import Candidate
from apps.candidates.services.importing import candidates_import
from apps.candidates.services.reports import ImportFailed
from tests.candidates.conftest import jpeg_bytes, pdf_bytes, png_bytes, row, write_csv

pytestmark = pytest.mark.django_db

ROLLS = ["EXAM2026000001", "EXAM2026000002"]


@pytest.fixture
def sheet(tmp_path, exam):
    rows = [row(roll_number=r, name=f"P{i}", email=f"p{i}@example.in") for i, r in enumerate(ROLLS)]
    return write_csv(tmp_path / "in.csv", rows)


def photo_dir(tmp_path, files: dict[str, bytes]):
    folder = tmp_path / "photos"
    folder.mkdir(exist_ok=True)
    for name, content in files.items():
        (folder / name).write_bytes(content)
    return folder


def test_photos_and_signatures_from_a_directory(sheet, tmp_path):
    folder = photo_dir(
        tmp_path,
        {
            "EXAM2026000001.jpg": jpeg_bytes(exif=True),
            "EXAM2026000001_signature.png": png_bytes(),
            "EXAM2026000002.PNG": png_bytes(),
            "Thumbs.db": b"junk",
        },
    )
    report = candidates_import(source=sheet, exam="EXAM2026", photos=folder)
    assert report.photos_stored == 3 and not report.errors
    first = Candidate.objects.get(roll_number=ROLLS[0])
    assert first.photo.name.endswith(".jpg") and first.signature.name.endswith(".png")
    assert b"SpyCam" not in first.photo.read()
    assert first.version == 2  # created, then its photo attached
    assert Candidate.objects.get(roll_number=ROLLS[1]).photo.name.endswith(".png")


def test_same_photos_again_change_nothing(sheet, tmp_path):
    folder = photo_dir(tmp_path, {"EXAM2026000001.jpg": jpeg_bytes()})
    candidates_import(source=sheet, exam="EXAM2026", photos=folder)
    before = list(Candidate.objects.values_list("id", "version", "photo"))
    report = candidates_import(source=sheet, exam="EXAM2026", photos=folder)
    assert (report.unchanged, report.photos_stored, report.photos_unchanged) == (2, 0, 1)
    assert list(Candidate.objects.values_list("id", "version", "photo")) == before


def test_photos_from_a_zip(sheet, tmp_path):
    archive = tmp_path / "photos.zip"
    with zipfile.ZipFile(archive, "w") as bundle:
        bundle.writestr("EXAM2026000002.jpeg", jpeg_bytes())
        bundle.writestr("__MACOSX/._EXAM2026000002.jpeg", b"resource fork")
    report = candidates_import(source=sheet, exam="EXAM2026", photos=archive)
    assert report.photos_stored == 1
    assert Candidate.objects.get(roll_number=ROLLS[1]).photo


def test_bad_or_unmatched_photo_fails_the_whole_import(sheet, tmp_path):
    folder = photo_dir(
        tmp_path,
        {"EXAM2026000001.jpg": pdf_bytes(), "EXAM2026000002.jpg": jpeg_bytes(), "NOBODY.png": png_bytes()},
    )
    with pytest.raises(ImportFailed) as caught:
        candidates_import(source=sheet, exam="EXAM2026", photos=folder)
    errors = [(e.field, e.value) for e in caught.value.report.errors]
    assert ("photo", "EXAM2026000001.jpg") in errors
    assert ("photo", "NOBODY.png") in errors
    assert not Candidate.objects.exists()
    media = tmp_path / "media"
    assert not media.exists() or not any(p.is_file() for p in media.rglob("*"))


def test_skip_invalid_keeps_good_photos(sheet, tmp_path):
    folder = photo_dir(tmp_path, {"EXAM2026000001.jpg": b"text, not an image", "EXAM2026000002.jpg": jpeg_bytes()})
    report = candidates_import(source=sheet, exam="EXAM2026", photos=folder, skip_invalid=True)
    assert report.created == 2 and report.photos_stored == 1
    assert [e.value for e in report.errors] == ["EXAM2026000001.jpg"]
    assert not Candidate.objects.get(roll_number=ROLLS[0]).photo


def test_dry_run_checks_photos_without_storing(sheet, tmp_path):
    folder = photo_dir(tmp_path, {"EXAM2026000001.jpg": jpeg_bytes()})
    report = candidates_import(source=sheet, exam="EXAM2026", photos=folder, dry_run=True)
    assert report.photos_stored == 1 and not report.errors
    assert not Candidate.objects.exists()


def test_command_photos_option(sheet, tmp_path, capsys):
    folder = photo_dir(tmp_path, {"EXAM2026000001.jpg": jpeg_bytes()})
    call_command("bulk_import_candidates", "--file", str(sheet), "--exam", "EXAM2026", "--photos", str(folder))
    assert "photos stored 1" in capsys.readouterr().out


def test_damaged_zip_member_is_reported_for_that_file_only(sheet, tmp_path):
    archive = tmp_path / "photos.zip"
    with zipfile.ZipFile(archive, "w", compression=zipfile.ZIP_DEFLATED) as bundle:
        bundle.writestr("EXAM2026000001.jpg", jpeg_bytes())
        bundle.writestr("EXAM2026000002.jpg", jpeg_bytes(colour=(1, 2, 3)))
    data = bytearray(archive.read_bytes())
    # Corrupt the compressed bytes of the first member (after its 30-byte header and name).
    start = 30 + len("EXAM2026000001.jpg")
    data[start + 10 : start + 40] = b"\xff" * 30
    archive.write_bytes(bytes(data))
    report = candidates_import(source=sheet, exam="EXAM2026", photos=archive, skip_invalid=True)
    assert [e.value for e in report.errors] == ["EXAM2026000001.jpg"]
    assert report.photos_stored == 1
