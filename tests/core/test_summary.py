"""The end-of-session table: a row per exercise and leg, planned against what was done."""

from __future__ import annotations

from datetime import UTC, datetime

from calftimer.core.clock import ManualClock
from calftimer.core.programs import Program, Side, Sides, default_block
from calftimer.core.session import Session
from calftimer.core.summary import NOT_DONE, SummaryRow, summary_rows
from calftimer.core.texts import clock_text
from calftimer.core.timeline import CompileOptions, compile_program

T0 = 5_000_000


def test_a_row_per_exercise_and_leg_with_what_each_set_did() -> None:
    program = Program(
        "t",
        "Test",
        "",
        (
            default_block("double_leg_calf_raise", sets=2, target=3),
            default_block("single_leg_calf_raise", sets=2, target=2, load_kg=10.0),
        ),
    )
    timeline = compile_program(program, CompileOptions(prepare_s=5, countdown_s=3))
    clock = ManualClock(T0)
    session = Session(timeline, clock, lambda: datetime(2026, 12, 1, tzinfo=UTC))
    session.start()

    def run_to(t_ms: int) -> None:  # timeline time, whatever the jumps did to the clock
        clock.set(clock() + t_ms - session.t_ms())
        session.poll()

    double_1, double_2, left_1, right_1, left_2, right_2 = timeline.work_sets
    assert right_1.side is Side.RIGHT  # per set: left then right
    assert (left_1.side, right_2.side) == (Side.LEFT, Side.RIGHT)
    rep_ms = double_1.tempo.rep_ms()  # type: ignore[union-attr]
    run_to(double_2.start_ms + rep_ms + rep_ms // 2)  # one rep and a half of the second set
    session.end_set()
    run_to(left_2.end_ms + 10)  # the single-leg sets in full, but the last
    session.finish()  # before the last set: it was never done

    rows = summary_rows(timeline, session.records)
    single_rep_ms = left_1.tempo.rep_ms()  # type: ignore[union-attr]
    assert rows == [
        SummaryRow(
            exercise="Double-leg calf raise",
            leg="Both",
            planned="2 × 3 reps",
            done="3, 1",
            tut=clock_text(4 * rep_ms),
            load="body weight",
            sets_planned=2,
            sets_done=2,
            short=True,
        ),
        SummaryRow(
            exercise="Single-leg calf raise",
            leg="Left",
            planned="2 × 2 reps",
            done="2, 2",
            tut=clock_text(4 * single_rep_ms),
            load="10 kg",
            sets_planned=2,
            sets_done=2,
            short=False,
        ),
        SummaryRow(
            exercise="Single-leg calf raise",
            leg="Right",
            planned="2 × 2 reps",
            done=f"2, {NOT_DONE}",
            tut=clock_text(2 * single_rep_ms),
            load="10 kg",
            sets_planned=2,
            sets_done=1,
            short=True,
        ),
    ]
    assert summary_rows(timeline, session.records, "lb")[1].load == "22 lb"


def test_timed_sets_and_a_test_to_failure_say_their_unit_in_the_plan() -> None:
    program = Program(
        "t",
        "Test",
        "",
        (
            default_block("isometric_calf_hold", sets=3, target=45, sides=Sides.BOTH),
            default_block("heel_rise_test"),
        ),
    )
    rows = summary_rows(compile_program(program, CompileOptions()), [])
    assert [(r.exercise, r.leg, r.planned, r.done, r.tut) for r in rows] == [
        ("Isometric calf hold", "Both", "3 × 45 s", ", ".join([NOT_DONE] * 3), NOT_DONE),
        ("Heel-rise endurance test", "Left", "1 × to failure", NOT_DONE, NOT_DONE),
        ("Heel-rise endurance test", "Right", "1 × to failure", NOT_DONE, NOT_DONE),
    ]
