"""Allocation and admit cards run as background jobs above the threshold or with ?async=1."""

import io
import zipfile

import pytest
from pypdf import PdfReader

from apps.candidates.models import Candidate
from apps.jobs.models import JobStatus
from apps.seating.models import Allocation
from tests.jobs.contract import assert_job_accepted
from tests.seating.factories import CandidateFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def registered(exam, session, center_a, room_a):
    return [CandidateFactory(exam=exam, preferred_cities=["Delhi"]) for _ in range(5)]


def test_allocation_with_async_answers_202_and_the_job_allocates(
    client_for, exam_manager, exam, registered, run_worker
):
    client = client_for(exam_manager)
    response = client.post(f"/api/exams/{exam.id}/allocate/?async=1", {"seed": 3}, format="json")
    job = assert_job_accepted(response, kind="seating.allocate", user=exam_manager)
    assert not Allocation.objects.exists()

    run_worker()
    job.refresh_from_db()
    assert job.status == JobStatus.SUCCEEDED, job.error
    assert job.result["placed"] == 5
    assert Allocation.objects.count() == 5
    assert set(Candidate.objects.values_list("status", flat=True)) == {"allocated"}
    body = client.get(f"/api/jobs/{job.id}/").json()
    assert body["status"] == "succeeded"
    assert body["result"]["placed"] == 5


def test_allocation_above_the_threshold_becomes_a_job(client_for, exam_manager, exam, registered, settings):
    settings.JOBS_ASYNC_THRESHOLD = 3
    response = client_for(exam_manager).post(f"/api/exams/{exam.id}/allocate/", {}, format="json")
    assert_job_accepted(response, kind="seating.allocate", user=exam_manager)


def test_small_allocation_stays_inline(client_for, exam_manager, exam, registered):
    response = client_for(exam_manager).post(f"/api/exams/{exam.id}/allocate/", {"dry_run": True}, format="json")
    assert response.status_code == 200
    assert response.json()["placed"] == 5
    assert not Allocation.objects.exists()


def _cards_in(zip_bytes: bytes) -> dict[str, str]:
    with zipfile.ZipFile(io.BytesIO(zip_bytes)) as archive:
        return {name: PdfReader(io.BytesIO(archive.read(name))).pages[0].extract_text() for name in archive.namelist()}


def test_admit_cards_zip_inline(client_for, exam_manager, exam, seated, node_key):
    response = client_for(exam_manager).post(f"/api/exams/{exam.id}/admit-cards/", {}, format="json")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/zip"
    cards = _cards_in(b"".join(response.streaming_content))
    people = seated["a"] + seated["b"]
    assert sorted(cards) == sorted(f"{p.roll_number}.pdf" for p in people)
    for person in people:
        assert person.roll_number in cards[f"{person.roll_number}.pdf"]


def test_admit_cards_job_produces_a_downloadable_zip(client_for, exam_manager, exam, seated, node_key, run_worker):
    client = client_for(exam_manager)
    response = client.post(f"/api/exams/{exam.id}/admit-cards/?async=1", {}, format="json")
    job = assert_job_accepted(response, kind="seating.admit_cards", user=exam_manager)
    run_worker()
    job.refresh_from_db()
    assert job.status == JobStatus.SUCCEEDED, job.error
    assert job.result["cards"] == 6
    download = client.get(f"/api/jobs/{job.id}/download/")
    assert download.status_code == 200
    assert len(_cards_in(b"".join(download.streaming_content))) == 6


def test_center_manager_gets_only_its_own_centers_cards(client_for, manager_a, exam, seated, node_key, center_b):
    client = client_for(manager_a)
    response = client.post(f"/api/exams/{exam.id}/admit-cards/", {}, format="json")
    assert response.status_code == 200
    cards = _cards_in(b"".join(response.streaming_content))
    assert sorted(cards) == sorted(f"{p.roll_number}.pdf" for p in seated["a"])
    other = client.post(f"/api/exams/{exam.id}/admit-cards/", {"center": str(center_b.id)}, format="json")
    assert other.status_code == 404


@pytest.mark.parametrize("role", ["invigilator_a", "paper_setter", "evaluator"])
def test_other_roles_cannot_print_admit_cards(client_for, cast, exam, role):
    response = client_for(cast[role]).post(f"/api/exams/{exam.id}/admit-cards/", {}, format="json")
    assert response.status_code == 403
