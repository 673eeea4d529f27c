"""Double progression with the pain gate: the rule table, the rep ceilings and applying it."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime

import pytest

from calftimer.core.exercise import Tempo
from calftimer.core.programs import Program, Side, Sides, default_block
from calftimer.core.progression import apply, suggest
from calftimer.core.session import EndedBy, SetRecord
from tests.set_records import work_set

NOW = datetime(2026, 11, 27, 8, tzinfo=UTC)


def record(
    block: int, done: int, planned: int, side: Side = Side.BOTH, set_number: int = 1
) -> SetRecord:
    work = work_set(
        block_index=block,
        exercise_id="x",
        set_number=set_number,
        sets=3,
        side=side,
        target=planned,
        tempo=Tempo(2, 1, 2, 0),
    )
    return SetRecord(
        work=work,
        done=done,
        time_under_tension_ms=0,
        started_mono_ms=0,
        ended_mono_ms=0,
        started_at=NOW,
        ended_at=NOW,
        ended_by=EndedBy.TIME,
    )


def program(*blocks) -> Program:
    return Program("mine", "Mine", "", tuple(blocks))


DOUBLE = default_block("double_leg_calf_raise", sets=3, target=15)
SINGLE = default_block("single_leg_calf_raise", sets=3, target=12)


def all_hit(block_index: int = 0, target: int = 15) -> list[SetRecord]:
    return [record(block_index, target, target, set_number=n) for n in (1, 2, 3)]


@pytest.mark.parametrize(
    ("pain", "target", "expected"),
    [
        (None, 15, "Double-leg calf raise: next time 3 × 17."),
        (2, 15, "Double-leg calf raise: next time 3 × 17."),
        (3, 15, "Double-leg calf raise: next time 3 × 17."),
        (4, 15, "Double-leg calf raise: next time 3 × 16."),  # pain 4-5: one rep at a time
        (5, 15, "Double-leg calf raise: next time 3 × 16."),
        (2, 19, "Double-leg calf raise: next time 3 × 20."),  # never past the top of the range
        (2, 20, "Double-leg calf raise: add 2.5 kg: 3 × 15 at 2.5 kg."),  # at the top: load
    ],
)
def test_every_set_on_target_progresses_by_the_pain(pain, target, expected) -> None:
    block = replace(DOUBLE, target=target)
    (s,) = suggest(program(block), all_hit(target=target), pain_during=pain)
    assert s.text == expected
    assert s.block is not None


def test_pain_above_5_repeats() -> None:
    (s,) = suggest(program(DOUBLE), all_hit(), pain_during=6)
    assert s.text.startswith("Double-leg calf raise: repeat 3 × 15; pain 6/10 is above")
    assert s.block is None


def test_a_set_short_of_target_repeats() -> None:
    records = [record(0, 15, 15, set_number=n) for n in (1, 2)] + [record(0, 11, 15, set_number=3)]
    (s,) = suggest(program(DOUBLE), records, pain_during=1)
    assert s.text == "Double-leg calf raise: repeat 3 × 15; 1 of 3 sets fell short."


def test_sets_are_counted_as_sets_not_as_legs_and_a_set_not_done_fell_short() -> None:
    block = replace(SINGLE, sides=Sides.LEFT_RIGHT, sets=2, target=12)
    # Left 1 short, right 1 on target, left 2 skipped at once (no record), right 2 short.
    records = [
        record(0, 9, 12, Side.LEFT, 1),
        record(0, 12, 12, Side.RIGHT, 1),
        record(0, 10, 12, Side.RIGHT, 2),
    ]
    (s,) = suggest(program(block), records, pain_during=1)
    assert s.text == "Single-leg calf raise: repeat 2 × 12 per leg; 2 of 2 sets fell short."
    one_set = replace(DOUBLE, sets=1)
    (s,) = suggest(program(one_set), [record(0, 11, 15)], pain_during=1)
    assert s.text == "Double-leg calf raise: repeat 1 × 15; 1 of 1 set fell short."
    (s,) = suggest(program(DOUBLE), all_hit()[:2], pain_during=1)  # the third never done
    assert s.text == "Double-leg calf raise: repeat 3 × 15; 1 of 3 sets fell short."


def test_next_morning_pain_that_rose_holds_everything() -> None:
    (s,) = suggest(program(DOUBLE), all_hit(), pain_during=1, morning_pain=[2, 4])
    assert "repeat 3 × 15 or do less" in s.text and s.block is None
    (s,) = suggest(program(DOUBLE), all_hit(), pain_during=1, morning_pain=[4, 2])
    assert s.text == "Double-leg calf raise: next time 3 × 17."  # it fell: go on


def test_single_leg_work_says_per_leg_and_goes_to_25() -> None:
    block = replace(SINGLE, sides=Sides.LEFT_RIGHT, target=24)
    records = [record(0, 24, 24, side, n) for side in (Side.LEFT, Side.RIGHT) for n in (1, 2, 3)]
    (s,) = suggest(program(block), records, pain_during=0)
    assert s.text == "Single-leg calf raise: next time 3 × 25 per leg."


def test_loaded_exercise_adds_to_its_load_in_the_users_unit() -> None:
    block = replace(default_block("seated_calf_raise", sets=3, target=20), load_kg=20.0)
    (s,) = suggest(program(block), all_hit(target=20), pain_during=1, weight_unit="lb")
    # The same rounding the session and history show (to half a pound): 22.5 kg is 49.5 lb.
    assert s.text == "Seated calf raise: add 5.5 lb: 3 × 15 at 49.5 lb."
    assert s.block is not None and s.block.load_kg == 22.5 and s.block.target == 15


def test_holds_jumps_and_the_test_get_no_suggestion() -> None:
    blocks = (
        default_block("isometric_calf_hold"),
        default_block("jumping_calf_raise"),
        default_block("heel_rise_test"),
    )
    records = [record(i, 10, 10) for i in range(3)]
    assert suggest(program(*blocks), records, pain_during=0) == []


def test_applying_changes_only_the_suggested_blocks() -> None:
    walk = default_block("heel_toe_walk")
    mine = program(DOUBLE, walk)
    suggestions = suggest(mine, all_hit(), pain_during=2)
    changed = apply(mine, suggestions)
    assert changed.blocks[0].target == 17 and changed.blocks[1] == walk
    assert changed.id == mine.id and changed.name == mine.name
