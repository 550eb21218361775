"""Photos and signatures are served only by the API, behind its role and scope checks
(issue 10 item 4): nothing serves MEDIA_ROOT, and the admin links to the API view."""

import pytest
from django.core.files.base import ContentFile
from django.http import HttpRequest

from tests.candidates.conftest import jpeg_bytes, png_bytes
from tests.factories import TEST_PASSWORD

pytestmark = pytest.mark.django_db


@pytest.fixture
def pictured(make_candidate, center_a):
    candidate = make_candidate(name="At A", center=center_a, status="allocated")
    candidate.photo.save("face.jpg", ContentFile(jpeg_bytes()), save=False)
    candidate.signature.save("sign.png", ContentFile(png_bytes()), save=False)
    candidate.save()
    return candidate


def test_staff_who_may_read_the_candidate_get_its_images(client_for, cast, pictured):
    for role in ("admin", "exam_manager", "manager_a", "invigilator_a"):
        client = client_for(cast[role])
        photo = client.get(f"/api/candidates/{pictured.pk}/photo/")
        assert (photo.status_code, photo["Content-Type"]) == (200, "image/jpeg"), role
        assert b"".join(photo.streaming_content) == pictured.photo.open("rb").read()
        signature = client.get(f"/api/candidates/{pictured.pk}/signature/")
        assert (signature.status_code, signature["Content-Type"]) == (200, "image/png"), role


@pytest.mark.parametrize(
    ("role", "status"), [(None, 401), ("manager_b", 404), ("evaluator", 403), ("paper_setter", 403)]
)
def test_others_get_the_apis_refusal_and_no_bytes(client_for, cast, pictured, role, status):
    client = client_for(cast[role] if role else None)
    for what in ("photo", "signature"):
        response = client.get(f"/api/candidates/{pictured.pk}/{what}/")
        assert response.status_code == status
        assert response["Content-Type"] == "application/json"
        assert "code" in response.json()


def test_a_candidate_without_a_photo_is_404(client_for, admin, make_candidate):
    candidate = make_candidate()
    response = client_for(admin).get(f"/api/candidates/{candidate.pk}/photo/")
    assert response.status_code == 404
    assert response.json()["detail"] == "This candidate has no photo."


def test_media_root_is_not_served(client, admin, pictured, settings):
    client.force_login(admin)
    for name in (pictured.photo.name, pictured.signature.name):
        assert (settings.MEDIA_ROOT / name).is_file()
        assert client.get(f"/media/{name}").status_code == 404


def test_the_admin_links_the_photo_to_the_api_view(client, manager_a, exam_manager, pictured):
    client.login(request=HttpRequest(), username="exam_manager", password=TEST_PASSWORD)
    page = client.get(f"/admin/candidates/candidate/{pictured.pk}/change/").content.decode()
    assert f'href="/api/candidates/{pictured.pk}/photo/"' in page
    assert f'href="/api/candidates/{pictured.pk}/signature/"' in page
    assert "/media/" not in page
    # The admin's session is enough to follow the link.
    assert client.get(f"/api/candidates/{pictured.pk}/photo/").status_code == 200
