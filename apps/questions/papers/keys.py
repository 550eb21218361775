"""A set's answer key, derived from the set's layout and the frozen question versions.

Nothing is stored: the key is computed from `SetQuestion.option_order` and the version's
correct options each time, so it cannot drift from the set that was printed.
"""

from apps.questions.choices import CHOICE_TYPES, QuestionType
from apps.questions.models import PaperSet, SetQuestion
from apps.questions.papers.sets import LETTERS


def letters_for(option_order: list[int], options: list[dict]) -> str:
    """The correct options in the set's lettering: bank index -> printed position -> letter."""
    correct = {i for i, option in enumerate(options) if option.get("correct")}
    return "".join(LETTERS[printed] for printed, bank_index in enumerate(option_order) if bank_index in correct)


def answer_key(paper_set: PaperSet) -> list[dict]:
    """`[{"position", "question" (bank number), "type", "answer", "marks", "negative_marks"}]`
    in the set's order.

    `answer`: for choice questions the letters printed in THIS set ("B", "AC"); for numeric
    ones `{"value", "tolerance"}` or `{"min", "max"}` (decimal strings); for descriptive ones
    None (marked by evaluators against the marking scheme). Marks are decimal strings.
    """
    rows = (
        SetQuestion.objects.filter(paper_set=paper_set)
        .order_by("position")
        .values_list(
            "position",
            "option_order",
            "paper_question__question__number",
            "paper_question__version__type",
            "paper_question__version__options",
            "paper_question__version__answer",
            "paper_question__marks",
            "paper_question__negative_marks",
        )
    )
    key = []
    for position, order, number, kind, options, answer, marks, negative in rows:
        if kind in CHOICE_TYPES:
            value = letters_for(order, options)
        elif kind == QuestionType.NUMERIC:
            value = dict(answer or {})
        else:
            value = None
        key.append(
            {
                "position": position,
                "question": number,
                "type": kind,
                "answer": value,
                "marks": str(marks),
                "negative_marks": str(negative),
            }
        )
    return key
