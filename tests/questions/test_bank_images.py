"""Question images: judged by decoding them, size-limited, served only through the API, and
kept for the approved versions that list them."""

import io
import os

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import TestCase
from PIL import Image

from apps.questions.models import QuestionHistory, QuestionImage, QuestionVersion
from tests.questions.bank_support import QUESTIONS, noisy_png, png_bytes, single, url

pytestmark = pytest.mark.django_db


@pytest.fixture
def client(client_for, setter):
    return client_for(setter)


@pytest.fixture
def question(client):
    return client.post(QUESTIONS, single(), format="json").json()


def _upload(client, question, content: bytes, name="figure.png", caption="Figure 1"):
    upload = SimpleUploadedFile(name, content, content_type="image/png")
    return client.post(url(question["id"], "images"), {"file": upload, "caption": caption}, format="multipart")


def test_a_real_png_is_accepted_and_served_back(client, question):
    response = _upload(client, question, png_bytes(64, 48))
    assert response.status_code == 201, response.content
    body = response.json()
    assert (body["width"], body["height"], body["caption"]) == (64, 48, "Figure 1")
    served = client.get(body["url"])
    assert served.status_code == 200 and served["Content-Type"] == "image/png"
    image = Image.open(io.BytesIO(b"".join(served.streaming_content)))
    assert (image.format, image.size) == ("PNG", (64, 48))
    shown = client.get(url(question["id"])).json()
    assert [i["id"] for i in shown["images"]] == [body["id"]]
    assert QuestionHistory.objects.filter(action="image_added").count() == 1


def test_a_text_file_named_png_is_refused(client, question):
    response = _upload(client, question, b"this is not an image, whatever the name says\n")
    assert response.status_code == 400
    assert response.json()["errors"]["file"] == ["The file is not a JPEG or PNG image."]
    assert not QuestionImage.objects.exists()


def test_an_oversized_image_is_413(client, question, settings):
    settings.MAX_QUESTION_IMAGE_BYTES = 20_000
    big = noisy_png(120, 120)  # ~43 kB of random pixels
    assert len(big) > 20_000
    response = _upload(client, question, big)
    assert response.status_code == 413
    body = response.json()
    assert body["code"] == "too_large" and "file" in body["errors"]
    assert not QuestionImage.objects.exists()


def test_too_many_pixels_is_refused(client, question, settings):
    settings.MAX_IMAGE_PIXELS = 100
    response = _upload(client, question, png_bytes(20, 20))
    assert response.status_code == 400 and "pixels" in response.json()["errors"]["file"][0]


def test_an_approved_version_keeps_its_image_after_removal(client, client_for, admin, question):
    image = _upload(client, question, png_bytes()).json()
    assert client.post(url(question["id"], "submit")).status_code == 200
    assert client_for(admin).post(url(question["id"], "approve")).status_code == 200
    assert QuestionVersion.objects.get().images == [image["id"]]

    removed = client.delete(f"/api/question-images/{image['id']}/")
    assert removed.status_code == 204
    body = client.get(url(question["id"])).json()
    assert (body["images"], body["version"], body["status"]) == ([], 2, "draft")
    # Version 1 still prints it: the file is kept and still served.
    assert client.get(f"/api/question-images/{image['id']}/").status_code == 200
    assert client.delete(f"/api/question-images/{image['id']}/").status_code == 409


def test_an_image_in_no_version_is_deleted_with_its_file(client, question, settings):
    image = _upload(client, question, png_bytes()).json()
    stored = QuestionImage.objects.get()
    path = stored.file.path
    with open(path, "rb") as handle:
        assert handle.read(8) == b"\x89PNG\r\n\x1a\n"
    with TestCase.captureOnCommitCallbacks(execute=True):
        assert client.delete(f"/api/question-images/{image['id']}/").status_code == 204
    assert not QuestionImage.objects.exists()
    assert not os.path.exists(path)
