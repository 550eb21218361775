"""GET /api/sync/export/ and POST /api/sync/import/ as background jobs: ?async=1 or large.

Every check the inline path answers with 4xx runs before the job exists; the runners
check the job's user again.
"""

import hashlib
from pathlib import Path

import pytest

from apps.candidates.models import Candidate
from apps.jobs.models import Job, JobStatus
from apps.sync.importer import package_import
from apps.sync.models import SyncLog, SyncStatus
from tests.jobs.contract import assert_job_accepted
from tests.sync.test_api import upload
from tests.sync.test_verify import at_center, flip_byte_in
from utils.progress import OperationCancelled

pytestmark = pytest.mark.django_db


def media_files(settings) -> list[Path]:
    """Files in MEDIA_ROOT, jobs' own inputs and outputs aside."""
    root = Path(settings.MEDIA_ROOT)
    return [p for p in root.rglob("*") if p.is_file() and "jobs" not in p.relative_to(root).parts]


# --- export ------------------------------------------------------------------------------


def test_async_export_answers_202_and_the_job_writes_a_package_that_imports(
    cast, client_for, hq_key, candidates_a, run_worker, settings, tmp_path
):
    client = client_for(cast["exam_manager"])
    response = client.get("/api/sync/export/?center=A01&async=1")
    job = assert_job_accepted(response, kind="sync.export", user=cast["exam_manager"])
    assert job.params["kind"] == "center-package" and job.params["since"] is None
    assert not SyncLog.objects.filter(direction="export").exists()

    run_worker()
    body = client.get(f"/api/jobs/{job.pk}/").json()
    assert body["status"] == "succeeded", body["error"]
    result = body["result"]
    assert result["kind"] == "center-package" and result["center"] == "A01" and result["target"] == "A01"
    assert result["counts"]["candidates.Candidate"] == 5 and result["media_files"] == 10
    assert body["download_url"] == f"/api/jobs/{job.pk}/download/"

    download = client.get(body["download_url"])
    assert download.status_code == 200
    assert 'filename="center-package-A01-' in download["Content-Disposition"]
    data = b"".join(download.streaming_content)
    assert len(data) == result["size_bytes"]
    assert hashlib.sha256(data).hexdigest() == result["sha256"]
    log = SyncLog.objects.get(direction="export")
    assert (log.user, log.package_id, log.sha256) == (cast["exam_manager"], result["package_id"], result["sha256"])

    # The downloaded package is a real one: the center verifies and applies it.
    path = tmp_path / "from-job.zip"
    path.write_bytes(data)
    at_center(settings)
    report = package_import(path=path)
    assert report.package_id == result["package_id"]
    assert report.models["candidates.Candidate"].created == 5
    assert Candidate.objects.count() == 5


def test_a_center_with_many_candidates_is_exported_as_a_job_without_asking(
    cast, client_for, hq_key, candidates_a, settings
):
    client = client_for(cast["admin"])
    settings.JOBS_ASYNC_THRESHOLD = 5  # five candidates allocated to A01: not above it
    inline = client.get("/api/sync/export/?center=A01")
    assert inline.status_code == 200
    b"".join(inline.streaming_content)
    settings.JOBS_ASYNC_THRESHOLD = 4
    assert_job_accepted(client.get("/api/sync/export/?center=A01"), kind="sync.export", user=cast["admin"])
    assert_job_accepted(client.get("/api/sync/export/?center=A01&async=0"), kind="sync.export", user=cast["admin"])


def test_export_refusals_come_before_any_job(cast, client_for, hq_key, candidates_a, center_b, settings):
    manager = client_for(cast["manager_a"])
    admin = client_for(cast["admin"])
    assert manager.get("/api/sync/export/?center=A01&kind=center-package&async=1").status_code == 403
    assert manager.get("/api/sync/export/?center=B01&kind=results-package&async=1").status_code == 403
    assert manager.get("/api/sync/export/?center=NOPE&async=1").status_code == 403
    assert client_for(cast["invigilator_a"]).get("/api/sync/export/?center=A01&async=1").status_code == 403
    assert admin.get("/api/sync/export/?center=NOPE&async=1").status_code == 404
    wrong_node = admin.get("/api/sync/export/?center=A01&kind=results-package&async=1")
    assert wrong_node.status_code == 400 and wrong_node.json()["code"] == "wrong_node"
    assert admin.get("/api/sync/export/?center=A01&async=maybe").status_code == 400
    settings.JOBS_ASYNC_THRESHOLD = 0  # large: would be a job, but still refused first
    assert manager.get("/api/sync/export/?center=B01&kind=results-package").status_code == 403
    assert Job.objects.count() == 0
    assert not SyncLog.objects.exists()


def test_a_center_manager_exports_its_results_as_a_job(
    cast, client_for, hq_key, candidates_a, settings, run_worker, frozen_clock
):
    # Frozen after exam_a's session (10:00-12:00 on the exam day): no session in progress.
    settings.NODE_CENTER = "A01"
    client = client_for(cast["manager_a"])
    job = assert_job_accepted(
        client.get("/api/sync/export/?center=A01&async=1"), kind="sync.export", user=cast["manager_a"]
    )
    assert job.params["kind"] == "results-package"
    run_worker()
    job.refresh_from_db()
    assert job.status == JobStatus.SUCCEEDED, job.error
    assert job.result["kind"] == "results-package" and job.result["target"] == "HQ"
    assert job.output_name.startswith("results-package-A01-")
    assert client.get(f"/api/jobs/{job.pk}/download/").status_code == 200


def test_the_export_job_checks_its_user_again(
    cast, client_for, hq_key, candidates_a, center_b, settings, run_worker, frozen_clock
):
    settings.NODE_CENTER = "A01"
    manager = cast["manager_a"]
    job = assert_job_accepted(
        client_for(manager).get("/api/sync/export/?center=A01&async=1"), kind="sync.export", user=manager
    )
    manager.center = center_b  # moved to another center before the worker ran the job
    manager.save()
    run_worker()
    job.refresh_from_db()
    assert job.status == JobStatus.FAILED
    assert job.error["code"] == "permission_denied"
    assert not job.output_file
    assert not SyncLog.objects.filter(direction="export").exists()


# --- import ------------------------------------------------------------------------------


def test_async_import_answers_202_and_the_job_applies_the_package(
    cast, client_for, center_package, settings, run_worker, django_capture_on_commit_callbacks
):
    at_center(settings)
    client = client_for(cast["manager_a"])
    response = upload(client, center_package, **{"async": 1})
    job = assert_job_accepted(response, kind="sync.import", user=cast["manager_a"])
    assert job.params == {"dry_run": False, "file_name": "center_data.json"}
    assert Path(job.input_file.path).read_bytes() == center_package.read_bytes()
    assert Candidate.objects.count() == 0 and not SyncLog.objects.filter(direction="import").exists()

    with django_capture_on_commit_callbacks(execute=True):  # the media move on commit
        run_worker()
    body = client.get(f"/api/jobs/{job.pk}/").json()
    assert body["status"] == "succeeded", body["error"]
    assert body["result"]["models"]["candidates.Candidate"]["applied"] == 5
    assert body["result"]["dry_run"] is False and body["result"]["conflict_count"] == 0
    assert body["progress"]["done"] == body["progress"]["total"] > 0
    assert Candidate.objects.count() == 5
    assert len(media_files(settings)) == 10  # photos and signatures moved in on commit
    log = SyncLog.objects.get(direction="import")
    assert (log.status, log.user, log.file_name) == (SyncStatus.OK, cast["manager_a"], "center_data.json")


def test_a_dry_run_job_reports_and_writes_nothing(
    cast, client_for, center_package, settings, run_worker, django_capture_on_commit_callbacks
):
    at_center(settings)
    client = client_for(cast["admin"])
    job = assert_job_accepted(
        upload(client, center_package, dry_run=1, **{"async": 1}), kind="sync.import", user=cast["admin"]
    )
    with django_capture_on_commit_callbacks(execute=True):
        run_worker()
    job.refresh_from_db()
    assert job.status == JobStatus.SUCCEEDED, job.error
    assert job.result["dry_run"] is True
    assert job.result["models"]["candidates.Candidate"]["created"] == 5
    assert Candidate.objects.count() == 0
    assert media_files(settings) == []
    assert SyncLog.objects.get(direction="import").status == SyncStatus.DRY_RUN


def test_a_tampered_package_fails_the_job_with_the_reason_and_writes_nothing(
    cast, client_for, center_package, settings, run_worker, django_capture_on_commit_callbacks
):
    at_center(settings)
    flip_byte_in(center_package, "data/candidates.Candidate.jsonl")  # passes the quick checks
    client = client_for(cast["admin"])
    job = assert_job_accepted(upload(client, center_package, **{"async": 1}), kind="sync.import", user=cast["admin"])
    with django_capture_on_commit_callbacks(execute=True):
        run_worker()
    body = client.get(f"/api/jobs/{job.pk}/").json()
    assert body["status"] == "failed"
    assert body["error"]["code"] == "checksum_mismatch"
    assert body["error"]["message"].startswith("Package refused, nothing changed:")
    assert "candidates.Candidate.jsonl" in body["error"]["message"]
    assert body["error"]["extra"] == {"refused": True}
    assert Candidate.objects.count() == 0
    assert media_files(settings) == []
    assert not list(Path(settings.MEDIA_ROOT).parent.glob(".media-incoming-*"))
    log = SyncLog.objects.get(direction="import")
    assert log.status == SyncStatus.REFUSED and "candidates.Candidate.jsonl" in log.message


def test_import_refusals_come_before_any_job(cast, client_for, center_package, center_b, settings):
    at_center(settings)
    async_query = {"async": 1}
    # A package addressed to A01 uploaded by B01's manager: 403 as inline, and logged.
    response = upload(client_for(cast["manager_b"]), center_package, **async_query)
    assert response.status_code == 403 and response.json()["code"] == "not_your_center"
    log = SyncLog.objects.get(direction="import")
    assert (log.status, log.user, log.file_name) == (SyncStatus.REFUSED, cast["manager_b"], "center_data.json")
    assert upload(client_for(cast["invigilator_a"]), center_package, **async_query).status_code == 403
    settings.MAX_SYNC_UPLOAD_BYTES = 1000
    assert upload(client_for(cast["admin"]), center_package, **async_query).status_code == 413
    settings.MAX_SYNC_UPLOAD_BYTES = 10**9
    # A truncated file is refused by the quick checks, as inline.
    data = center_package.read_bytes()
    center_package.write_bytes(data[: len(data) - 100])
    damaged = upload(client_for(cast["admin"]), center_package, **async_query)
    assert damaged.status_code == 400 and damaged.json()["code"] == "damaged"
    assert Job.objects.count() == 0
    assert Candidate.objects.count() == 0
    assert not (Path(settings.MEDIA_ROOT) / "jobs").exists()  # no input file kept either


def test_a_large_upload_becomes_a_job_without_asking(cast, client_for, center_package, settings, run_worker):
    at_center(settings)
    settings.FILE_UPLOAD_MAX_MEMORY_SIZE = 100  # a TemporaryUploadedFile, removed after the request
    size = center_package.stat().st_size
    assert size >= 2000
    settings.JOBS_ASYNC_THRESHOLD = size // 2000  # estimated rows not above it: inline
    client = client_for(cast["admin"])
    inline = upload(client, center_package, dry_run=1)
    assert inline.status_code == 200 and inline.json()["dry_run"] is True
    settings.JOBS_ASYNC_THRESHOLD = size // 2000 - 1
    job = assert_job_accepted(upload(client, center_package), kind="sync.import", user=cast["admin"])
    run_worker()
    job.refresh_from_db()
    assert job.status == JobStatus.SUCCEEDED, job.error
    assert Candidate.objects.count() == 5


def test_the_import_job_checks_its_user_again(cast, client_for, center_package, center_b, settings, run_worker):
    at_center(settings)
    manager = cast["manager_a"]
    job = assert_job_accepted(
        upload(client_for(manager), center_package, **{"async": 1}), kind="sync.import", user=manager
    )
    manager.center = center_b  # moved to another center before the worker ran the job
    manager.save()
    run_worker()
    job.refresh_from_db()
    assert job.status == JobStatus.FAILED
    assert job.error["code"] == "not_your_center"
    assert Candidate.objects.count() == 0


def test_a_cancel_at_a_batch_boundary_rolls_the_import_back(center_package, settings, monkeypatch):
    """What a cancelled job's progress callback does: raise; nothing stays written."""
    at_center(settings)
    monkeypatch.setattr("apps.sync.importer.BATCH_SIZE", 2)
    calls = []

    def cancel(done, total, message):
        calls.append((done, total, message))
        if message == "candidates.Candidate" and done >= 2:
            raise OperationCancelled

    with pytest.raises(OperationCancelled):
        package_import(path=center_package, progress=cancel)
    assert calls[-1][2] == "candidates.Candidate" and calls[-1][1] > calls[-1][0]  # stopped part-way
    assert Candidate.objects.count() == 0
    assert media_files(settings) == []
    assert not list(Path(settings.MEDIA_ROOT).parent.glob(".media-incoming-*"))
    assert not SyncLog.objects.filter(direction="import").exists()
