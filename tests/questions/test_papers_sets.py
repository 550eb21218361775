"""Sets: the same questions shuffled within sections, options shuffled but fixed ones, keys
that map back to the same bank answers; finalising, after which nothing changes."""

import pytest

from apps.questions.choices import PaperStatus, QuestionStatus
from apps.questions.models import SetQuestion
from apps.questions.papers import services
from apps.questions.papers.keys import answer_key
from apps.questions.papers.sets import LETTERS
from tests.questions.papers_support import bank, blueprint, built_paper, content, passage, session
from utils.exceptions import ApplicationError, Conflict

pytestmark = pytest.mark.django_db

RULES = [{"subject": "PHY", "count": 20}]


def set_numbers(paper_set):
    return list(
        SetQuestion.objects.filter(paper_set=paper_set)
        .order_by("position")
        .values_list("paper_question__question__number", flat=True)
    )


def test_every_set_has_the_same_questions_in_its_own_order(admin, make_approved):
    bank(make_approved, 30)
    paper = built_paper(admin, session(), RULES)  # the factory's exam paper has 4 sets
    sets = list(paper.sets.order_by("letter"))
    assert [s.letter for s in sets] == ["A", "B", "C", "D"]
    orders = [set_numbers(s) for s in sets]
    master = list(paper.questions.order_by("position").values_list("question__number", flat=True))
    assert all(sorted(order) == sorted(master) for order in orders)
    assert len({tuple(order) for order in orders}) == 4  # each set its own order
    assert all(order != master for order in orders)


def test_sets_are_reproducible_from_seed_and_letter(admin, make_approved):
    bank(make_approved, 30)
    paper = built_paper(admin, session(), RULES)
    before = {s.letter: (set_numbers(s), list(s.items.order_by("position").values_list("option_order", flat=True)))
              for s in paper.sets.all()}  # fmt: skip
    services.build_sets(user=admin, paper=paper)
    after = {s.letter: (set_numbers(s), list(s.items.order_by("position").values_list("option_order", flat=True)))
             for s in paper.sets.all()}  # fmt: skip
    assert before == after


def test_questions_move_only_within_their_section(admin, make_approved, chemistry):
    bank(make_approved, 10)
    bank(make_approved, 10, start=50, subject=chemistry, topic="Organic")
    paper = services.create_paper(
        user=admin,
        session=session(),
        seed=3,
        blueprint=blueprint(
            ("Physics", [{"subject": "PHY", "count": 6}]), ("Chemistry", [{"subject": "CHE", "count": 6}])
        ),
    )
    services.build_from_blueprint(user=admin, paper=paper)
    services.build_sets(user=admin, paper=paper)
    for paper_set in paper.sets.all():
        sections = list(paper_set.items.order_by("position").values_list("paper_question__section", flat=True))
        assert sections == [0] * 6 + [1] * 6


def test_fixed_options_keep_their_place_and_the_rest_are_shuffled(admin, make_approved):
    for n in range(1, 21):
        make_approved(**content(n, fixed_last=True))
    paper = built_paper(admin, session(), RULES)
    orders = list(SetQuestion.objects.filter(paper_set__paper=paper).values_list("option_order", flat=True))
    assert len(orders) == 80
    assert all(order[3] == 3 and sorted(order) == [0, 1, 2, 3] for order in orders)
    assert any(order[:3] != [0, 1, 2] for order in orders)


def test_true_false_options_keep_their_order(admin, make_approved):
    for n in range(5):
        make_approved(
            type="true_false",
            text={"en": f"Statement {n} is true?"},
            options=[{"text": {"en": "True"}, "correct": True}, {"text": {"en": "False"}, "correct": False}],
        )
    paper = built_paper(admin, session(), [{"subject": "PHY", "count": 5}], languages=("en",))
    orders = set(map(tuple, SetQuestion.objects.filter(paper_set__paper=paper).values_list("option_order", flat=True)))
    assert orders == {(0, 1)}


def test_a_passage_moves_as_a_block_with_its_questions_in_order(admin, make_approved, physics):
    bank(make_approved, 10)
    text = passage(physics)
    members = [make_approved(**content(n, passage=text)) for n in range(100, 103)]
    paper = built_paper(admin, session(), [{"subject": "PHY", "count": 13}])
    expected = [q.number for q in members]
    for paper_set in paper.sets.all():
        order = set_numbers(paper_set)
        start = order.index(expected[0])
        assert order[start : start + 3] == expected


def test_every_sets_key_maps_back_to_the_same_correct_bank_options(admin, make_approved):
    bank(make_approved, 15)
    bank(make_approved, 5, start=40, correct=[0, 2])  # multiple correct
    make_approved(type="numeric", text={"en": "g?", "hi": "g?"}, answer={"value": "9.8", "tolerance": "0.1"})
    make_approved(type="numeric", text={"en": "Range?", "hi": "सीमा?"}, answer={"min": "1", "max": "2"})
    paper = built_paper(admin, session(), [{"subject": "PHY", "count": 22}])
    bank_answers = {}
    for row in paper.questions.select_related("question", "version"):
        version = row.version
        if version.options:
            bank_answers[row.question.number] = {
                version.options[i]["text"]["en"] for i, o in enumerate(version.options) if o["correct"]
            }
        else:
            bank_answers[row.question.number] = version.answer
    seen_letters = set()
    for paper_set in paper.sets.all():
        key = answer_key(paper_set)
        assert [entry["position"] for entry in key] == list(range(1, 23))
        assert {entry["question"] for entry in key} == set(bank_answers)
        layout = {item.position: item for item in paper_set.items.select_related("paper_question__version")}
        for entry in key:
            version = layout[entry["position"]].paper_question.version
            order = layout[entry["position"]].option_order
            placed = layout[entry["position"]].paper_question
            assert (entry["marks"], entry["negative_marks"]) == (str(placed.marks), str(placed.negative_marks))
            if entry["type"] == "numeric":
                assert entry["answer"] == bank_answers[entry["question"]]
                continue
            printed = {version.options[order[LETTERS.index(letter)]]["text"]["en"] for letter in entry["answer"]}
            assert printed == bank_answers[entry["question"]]
            assert entry["answer"] == "".join(sorted(entry["answer"]))
            seen_letters.add(entry["answer"])
    assert len(seen_letters) > 4  # the lettering really differs between sets


def test_key_letters_of_one_question_differ_between_sets(admin, make_approved):
    question = make_approved(**content(1, correct=[0]))
    paper = built_paper(admin, session(), [{"subject": "PHY", "count": 1}])
    letters = {answer_key(s)[0]["answer"] for s in paper.sets.all()}
    assert letters <= set("ABCD") and len(letters) > 1
    assert {answer_key(s)[0]["question"] for s in paper.sets.all()} == {question.number}


def test_finalise_needs_sets_and_approved_questions(admin, setter, make_approved):
    questions = bank(make_approved, 5)
    paper = built_paper(admin, session(), [{"subject": "PHY", "count": 5}], sets=False)
    with pytest.raises(ApplicationError) as not_admin:
        services.finalise_paper(user=setter, paper=paper)
    assert not_admin.value.status_code == 403
    with pytest.raises(Conflict) as no_sets:
        services.finalise_paper(user=admin, paper=paper)
    assert "sets are not built" in no_sets.value.message
    services.build_sets(user=admin, paper=paper)
    questions[2].status = QuestionStatus.RETIRED
    questions[2].save()
    with pytest.raises(Conflict) as retired:
        services.finalise_paper(user=admin, paper=paper)
    assert f"no longer approved: Q{questions[2].number}" in retired.value.message
    questions[2].status = QuestionStatus.APPROVED
    questions[2].save()
    final = services.finalise_paper(user=admin, paper=paper)
    assert (final.status, final.finalised_by) == (PaperStatus.FINAL, admin)


def test_a_bilingual_paper_needs_every_question_in_both_languages(admin, make_approved):
    bank(make_approved, 3, hindi=False)
    paper = built_paper(admin, session(), [{"subject": "PHY", "count": 3}], languages=("en", "hi"))
    with pytest.raises(Conflict) as refused:
        services.finalise_paper(user=admin, paper=paper)
    assert "not in every print language (en, hi): positions 1, 2, 3" in refused.value.message


def test_a_final_paper_refuses_every_write(admin, make_approved):
    questions = bank(make_approved, 6)
    paper = built_paper(admin, session(), [{"subject": "PHY", "count": 5}])
    services.finalise_paper(user=admin, paper=paper)
    spare = next(q for q in questions if not paper.questions.filter(question=q).exists())
    writes = [
        lambda: services.build_from_blueprint(user=admin, paper=paper),
        lambda: services.build_sets(user=admin, paper=paper),
        lambda: services.pick_questions(user=admin, paper=paper, section=0, question_ids=[spare.number]),
        lambda: services.remove_question(user=admin, paper=paper, position=1),
        lambda: services.reorder_questions(user=admin, paper=paper, order=[5, 4, 3, 2, 1]),
        lambda: services.update_paper(user=admin, paper=paper, data={"seed": 9}),
        lambda: services.delete_paper(user=admin, paper=paper),
        lambda: services.finalise_paper(user=admin, paper=paper),
    ]
    keys_before = {s.letter: answer_key(s) for s in paper.sets.all()}
    for write in writes:
        with pytest.raises(Conflict) as refused:
            write()
        assert refused.value.status_code == 409 and refused.value.code == "paper_final"
    paper.refresh_from_db()
    assert paper.seed == 7 and paper.questions.count() == 5
    assert {s.letter: answer_key(s) for s in paper.sets.all()} == keys_before


def test_sets_follow_the_exam_papers_set_count(admin, make_approved):
    bank(make_approved, 5)
    exam_session = session(paper__set_count=2)
    paper = built_paper(admin, exam_session, [{"subject": "PHY", "count": 5}])
    assert list(paper.sets.values_list("letter", flat=True)) == ["A", "B"]
    exam_session.paper.set_count = 3
    exam_session.paper.save()
    with pytest.raises(Conflict) as refused:
        services.finalise_paper(user=admin, paper=paper)
    assert "build the sets" in refused.value.message
