"""The printable PDF of one set of a question paper (reportlab).

* A cover page: the exam, the paper, the session's date and time, the duration, the set
  letter in very large type, the instructions in each print language, boxes for the roll
  number and the invigilator's signature.
* On every page: the set letter and "Page N of M".
* The questions in the set's order with its option lettering, section headings, a passage
  printed once before its questions, images, options two or four to a line when short.
* One language, or two side by side (e.g. en | hi).

Fonts are the shipped Noto fonts, embedded (subset); Devanagari is shaped with HarfBuzz.
Nothing is stored here: the caller (finalisation, the preview view) decides what to do with
the bytes.
"""

import io
import re
from dataclasses import dataclass
from decimal import Decimal

from reportlab.lib import colors
from reportlab.lib.enums import TA_CENTER
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.pdfbase.pdfmetrics import stringWidth
from reportlab.pdfgen import canvas as pdfcanvas
from reportlab.platypus import (
    Image,
    KeepTogether,
    PageBreak,
    Paragraph,
    SimpleDocTemplate,
    Spacer,
    Table,
    TableStyle,
)

from apps.questions.choices import QuestionType
from apps.questions.models import PaperSet, QuestionImage
from apps.questions.papers import selectors
from apps.questions.papers.fonts import LATIN, LATIN_BOLD, font_for, register_fonts, script_runs
from apps.questions.papers.markup import Markup, plain_markup, to_markup
from apps.questions.papers.sets import LETTERS
from apps.questions.richtext import to_html

PAGE = A4
MARGIN = 15 * mm
NUMBER_WIDTH = 12 * mm
IMAGE_MAX_HEIGHT = 55 * mm
TEXT_SIZE = 9.5

# The few words the paper itself prints, per language (English for any other).
LABELS = {
    "en": {
        "instructions": "Instructions",
        "answer": "Answer: ____________________",
        "descriptive": "Answer in the answer script ({marks} marks).",
        "passage": "Questions {first}\u2013{last} are about this passage.",
    },
    "hi": {
        "instructions": "निर्देश",
        "answer": "उत्तर: ____________________",
        "descriptive": "उत्तर-पुस्तिका में उत्तर दें ({marks} अंक)।",
        "passage": "प्रश्न {first}\u2013{last} इस गद्यांश पर आधारित हैं।",
    },
}
DEFAULT_INSTRUCTIONS = {
    "en": (
        "Do not open this booklet until the invigilator tells you to.\n"
        "Write your roll number in the boxes below.\n"
        "Each question shows its marks; a wrong answer loses the negative marks shown.\n"
        "Mark your answers on the answer sheet, not in this booklet."
    ),
    "hi": (
        "निरीक्षक के कहने से पहले यह पुस्तिका न खोलें।\n"
        "नीचे दिए गए खानों में अपना अनुक्रमांक लिखें।\n"
        "प्रत्येक प्रश्न के अंक उसके साथ दिए गए हैं; गलत उत्तर पर दर्शाए गए ऋणात्मक अंक कटेंगे।\n"
        "अपने उत्तर उत्तर-पत्रक पर अंकित करें, इस पुस्तिका में नहीं।"
    ),
}


def _label(language: str, key: str, **values) -> str:
    return LABELS.get(language, LABELS["en"])[key].format(**values)


def _style(name: str, size: float = TEXT_SIZE, *, shaped: bool = False, **extra) -> ParagraphStyle:
    return ParagraphStyle(name, fontName=LATIN, fontSize=size, leading=size * 1.35, shaping=int(shaped), **extra)


STYLES = {
    (False, "text"): _style("text"),
    (True, "text"): _style("text-shaped", shaped=True),
    (False, "small"): _style("small", 7.5),
    (True, "small"): _style("small-shaped", 7.5, shaped=True),
    (False, "heading"): _style("heading", 12, spaceBefore=6, spaceAfter=4),
    (True, "heading"): _style("heading-shaped", 12, shaped=True, spaceBefore=6, spaceAfter=4),
    (False, "center"): _style("center", 11, alignment=TA_CENTER),
    (True, "center"): _style("center-shaped", 11, shaped=True, alignment=TA_CENTER),
}


def _para(markup: Markup, kind: str = "text") -> Paragraph:
    return Paragraph(markup.text, STYLES[(markup.shaped, kind)])


def _plain(text: str, kind: str = "text", *, bold: bool = False) -> Paragraph:
    return _para(plain_markup(text, bold=bold), kind)


def _text_width(text: str, size: float) -> float:
    return sum(stringWidth(run, font_for(script, bold=False), size) for script, run in script_runs(text))


_TAGS = re.compile(r"<[^>]+>")


def _plain_text(text: str, text_format: str) -> str:
    return _TAGS.sub(" ", to_html(text or "", text_format))


class _NumberedCanvas(pdfcanvas.Canvas):
    """Holds every page until the end, so each can say "Page N of M"."""

    set_letter = ""
    heading = ""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._pages = []

    def showPage(self):
        self._pages.append(dict(self.__dict__))
        self._startPage()

    def save(self):
        total = len(self._pages)
        for number, page in enumerate(self._pages, start=1):
            self.__dict__.update(page)
            self._decorate(number, total)
            super().showPage()
        super().save()

    def _decorate(self, number: int, total: int):
        width, height = PAGE
        self.setFont(LATIN, 8)
        self.drawString(MARGIN, height - 10 * mm, self.heading)
        self.setFont(LATIN_BOLD, 14)
        self.drawRightString(width - MARGIN, height - 11 * mm, f"Set {self.set_letter}")
        self.setLineWidth(0.5)
        self.line(MARGIN, height - 12.5 * mm, width - MARGIN, height - 12.5 * mm)
        self.line(MARGIN, 12.5 * mm, width - MARGIN, 12.5 * mm)
        self.setFont(LATIN, 8)
        self.drawCentredString(width / 2, 8 * mm, f"Page {number} of {total}")
        self.setFont(LATIN_BOLD, 9)
        self.drawRightString(width - MARGIN, 8 * mm, f"Set {self.set_letter}")


@dataclass
class _Context:
    paper_set: PaperSet
    languages: list[str]
    column: float  # width of one language's column
    images: dict


def _cover(ctx: _Context, question_count: int) -> list:
    paper = ctx.paper_set.paper
    session = paper.session
    exam_paper = session.paper
    exam = exam_paper.exam
    width = PAGE[0] - 2 * MARGIN
    story = [
        _plain(exam.name, "center", bold=True),
        Spacer(1, 2 * mm),
        _plain(f"{exam.code} · {exam_paper.code}: {exam_paper.name}", "center"),
        Spacer(1, 2 * mm),
        _plain(
            f"Date {session.date:%d %B %Y} · {session.start_time:%H:%M}\u2013{session.end_time:%H:%M} · "
            f"Duration {exam_paper.duration_minutes} minutes · Maximum marks {exam_paper.max_marks} · "
            f"{question_count} questions",
            "center",
        ),
        Spacer(1, 6 * mm),
    ]
    letter_style = ParagraphStyle("set-letter", fontName=LATIN_BOLD, fontSize=150, leading=160, alignment=TA_CENTER)
    label_style = ParagraphStyle("set-label", fontName=LATIN_BOLD, fontSize=16, leading=20, alignment=TA_CENTER)
    big = Table(
        [[Paragraph("SET", label_style)], [Paragraph(ctx.paper_set.letter, letter_style)]],
        colWidths=[70 * mm],
        style=TableStyle([("BOX", (0, 0), (-1, -1), 2, colors.black), ("ALIGN", (0, 0), (-1, -1), "CENTER")]),
    )
    story += [big, Spacer(1, 6 * mm)]

    boxes = Table(
        [[_plain("Roll number", bold=True), *[""] * 10]],
        colWidths=[35 * mm, *[9 * mm] * 10],
        rowHeights=[10 * mm],
        style=TableStyle([("GRID", (1, 0), (-1, -1), 0.8, colors.black), ("VALIGN", (0, 0), (-1, -1), "MIDDLE")]),
    )
    signature = Table(
        [[_plain("Invigilator's signature", bold=True), ""]],
        colWidths=[45 * mm, 80 * mm],
        rowHeights=[15 * mm],
        style=TableStyle([("BOX", (1, 0), (1, 0), 0.8, colors.black), ("VALIGN", (0, 0), (-1, -1), "MIDDLE")]),
    )
    story += [boxes, Spacer(1, 4 * mm), signature, Spacer(1, 6 * mm)]

    columns = []
    for language in ctx.languages:
        text = paper.instructions.get(language) or DEFAULT_INSTRUCTIONS.get(language, "")
        block = [_plain(_label(language, "instructions"), "heading", bold=True)]
        block += [_plain(f"{n}. {line}") for n, line in enumerate(filter(None, text.split("\n")), start=1)]
        columns.append(block)
    story.append(Table([columns], colWidths=[width / len(columns)] * len(columns), style=_CELLS))
    story.append(PageBreak())
    return story


_CELLS = TableStyle(
    [
        ("VALIGN", (0, 0), (-1, -1), "TOP"),
        ("LEFTPADDING", (0, 0), (-1, -1), 2),
        ("RIGHTPADDING", (0, 0), (-1, -1), 4),
        ("TOPPADDING", (0, 0), (-1, -1), 1),
        ("BOTTOMPADDING", (0, 0), (-1, -1), 1),
    ]
)


def _options(ctx: _Context, version, order: list[int], language: str) -> Table | None:
    options = version.options
    if not options:
        return None
    texts = [options[i]["text"].get(language) or next(iter(options[i]["text"].values()), "") for i in order]
    longest = max(_text_width(_plain_text(t, version.text_format), TEXT_SIZE) for t in texts)
    label = stringWidth("(A) ", LATIN_BOLD, TEXT_SIZE) + 8
    per_line = next((n for n in (4, 2) if len(texts) >= n and longest + label <= ctx.column / n - 4), 1)
    cells = []
    for printed, text in enumerate(texts):
        markup = to_markup(text, version.text_format)
        letter = f'<font name="{LATIN_BOLD}">({LETTERS[printed]})</font> '
        cells.append(_para(Markup(letter + markup.text, markup.shaped)))
    rows = [cells[i : i + per_line] for i in range(0, len(cells), per_line)]
    rows[-1] += [""] * (per_line - len(rows[-1]))
    return Table(rows, colWidths=[ctx.column / per_line] * per_line, style=_CELLS, hAlign="LEFT")


def _image(ctx: _Context, image: QuestionImage):
    with image.file.open("rb") as handle:
        data = io.BytesIO(handle.read())
    scale = min(1.0, ctx.column / image.width, IMAGE_MAX_HEIGHT / image.height)
    return Image(data, width=image.width * scale, height=image.height * scale, hAlign="LEFT")


def _question_cell(ctx: _Context, item, language: str) -> list:
    version = item.paper_question.version
    text = version.text.get(language) or next(iter(version.text.values()), "")
    cell = [_para(to_markup(text, version.text_format))]
    for image_id in version.images:
        image = ctx.images.get(str(image_id))
        if image is not None:
            cell += [Spacer(1, 1 * mm), _image(ctx, image)]
    if version.type == QuestionType.NUMERIC:
        cell.append(_plain(_label(language, "answer")))
    elif version.type == QuestionType.DESCRIPTIVE:
        marks = _marks(item.paper_question.marks)
        cell.append(_plain(_label(language, "descriptive", marks=marks), "small"))
    else:
        options = _options(ctx, version, item.option_order, language)
        if options is not None:
            cell.append(options)
    return cell


def _marks(value: Decimal) -> str:
    return f"{value.normalize():f}"


def _row(cells: list, number_cell) -> Table:
    widths = [NUMBER_WIDTH] + [(PAGE[0] - 2 * MARGIN - NUMBER_WIDTH) / len(cells)] * len(cells)
    return Table([[number_cell, *cells]], colWidths=widths, style=_CELLS, hAlign="LEFT")


def _passage_block(ctx: _Context, passage, first: int, last: int) -> list:
    cells = []
    for language in ctx.languages:
        text = passage.text.get(language) or next(iter(passage.text.values()), "")
        cells.append(
            [
                _plain(_label(language, "passage", first=first, last=last), "small", bold=True),
                _para(to_markup(text, passage.text_format)),
            ]
        )
    table = _row(cells, "")
    table.splitInRow = 1  # a long passage may run over a page
    return [Spacer(1, 2 * mm), table, Spacer(1, 1 * mm)]


def _questions(ctx: _Context, items: list) -> list:
    story, section = [], None
    passage_spans: dict = {}
    for item in items:
        passage_id = item.paper_question.version.passage_id
        if passage_id is not None:
            first, _ = passage_spans.get(passage_id, (item.position, item.position))
            passage_spans[passage_id] = (first, item.position)
    seen_passages = set()
    for item in items:
        paper_question = item.paper_question
        if paper_question.section != section:
            section = paper_question.section
            title = paper_question.section_title or f"Section {section + 1}"
            story.append(_plain(title, "heading", bold=True))
        version = paper_question.version
        lead = []
        if version.passage_id is not None and version.passage_id not in seen_passages:
            seen_passages.add(version.passage_id)
            lead = _passage_block(ctx, version.passage, *passage_spans[version.passage_id])
        marks = f"+{_marks(paper_question.marks)}"
        if paper_question.negative_marks:
            marks += f" / \u2212{_marks(paper_question.negative_marks)}"
        number = [_plain(f"{item.position}.", bold=True), _plain(marks, "small")]
        row = _row([_question_cell(ctx, item, language) for language in ctx.languages], number)
        story += [*lead, row, Spacer(1, 1.5 * mm)] if not lead else [KeepTogether([*lead, row]), Spacer(1, 1.5 * mm)]
    return story


def render_set_pdf(paper_set: PaperSet, *, languages=None) -> bytes:
    """The printable PDF of `paper_set` in `languages` (default: the paper's print
    languages; one, or two side by side)."""
    register_fonts()
    paper = paper_set.paper
    languages = list(languages or paper.languages or ["en"])[:2]
    items = list(selectors.set_items(paper_set))
    image_ids = {str(i) for item in items for i in item.paper_question.version.images}
    images = {str(image.pk): image for image in QuestionImage.objects.filter(pk__in=image_ids)} if image_ids else {}
    column = (PAGE[0] - 2 * MARGIN - NUMBER_WIDTH) / len(languages) - 6
    ctx = _Context(paper_set=paper_set, languages=languages, column=column, images=images)

    session = paper.session
    buffer = io.BytesIO()
    doc = SimpleDocTemplate(
        buffer,
        pagesize=PAGE,
        leftMargin=MARGIN,
        rightMargin=MARGIN,
        topMargin=MARGIN + 2 * mm,
        bottomMargin=MARGIN + 2 * mm,
        title=f"{session.paper} set {paper_set.letter}",
        creator="exam system",
    )
    heading = f"{session.exam.code} · {session.paper.code} · {session.date:%d %b %Y} {session.start_time:%H:%M}"
    canvas_class = type("SetCanvas", (_NumberedCanvas,), {"set_letter": paper_set.letter, "heading": heading})
    doc.build([*_cover(ctx, len(items)), *_questions(ctx, items)], canvasmaker=canvas_class)
    return buffer.getvalue()
