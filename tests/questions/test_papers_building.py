"""Building a paper: reproducible draws from a blueprint, its errors, no reuse across the
shifts of one exam paper, passages kept together, picking by hand."""

import pytest
from django.core.exceptions import ValidationError

from apps.questions.choices import QuestionStatus
from apps.questions.models import PaperQuestion
from apps.questions.papers import services
from tests.questions.papers_support import bank, blueprint, content, passage, second_shift, session
from utils.exceptions import ApplicationError, Conflict

pytestmark = pytest.mark.django_db


def numbers(paper):
    return list(paper.questions.order_by("position").values_list("question__number", flat=True))


def draw(user, exam_session, rules, seed=1, **kwargs):
    paper = services.create_paper(user=user, session=exam_session, blueprint=blueprint(("Physics", rules)), seed=seed)
    services.build_from_blueprint(user=user, paper=paper)
    return paper


def test_same_bank_and_seed_give_the_same_paper_and_another_seed_another(admin, make_approved):
    bank(make_approved, 60)
    rules = [{"subject": "PHY", "count": 20}]
    first = draw(admin, session(), rules, seed=42)
    again = draw(admin, session(), rules, seed=42)  # another exam paper: no reuse rule between them
    other = draw(admin, session(), rules, seed=43)
    assert len(numbers(first)) == 20 and len(set(numbers(first))) == 20
    assert numbers(first) == numbers(again)
    assert numbers(first) != numbers(other)
    # Building again replaces the questions with the same draw.
    services.build_from_blueprint(user=admin, paper=first)
    assert numbers(first) == numbers(again)


def test_the_paper_keeps_the_frozen_version_and_the_rules_marks(admin, make_approved):
    questions = bank(make_approved, 5)
    paper = draw(admin, session(), [{"subject": "PHY", "count": 5, "marks": "2.5", "negative_marks": "0.5"}])
    rows = list(paper.questions.all())
    assert {row.version_id for row in rows} == {q.approved_version_id for q in questions}
    assert {(str(row.marks), str(row.negative_marks)) for row in rows} == {("2.50", "0.50")}
    # Without marks in the rule a question carries its own.
    plain = draw(admin, session(), [{"subject": "PHY", "count": 5}])
    assert {str(row.marks) for row in plain.questions.all()} == {"4.00"}


def test_topic_matches_below_it_and_difficulty_filters(admin, make_approved):
    bank(make_approved, 3, topic="Mechanics/Kinematics", difficulty="easy")
    bank(make_approved, 3, start=10, topic="Mechanics", difficulty="hard")
    bank(make_approved, 3, start=20, topic="Mechanics2", difficulty="easy")
    bank(make_approved, 3, start=30, topic="Optics", difficulty="easy")
    paper = draw(admin, session(), [{"subject": "PHY", "topic": "Mechanics", "difficulty": "easy", "count": 3}])
    assert sorted(numbers(paper)) == sorted(
        PaperQuestion.objects.filter(paper=paper).values_list("question__number", flat=True)
    )
    topics = set(paper.questions.values_list("version__topic", flat=True))
    assert topics == {"Mechanics/Kinematics"}
    everything = draw(admin, session(), [{"subject": "PHY", "topic": "Mechanics", "count": 6}])
    assert set(everything.questions.values_list("version__topic", flat=True)) == {"Mechanics", "Mechanics/Kinematics"}


def test_unapproved_and_retired_questions_are_never_drawn(admin, make_approved):
    questions = bank(make_approved, 4)
    questions[0].status = QuestionStatus.RETIRED
    questions[0].save()
    questions[1].approved_version = None
    questions[1].save()
    with pytest.raises(ApplicationError) as refused:
        draw(admin, session(), [{"subject": "PHY", "count": 3}])
    assert 'section 1 "Physics", rule 1 (PHY any topic): needs 3 questions, 2 available' in refused.value.message
    assert refused.value.extra["rules"] == [
        {"rule": 'section 1 "Physics", rule 1 (PHY any topic)', "wanted": 3, "available": 2, "passages_blocked": False}
    ]


def test_an_unsatisfiable_rule_names_section_and_rule_and_changes_nothing(admin, make_approved):
    bank(make_approved, 5, difficulty="easy")
    paper = draw(admin, session(), [{"subject": "PHY", "count": 2}])
    before = numbers(paper)
    services.update_paper(
        user=admin,
        paper=paper,
        data={
            "blueprint": blueprint(
                ("Easy", [{"subject": "PHY", "difficulty": "easy", "count": 2}]),
                ("Hard", [{"subject": "PHY", "count": 1}, {"subject": "PHY", "difficulty": "hard", "count": 4}]),
            )
        },
    )
    with pytest.raises(ApplicationError) as refused:
        services.build_from_blueprint(user=admin, paper=paper)
    assert refused.value.status_code == 400
    assert 'section 2 "Hard", rule 2 (PHY any topic hard): needs 4 questions, 0 available' in refused.value.message
    assert numbers(paper) == before


@pytest.mark.parametrize(
    ("bad", "field"),
    [
        ([{"title": "", "rules": [{"subject": "PHY", "count": 1}]}], "blueprint[0].title"),
        ([{"title": "A", "rules": []}], "blueprint[0].rules"),
        ([{"title": "A", "rules": [{"subject": "XYZ", "count": 1}]}], "blueprint[0].rules[0].subject"),
        ([{"title": "A", "rules": [{"subject": "PHY", "count": 0}]}], "blueprint[0].rules[0].count"),
        (
            [{"title": "A", "rules": [{"subject": "PHY", "count": 1, "difficulty": "x"}]}],
            "blueprint[0].rules[0].difficulty",
        ),
        ([{"title": "A", "rules": [{"subject": "PHY", "count": 1, "marks": "-1"}]}], "blueprint[0].rules[0].marks"),
        ([{"title": "A", "rules": [{"subject": "PHY", "count": 1, "colour": "red"}]}], "blueprint[0].rules[0]"),
        ("Physics", "blueprint"),
    ],
)
def test_a_malformed_blueprint_names_the_field(admin, physics, bad, field):
    with pytest.raises(ValidationError) as refused:
        services.create_paper(user=admin, session=session(), blueprint=bad)
    assert field in refused.value.message_dict


def test_a_setter_draws_only_from_assigned_subjects(setter, chemistry):
    with pytest.raises(ValidationError) as refused:
        services.create_paper(
            user=setter, session=session(), blueprint=blueprint(("C", [{"subject": "CHE", "count": 1}]))
        )
    assert "No subject 'CHE' that you may draw from." in refused.value.message_dict["blueprint[0].rules[0].subject"]


def test_shifts_of_one_exam_paper_never_share_a_question(admin, make_approved):
    bank(make_approved, 30)
    morning = session()
    afternoon = second_shift(morning)
    rules = [{"subject": "PHY", "count": 15}]
    first = draw(admin, morning, rules, seed=5)
    second = draw(admin, afternoon, rules, seed=5)
    assert not set(numbers(first)) & set(numbers(second))
    assert len(set(numbers(first)) | set(numbers(second))) == 30
    # A third shift finds the bank used up.
    with pytest.raises(ApplicationError) as refused:
        draw(admin, second_shift(morning), [{"subject": "PHY", "count": 1}])
    assert "needs 1 questions, 0 available" in refused.value.message


def test_a_passage_is_drawn_whole_and_its_questions_stay_together(admin, make_approved, physics):
    bank(make_approved, 12)
    text = passage(physics)
    members = [make_approved(**content(n, passage=text)) for n in range(100, 104)]
    member_numbers = {q.number for q in members}
    drawn_with_passage = 0
    for seed in range(12):
        paper = draw(admin, session(), [{"subject": "PHY", "count": 10}], seed=seed)
        got = numbers(paper)
        inside = [i for i, n in enumerate(got) if n in member_numbers]
        assert len(inside) in (0, 4), got  # never split
        if inside:
            drawn_with_passage += 1
            assert inside == list(range(inside[0], inside[0] + 4))  # together, in a block
    assert 0 < drawn_with_passage < 12


def test_a_passage_too_big_for_the_rule_is_left_out(admin, make_approved, physics):
    bank(make_approved, 2)
    text = passage(physics)
    for n in range(100, 104):
        make_approved(**content(n, passage=text))
    paper = draw(admin, session(), [{"subject": "PHY", "count": 2}])
    assert len(numbers(paper)) == 2 and max(numbers(paper)) < 100
    with pytest.raises(ApplicationError) as refused:
        draw(admin, session(), [{"subject": "PHY", "count": 3}])
    assert "6 questions are available but their passages cannot make exactly 3" in refused.value.message


def test_pick_remove_and_reorder_by_hand(admin, make_approved, physics):
    questions = bank(make_approved, 6)
    paper = services.create_paper(user=admin, session=session())
    services.pick_questions(
        user=admin, paper=paper, section=0, question_ids=[str(questions[0].pk), questions[1].number]
    )
    services.pick_questions(
        user=admin, paper=paper, section=1, section_title="Part B", question_ids=[questions[2].number]
    )
    assert numbers(paper) == [questions[0].number, questions[1].number, questions[2].number]
    assert list(paper.questions.values_list("section_title", flat=True)) == ["Section 1", "Section 1", "Part B"]

    with pytest.raises(ValidationError) as refused:
        services.pick_questions(
            user=admin, paper=paper, section=0, question_ids=[questions[3].number, questions[0].number, 999]
        )
    assert set(refused.value.message_dict) == {"question_ids[1]", "question_ids[2]"}
    assert "already in this paper" in refused.value.message_dict["question_ids[1]"][0]

    services.reorder_questions(user=admin, paper=paper, order=[2, 1, 3])
    assert numbers(paper) == [questions[1].number, questions[0].number, questions[2].number]
    services.remove_question(user=admin, paper=paper, position=1)
    assert numbers(paper) == [questions[0].number, questions[2].number]
    assert list(paper.questions.values_list("position", flat=True)) == [1, 2]
    with pytest.raises(ApplicationError) as missing:
        services.remove_question(user=admin, paper=paper, position=9)
    assert missing.value.status_code == 404


def test_picking_refuses_questions_of_another_shift_and_unapproved_ones(admin, make_approved):
    questions = bank(make_approved, 3)
    morning = session()
    first = services.create_paper(user=admin, session=morning)
    services.pick_questions(user=admin, paper=first, section=0, question_ids=[questions[0].number])
    second = services.create_paper(user=admin, session=second_shift(morning))
    questions[1].status = QuestionStatus.RETIRED
    questions[1].save()
    with pytest.raises(ValidationError) as refused:
        services.pick_questions(
            user=admin, paper=second, section=0, question_ids=[questions[0].number, questions[1].number]
        )
    assert "another session" in refused.value.message_dict["question_ids[0]"][0]
    assert "not approved" in refused.value.message_dict["question_ids[1]"][0]


def test_picking_a_passage_question_keeps_the_passage_together(admin, make_approved, physics):
    lone = bank(make_approved, 2)
    text = passage(physics)
    a, b = (make_approved(**content(n, passage=text)) for n in (100, 101))
    paper = services.create_paper(user=admin, session=session())
    services.pick_questions(user=admin, paper=paper, section=0, question_ids=[a.number, lone[0].number])
    services.pick_questions(user=admin, paper=paper, section=0, question_ids=[lone[1].number, b.number])
    assert numbers(paper) == [a.number, b.number, lone[0].number, lone[1].number]


def test_one_paper_per_session(admin, physics):
    exam_session = session()
    services.create_paper(user=admin, session=exam_session)
    with pytest.raises(Conflict):
        services.create_paper(user=admin, session=exam_session)
