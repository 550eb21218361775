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
    """Approved, not retired questions of a rule, as (id, version id, passage id) rows."""
    rows = Question.objects.filter(subject__code=subject_code, approved_version__isnull=False).exclude(
        status=QuestionStatus.RETIRED
    )
    if topic:
        rows = rows.filter(Q(approved_version__topic=topic) | Q(approved_version__topic__startswith=f"{topic}/"))
    if difficulty:
        rows = rows.filter(approved_version__difficulty=difficulty)
    return rows.order_by("number").values_list("id", "approved_version_id", "approved_version__passage_id")


def used_elsewhere(paper: QuestionPaper) -> set:
    """Questions already in the papers of the other sessions of the same exam paper (shift)."""
    rows = PaperQuestion.objects.filter(paper__session__paper_id=paper.session.paper_id).exclude(paper=paper)
    return set(rows.values_list("question_id", flat=True))


def _units(rows, excluded: set, used_passages: set) -> tuple[list[list[tuple]], int]:
    """The rule's candidates grouped: a lone question, or all of one passage's questions."""
    units: list[list[tuple]] = []
    by_passage: dict = {}
    for row in rows:
        question_id, _, passage_id = row
        if question_id in excluded:
            continue
        if passage_id is None:
            units.append([row])
        elif passage_id not in used_passages:
            if passage_id not in by_passage:
                by_passage[passage_id] = []
                units.append(by_passage[passage_id])
            by_passage[passage_id].append(row)
    return units, sum(len(u) for u in units)


def draw(paper: QuestionPaper, blueprint: list[dict]) -> Draw:
    """The questions `blueprint` draws for `paper` (nothing is written)."""
    result = Draw()
    excluded = used_elsewhere(paper)
    used_passages: set = set()
    for s, section in enumerate(blueprint):
        for r, rule in enumerate(section["rules"]):
            rows = eligible(rule["subject"], rule["topic"], rule["difficulty"])
            units, available = _units(rows, excluded, used_passages)
            rng = random.Random(f"{paper.seed}:{s}:{r}")
            rng.shuffle(units)
            wanted, taken = rule["count"], []
            for unit in units:
                if len(taken) + len(unit) <= wanted:
                    taken.extend(unit)
                    if len(taken) == wanted:
                        break
            if len(taken) < wanted:
                blocked = available >= wanted
                result.shortfalls.append(Shortfall(rule_label(section, s, r), wanted, available, blocked))
                continue
            for question_id, version_id, passage_id in taken:
                excluded.add(question_id)
                if passage_id is not None:
                    used_passages.add(passage_id)
                result.questions.append(
                    Drawn(
                        question_id,
                        version_id,
                        passage_id,
                        s,
                        section["title"],
                        rule["marks"],
                        rule["negative_marks"],
                    )
                )
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
