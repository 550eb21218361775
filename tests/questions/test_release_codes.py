"""Release codes: readable over the phone, typo-proof by their check character, one per
session and center, made only from HQ's master key."""

import uuid

import pytest

from apps.questions.release import codes

SESSION, CENTER, OTHER = uuid.uuid4(), uuid.uuid4(), uuid.uuid4()


def test_a_code_is_four_groups_of_four_and_a_check_character(settings):
    code = codes.release_code(SESSION, CENTER)
    groups = code.split("-")
    assert [len(g) for g in groups] == [4, 4, 4, 4, 1]
    assert set("".join(groups[:4])) <= set(codes.ALPHABET)
    assert codes.parse_code(code) == codes.release_secret(SESSION, CENTER)


def test_codes_differ_per_center_per_session_and_per_master_key(settings):
    code = codes.release_code(SESSION, CENTER)
    assert code != codes.release_code(SESSION, OTHER)
    assert code != codes.release_code(OTHER, CENTER)
    assert code == codes.release_code(SESSION, CENTER)  # derived, not stored
    settings.QUESTION_MASTER_KEY = "another master key of at least thirty-two characters"
    assert code != codes.release_code(SESSION, CENTER)


def test_reading_forgives_case_spaces_and_crockford_aliases():
    secret = bytes(range(10))
    code = codes.format_code(secret)
    typed = code.lower().replace("-", " ")
    assert codes.parse_code(typed) == secret
    with_aliases = code.replace("1", "l").replace("0", "O")
    assert codes.parse_code(with_aliases) == secret


def test_every_single_mistyped_character_and_neighbour_swap_is_caught():
    for n in range(20):
        secret = codes.release_secret(uuid.UUID(int=n), CENTER)
        body = codes.format_code(secret).replace("-", "")
        for i in range(len(body)):
            symbols = codes.CHECK_SYMBOLS if i == len(body) - 1 else codes.ALPHABET
            for ch in symbols:
                if ch != body[i]:
                    with pytest.raises(codes.MalformedCode):
                        codes.parse_code(body[:i] + ch + body[i + 1 :])
        for i in range(len(body) - 2):
            if body[i] != body[i + 1]:
                with pytest.raises(codes.MalformedCode):
                    codes.parse_code(body[:i] + body[i + 1] + body[i] + body[i + 2 :])


@pytest.mark.parametrize(
    "typed", ["", "ABCD", "ABCD-EFGH-JKMN-PQRS-TX", "ABCD-EFGH-JKMN-PQR!-0", "UUUU-UUUU-UUUU-UUUU-U"]
)
def test_what_is_not_a_code_is_refused_with_a_reason(typed):
    with pytest.raises(codes.MalformedCode) as refused:
        codes.parse_code(typed)
    assert str(refused.value)
