"""Question numbers: public, unique, never reused (answer-key files and results name a
question by its number)."""

from django.db import transaction

from apps.questions.models import Question, QuestionNumberCounter


@transaction.atomic
def reserve_numbers(count: int = 1) -> int:
    """Reserve `count` consecutive question numbers; return the first.

    One conditional UPDATE moves the counter (compare-and-swap on the value read), so two
    concurrent writers never receive the same block: the loser sees 0 rows updated and tries
    again from the new value. The counter never falls behind numbers already in the bank.
    """
    counter, _ = QuestionNumberCounter.objects.get_or_create(pk=1)
    while True:
        highest = Question.objects.order_by("-number").values_list("number", flat=True).first() or 0
        start = max(counter.last_value, highest)
        won = QuestionNumberCounter.objects.filter(pk=1, last_value=counter.last_value).update(last_value=start + count)
        if won:
            return start + 1
        counter.refresh_from_db(fields=["last_value"])
