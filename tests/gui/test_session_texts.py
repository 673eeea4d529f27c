"""What the session says, checked in the real window on a manual clock: "Done: ..." in a rest
names the set just before it, the switch between legs names the other leg, the advice after a
session counts sets as sets and shows loads the way the rest of the app does, and counts are
singular or plural as they should be."""

from __future__ import annotations

from dataclasses import replace

import pytest
from PySide6.QtCore import Qt

from calftimer.core.clock import ManualClock
from calftimer.core.programs import BUILTIN_BY_ID, Program, Sides, default_block
from calftimer.core.session import State
from calftimer.core.settings import Settings, format_load
from calftimer.core.timeline import CompileOptions, SegmentKind
from calftimer.gui.main_window import MainWindow
from tests.gui.fakes import T0
from tests.gui.helpers import advance_to

OPTIONS = CompileOptions(prepare_s=10, countdown_s=3)


@pytest.fixture
def window(make_window) -> MainWindow:
    return make_window(options=OPTIONS, activate=True)


def skip(qtbot, window: MainWindow) -> None:
    qtbot.keyClick(window.session_view, Qt.Key.Key_Right)


def reps_into_current_set(window: MainWindow, clock: ManualClock, reps: int) -> None:
    """Let ``reps`` reps of the set now playing (or next) go by, and half a second more."""
    session = window.session
    work = session.position().work_set
    assert work is not None and work.tempo is not None
    rep_ms = work.tempo.rep_ms()
    advance_to(window.session, clock, session.mono_at(work.start_ms + reps * rep_ms + 500))


def test_done_in_a_rest_is_the_set_just_before_it_or_nothing(qtbot, window, clock) -> None:
    window.session.start(BUILTIN_BY_ID["foundation"])
    reps_into_current_set(window, clock, 2)  # double-leg raise, set 1: two reps, then skip
    skip(qtbot, window)
    assert window.session.position().segment.kind is SegmentKind.REST
    assert window.session_view.next_label.text().startswith("Done: 2 reps.")
    skip(qtbot, window)  # the rest
    skip(qtbot, window)  # set 2, at once: nothing done, nothing recorded
    position = window.session.position()
    assert position.segment.work_index < 0  # the pause before the next exercise
    assert "Done:" not in window.session_view.next_label.text()  # not set 1's two reps


def test_between_legs_the_window_names_the_other_leg(qtbot, window, clock) -> None:
    window.session.start(BUILTIN_BY_ID["heel-rise-test"])
    timeline = window.session.timeline
    left, right = (w for w in timeline.work_sets if w.exercise_id == "heel_rise_test")
    advance_to(window.session, clock, T0 + left.start_ms + 10_000)
    qtbot.keyClick(window.session_view, Qt.Key.Key_Return)  # the left leg is done
    assert window.session.position().work_set.index == right.index
    assert window.session_view.exercise_label.text() == "Up next: right leg"
    assert window.session_view.side_label.text() == "RIGHT"


def test_advice_counts_sets_not_legs(qtbot, window, clock) -> None:
    block = replace(
        default_block("single_leg_calf_raise"), sides=Sides.LEFT_RIGHT, sets=2, target=12
    )
    window.session.start(Program("two-sets", "Two sets", "", (block,)))
    reps_into_current_set(window, clock, 3)  # left, set 1: 3 of 12
    skip(qtbot, window)
    skip(qtbot, window)  # the switch
    reps_into_current_set(window, clock, 12)  # right, set 1: all 12
    advance_to(window.session, clock, clock() + 1_000)
    skip(qtbot, window)  # the rest
    skip(qtbot, window)  # left, set 2: skipped at once
    skip(qtbot, window)  # the switch
    reps_into_current_set(window, clock, 5)  # right, set 2: 5 of 12
    skip(qtbot, window)
    assert window.session.state is State.FINISHED
    assert len(window.session.records) == 3  # three records for a two-set block
    advice = window.session_view.next_time_label.text()
    assert "repeat 2 × 12 per leg; 2 of 2 sets fell short." in advice


def test_advice_shows_loads_with_the_shared_formatter(make_window, clock) -> None:
    window = make_window(options=OPTIONS, settings=Settings(weight_unit="lb"), activate=True)
    block = replace(default_block("seated_calf_raise"), sets=1, target=20, load_kg=20.0)
    window.session.start(Program("seated", "Seated", "", (block,)))
    work = window.session.timeline.work_sets[0]
    advance_to(window.session, clock, T0 + work.end_ms + 1_000)
    assert window.session.state is State.FINISHED
    advice = window.session_view.next_time_label.text()
    # 22.5 kg is shown as the session and the history show it, to half a pound.
    assert f"1 × 15 at {format_load(22.5, 'lb')}." in advice
    assert format_load(22.5, "lb") == "49.5 lb"
    assert f"add {format_load(2.5, 'lb')}:" in advice


def test_one_set_and_one_rep_are_singular(qtbot, window, clock) -> None:
    block = replace(default_block("double_leg_calf_raise"), sets=1, target=1)
    window.session.start(Program("one", "One", "", (block,)))
    assert window.session_view.rep_label.text() == "Target 1 rep"
    assert window.session_view.next_label.text() == "Next: set 1 of 1 · 1 rep"
    work = window.session.timeline.work_sets[0]
    advance_to(window.session, clock, T0 + work.end_ms + 1_000)
    assert window.session_view.summary_label.text() == "1 set · 1 rep"
    assert window.session_view.summary_cells() == [
        ("Double-leg calf raise", "Both", "1 × 1 rep", "1", "0:05", "body weight")
    ]


def test_a_frame_moves_the_time_and_a_new_segment_redraws_the_rest(qtbot, window, clock) -> None:
    """Frames within a segment change only the time shown (big number, phase bar, time
    left); a frame that finds a new segment shows all of it, as a wake-up would."""
    view, session = window.session_view, window.session
    session.start(BUILTIN_BY_ID["foundation"])
    timeline = session.timeline
    assert timeline is not None
    advance_to(session, clock, clock() + 2_000)
    before = (view.time_label.text(), view.remaining_label.text(), view.phase_bar.fraction())
    clock.advance(1_500)  # no wake-up: the next frame finds the same get-ready, 1.5 s on
    view.show_frame(session.position(), timeline)
    after = (view.time_label.text(), view.remaining_label.text(), view.phase_bar.fraction())
    assert after[0] != before[0] and after[1] != before[1] and after[2] > before[2]
    assert view.exercise_label.text().startswith("Up next:")

    first_rep = next(s for s in timeline.segments if s.kind is SegmentKind.UP)
    clock.set(session.mono_at(first_rep.start_ms + 100))  # a frame that lands in the first rep
    view.show_frame(session.position(), timeline)
    assert view.exercise_label.text() == "Double-leg calf raise"
    assert view.rep_label.text() == "Rep 1 / 15"
    assert view.phase_label.text() == "UP"
