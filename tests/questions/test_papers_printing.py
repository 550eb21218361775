"""Set PDFs read back: pages, "Page N of M" and the set letter on every page, the set's
own option lettering, Hindi text, embedded fonts, and a page rendered to an image."""

import io
import shutil
import subprocess

import pytest
from PIL import Image
from pypdf import PdfReader

from apps.questions.models import SetQuestion
from apps.questions.papers.printing import render_set_pdf
from tests.questions.papers_support import HINDI_WORD, attach_image, bank, built_paper, content, passage, session

pytestmark = pytest.mark.django_db


@pytest.fixture
def paper(admin, make_approved, physics):
    questions = bank(make_approved, 40)
    attach_image(questions[0])
    text = passage(physics, en="Read the passage about motion.", hi="गति के बारे में गद्यांश पढ़ें।")
    for n in range(100, 102):
        make_approved(**content(n, passage=text))
    make_approved(type="numeric", text={"en": "Value of g?", "hi": "g का मान?"}, answer={"value": "9.8"})
    return built_paper(admin, session(), [{"subject": "PHY", "count": 43}])


def read(pdf: bytes) -> PdfReader:
    return PdfReader(io.BytesIO(pdf))


def test_every_page_says_page_n_of_m_and_the_set_letter(paper):
    for paper_set in paper.sets.all():
        reader = read(render_set_pdf(paper_set))
        total = len(reader.pages)
        assert total >= 3  # the cover and the questions
        for number, page in enumerate(reader.pages, start=1):
            text = page.extract_text()
            assert f"Page {number} of {total}" in text
            assert f"Set {paper_set.letter}" in text


def test_the_cover_has_the_exam_session_duration_and_boxes(paper):
    cover = " ".join(read(render_set_pdf(paper.sets.get(letter="C"))).pages[0].extract_text().split())
    session = paper.session
    for expected in (
        session.exam.name,
        session.paper.code,
        "01 December 2026",
        "10:00",
        "Duration 120 minutes",
        "SET",
        "Roll number",
        "Invigilator's signature",
        "Instructions",
        "43 questions",
    ):
        assert expected in cover, expected


def test_the_questions_print_in_the_sets_order_and_lettering(paper):
    paper_set = paper.sets.get(letter="B")
    text = "\n".join(page.extract_text() for page in read(render_set_pdf(paper_set, languages=["en"])).pages[1:])
    first = SetQuestion.objects.filter(paper_set=paper_set, position=1).select_related("paper_question__version").get()
    options = first.paper_question.version.options
    number = first.paper_question.version.text["en"]
    assert number in text
    # The option printed (A) is the bank option the set's order puts first.
    assert f"(A) {options[first.option_order[0]]['text']['en']}" in text
    assert "Answer:" in text  # the numeric question's line
    assert "Read the passage about motion." in text
    assert text.count("Read the passage about motion.") == 1  # once, before its questions


def test_hindi_prints_side_by_side_and_extracts_back(paper):
    reader = read(render_set_pdf(paper.sets.get(letter="A")))
    text = "\n".join(page.extract_text() for page in reader.pages)
    assert HINDI_WORD in text
    # The Hindi instructions of the cover. Words with conjuncts print right (see the PNG check
    # in docs/questions/papers.md) but extract as private-use glyphs: reportlab maps shaped
    # ligature glyphs to private code points.
    assert "अपना" in text
    fonts = set()
    for page in reader.pages:
        for font in page["/Resources"]["/Font"].values():
            font = font.get_object()
            name = str(font["/BaseFont"])
            if name == "/Helvetica":
                continue  # reportlab's initial font of each page, never used for text here
            assert "/FontFile2" in font["/FontDescriptor"].get_object(), name  # embedded, not referenced
            fonts.add(name.split("+")[-1])
    assert {"NotoSans-Regular", "NotoSans-Bold", "NotoSansDevanagari-Regular"} <= fonts


def test_one_language_prints_only_that_language(paper):
    text = "\n".join(p.extract_text() for p in read(render_set_pdf(paper.sets.get(letter="A"), languages=["en"])).pages)
    assert HINDI_WORD not in text and "What is the speed" in text


@pytest.mark.skipif(shutil.which("pdftoppm") is None, reason="pdftoppm (poppler-utils) is not installed")
def test_a_page_renders_to_an_image_that_is_not_blank(paper, tmp_path):
    pdf = tmp_path / "set.pdf"
    pdf.write_bytes(render_set_pdf(paper.sets.get(letter="A")))
    subprocess.run(["pdftoppm", "-png", "-r", "50", "-f", "2", "-l", "2", str(pdf), str(tmp_path / "page")], check=True)
    (page,) = tmp_path.glob("page*.png")
    image = Image.open(page).convert("L")
    dark = image.histogram()[:128]
    dark = sum(dark)
    assert dark > 0.01 * image.width * image.height  # text and the figure, not an empty page
