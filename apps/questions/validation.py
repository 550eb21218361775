"""The rules a question's content must keep, per type (docs/questions.md, validation).

One function, `clean_content`, used by every way in: the API, the admin, the importers. It
returns the content normalised (option flags filled in, decimals as strings, HTML cleaned)
or raises `ValidationError` whose keys name the field, e.g. `options`, `options[2].text.hi`,
`answer.tolerance`.
"""

from decimal import Decimal, InvalidOperation

from django.core.exceptions import ValidationError

from apps.questions.choices import CHOICE_TYPES, Difficulty, QuestionType, TextFormat
from apps.questions.richtext import clean_text

MAX_OPTIONS = 10
MAX_TEXT = 20_000
LANGUAGE_CODE_MAX = 8


class _Errors:
    def __init__(self):
        self.by_field: dict[str, list[str]] = {}

    def add(self, field: str, message: str) -> None:
        self.by_field.setdefault(field, []).append(message)

    def raise_if_any(self) -> None:
        if self.by_field:
            raise ValidationError(self.by_field)


def _decimal(value, field: str, errors: _Errors, *, minimum: Decimal | None = None) -> Decimal | None:
    if value is None or value == "":
        errors.add(field, "A number is required.")
        return None
    try:
        number = Decimal(str(value).strip())
    except (InvalidOperation, ValueError):
        errors.add(field, f"{value!r} is not a number.")
        return None
    if not number.is_finite():
        errors.add(field, f"{value!r} is not a number.")
        return None
    if minimum is not None and number < minimum:
        errors.add(field, f"Must be at least {minimum}.")
        return None
    return number


def _texts(value, field: str, errors: _Errors, text_format: str, *, required: bool = True) -> dict[str, str]:
    """A `{language: text}` mapping, each text cleaned."""
    if value in (None, "", {}):
        if required:
            errors.add(field, "Text is required in at least one language.")
        return {}
    if isinstance(value, str):
        errors.add(field, 'Give the text per language: {"en": "..."}.')
        return {}
    if not isinstance(value, dict):
        errors.add(field, "Expected an object of language code to text.")
        return {}
    cleaned = {}
    for language, text in value.items():
        where = f"{field}.{language}"
        if not isinstance(language, str) or not language.isascii() or not 2 <= len(language) <= LANGUAGE_CODE_MAX:
            errors.add(field, f"{language!r} is not a language code (en, hi, ...).")
            continue
        if not isinstance(text, str) or not text.strip():
            errors.add(where, "The text is empty.")
            continue
        if len(text) > MAX_TEXT:
            errors.add(where, f"At most {MAX_TEXT} characters.")
            continue
        cleaned[language] = clean_text(text.strip(), text_format)
    return cleaned


def _options(value, errors: _Errors, text_format: str, languages: set[str]) -> list[dict]:
    if not isinstance(value, list) or not value:
        errors.add("options", "Options are required for this type.")
        return []
    if len(value) < 2:
        errors.add("options", "At least two options are required.")
    if len(value) > MAX_OPTIONS:
        errors.add("options", f"At most {MAX_OPTIONS} options.")
        return []
    options = []
    for index, option in enumerate(value):
        where = f"options[{index}]"
        if not isinstance(option, dict):
            errors.add(where, 'Expected {"text": {...}, "correct": true|false}.')
            continue
        texts = _texts(option.get("text"), f"{where}.text", errors, text_format)
        if texts and languages and set(texts) != languages:
            missing = sorted(languages - set(texts))
            extra = sorted(set(texts) - languages)
            detail = "; ".join(
                part
                for part in (
                    f"missing {', '.join(missing)}" if missing else "",
                    f"not in the question text: {', '.join(extra)}" if extra else "",
                )
                if part
            )
            errors.add(f"{where}.text", f"Every option needs the question's languages ({detail}).")
        options.append({"text": texts, "correct": bool(option.get("correct")), "fixed": bool(option.get("fixed"))})
    for language in sorted(languages):
        seen: dict[str, int] = {}
        for index, option in enumerate(options):
            text = option["text"].get(language)
            if text is None:
                continue
            key = " ".join(text.split()).casefold()
            if key in seen:
                errors.add(f"options[{index}].text.{language}", f"Same text as option {chr(65 + seen[key])}.")
            else:
                seen[key] = index
    return options


def _numeric_answer(value, errors: _Errors) -> dict | None:
    if not isinstance(value, dict):
        errors.add("answer", 'A numeric question needs {"value", "tolerance"} or {"min", "max"}.')
        return None
    if "min" in value or "max" in value:
        low = _decimal(value.get("min"), "answer.min", errors)
        high = _decimal(value.get("max"), "answer.max", errors)
        if low is not None and high is not None and low > high:
            errors.add("answer.max", "The range's maximum is below its minimum.")
        return None if low is None or high is None else {"min": str(low), "max": str(high)}
    number = _decimal(value.get("value"), "answer.value", errors)
    tolerance = _decimal(value.get("tolerance", "0"), "answer.tolerance", errors, minimum=Decimal(0))
    if number is None or tolerance is None:
        return None
    return {"value": str(number), "tolerance": str(tolerance)}


def _scheme(value, errors: _Errors, marks: Decimal | None) -> list[dict]:
    if value in (None, ""):
        return []
    if not isinstance(value, list):
        errors.add("marking_scheme", 'Expected [{"part": "a", "description": "...", "marks": 2}].')
        return []
    parts, names, total = [], set(), Decimal(0)
    for index, part in enumerate(value):
        where = f"marking_scheme[{index}]"
        if not isinstance(part, dict):
            errors.add(where, 'Expected {"part", "description", "marks"}.')
            continue
        name = str(part.get("part") or "").strip()
        if not name:
            errors.add(f"{where}.part", "Name the part (a, b, ...).")
        elif name in names:
            errors.add(f"{where}.part", f"Part {name!r} appears twice.")
        names.add(name)
        part_marks = _decimal(part.get("marks"), f"{where}.marks", errors, minimum=Decimal(0))
        if part_marks is not None:
            total += part_marks
        parts.append(
            {
                "part": name,
                "description": str(part.get("description") or "").strip(),
                "marks": str(part_marks) if part_marks is not None else None,
            }
        )
    if parts and marks is not None and total != marks and "marking_scheme" not in errors.by_field:
        errors.add("marking_scheme", f"The parts add up to {total}, not the question's {marks} marks.")
    return parts


def clean_content(data: dict) -> dict:
    """Validate and normalise a question's content (the keys of `QuestionContent.CONTENT_FIELDS`
    except `passage`, which the caller resolves). Unknown keys are ignored."""
    errors = _Errors()
    kind = data.get("type")
    if kind not in QuestionType.values:
        errors.add("type", f"Choose one of: {', '.join(QuestionType.values)}.")
        errors.raise_if_any()
    text_format = data.get("text_format") or TextFormat.MARKDOWN
    if text_format not in TextFormat.values:
        errors.add("text_format", f"Choose one of: {', '.join(TextFormat.values)}.")
        text_format = TextFormat.MARKDOWN
    difficulty = data.get("difficulty") or Difficulty.MEDIUM
    if difficulty not in Difficulty.values:
        errors.add("difficulty", f"Choose one of: {', '.join(Difficulty.values)}.")
    text = _texts(data.get("text"), "text", errors, text_format)
    languages = set(text)
    marks = _decimal(data.get("marks", 1), "marks", errors, minimum=Decimal(0))
    negative = _decimal(data.get("negative_marks", 0) or 0, "negative_marks", errors, minimum=Decimal(0))
    tags = data.get("tags") or []
    if not isinstance(tags, list) or not all(isinstance(t, str) and t.strip() for t in tags):
        errors.add("tags", "Expected a list of words.")
        tags = []
    topic = str(data.get("topic") or "").strip().strip("/")
    if len(topic) > 300:
        errors.add("topic", "At most 300 characters.")

    cleaned = {
        "type": kind,
        "text": text,
        "text_format": text_format,
        "options": [],
        "answer": None,
        "model_answer": {},
        "marking_scheme": [],
        "marks": marks,
        "negative_marks": negative,
        "difficulty": difficulty,
        "topic": topic,
        "tags": sorted({t.strip() for t in tags}),
    }
    if kind in CHOICE_TYPES:
        options = _options(data.get("options"), errors, text_format, languages)
        correct = [i for i, o in enumerate(options) if o["correct"]]
        if options and kind in (QuestionType.SINGLE, QuestionType.TRUE_FALSE) and len(correct) != 1:
            errors.add("options", f"Exactly one option must be correct (found {len(correct)}).")
        if options and kind == QuestionType.MULTIPLE and not correct:
            errors.add("options", "At least one option must be correct.")
        if options and kind == QuestionType.TRUE_FALSE and len(options) != 2:
            errors.add("options", "A true/false question has exactly two options.")
        cleaned["options"] = options
    elif kind == QuestionType.NUMERIC:
        cleaned["answer"] = _numeric_answer(data.get("answer"), errors)
    elif kind == QuestionType.DESCRIPTIVE:
        cleaned["model_answer"] = _texts(data.get("model_answer"), "model_answer", errors, text_format, required=False)
        cleaned["marking_scheme"] = _scheme(data.get("marking_scheme"), errors, marks)
        if negative:
            errors.add("negative_marks", "A descriptive question carries no negative marks.")
    if kind != QuestionType.DESCRIPTIVE and data.get("marking_scheme"):
        errors.add("marking_scheme", "Only a descriptive question has a marking scheme.")
    if kind not in CHOICE_TYPES and data.get("options"):
        errors.add("options", f"A {kind} question has no options.")
    errors.raise_if_any()
    return cleaned


def correct_indices(options: list[dict]) -> list[int]:
    """Bank indices of the correct options."""
    return [i for i, option in enumerate(options) if option.get("correct")]
