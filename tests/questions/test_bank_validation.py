"""Each question type's rules, through the API: the error names the field and nothing is stored."""

import pytest

from apps.questions.models import Question
from tests.questions.bank_support import QUESTIONS, descriptive, multiple, numeric, single, true_false, url

pytestmark = pytest.mark.django_db


@pytest.fixture
def client(client_for, setter):
    return client_for(setter)


def _refused(client, payload, field):
    before = Question.objects.count()
    response = client.post(QUESTIONS, payload, format="json")
    assert response.status_code == 400, response.content
    body = response.json()
    assert body["code"] == "invalid"
    assert field in body["errors"], body["errors"]
    assert Question.objects.count() == before
    return body["errors"][field]


@pytest.mark.parametrize("make", [single, multiple, numeric, descriptive, true_false])
def test_each_type_is_accepted_when_valid(client, make):
    response = client.post(QUESTIONS, make(), format="json")
    assert response.status_code == 201, response.content
    body = response.json()
    assert (body["status"], body["version"], body["approved_version"]) == ("draft", 1, None)
    assert body["number"] >= 1 and body["subject_code"] == "PHY" and body["author"] == "paper_setter"


def test_single_needs_exactly_one_correct_option(client):
    payload = single()
    payload["options"][1]["correct"] = True
    assert "Exactly one option must be correct (found 2)." in _refused(client, payload, "options")
    for option in payload["options"]:
        option["correct"] = False
    assert "Exactly one option must be correct (found 0)." in _refused(client, payload, "options")


def test_multiple_needs_at_least_one_correct(client):
    payload = multiple()
    for option in payload["options"]:
        option["correct"] = False
    assert "At least one option must be correct." in _refused(client, payload, "options")


def test_true_false_has_two_options(client):
    payload = true_false()
    payload["options"].append({"text": {"en": "Both"}, "correct": False})
    assert "A true/false question has exactly two options." in _refused(client, payload, "options")


def test_choice_questions_need_options(client):
    assert _refused(client, single(options=[]), "options")


def test_numeric_needs_a_number_and_non_negative_tolerance(client):
    assert "'nine' is not a number." in _refused(client, numeric(answer={"value": "nine"}), "answer.value")
    assert "Must be at least 0." in _refused(
        client, numeric(answer={"value": "9.8", "tolerance": "-1"}), "answer.tolerance"
    )
    assert _refused(client, numeric(answer=None), "answer")


def test_numeric_range(client):
    response = client.post(QUESTIONS, numeric(answer={"min": "9.7", "max": "9.9"}), format="json")
    assert response.status_code == 201
    assert response.json()["answer"] == {"min": "9.7", "max": "9.9"}
    assert "The range's maximum is below its minimum." in _refused(
        client, numeric(answer={"min": "2", "max": "1"}), "answer.max"
    )


def test_options_are_unique(client):
    payload = single()
    payload["options"][2]["text"]["en"] = "  newton "
    assert "Same text as option A." in _refused(client, payload, "options[2].text.en")


def test_every_language_has_the_same_options(client):
    payload = single(text="Force?")
    payload["text"]["hi"] = "बल की इकाई क्या है?"
    for i, word in enumerate(["न्यूटन", "जूल", "वाट"]):
        payload["options"][i]["text"]["hi"] = word
    errors = _refused(client, payload, "options[3].text")
    assert any("missing hi" in e for e in errors)


def test_descriptive_scheme_adds_up(client):
    payload = descriptive(marks="6")
    assert "The parts add up to 5, not the question's 6 marks." in _refused(client, payload, "marking_scheme")


def test_descriptive_has_no_negative_marks(client):
    assert _refused(client, descriptive(negative_marks="1"), "negative_marks")


def test_unknown_type_and_bad_marks(client):
    assert _refused(client, single(type="matching"), "type")
    assert _refused(client, single(marks="-2"), "marks")
    assert _refused(client, single(marks="123456"), "marks")  # beyond the column (9999.99)


def test_text_must_be_per_language(client):
    assert 'Give the text per language: {"en": "..."}.' in _refused(client, single(text=None) | {"text": "x"}, "text")


def test_bilingual_question_is_stored_in_both_languages(client):
    payload = single(text="What is the SI unit of force?")
    payload["text"]["hi"] = "बल का SI मात्रक क्या है?"
    for option, word in zip(payload["options"], ["न्यूटन", "जूल", "वाट", "पास्कल"], strict=True):
        option["text"]["hi"] = word
    response = client.post(QUESTIONS, payload, format="json")
    assert response.status_code == 201, response.content
    body = client.get(url(response.json()["id"])).json()
    assert body["text"]["hi"] == "बल का SI मात्रक क्या है?"
    assert [o["text"]["hi"] for o in body["options"]] == ["न्यूटन", "जूल", "वाट", "पास्कल"]
    assert client.get(QUESTIONS, {"search": "मात्रक"}).json()["count"] == 1


def test_html_is_sanitised_and_markdown_kept_as_written(client):
    payload = single(
        text='<p onclick="x()">Force <b>unit</b>?</p><script>alert(1)</script><img src=x onerror=alert(1)>',
        text_format="html",
    )
    payload["options"][0]["text"]["en"] = '<a href="javascript:alert(1)">Newton</a>'
    response = client.post(QUESTIONS, payload, format="json")
    assert response.status_code == 201, response.content
    stored = Question.objects.get()
    everything = str(stored.text) + str(stored.options)
    for bad in ("<script", "onerror", "onclick", "javascript:", "<img", "alert(1)</script"):
        assert bad not in everything
    assert stored.text["en"] == "<p>Force <b>unit</b>?</p>"
    assert stored.options[0]["text"]["en"] == "Newton"


def test_markdown_with_raw_html_never_renders_it(client):
    from apps.questions.richtext import to_html

    response = client.post(QUESTIONS, single(text="**Force** <script>alert(1)</script>"), format="json")
    assert response.status_code == 201
    stored = Question.objects.get()
    html = to_html(stored.text["en"], stored.text_format)
    assert "<strong>Force</strong>" in html and "<script" not in html


def test_an_invalid_edit_changes_nothing(client):
    created = client.post(QUESTIONS, single(), format="json").json()
    response = client.patch(
        url(created["id"]), {"answer": {"value": 1}, "type": "numeric", "options": []}, format="json"
    )
    assert response.status_code == 200, response.content
    bad = client.patch(url(created["id"]), {"answer": {"value": "x"}}, format="json")
    assert bad.status_code == 400 and "answer.value" in bad.json()["errors"]
    assert Question.objects.get().answer == {"value": "1", "tolerance": "0"}
