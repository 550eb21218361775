"""The parsers on Moodle's own sample files and on hostile bytes (no database)."""

import base64
import io
import random

import pytest

from apps.questions.formats import aiken, gift, moodle_xml, xlsx
from apps.questions.formats.detect import detect_format
from apps.questions.formats.items import AIKEN, GIFT, XLSX, FormatError, category_parts
from tests.questions.formats_support import (
    AIKEN_ERRORS,
    AIKEN_GOOD,
    GIFT_EXAMPLES,
    LIBREOFFICE_XLSX,
    MOODLE_XML,
)
from utils.safe_cells import new_workbook


def parsed(module, path):
    with open(path, "rb") as handle:
        return list(module.parse(handle))


def correct(item) -> list[str]:
    return [o["text"]["en"] for o in item.content["options"] if o["correct"]]


def test_aiken_sample_imports_both_questions_with_their_answers():
    items = parsed(aiken, AIKEN_GOOD)
    assert [(i.position, i.line, i.skipped) for i in items] == [(1, 1, False), (2, 8, False)]
    first, second = items
    assert first.content["text"] == {"en": "The Moodle project was started by:"}
    assert [o["text"]["en"] for o in first.content["options"]] == [
        "Petr Skoda",
        "Martin Dougiamas",
        "Eloy Lafuente",
        "Tim Hunt",
    ]
    assert correct(first) == ["Martin Dougiamas"]
    # Plain text: the "<html ...>" is text to show, not markup (as Moodle's importer has it).
    assert second.content["text"]["en"] == (
        'Moodle\'s abilities include handling user input that includes &lt;html class="cool"&gt; &amp; images:'
    )
    assert correct(second) == ["True"]


def test_aiken_errors_file_reports_each_bad_question_by_position_and_line():
    items = parsed(aiken, AIKEN_ERRORS)
    assert [(i.position, i.line) for i in items if i.skipped] == [(1, 1), (2, 5), (4, 14)]
    reasons = {i.position: i.reason for i in items if i.skipped}
    assert "at least two options" in reasons[1] and "line 3" in reasons[1]
    assert "option comes before any question text" in reasons[2]
    assert "no ANSWER line" in reasons[4] and "line 18" in reasons[4]
    good = [i for i in items if not i.skipped]
    assert [i.content["text"]["en"] for i in good] == ["A good question", "A second good question"]
    assert correct(good[0]) == ["Correct"]
    # "A)Incorrect (No space)": options without a space after the letter still count.
    assert [o["text"]["en"] for o in good[1].content["options"]] == ["Incorrect (No space)", "Correct (No space)"]
    assert correct(good[1]) == ["Correct (No space)"]


def test_gift_examples_counts_and_kinds():
    items = parsed(gift, GIFT_EXAMPLES)
    assert len(items) == 43
    skipped = [i for i in items if i.skipped]
    assert [i.position for i in skipped] == [4, 10, 11, 14, 15, 21, 24, 25, 29, 37, 39, 42]
    kinds = [i.content["type"] for i in items if not i.skipped]
    assert {k: kinds.count(k) for k in set(kinds)} == {"single": 16, "multiple": 2, "true_false": 5, "numeric": 8}
    by_position = {i.position: i for i in items}
    assert "short-answer" in by_position[4].reason  # {=no one =nobody}
    assert "matching" in by_position[14].reason
    assert by_position[21].name == "Kanji Origins"


def test_gift_examples_exact_answers():
    items = {i.position: i for i in parsed(gift, GIFT_EXAMPLES)}
    assert items[1].content["text"]["en"] == "Who's buried in Grant's tomb?"
    assert correct(items[1]) == ["no one"]
    assert items[2].content["text"]["en"] == "Grant is _____ in Grant's tomb."  # missing word
    assert correct(items[2]) == ["entombed"]
    assert correct(items[3]) == ["False"] and items[3].content["type"] == "true_false"
    assert items[5].content["answer"] == {"value": "1822", "tolerance": "1"}
    assert items[17].content["answer"] == {"value": "3.1415", "tolerance": "0.0005"}
    assert items[18].content["answer"] == {"min": "3.141", "max": "3.142"}
    assert items[19].content["answer"] == {"value": "1822", "tolerance": "0"}  # the 100 % of two answers
    assert items[22].name == "Thanksgiving Date" and correct(items[22]) == ["fourth"]
    # Partial credit (~%50%) is not a right option of a single-answer question.
    assert correct(items[27]) == ["full credit answer"]
    assert correct(items[28]) == ["Nazareth"]
    # No 100 % option but positive weights: a multiple-answer question.
    assert items[30].content["type"] == "multiple"
    assert correct(items[30]) == ["Grant", "Grant's wife"]
    assert "negative_marks" not in items[30].content
    assert str(items[31].content["negative_marks"]) == "0.50"  # ~%-50% on the wrong options
    # Escapes.
    assert [o["text"]["en"] for o in items[32].content["options"]] == ["= 2 + 2", "= 2 + 3", "= 2 + 4"]
    assert [o["text"]["en"] for o in items[33].content["options"]] == ["~", "=", "#", "{", "}", "\\"]
    assert correct(items[33]) == ["\\"]
    assert items[43].name == "Numerical example" and items[43].content["answer"]["value"] == "1822"


def test_gift_category_and_formats():
    source = (
        b"$CATEGORY: $course$/top/Physics/Optics\n\n"
        b"::T1::[markdown]Is **light** a wave?{T}\n\n"
        b"[plain]2 < 3?{TRUE}\n\n"
        b"Describe refraction.{}\n\n"
        b"Just a description with no answer part.\n"
    )
    items = list(gift.parse(io.BytesIO(source)))
    assert [i.category for i in items] == ["Physics/Optics"] * 4
    assert items[0].content["text_format"] == "markdown" and items[0].content["text"]["en"] == "Is **light** a wave?"
    assert items[1].content["text"]["en"] == "2 &lt; 3?"
    assert items[2].content["type"] == "descriptive"
    assert items[3].skipped and "description" in items[3].reason


def test_moodle_xml_nested_categories():
    items = parsed(moodle_xml, MOODLE_XML)
    assert [(i.position, i.line, i.name, i.category) for i in items] == [
        (1, 15, "Iota Question", "Iota"),
        (2, 55, "Kappa Essay Question", "Iota/Kappa"),
        (3, 83, "Kappa Question", "Iota/Kappa"),
        (4, 123, "Lambda Question", "Iota/Kappa/Lambda"),
        (5, 163, "Mu Question", "Iota/Mu"),
    ]
    assert items[0].content["text"] == {"en": "<p>Testing Iota Question</p>"}  # HTML kept as HTML
    assert items[0].content["text_format"] == "html"
    assert correct(items[0]) == ["True"]
    assert items[1].content["type"] == "descriptive"
    assert items[1].content["text"] == {"en": "Testing Kappa Essay Question"}


PNG = base64.b64decode(
    "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8BQDwAEhQGAhKmMIQAAAABJRU5ErkJggg=="
)


def moodle(questions: str) -> io.BytesIO:
    return io.BytesIO(f'<?xml version="1.0" encoding="UTF-8"?>\n<quiz>\n{questions}\n</quiz>\n'.encode())


def test_moodle_xml_choices_fractions_numerical_and_images():
    source = moodle(
        f"""
<question type="category"><category><text>$course$/top/Physics/Mechanics</text></category></question>
<question type="multichoice"><name><text>one</text></name>
  <questiontext format="html"><text><![CDATA[<p>Pick <img src="@@PLUGINFILE@@/f.png"> one</p>]]></text>
    <file name="f.png" path="/" encoding="base64">{base64.b64encode(PNG).decode()}</file></questiontext>
  <defaultgrade>4</defaultgrade><single>true</single>
  <answer fraction="100" format="html"><text>right</text></answer>
  <answer fraction="-25" format="html"><text>wrong</text></answer>
  <answer fraction="0" format="html"><text>also wrong</text></answer>
</question>
<question type="multichoice"><name><text>many</text></name>
  <questiontext format="plain_text"><text>a &lt; b</text></questiontext>
  <single>false</single>
  <answer fraction="50"><text>x</text></answer><answer fraction="50"><text>y</text></answer>
  <answer fraction="-100"><text>z</text></answer>
</question>
<question type="numerical"><name><text>num</text></name><questiontext><text>g?</text></questiontext>
  <answer fraction="100"><text>9.8</text><tolerance>0.1</tolerance></answer></question>
<question type="matching"><name><text>m</text></name><questiontext><text>match</text></questiontext></question>
<question type="shortanswer"><name><text>s</text></name><questiontext><text>type</text></questiontext></question>
<question type="ddwtos"><name><text>d</text></name><questiontext><text>drag</text></questiontext></question>
"""
    )
    items = list(moodle_xml.parse(source))
    assert [i.position for i in items] == [1, 2, 3, 4, 5, 6]
    one, many, num, match, short, drag = items
    assert one.category == "Physics/Mechanics"
    assert one.content["type"] == "single" and correct(one) == ["right"]
    assert str(one.content["marks"]) == "4.00" and str(one.content["negative_marks"]) == "1.00"
    assert [a.data for a in one.attachments] == [PNG]
    assert many.content["type"] == "multiple" and correct(many) == ["x", "y"]
    assert many.content["text"]["en"] == "a &lt; b"
    assert num.content["answer"] == {"value": "9.8", "tolerance": "0.1"}
    assert "matching" in match.reason and "short-answer" in short.reason and "drag-and-drop" in drag.reason


def test_xml_with_a_dtd_or_entities_is_refused():
    laughs = b'<?xml version="1.0"?><!DOCTYPE quiz [<!ENTITY a "aaaa"><!ENTITY b "&a;&a;&a;">]><quiz>&b;</quiz>'
    external = b'<?xml version="1.0"?><!DOCTYPE quiz SYSTEM "file:///etc/passwd"><quiz/>'
    for data in (laughs, external):
        items = list(moodle_xml.parse(io.BytesIO(data)))
        assert len(items) == 1 and items[0].skipped and "DTD" in items[0].reason


def test_truncated_xml_keeps_the_questions_before_the_cut():
    data = MOODLE_XML.read_bytes()
    cut = data.index(b"Kappa Question</text>")
    items = list(moodle_xml.parse(io.BytesIO(data[:cut])))
    assert [i.skipped for i in items] == [False, False, True]
    assert "not well-formed" in items[-1].reason


@pytest.mark.parametrize("module", [aiken, gift, moodle_xml])
def test_no_bytes_crash_a_parser(module):
    rng = random.Random(12)
    samples = [b"", b"\x00" * 50, bytes(range(256)), b"\xff\xfe<\x00q\x00", "é".encode("latin-1") * 20]
    for path in (AIKEN_GOOD, AIKEN_ERRORS, GIFT_EXAMPLES, MOODLE_XML):
        data = path.read_bytes()
        samples += [data[: rng.randrange(len(data))] for _ in range(15)]
        samples += [bytes(b if rng.random() > 0.02 else rng.randrange(256) for b in data) for _ in range(5)]
    for data in samples:
        for item in module.parse(io.BytesIO(data)):
            assert item.position >= 1
            assert item.skipped or isinstance(item.content, dict)


def test_libreoffice_workbook_rows():
    items = list(xlsx.parse(LIBREOFFICE_XLSX))
    assert [(i.position, i.line, i.skipped) for i in items] == [
        (1, 2, False),
        (2, 3, False),
        (3, 4, False),
        (4, 5, False),
        (5, 6, False),
        (6, 7, False),
        (7, 8, True),
        (8, 9, False),  # duplicate options: found by clean_content, see the import tests
    ]
    first = items[0].content
    assert first["text"]["hi"].startswith("एक गेंद")
    assert first["options"][1] == {"text": {"en": "2 s", "hi": "2 सेकंड"}, "correct": True}
    assert (first["marks"], first["negative_marks"]) == ("4", "1")  # Calc's number cells
    assert items[2].content["options"][0]["correct"] is True  # Calc's boolean TRUE
    assert items[3].content["answer"] == {"value": "9.8", "tolerance": "0.1"}
    assert items[4].content["answer"] == {"min": "1", "max": "2"}
    assert items[5].content["marking_scheme"][1] == {
        "part": "b",
        "marks": "3",
        "description": "the second and third laws",
    }
    assert items[6].reason == "Row 8, column answer: 'G' is not a set of option letters A-C."


def test_xlsx_header_must_be_the_template():
    buffer = io.BytesIO()
    book = new_workbook(buffer)
    book.add_worksheet().write_row(0, 0, ["type", "text", "optoin_a"])
    book.close()
    buffer.seek(0)
    with pytest.raises(FormatError, match="optoin_a"):
        list(xlsx.parse(buffer, name="bad.xlsx"))


def test_format_detection():
    assert detect_format(MOODLE_XML.read_bytes()) == "moodle_xml"
    assert detect_format(GIFT_EXAMPLES.read_bytes()) == GIFT
    assert detect_format(AIKEN_GOOD.read_bytes()) == AIKEN
    assert detect_format(LIBREOFFICE_XLSX.read_bytes()) == XLSX
    with pytest.raises(FormatError):
        detect_format(b"\x00\x01binary")


def test_category_paths():
    assert category_parts("$course$/top/Physics/Mechanics") == ["Physics", "Mechanics"]
    assert category_parts("$course$/Iota/Kappa") == ["Iota", "Kappa"]
    assert category_parts("top/A//B/C") == ["A/B", "C"]  # Moodle writes "/" in a name as "//"
