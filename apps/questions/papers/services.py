"""Writes of question papers: create, build (blueprint or by hand), sets, finalise.

Every function is one transaction. Every write to a paper first locks it and refuses with
409 when it is final: a final paper is immutable. Only approved question *versions* enter a
paper, so later edits to the bank never change a paper already built.
"""

import secrets
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Count
from django.utils import timezone
from rest_framework import status

from apps.core.roles import Role
from apps.core.scoping import scope_for
from apps.questions.choices import PaperStatus, QuestionStatus
from apps.questions.models import (
    PaperQuestion,
    PaperSet,
    Question,
    QuestionPaper,
    QuestionVersion,
    SetQuestion,
    Subject,
)
from apps.questions.papers import building
from apps.questions.papers.blueprints import MAX_SECTIONS, clean_blueprint
from apps.questions.papers.building import Drawn
from apps.questions.papers.sealing import seal_paper
from apps.questions.papers.sets import MasterItem, set_layout, set_letters
from utils.exceptions import ApplicationError, Conflict

PAPER_WRITERS = frozenset({Role.ADMIN, Role.PAPER_SETTER})
MAX_LANGUAGES = 2  # one language, or two side by side
MAX_INSTRUCTIONS = 5_000
MAX_PICK = 500


def _forbidden(message: str) -> ApplicationError:
    return ApplicationError("permission_denied", message, status_code=status.HTTP_403_FORBIDDEN)


def _require_writer(user) -> None:
    if getattr(user, "role", None) not in PAPER_WRITERS:
        raise _forbidden("Only admins and paper setters write question papers.")


def _subject_codes(user) -> list[str]:
    """Subjects `user` may draw from: an admin all, a setter its assigned ones."""
    return list(scope_for(user, Subject.objects.all()).values_list("code", flat=True))


def _locked_draft(paper: QuestionPaper) -> QuestionPaper:
    """The paper, locked for this transaction; 409 when it is final."""
    locked = QuestionPaper.objects.select_for_update().select_related("session__paper__exam").get(pk=paper.pk)
    if locked.status == PaperStatus.FINAL:
        raise Conflict("paper_final", "This question paper is final and cannot be changed.")
    return locked


def _clean_languages(value) -> list[str]:
    if not isinstance(value, list | tuple) or not 1 <= len(value) <= MAX_LANGUAGES:
        raise ValidationError({"languages": [f'One or {MAX_LANGUAGES} language codes, e.g. ["en", "hi"].']})
    codes = []
    for code in value:
        if not isinstance(code, str) or not code.isascii() or not 2 <= len(code) <= 8 or not code.isalpha():
            raise ValidationError({"languages": [f"{code!r} is not a language code (en, hi, ...)."]})
        if code.lower() in codes:
            raise ValidationError({"languages": [f"{code!r} appears twice."]})
        codes.append(code.lower())
    return codes


def _clean_instructions(value) -> dict[str, str]:
    if value in (None, ""):
        return {}
    if not isinstance(value, dict):
        raise ValidationError({"instructions": ['Give the instructions per language: {"en": "..."}.']})
    cleaned = {}
    for language, text in value.items():
        if not isinstance(text, str) or len(text) > MAX_INSTRUCTIONS:
            raise ValidationError({f"instructions.{language}": [f"Text of at most {MAX_INSTRUCTIONS} characters."]})
        if text.strip():
            cleaned[str(language)] = text.strip()
    return cleaned


def _clean_seed(value) -> int:
    if value is None:
        return secrets.randbelow(2**31)
    if isinstance(value, bool) or not isinstance(value, int) or not 0 <= value < 2**63:
        raise ValidationError({"seed": ["A whole number from 0 to 2**63 - 1."]})
    return value


@transaction.atomic
def create_paper(*, user, session, blueprint=None, seed=None, languages=("en",), instructions=None) -> QuestionPaper:
    """The (empty, draft) question paper of `session`; 409 if the session has one.
    Without a seed one is chosen and stored, so the paper stays reproducible."""
    _require_writer(user)
    if QuestionPaper.objects.filter(session=session).exists():
        raise Conflict("paper_exists", "This session already has a question paper.")
    return QuestionPaper.objects.create(
        session=session,
        blueprint=clean_blueprint(blueprint, subject_codes=_subject_codes(user)),
        seed=_clean_seed(seed),
        languages=_clean_languages(list(languages)),
        instructions=_clean_instructions(instructions),
        created_by=user,
    )


UPDATABLE = ("blueprint", "seed", "languages", "instructions")


@transaction.atomic
def update_paper(*, user, paper: QuestionPaper, data: dict) -> QuestionPaper:
    """Change a draft's blueprint, seed, languages or instructions (not its questions: build
    or pick again for that)."""
    _require_writer(user)
    paper = _locked_draft(paper)
    cleaners = {
        "blueprint": lambda v: clean_blueprint(v, subject_codes=_subject_codes(user)),
        "seed": _clean_seed,
        "languages": lambda v: _clean_languages(list(v) if isinstance(v, tuple) else v),
        "instructions": _clean_instructions,
    }
    changed = []
    for name in UPDATABLE:
        if name in data:
            setattr(paper, name, cleaners[name](data[name]))
            changed.append(name)
    if changed:
        paper.save(update_fields=[*changed, "updated_at"])
    return paper


@transaction.atomic
def delete_paper(*, user, paper: QuestionPaper) -> None:
    """Delete a draft paper (its questions and sets with it); 409 for a final one."""
    _require_writer(user)
    paper = _locked_draft(paper)
    paper.delete()


def _current(paper: QuestionPaper) -> list[Drawn]:
    rows = paper.questions.order_by("position").values_list(
        "question_id", "version_id", "version__passage_id", "section", "section_title", "marks", "negative_marks"
    )
    return [Drawn(*row) for row in rows]


def _write_questions(paper: QuestionPaper, entries: list[Drawn]) -> list[PaperQuestion]:
    """Replace the paper's questions by `entries` (master order, passages kept together).
    The sets are removed: they no longer match the questions."""
    ordered = building.master_order(entries, section=lambda e: e.section, passage=lambda e: e.passage_id)
    PaperSet.objects.filter(paper=paper).delete()
    PaperQuestion.objects.filter(paper=paper).delete()
    versions = {}
    missing = [e.version_id for e in ordered if e.marks is None or e.negative_marks is None]
    if missing:
        versions = {
            pk: (marks, negative)
            for pk, marks, negative in QuestionVersion.objects.filter(pk__in=missing).values_list(
                "pk", "marks", "negative_marks"
            )
        }
    rows = []
    for position, entry in enumerate(ordered, start=1):
        default_marks, default_negative = versions.get(entry.version_id, (None, None))
        rows.append(
            PaperQuestion(
                paper=paper,
                section=entry.section,
                section_title=entry.section_title,
                position=position,
                question_id=entry.question_id,
                version_id=entry.version_id,
                marks=Decimal(entry.marks) if entry.marks is not None else default_marks,
                negative_marks=Decimal(entry.negative_marks) if entry.negative_marks is not None else default_negative,
            )
        )
    created = PaperQuestion.objects.bulk_create(rows, batch_size=500)
    paper.save(update_fields=["updated_at"])
    return created


@transaction.atomic
def build_from_blueprint(*, user, paper: QuestionPaper) -> list[PaperQuestion]:
    """Draw the paper's questions from its blueprint and seed, replacing any it had.

    400 when a rule cannot be satisfied (naming the section, the rule and how many questions
    were available); nothing is changed then.
    """
    _require_writer(user)
    paper = _locked_draft(paper)
    if not paper.blueprint:
        raise ApplicationError("no_blueprint", "The paper has no blueprint: set one, or pick questions by hand.")
    # The subjects are checked again: a setter may have lost a subject since the blueprint was set.
    blueprint = clean_blueprint(paper.blueprint, subject_codes=_subject_codes(user))
    result = building.draw(paper, blueprint)
    if result.shortfalls:
        raise building.shortfall_error(result.shortfalls)
    return _write_questions(paper, result.questions)


def _resolve_picks(user, question_ids) -> tuple[dict[int, Question], dict[str, list[str]]]:
    """The listed questions by list index, and the errors of those that cannot be used."""
    if not isinstance(question_ids, list | tuple) or not question_ids:
        raise ValidationError({"question_ids": ["Give a list of question ids (or bank numbers)."]})
    if len(question_ids) > MAX_PICK:
        raise ValidationError({"question_ids": [f"At most {MAX_PICK} at a time."]})
    visible = scope_for(user, Question.objects.select_related("approved_version"))
    found, errors, seen = {}, {}, set()
    for index, value in enumerate(question_ids):
        where = f"question_ids[{index}]"
        try:
            lookup = {"number": value} if isinstance(value, int) and not isinstance(value, bool) else {"pk": value}
            question = visible.get(**lookup)
        except (Question.DoesNotExist, ValidationError, ValueError, TypeError):
            errors[where] = [f"No question {value!r} that you may use."]
            continue
        if question.pk in seen:
            errors[where] = [f"Q{question.number} is listed twice."]
        elif question.approved_version_id is None or question.status == QuestionStatus.RETIRED:
            errors[where] = [f"Q{question.number} is not approved (or is retired)."]
        else:
            found[index] = question
        seen.add(question.pk)
    return found, errors


@transaction.atomic
def pick_questions(
    *, user, paper: QuestionPaper, section: int, question_ids, section_title=None
) -> list[PaperQuestion]:
    """Add questions by hand (their approved versions) at the end of `section` (0-based).

    Refused (400, naming the list position) for a question not approved, already in this
    paper, or used by another session of the same exam paper. A passage's questions are kept
    together; one passage cannot be in two sections.
    """
    _require_writer(user)
    paper = _locked_draft(paper)
    if isinstance(section, bool) or not isinstance(section, int) or not 0 <= section < MAX_SECTIONS:
        raise ValidationError({"section": [f"A section index from 0 to {MAX_SECTIONS - 1}."]})
    picks, errors = _resolve_picks(user, question_ids)
    entries = _current(paper)
    present = {e.question_id for e in entries}
    elsewhere = building.used_elsewhere(paper)
    passage_sections = {e.passage_id: e.section for e in entries if e.passage_id is not None}
    for index, question in picks.items():
        where = f"question_ids[{index}]"
        passage_id = question.approved_version.passage_id
        if question.pk in present:
            errors[where] = [f"Q{question.number} is already in this paper."]
        elif question.pk in elsewhere:
            errors[where] = [f"Q{question.number} is in the paper of another session of this exam paper."]
        elif passage_id is not None and passage_sections.get(passage_id, section) != section:
            errors[where] = [f"Q{question.number}'s passage is in section {passage_sections[passage_id] + 1}."]
    if errors:
        raise ValidationError(errors)
    title = (
        (section_title or "").strip()
        or (paper.blueprint[section]["title"] if section < len(paper.blueprint) else "")
        or next((e.section_title for e in entries if e.section == section), "")
        or f"Section {section + 1}"
    )
    for question in picks.values():
        entries.append(Drawn(question.pk, question.approved_version_id, question.approved_version.passage_id,
                             section, title, None, None))  # fmt: skip
    return _write_questions(paper, entries)


@transaction.atomic
def remove_question(*, user, paper: QuestionPaper, position: int) -> list[PaperQuestion]:
    """Remove the question at `position` (1-based); the rest close up. 404 if there is none."""
    _require_writer(user)
    paper = _locked_draft(paper)
    entries = _current(paper)
    if not isinstance(position, int) or not 1 <= position <= len(entries):
        raise ApplicationError(
            "not_found", f"The paper has no question at position {position}.", status_code=status.HTTP_404_NOT_FOUND
        )
    del entries[position - 1]
    return _write_questions(paper, entries)


@transaction.atomic
def reorder_questions(*, user, paper: QuestionPaper, order) -> list[PaperQuestion]:
    """Put the questions in `order`: every current position once, in the new master order.
    Questions stay in their sections and passages stay together."""
    _require_writer(user)
    paper = _locked_draft(paper)
    entries = _current(paper)
    if not isinstance(order, list) or sorted(order) != list(range(1, len(entries) + 1)):
        raise ValidationError({"order": [f"List every position from 1 to {len(entries)} exactly once."]})
    return _write_questions(paper, [entries[p - 1] for p in order])


@transaction.atomic
def build_sets(*, user, paper: QuestionPaper) -> list[PaperSet]:
    """The paper's `Paper.set_count` sets (A, B, C...), replacing any built before: the same
    questions, shuffled within sections, options shuffled but for fixed ones. Reproducible
    from (seed, letter)."""
    _require_writer(user)
    paper = _locked_draft(paper)
    rows = paper.questions.order_by("position").values_list(
        "id", "section", "version__passage_id", "version__type", "version__options"
    )
    items = [MasterItem(*row) for row in rows]
    if not items:
        raise ApplicationError("no_questions", "The paper has no questions yet: build or pick them first.")
    PaperSet.objects.filter(paper=paper).delete()
    sets, placements = [], []
    for letter in set_letters(paper.session.paper.set_count):
        paper_set = PaperSet.objects.create(paper=paper, letter=letter)
        sets.append(paper_set)
        for position, (item, options) in enumerate(set_layout(items, seed=paper.seed, letter=letter), start=1):
            placements.append(
                SetQuestion(paper_set=paper_set, position=position, paper_question_id=item.id, option_order=options)
            )
    SetQuestion.objects.bulk_create(placements, batch_size=1000)
    paper.save(update_fields=["updated_at"])
    return sets


def _finalise_problems(paper: QuestionPaper) -> list[str]:
    problems = []
    questions = list(
        paper.questions.order_by("position").values_list(
            "position", "question__number", "question__status", "question__approved_version_id", "version__text"
        )
    )
    if not questions:
        return ["it has no questions"]
    letters = set_letters(paper.session.paper.set_count)
    built = dict(paper.sets.annotate(n=Count("items")).values_list("letter", "n"))
    have = sorted(built)
    if have != letters or any(built.get(letter) != len(questions) for letter in letters):
        problems.append(f"its sets are not built for the exam paper's {len(letters)} sets (build the sets)")
    stale = [
        f"Q{number} (position {position})"
        for position, number, state, approved, _ in questions
        if approved is None or state == QuestionStatus.RETIRED
    ]
    if stale:
        problems.append("no longer approved: " + ", ".join(stale))
    untranslated = [
        str(position) for position, _, _, _, text in questions if any(lang not in text for lang in paper.languages)
    ]
    if untranslated:
        languages = ", ".join(paper.languages)
        problems.append(f"not in every print language ({languages}): positions {', '.join(untranslated)}")
    return problems


@transaction.atomic
def finalise_paper(*, user, paper: QuestionPaper) -> QuestionPaper:
    """Make the paper final (admins only): it needs its sets built and every question still
    approved (and in every print language). Each set's PDF is then stored encrypted
    (`sealing.seal_paper`): those documents are what the centers receive. A final paper is
    immutable: every write above refuses it with 409."""
    if getattr(user, "role", None) != Role.ADMIN:
        raise _forbidden("Only an admin may finalise a question paper.")
    paper = _locked_draft(paper)
    problems = _finalise_problems(paper)
    if problems:
        raise Conflict("paper_not_ready", "The paper cannot be finalised: " + "; ".join(problems) + ".")
    paper.status = PaperStatus.FINAL
    paper.finalised_by = user
    paper.finalised_at = timezone.now()
    paper.save(update_fields=["status", "finalised_by", "finalised_at", "updated_at"])
    # The sets printed and stored encrypted, in this transaction: final means sealed.
    seal_paper(user=user, paper=paper)
    return paper
