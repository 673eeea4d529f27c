"""The heel-rise test, guided, on a fake clock: warm-up, a 60 bpm metronome on each leg until
the user ends the set, 2 minutes between legs, then the results (editable counts, symmetry,
norms, target) saved to the history and drawn as a trend per leg."""

from __future__ import annotations

from pathlib import Path

import pytest

from calftimer.core.clock import ManualClock
from calftimer.core.exercise import Mode
from calftimer.core.programs import BUILTIN_BY_ID
from calftimer.core.settings import Settings
from calftimer.core.store import Store
from calftimer.core.timeline import CueKind
from calftimer.gui.main_window import MainWindow
from tests.gui.fakes import T0, RecordingOutput
from tests.gui.helpers import FakeTimers, advance_by_deadlines


@pytest.fixture
def output(clock: ManualClock) -> RecordingOutput:
    return RecordingOutput(clock)


@pytest.fixture
def window(make_window, output: RecordingOutput) -> MainWindow:
    w = make_window(history=True, settings=Settings(sex="female", age_band="40s", test_target=25))
    w.attach_audio(output)
    return w


def run_test_set(w: MainWindow, clock: ManualClock, reps: int, timers: FakeTimers) -> None:
    """Train ``reps`` raises at the metronome, then end the set (Enter or a clicker)."""
    session = w.session
    work = session.position().work_set
    assert work is not None and work.mode is Mode.TEST and work.metronome_bpm == 60
    advance_by_deadlines(w.session, clock, session.mono_at(work.start_ms) + reps * 2_000)
    w.end_set_or_leave()


def test_the_guided_test_paces_each_leg_rests_between_and_reads_the_result(
    tmp_path: Path, window, writer, timers, clock, output
) -> None:
    window.session.start(BUILTIN_BY_ID["heel-rise-test"])
    timeline = window.session.timeline
    left, right = (ws for ws in timeline.work_sets if ws.mode is Mode.TEST)
    # The metronome: one beat up, one beat down, 1 s apart (60 bpm), on both legs.
    ups = [
        c.offset_ms for c in timeline.cues if c.kind is CueKind.UP and c.work_index == left.index
    ]
    assert ups[:3] == [left.start_ms, left.start_ms + 2_000, left.start_ms + 4_000]
    # Warm-up, then the left leg to failure.
    advance_by_deadlines(window.session, clock, T0 + left.start_ms)
    assert window.session.position().work_set.index == left.index
    run_test_set(window, clock, 28, timers)
    # Two minutes between legs, announced as a switch.
    position = window.session.position()
    assert position.segment.kind.value == "rest" and position.segment.duration_ms == 120_000
    assert position.work_set.index == right.index  # what the rest leads to: the right leg
    assert "switch" in [name for _, name in output.sounds]
    advance_by_deadlines(window.session, clock, clock() + 120_000)
    assert window.session.position().work_set.index == right.index
    run_test_set(window, clock, 24, timers)
    assert window.session.state.value == "finished"

    dialog = window.coach.test_results_dialog
    assert dialog is not None and dialog.isVisible()
    assert dialog.counts() == (28, 24)
    assert "Symmetry 86 % (amber)" in dialog.band_label.text()
    text = dialog.reading_label.text()
    assert "Left leg: 28 raises, reaches the target of 25." in text
    assert "Right leg: 24 raises, is 1 short of the target of 25." in text
    assert (
        "Typical for women in their 40s: about 24 per leg (Hébert-Losier et al. 2017); "
        "your average is above that." in text
    )
    norms = dialog.norms_label.text()  # both sources, each with its citation
    assert "median 25 raises on the dominant leg and 24 on the other" in norms
    assert "Braz J Phys Ther 2025" in norms and "doi:10.1016/j.bjpt.2025.101188" in norms
    assert "Physiotherapy 2017" in norms and "doi:10.1016/j.physio.2017.03.002" in norms
    assert "<b>Compared above:</b> 2017" in norms  # the profile's figure is the comparison
    dialog.right_spin.setValue(25)  # the user counted one the metronome missed
    assert "Right leg: 25 raises, reaches the target" in dialog.reading_label.text()
    dialog.accept()

    assert writer.flush(timeout=10)
    (session,) = Store.open(tmp_path).sessions()
    (result,) = session["tests"]
    assert (result["left_reps"], result["right_reps"]) == (28, 25)
    assert [s["done"] for s in session["sets"] if s["mode"] == "test"] == [28, 24]


def test_a_second_test_is_compared_with_the_first(window) -> None:
    from datetime import UTC, datetime

    from calftimer.gui.test_results import HeelRiseResultsDialog

    earlier = window.store.begin_session(
        "heel-rise-test", "Test", datetime(2026, 10, 1, tzinfo=UTC)
    )
    window.store.add_test_result(earlier, 25, 27)
    window.store.add_test_result(earlier, None, 20)  # one leg only: not a comparison
    assert window.coach.previous_test() == (25, 27)
    dialog = HeelRiseResultsDialog(
        28, 20, window.settings_hub.current, window.coach.previous_test(), window
    )
    text = dialog.reading_label.text()
    assert "Since the last test, left +3 (under about 6 reps: may be noise)." in text
    assert "Since the last test, right -7." in text


def run_whole_test(
    w: MainWindow, clock: ManualClock, left: int, right: int, timers: FakeTimers
) -> None:
    timeline = w.session.timeline
    first, _second = (ws for ws in timeline.work_sets if ws.mode is Mode.TEST)
    advance_by_deadlines(w.session, clock, T0 + first.start_ms)
    run_test_set(w, clock, left, timers)
    advance_by_deadlines(w.session, clock, clock() + 120_000)
    run_test_set(w, clock, right, timers)
    assert w.session.state.value == "finished"


def test_the_summary_shows_the_corrected_counts(window, timers, clock) -> None:
    window.session.start(BUILTIN_BY_ID["heel-rise-test"])
    run_whole_test(window, clock, 28, 24, timers)
    view = window.session_view
    assert view.summary_label.text() == "3 sets · 62 reps"  # with the warm-up's 10
    assert [(row[0], row[1], row[3]) for row in view.summary_cells()] == [
        ("Double-leg calf raise", "Both", "10"),
        ("Heel-rise endurance test", "Left", "28"),
        ("Heel-rise endurance test", "Right", "24"),
    ]
    window.coach.test_results_dialog.right_spin.setValue(25)  # one the metronome missed
    window.coach.test_results_dialog.save_button.click()
    assert view.summary_label.text() == "3 sets · 63 reps"  # what was saved
    assert [(row[0], row[1], row[3]) for row in view.summary_cells()] == [
        ("Double-leg calf raise", "Both", "10"),
        ("Heel-rise endurance test", "Left", "28"),
        ("Heel-rise endurance test", "Right", "25"),
    ]


def test_the_result_goes_to_the_test_session_even_if_another_started(
    tmp_path: Path, window, writer, timers, clock
) -> None:
    window.session.start(BUILTIN_BY_ID["heel-rise-test"])
    run_whole_test(window, clock, 22, 20, timers)
    dialog = window.coach.test_results_dialog
    assert dialog.isVisible()
    # Meanwhile another session starts (a second launch with --start, say), and saves a set.
    window.on_second_launch(["--start", "isometric"])
    assert window.session.timeline.program_id == "isometric"
    assert writer.flush(timeout=10)
    dialog.save_button.click()  # the result dialog was still open
    assert writer.flush(timeout=10)
    by_program = {s["program_id"]: s for s in Store.open(tmp_path).sessions()}
    tests = by_program["heel-rise-test"]["tests"]
    assert [(t["left_reps"], t["right_reps"]) for t in tests] == [(22, 20)]
    assert by_program["isometric"]["tests"] == []
    # The new session's screen is not the test's summary: it is left as it is.
    assert window.session.state.value == "running"


def test_without_a_profile_the_newer_norms_are_the_comparison(make_window, clock, timers):
    w = make_window(history=True, settings=Settings())  # no sex or age given
    w.session.start(BUILTIN_BY_ID["heel-rise-test"])
    run_whole_test(w, clock, 26, 21, timers)
    dialog = w.coach.test_results_dialog
    assert (
        "Typical for healthy adults: about 25 on the dominant leg and 24 on the other "
        "(Sleeswijk Visser et al. 2025); your legs are around that."
    ) in dialog.reading_label.text()
    norms = dialog.norms_label.text()
    assert "<b>Compared above:</b> 2025, 500 healthy adults" in norms
    assert "median men 24, women 21" in norms  # the 2017 norms are still listed
    assert "Sleeswijk Visser, O&#x27;Neill, Hébert-Losier et al., Braz J Phys Ther 2025" in norms
    dialog.reject()
    w.close()
