"""Django admin for candidates (scoped, stamped, images checked) and the demo data."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.http import HttpRequest

from apps.candidates.models import Candidate
from tests.candidates.conftest import jpeg_bytes, pdf_bytes
from tests.factories import TEST_PASSWORD

pytestmark = pytest.mark.django_db

ADD_URL = "/admin/candidates/candidate/add/"


def form(exam, **overrides):
    data = {
        "exam": str(exam.pk),
        "roll_number": "",
        "application_number": "",
        "name": "Asha Verma",
        "father_name": "",
        "date_of_birth": "2001-04-12",
        "gender": "F",
        "category": "GEN",
        "extra_time_minutes": "0",
        "email": "",
        "phone": "",
        "address": "",
        "city": "",
        "state": "",
        "preferred_cities": "[]",
    }
    data.update(overrides)
    return data


@pytest.fixture
def admin_client(client, exam_manager):
    client.login(request=HttpRequest(), username="exam_manager", password=TEST_PASSWORD)
    return client


def test_exam_manager_adds_candidate_in_admin_with_generated_roll_and_clean_photo(admin_client, exam):
    data = form(exam, photo=SimpleUploadedFile("me.jpg", jpeg_bytes(exif=True), content_type="image/jpeg"))
    response = admin_client.post(ADD_URL, data)
    assert response.status_code == 302, response.content.decode()[:2000]
    candidate = Candidate.objects.get()
    assert candidate.roll_number == "EXAM2026000001"
    assert candidate.origin == "HQ" and candidate.version == 1
    assert b"SpyCam" not in candidate.photo.read()


def test_a_roll_number_given_in_admin_moves_the_generator_past_it(admin_client, exam):
    # The registration service notes a hand-given number that follows the pattern, so
    # the next generated one (API, import or admin) cannot collide with it.
    assert admin_client.post(ADD_URL, form(exam, roll_number="EXAM2026000007")).status_code == 302
    assert admin_client.post(ADD_URL, form(exam, name="Ravi Kumar")).status_code == 302
    assert sorted(Candidate.objects.values_list("roll_number", flat=True)) == ["EXAM2026000007", "EXAM2026000008"]


def test_admin_refuses_a_pdf_as_photo(admin_client, exam):
    data = form(exam, photo=SimpleUploadedFile("me.jpg", pdf_bytes(), content_type="image/jpeg"))
    response = admin_client.post(ADD_URL, data)
    assert response.status_code == 200
    assert "not a JPEG or PNG" in response.content.decode()
    assert not Candidate.objects.exists()


def test_admin_change_is_stamped(admin_client, make_candidate):
    candidate = make_candidate()
    url = f"/admin/candidates/candidate/{candidate.pk}/change/"
    data = form(candidate.exam, roll_number=candidate.roll_number, name="Renamed")
    data.pop("exam")  # read-only once registered
    response = admin_client.post(url, data)
    assert response.status_code == 302, response.content.decode()[:2000]
    candidate.refresh_from_db()
    assert candidate.name == "Renamed" and candidate.version == 2


def test_center_manager_sees_only_own_candidates_in_admin(client, manager_a, make_candidate, center_a, center_b):
    make_candidate(name="At A", center=center_a, status="allocated")
    make_candidate(name="At B", center=center_b, status="allocated")
    client.login(request=HttpRequest(), username="manager_a", password=TEST_PASSWORD)
    page = client.get("/admin/candidates/candidate/").content.decode()
    assert "At A" in page and "At B" not in page
    assert client.get(ADD_URL).status_code == 403


def test_seed_demo_registers_candidates_with_photos(db, capsys, frozen_clock):  # demo dates count from today
    call_command("seed_demo")
    assert "6 candidates" in capsys.readouterr().out
    candidates = Candidate.objects.filter(exam__code="DEMO2026")
    assert candidates.count() == 6
    first = candidates.order_by("roll_number").first()
    assert first.roll_number == "DEMO2026000001"
    assert first.photo.read().startswith(b"\xff\xd8") and first.signature.name.endswith(".png")


def test_admin_cannot_delete_an_allocated_candidate(admin_client, make_candidate, center_a):
    allocated = make_candidate(status="allocated", center=center_a)
    registered = make_candidate()
    changelist = "/admin/candidates/candidate/"
    mixed = {"action": "delete_selected", "_selected_action": [allocated.pk, registered.pk], "post": "yes"}
    assert admin_client.post(changelist, mixed).status_code == 403
    assert admin_client.get(f"{changelist}{allocated.pk}/delete/").status_code == 403
    assert Candidate.objects.count() == 2
    only_registered = {"action": "delete_selected", "_selected_action": [registered.pk], "post": "yes"}
    assert admin_client.post(changelist, only_registered).status_code == 302
    assert list(Candidate.objects.values_list("pk", flat=True)) == [allocated.pk]
