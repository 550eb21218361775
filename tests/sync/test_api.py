"""GET /api/sync/export/, POST /api/sync/import/, GET /api/sync/log/: roles, bodies, database."""

import io
import zipfile

import pytest

from apps.candidates.models import Candidate
from apps.sync.models import SyncLog

pytestmark = pytest.mark.django_db


def upload(client, path, **query):
    qs = "&".join(f"{k}={v}" for k, v in query.items())
    with open(path, "rb") as fh:
        return client.post(f"/api/sync/import/?{qs}", {"file": fh}, format="multipart")


def test_anonymous_is_401(api):
    assert api.get("/api/sync/export/?center=A01").status_code == 401
    assert api.post("/api/sync/import/").status_code == 401
    assert api.get("/api/sync/log/").status_code == 401


@pytest.mark.parametrize("role", ["paper_setter", "invigilator_a", "evaluator"])
def test_other_roles_are_403(role, cast, client_for, center_package):
    client = client_for(cast[role])
    assert client.get("/api/sync/export/?center=A01").status_code == 403
    assert upload(client, center_package).status_code == 403
    assert client.get("/api/sync/log/").status_code == 403


def test_hq_staff_export_a_center_package(cast, client_for, hq_key, candidates_a):
    response = client_for(cast["exam_manager"]).get("/api/sync/export/?center=A01")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/zip"
    body = b"".join(response.streaming_content)
    assert len(body) == int(response["Content-Length"])
    with zipfile.ZipFile(io.BytesIO(body)) as zf:
        assert "manifest.json" in zf.namelist() and "manifest.sig" in zf.namelist()
        assert b"A01" in zf.read("manifest.json")
    log = SyncLog.objects.get(direction="export")
    assert (log.user, log.center, log.sha256) == (cast["exam_manager"], "A01", response["X-Package-SHA256"])
    assert log.counts["candidates.Candidate"] == 5


def test_unknown_center_is_404_and_bad_kind_400(cast, client_for, hq_key):
    client = client_for(cast["admin"])
    assert client.get("/api/sync/export/?center=NOPE").status_code == 404
    response = client.get("/api/sync/export/?center=A01&kind=everything")
    assert response.status_code == 400 and "kind" in response.json()["errors"]


def test_a_center_manager_exports_only_its_own_results(cast, client_for, hq_key, center_a, settings):
    client = client_for(cast["manager_a"])
    # Not a center package, not another center's results.
    assert client.get("/api/sync/export/?center=A01&kind=center-package").status_code == 403
    assert client.get("/api/sync/export/?center=B01&kind=results-package").status_code == 403
    settings.NODE_CENTER = "A01"
    response = client.get("/api/sync/export/?center=A01")
    assert response.status_code == 200
    b"".join(response.streaming_content)
    assert SyncLog.objects.get(direction="export").kind == "results-package"


def test_exporting_results_at_hq_is_refused_with_a_reason(cast, client_for, hq_key, center_a):
    response = client_for(cast["admin"]).get("/api/sync/export/?center=A01&kind=results-package")
    assert response.status_code == 400
    assert response.json()["code"] == "wrong_node"


def test_a_center_manager_imports_its_centers_package(cast, client_for, center_package, settings):
    settings.NODE_CENTER = "A01"
    Candidate.objects.all().delete()
    client = client_for(cast["manager_a"])
    dry = upload(client, center_package, dry_run=1)
    assert dry.status_code == 200
    assert dry.json()["dry_run"] is True and dry.json()["models"]["candidates.Candidate"]["created"] == 5
    assert Candidate.objects.count() == 0
    response = upload(client, center_package)
    assert response.status_code == 200
    assert response.json()["models"]["candidates.Candidate"]["applied"] == 5
    assert Candidate.objects.count() == 5
    log = SyncLog.objects.filter(direction="import", status="ok").get()
    assert log.user == cast["manager_a"] and log.counts["candidates.Candidate"]["applied"] == 5


def test_a_center_manager_cannot_import_another_centers_package(cast, client_for, center_package, settings):
    settings.NODE_CENTER = "A01"
    Candidate.objects.all().delete()
    response = upload(client_for(cast["manager_b"]), center_package)
    assert response.status_code == 403
    assert response.json()["code"] == "not_your_center"
    assert Candidate.objects.count() == 0


def test_a_damaged_upload_is_400_with_the_reason(cast, client_for, center_package, settings):
    settings.NODE_CENTER = "A01"
    data = center_package.read_bytes()
    center_package.write_bytes(data[: len(data) - 100])
    response = upload(client_for(cast["admin"]), center_package)
    assert response.status_code == 400
    assert response.json()["code"] == "damaged"
    assert "truncated" in response.json()["detail"]


def test_an_oversized_upload_is_413(cast, client_for, center_package, settings):
    settings.MAX_SYNC_UPLOAD_BYTES = 1000
    response = upload(client_for(cast["admin"]), center_package)
    assert response.status_code == 413
    assert response.json()["code"] == "too_large"


def test_the_log_is_scoped_by_center(cast, client_for, django_assert_max_num_queries):
    SyncLog.objects.create(direction="import", kind="center-package", center="A01", user=cast["manager_a"])
    SyncLog.objects.create(direction="export", kind="center-package", center="B01", user=cast["admin"])
    with django_assert_max_num_queries(4):
        everything = client_for(cast["exam_manager"]).get("/api/sync/log/")
    assert everything.status_code == 200 and everything.json()["count"] == 2
    mine = client_for(cast["manager_a"]).get("/api/sync/log/").json()
    assert [(r["center"], r["username"]) for r in mine["results"]] == [("A01", "manager_a")]
    assert client_for(cast["manager_b"]).get("/api/sync/log/?direction=import").json()["count"] == 0


def test_the_admin_shows_the_sync_log_read_only(cast, client, center_a):
    SyncLog.objects.create(direction="import", kind="center-package", center="A01")
    SyncLog.objects.create(direction="import", kind="center-package", center="B01")
    client.force_login(cast["manager_a"])
    response = client.get("/admin/sync/synclog/")
    assert response.status_code == 200
    assert response.context["cl"].result_count == 1
    assert client.get("/admin/sync/synclog/add/").status_code == 403
    client.force_login(cast["admin"])
    assert client.get("/admin/sync/synclog/").context["cl"].result_count == 2


def test_a_large_upload_is_read_from_djangos_temporary_file(cast, client_for, center_package, settings):
    settings.FILE_UPLOAD_MAX_MEMORY_SIZE = 100  # force a TemporaryUploadedFile
    settings.NODE_CENTER = "A01"
    Candidate.objects.all().delete()
    response = upload(client_for(cast["admin"]), center_package)
    assert response.status_code == 200
    assert response.json()["models"]["candidates.Candidate"]["applied"] == 5
