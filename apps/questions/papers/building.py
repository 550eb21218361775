"""Drawing a paper's questions from its blueprint, reproducibly from its seed.

The database does the filtering (approved, not retired, the rule's subject, topic and
difficulty, on the approved *version*); only ids, version ids and passage ids come back, in
bank-number order, and Python samples them with `random.Random`. The same bank and the same
seed therefore give the same paper; a rule's random stream is derived from (seed, section,
rule), so changing one rule does not reshuffle the others.

Questions sharing a passage are one unit: drawn together (all of the passage's questions the
rule matches) or not at all, and never drawn from a passage another rule already used, so a
passage prints once with all its questions after it.
"""

import random
from dataclasses import dataclass, field

from django.db.models import Q

from apps.questions.choices import QuestionStatus
from apps.questions.models import PaperQuestion, Question, QuestionPaper
from apps.questions.papers.blueprints import rule_label
from utils.exceptions import ApplicationError


@dataclass
class Drawn:
    """One drawn question: what a `PaperQuestion` row is made from."""

    question_id: object
    version_id: object
    passage_id: object
    section: int
    section_title: str
    marks: str | None
    negative_marks: str | None


@dataclass
class Shortfall:
    label: str
    wanted: int
    available: int
    passages_blocked: bool = False


@dataclass
class Draw:
    questions: list[Drawn] = field(default_factory=list)
    shortfalls: list[Shortfall] = field(default_factory=list)


def eligible(subject_code: str, topic: str = "", difficulty: str | None = None):
    """Approved, not retired questions of a rule, as (bank number, passage id) rows in number
    order: integers, cheap to load by the hundred thousand (ids are fetched for the drawn few)."""
    rows = Question.objects.filter(subject__code=subject_code, approved_version__isnull=False).exclude(
        status=QuestionStatus.RETIRED
    )
    if topic:
        rows = rows.filter(Q(approved_version__topic=topic) | Q(approved_version__topic__startswith=f"{topic}/"))
    if difficulty:
        rows = rows.filter(approved_version__difficulty=difficulty)
    return rows.order_by("number").values_list("number", "approved_version__passage_id")


def used_elsewhere(paper: QuestionPaper, field: str = "question_id") -> set:
    """Questions (ids, or bank numbers with `field="question__number"`) already in the papers
    of the other sessions of the same exam paper (the other shifts)."""
    rows = PaperQuestion.objects.filter(paper__session__paper_id=paper.session.paper_id).exclude(paper=paper)
    return set(rows.values_list(field, flat=True))


def _units(rows, excluded: set, used_passages: set) -> tuple[list[list[tuple]], int]:
    """The rule's candidates grouped: a lone question, or all of one passage's questions."""
    units: list[list[tuple]] = []
    by_passage: dict = {}
    for row in rows:
        number, passage_id = row
        if number in excluded:
            continue
        if passage_id is None:
            units.append([row])
        elif passage_id not in used_passages:
            if passage_id not in by_passage:
                by_passage[passage_id] = []
                units.append(by_passage[passage_id])
            by_passage[passage_id].append(row)
    return units, sum(len(u) for u in units)


def _shuffled(units: list, rng: random.Random):
    """`units` in a random order, lazily (Fisher-Yates one step at a time): a draw of 200
    from 100,000 shuffles only as far as it reads."""
    for i in range(len(units)):
        j = rng.randrange(i, len(units))
        units[i], units[j] = units[j], units[i]
        yield units[i]


def draw(paper: QuestionPaper, blueprint: list[dict]) -> Draw:
    """The questions `blueprint` draws for `paper` (nothing is written)."""
    result = Draw()
    excluded = used_elsewhere(paper, "question__number")
    used_passages: set = set()
    picked: list[tuple] = []  # (number, passage id, section, title, marks, negative marks)
    for s, section in enumerate(blueprint):
        for r, rule in enumerate(section["rules"]):
            rows = eligible(rule["subject"], rule["topic"], rule["difficulty"])
            units, available = _units(rows, excluded, used_passages)
            rng = random.Random(f"{paper.seed}:{s}:{r}")
            wanted, taken = rule["count"], []
            for unit in _shuffled(units, rng):
                if len(taken) + len(unit) <= wanted:
                    taken.extend(unit)
                    if len(taken) == wanted:
                        break
            if len(taken) < wanted:
                blocked = available >= wanted
                result.shortfalls.append(Shortfall(rule_label(section, s, r), wanted, available, blocked))
                continue
            for number, passage_id in taken:
                excluded.add(number)
                if passage_id is not None:
                    used_passages.add(passage_id)
                picked.append((number, passage_id, s, section["title"], rule["marks"], rule["negative_marks"]))
    if result.shortfalls:
        return result
    drawn = [p[0] for p in picked]
    ids = {
        n: (pk, v)
        for n, pk, v in Question.objects.filter(number__in=drawn).values_list("number", "id", "approved_version_id")
    }
    for number, passage_id, s, title, marks, negative in picked:
        result.questions.append(Drawn(*ids[number], passage_id, s, title, marks, negative))
    return result


def shortfall_error(shortfalls: list[Shortfall]) -> ApplicationError:
    def say(short: Shortfall) -> str:
        if short.passages_blocked:
            return (
                f"{short.label}: {short.available} questions are available but their passages cannot make "
                f"exactly {short.wanted} (a passage's questions are drawn together)"
            )
        return f"{short.label}: needs {short.wanted} questions, {short.available} available"

    return ApplicationError(
        "blueprint_unsatisfiable",
        "The bank cannot satisfy the blueprint: " + "; ".join(say(s) for s in shortfalls) + ".",
        extra={
            "rules": [
                {"rule": s.label, "wanted": s.wanted, "available": s.available, "passages_blocked": s.passages_blocked}
                for s in shortfalls
            ]
        },
    )


def master_order(items: list, *, section, passage) -> list:
    """`items` ordered by section, keeping their order otherwise, with the questions of one
    passage moved up next to the passage's first question (a passage is never split)."""
    by_section: dict[int, list] = {}
    for item in items:
        by_section.setdefault(section(item), []).append(item)
    ordered = []
    for s in sorted(by_section):
        groups: dict = {}
        sequence = []
        for item in by_section[s]:
            key = passage(item)
            if key is None:
                sequence.append([item])
            elif key in groups:
                groups[key].append(item)
            else:
                groups[key] = [item]
                sequence.append(groups[key])
        ordered.extend(item for group in sequence for item in group)
    return ordered
