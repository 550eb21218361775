"""A paper's blueprint: its sections and, in each, the rules questions are drawn by.

    [{"title": "Physics", "rules": [{"subject": "PHY", "topic": "Mechanics", "difficulty": "easy",
                                     "count": 10, "marks": "4", "negative_marks": "1"}]}]

`topic` matches a topic and everything below it (`Mechanics` draws `Mechanics/Kinematics`
too); empty draws the whole subject. `difficulty` is optional (any). `marks` and
`negative_marks` are optional: without them each question carries its own.
"""

from decimal import Decimal, InvalidOperation

from django.core.exceptions import ValidationError

from apps.questions.choices import Difficulty

MAX_SECTIONS = 26
MAX_RULES = 100
MAX_COUNT = 1000
RULE_KEYS = {"subject", "topic", "difficulty", "count", "marks", "negative_marks"}


def _decimal(value, field: str, errors: dict) -> str | None:
    if value is None or value == "":
        return None
    try:
        number = Decimal(str(value).strip())
    except (InvalidOperation, ValueError):
        errors[field] = [f"{value!r} is not a number."]
        return None
    if not number.is_finite() or number < 0:
        errors[field] = ["Must be a number of at least 0."]
        return None
    return str(number)


def _rule(rule, where: str, errors: dict, subjects: dict[str, str]) -> dict | None:
    if not isinstance(rule, dict):
        errors[where] = ['Expected {"subject", "topic", "difficulty", "count", "marks", "negative_marks"}.']
        return None
    unknown = sorted(set(rule) - RULE_KEYS)
    if unknown:
        errors[where] = [f"Unknown keys: {', '.join(unknown)}."]
    subject = str(rule.get("subject") or "").strip()
    if not subject:
        errors[f"{where}.subject"] = ["Name the subject (its code)."]
    elif subject.upper() not in subjects:
        errors[f"{where}.subject"] = [f"No subject {subject!r} that you may draw from."]
    topic = str(rule.get("topic") or "").strip().strip("/")
    difficulty = rule.get("difficulty") or None
    if difficulty is not None and difficulty not in Difficulty.values:
        errors[f"{where}.difficulty"] = [f"Choose one of: {', '.join(Difficulty.values)}, or leave it out."]
    count = rule.get("count")
    if isinstance(count, bool) or not isinstance(count, int) or not 1 <= count <= MAX_COUNT:
        errors[f"{where}.count"] = [f"A whole number from 1 to {MAX_COUNT}."]
    return {
        "subject": subjects.get(subject.upper(), subject),
        "topic": topic,
        "difficulty": difficulty,
        "count": count,
        "marks": _decimal(rule.get("marks"), f"{where}.marks", errors),
        "negative_marks": _decimal(rule.get("negative_marks"), f"{where}.negative_marks", errors),
    }


def clean_blueprint(value, *, subject_codes) -> list[dict]:
    """The blueprint normalised (subject codes upper-case, decimals as strings), or
    `ValidationError` keyed `blueprint[0].rules[1].count`. `subject_codes`: the codes the
    user may draw from."""
    if value in (None, ""):
        return []
    subjects = {code.upper(): code for code in subject_codes}
    errors: dict[str, list[str]] = {}
    if not isinstance(value, list):
        raise ValidationError({"blueprint": ['Expected [{"title": "...", "rules": [...]}].']})
    if len(value) > MAX_SECTIONS:
        raise ValidationError({"blueprint": [f"At most {MAX_SECTIONS} sections."]})
    sections = []
    for s, section in enumerate(value):
        where = f"blueprint[{s}]"
        if not isinstance(section, dict):
            errors[where] = ['Expected {"title": "...", "rules": [...]}.']
            continue
        title = str(section.get("title") or "").strip()
        if not title:
            errors[f"{where}.title"] = ["Give the section a title."]
        elif len(title) > 200:
            errors[f"{where}.title"] = ["At most 200 characters."]
        rules = section.get("rules")
        if not isinstance(rules, list) or not rules:
            errors[f"{where}.rules"] = ["At least one rule."]
            rules = []
        elif len(rules) > MAX_RULES:
            errors[f"{where}.rules"] = [f"At most {MAX_RULES} rules."]
            rules = []
        cleaned = [_rule(rule, f"{where}.rules[{r}]", errors, subjects) for r, rule in enumerate(rules)]
        sections.append({"title": title, "rules": cleaned})
    if errors:
        raise ValidationError(errors)
    return sections


def rule_label(section: dict, s: int, r: int) -> str:
    """How an error names a rule: `section 1 "Physics", rule 2 (PHY Mechanics, easy)`."""
    rule = section["rules"][r]
    what = " ".join(part for part in (rule["subject"], rule["topic"] or "any topic", rule["difficulty"]) if part)
    return f'section {s + 1} "{section["title"]}", rule {r + 1} ({what})'
