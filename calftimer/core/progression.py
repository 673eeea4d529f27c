"""What to do next time: double progression with a pain gate (``../shared/domain.md``).

Per rep block of the session just done:

1. Next-morning pain rose (the last rating after a session above the one before it): repeat
   or reduce; nothing goes up.
2. A set fell short of its target (or was not done): repeat the same sets and reps.
3. Pain during the session above 5/10: repeat (5 is the most the pain-monitoring model
   accepts).
4. Every set hit its target: at the top of the exercise's rep range, add 2.5 kg and go back to
   the bottom of the range; below it, add reps: 2 per set with pain at most 3/10, 1 per set
   with pain 4-5/10, never past the top of the range.

Timed holds, walks, pogo jumps and the heel-rise test have no rep progression and get none.
Suggestions are advice; the user applies one to their own copy of the program, or ignores it.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, replace

from calftimer.core.catalog import exercise
from calftimer.core.exercise import Mode
from calftimer.core.i18n import _, n_
from calftimer.core.programs import SIDE_ORDER, Block, Program, Sides
from calftimer.core.session import SetRecord
from calftimer.core.settings import format_load

# Rep ranges (bottom, top) from domain.md; an exercise not listed keeps its target as both.
REP_RANGES: Mapping[str, tuple[int, int]] = {
    "double_leg_calf_raise": (15, 20),
    "soleus_squat": (15, 20),
    "seated_calf_raise": (15, 20),
    "single_leg_calf_raise": (12, 25),
    "ecc_heel_drop_straight": (15, 15),  # Alfredson: 3 x 15, then add load
    "ecc_heel_drop_bent": (15, 15),
}
LOAD_STEP_KG = 2.5
PAIN_EASY, PAIN_ACCEPTABLE = 3, 5
NO_PROGRESSION = frozenset({"jumping_calf_raise", "heel_rise_test"})


@dataclass(frozen=True, slots=True)
class Suggestion:
    block_index: int
    exercise_id: str
    text: str  # "Next time: 3 x 17" / "Add 2.5 kg: 3 x 15 at 12.5 kg" / "Repeat 3 x 15: ..."
    block: Block | None  # the block changed as suggested; None when nothing changes


def suggest(
    program: Program,
    records: Sequence[SetRecord],
    *,
    pain_during: int | None = None,
    morning_pain: Sequence[int] = (),
    weight_unit: str = "kg",
) -> list[Suggestion]:
    """Suggestions for each rep block of ``program`` that ``records`` has sets of.

    ``morning_pain`` lists next-morning ratings of earlier sessions, oldest first; the last two
    decide whether pain rose."""
    rose = len(morning_pain) >= 2 and morning_pain[-1] > morning_pain[-2]
    out = []
    for index, block in enumerate(program.blocks):
        sets = [r for r in records if r.work.block_index == index]
        if not sets or block.mode is not Mode.REPS or block.exercise_id in NO_PROGRESSION:
            continue
        if block.tempo is None:
            continue  # metronome-paced jumps: contacts, not reps
        scheme = _scheme(block)
        name = exercise(block.exercise_id).local_name
        if rose:
            text = _(
                "{name}: repeat {scheme} or do less: your calves felt worse the morning "
                "after the last session than the time before."
            ).format(name=name, scheme=scheme)
            out.append(Suggestion(index, block.exercise_id, text, None))
            continue
        short = _sets_short(block, sets)
        if short:
            text = n_(
                "{name}: repeat {scheme}; {short} of {n} set fell short.",
                "{name}: repeat {scheme}; {short} of {n} sets fell short.",
                block.sets,
            ).format(name=name, scheme=scheme, short=short, n=block.sets)
            out.append(Suggestion(index, block.exercise_id, text, None))
            continue
        if pain_during is not None and pain_during > PAIN_ACCEPTABLE:
            text = _(
                "{name}: repeat {scheme}; pain {pain}/10 is above the 5/10 that is "
                "fine to train with."
            ).format(name=name, scheme=scheme, pain=pain_during)
            out.append(Suggestion(index, block.exercise_id, text, None))
            continue
        bottom, top = REP_RANGES.get(block.exercise_id, (block.target, block.target))
        if block.target >= top:
            new = replace(block, target=bottom, load_kg=block.load_kg + LOAD_STEP_KG)
            load = format_load(new.load_kg, weight_unit)
            added = format_load(LOAD_STEP_KG, weight_unit)
            text = _("{name}: add {added}: {scheme} at {load}.").format(
                name=name, added=added, scheme=_scheme(new), load=load
            )
        else:
            step = 2 if pain_during is None or pain_during <= PAIN_EASY else 1
            new = replace(block, target=min(top, block.target + step))
            text = _("{name}: next time {scheme}.").format(name=name, scheme=_scheme(new))
        out.append(Suggestion(index, block.exercise_id, text, new))
    return out


def apply(program: Program, suggestions: Iterable[Suggestion]) -> Program:
    """``program`` with every suggested change made (blocks without one stay as they are)."""
    blocks = list(program.blocks)
    for suggestion in suggestions:
        if suggestion.block is not None:
            blocks[suggestion.block_index] = suggestion.block
    return replace(program, blocks=tuple(blocks))


def _scheme(block: Block) -> str:
    if block.sides in (Sides.LEFT_RIGHT, Sides.RIGHT_LEFT):
        return _("{sets} × {target} per leg").format(sets=block.sets, target=block.target)
    return f"{block.sets} × {block.target}"


def _sets_short(block: Block, records: Sequence[SetRecord]) -> int:
    """How many of the block's sets fell short: a set counts once, whatever its legs (a
    per-leg set falls short when either leg does), and a set not done at all fell short too."""
    sides = SIDE_ORDER[block.sides]
    on_target = {
        number
        for number in range(1, block.sets + 1)
        if all(
            any(
                r.work.set_number == number and r.work.side is side and r.done >= r.work.target
                for r in records
            )
            for side in sides
        )
    }
    return block.sets - len(on_target)
