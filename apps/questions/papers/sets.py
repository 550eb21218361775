"""How each set of a paper orders its questions and their options.

Pure functions of the paper's questions, its seed and the set's letter, so a set is
reproducible: building the sets again gives the same sets.

* Questions move only within their section; a passage's questions move as one block and
  keep their master order inside it.
* Options of single and multiple choice questions are shuffled, except options marked
  `fixed` ("all of the above"), which keep their index. True/false keeps its order.
"""

import random
import string
from dataclasses import dataclass

from apps.questions.choices import QuestionType

LETTERS = string.ascii_uppercase


@dataclass(frozen=True)
class MasterItem:
    """What the shuffle needs of a paper question."""

    id: int
    section: int
    passage_id: object
    type: str
    options: list  # the frozen version's options: [{"fixed": bool, ...}]


def set_letters(count: int) -> list[str]:
    return list(LETTERS[:count])


def option_order(options: list, rng: random.Random, kind: str) -> list[int]:
    """`order[i]` = the bank index of the option printed i-th."""
    order = list(range(len(options)))
    if kind not in (QuestionType.SINGLE, QuestionType.MULTIPLE):
        return order
    free = [i for i, option in enumerate(options) if not option.get("fixed")]
    moved = free[:]
    rng.shuffle(moved)
    for slot, bank_index in zip(free, moved, strict=True):
        order[slot] = bank_index
    return order


def set_layout(items: list[MasterItem], *, seed: int, letter: str) -> list[tuple[MasterItem, list[int]]]:
    """The set's questions in print order, each with its option order. `items` in master order."""
    rng = random.Random(f"{seed}:set:{letter}")
    sections: dict[int, list[list[MasterItem]]] = {}
    blocks: dict = {}
    for item in items:
        units = sections.setdefault(item.section, [])
        if item.passage_id is None:
            units.append([item])
        elif item.passage_id in blocks:
            blocks[item.passage_id].append(item)
        else:
            blocks[item.passage_id] = [item]
            units.append(blocks[item.passage_id])
    layout = []
    for section in sorted(sections):
        units = sections[section]
        rng.shuffle(units)
        for unit in units:
            for item in unit:
                layout.append((item, option_order(item.options, rng, item.type)))
    return layout
