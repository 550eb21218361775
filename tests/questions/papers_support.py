"""Helpers of the question-paper suites: bilingual bank questions, passages, and a paper
with its sets built through the services."""

import datetime as dt
from decimal import Decimal

from apps.questions.choices import QuestionType
from apps.questions.models import Passage
from apps.questions.papers import services
from tests.factories import ExamSessionFactory

HINDI_WORD = "चाल"  # "speed": shaped without conjuncts, so it extracts back letter for letter


def content(n: int, *, topic="Mechanics", difficulty="medium", hindi=True, fixed_last=False, correct=None, **extra):
    """A four-option single-choice question numbered `n` in English (and Hindi)."""
    correct = [n % 4] if correct is None else correct
    options = []
    for i in range(4):
        text = {"en": f"Option {n}{'abcd'[i]}"}
        if hindi:
            text["hi"] = f"विकल्प {n}{'abcd'[i]}"
        options.append({"text": text, "correct": i in correct, "fixed": fixed_last and i == 3})
    if fixed_last:
        options[3]["text"] = {"en": f"All of the above {n}", **({"hi": f"उपरोक्त सभी {n}"} if hindi else {})}
    text = {"en": f"What is the speed in question {n}?"}
    if hindi:
        text["hi"] = f"प्रश्न {n} में {HINDI_WORD} क्या है?"
    return {
        "type": QuestionType.SINGLE if len(correct) == 1 else QuestionType.MULTIPLE,
        "text": text,
        "options": options,
        "marks": Decimal("4"),
        "negative_marks": Decimal("1"),
        "topic": topic,
        "difficulty": difficulty,
        **extra,
    }


def bank(make_approved, count, *, start=1, subject=None, **kwargs):
    return [make_approved(subject, **content(n, **kwargs)) for n in range(start, start + count)]


def passage(subject, title="A passage", **text):
    return Passage.objects.create(subject=subject, title=title, text=text or {"en": "Read this.", "hi": "इसे पढ़ें।"})


def session(**kwargs):
    return ExamSessionFactory(**kwargs)


def second_shift(first):
    """Another session of the same exam paper, later the same day."""
    return ExamSessionFactory(
        paper=first.paper, exam=first.exam, date=first.date, start_time=dt.time(14, 0), end_time=dt.time(16, 0)
    )


def blueprint(*sections):
    """`blueprint(("Physics", [{"subject": "PHY", "count": 5}]), ...)`."""
    return [{"title": title, "rules": rules} for title, rules in sections]


def built_paper(user, exam_session, rules, *, seed=7, languages=("en", "hi"), sets=True):
    paper = services.create_paper(
        user=user, session=exam_session, blueprint=blueprint(("Physics", rules)), seed=seed, languages=languages
    )
    services.build_from_blueprint(user=user, paper=paper)
    if sets:
        services.build_sets(user=user, paper=paper)
    paper.refresh_from_db()
    return paper


def attach_image(question, *, size=(240, 120)):
    """A real PNG (a black rectangle on white) attached to `question` and to its approved version."""
    import hashlib
    import io

    from django.core.files.base import ContentFile
    from PIL import Image, ImageDraw

    from apps.questions.models import QuestionImage

    picture = Image.new("RGB", size, "white")
    ImageDraw.Draw(picture).rectangle((10, 10, size[0] - 10, size[1] - 10), fill="black")
    buffer = io.BytesIO()
    picture.save(buffer, format="PNG")
    data = buffer.getvalue()
    image = QuestionImage(question=question, sha256=hashlib.sha256(data).hexdigest(), width=size[0], height=size[1])
    image.file.save("figure.png", ContentFile(data), save=True)
    version = question.approved_version
    version.images = [*version.images, str(image.pk)]
    version.save(update_fields=["images"])
    return image
