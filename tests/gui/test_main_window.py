"""The main window on a manual clock: library, session view, shortcuts and the end summary."""

from __future__ import annotations

import pytest
from PySide6.QtCore import Qt

from calftimer.core.catalog import CATALOG
from calftimer.core.clock import ManualClock
from calftimer.core.programs import BUILTIN_BY_ID
from calftimer.core.session import State
from calftimer.core.timeline import CompileOptions, SegmentKind
from calftimer.gui.main_window import MainWindow
from calftimer.gui.models import ExerciseListModel, ProgramListModel
from tests.gui.fakes import T0
from tests.gui.helpers import advance_to, answer_modal, click_button


@pytest.fixture
def window(make_window) -> MainWindow:
    return make_window(options=CompileOptions(prepare_s=10, countdown_s=3), activate=True)


def at(window: MainWindow, clock: ManualClock, ms: int) -> None:
    """Move the session's clock to ``ms`` after start and let the driver wake."""
    assert window.session.state is not None
    advance_to(window.session, clock, T0 + ms)


def view_text(window: MainWindow) -> dict[str, str]:
    v = window.session_view
    return {
        "phase": v.phase_label.text(),
        "time": v.time_label.text(),
        "rep": v.rep_label.text(),
        "set": v.set_label.text(),
        "side": v.side_label.text(),
        "exercise": v.exercise_label.text(),
        "next": v.next_label.text(),
    }


def key(qtbot, window: MainWindow, k: Qt.Key, text: str = "") -> None:
    qtbot.keyClick(window.session_view, k)


def test_models_are_well_behaved(qtmodeltester) -> None:
    qtmodeltester.check(ExerciseListModel(list(CATALOG.values())))
    qtmodeltester.check(ProgramListModel(list(BUILTIN_BY_ID.values())))


def test_library_lists_every_exercise_with_its_how_to(window: MainWindow) -> None:
    assert window.home.exercise_filter.rowCount() == len(CATALOG) == 10
    soleus = window.home.exercise_filter.index(2, 0)
    window.home.exercise_list.setCurrentIndex(soleus)
    html = window.home.exercise_details.toPlainText()
    ex = CATALOG["soleus_squat"]
    assert ex.name in html and ex.steps[0] in html and "Tempo" in html


def test_filters_narrow_the_exercise_list(window: MainWindow) -> None:
    window.home.per_side_box.setChecked(True)
    names = [
        window.home.exercise_filter.index(i, 0).data()
        for i in range(window.home.exercise_filter.rowCount())
    ]
    assert names and all(CATALOG[e].per_side for e in CATALOG if CATALOG[e].name in names)
    assert "Soleus squat" not in names and "Single-leg calf raise" in names
    window.home.per_side_box.setChecked(False)
    window.home.equipment_free_box.setChecked(True)
    free = [
        window.home.exercise_filter.index(i, 0).data()
        for i in range(window.home.exercise_filter.rowCount())
    ]
    assert "Heel-toe walk" in free and "Seated calf raise" not in free


def test_program_picker_shows_durations_and_starts_the_selected_program(window, clock) -> None:
    first = window.home.program_model.index(0, 0).data()
    assert "Runner's calf foundation" in first and "min" in first
    window.home.program_list.setCurrentIndex(window.home.program_model.index(1, 0))
    window.home.start_button.click()
    assert window.session.state is not None
    assert window.session.timeline.program_id == "alfredson"
    assert window.stack.currentWidget() is window.session_view


def test_a_running_session_shows_phase_time_rep_set_side_and_next(window, clock) -> None:
    window.session.start(BUILTIN_BY_ID["foundation"])
    text = view_text(window)
    assert text["phase"] == "GET READY" and text["time"] == "0:10"
    assert text["exercise"] == "Up next: Double-leg calf raise"
    assert text["next"] == "Next: set 1 of 2 · 15 reps"
    assert text["rep"] == "Target 15 reps"

    at(window, clock, 10_000 + 5_000 * 6 + 500)  # rep 7, going up
    text = view_text(window)
    assert text["phase"] == "UP"
    assert text["rep"] == "Rep 7 / 15" and text["time"] == "2"  # 1.5 s of "up" left
    assert text["set"] == "Set 1 / 2" and text["side"] == "BOTH LEGS"
    assert text["next"] == "Next: rest 60 s, then Double-leg calf raise · set 2 of 2 · 15 reps"

    at(window, clock, 10_000 + 75_000 + 3_000)  # 3 s into the first rest
    text = view_text(window)
    assert text["phase"] == "REST" and text["time"] == "0:57"
    assert text["set"] == "Set 2 / 2"
    assert text["next"] == "Done: 15 reps.   Next: set 2 of 2 · 15 reps"

    tl = window.session.timeline
    switch = next(s for s in tl.segments if s.kind is SegmentKind.SWITCH)
    at(window, clock, switch.start_ms + 1_000)
    text = view_text(window)
    assert text["phase"] == "SWITCH TO RIGHT LEG" and text["side"] == "RIGHT"
    assert text["exercise"] == "Up next: right leg"  # the other leg, not the same exercise


def test_space_pauses_and_resumes(qtbot, window, clock) -> None:
    window.session.start(BUILTIN_BY_ID["foundation"])
    at(window, clock, 4_000)
    key(qtbot, window, Qt.Key.Key_Space)
    assert window.session.state is State.PAUSED
    assert window.session_view.phase_label.text() == "PAUSED · GET READY"
    at(window, clock, 60_000)
    assert window.session_view.time_label.text() == "0:06"
    key(qtbot, window, Qt.Key.Key_Space)
    assert window.session.state is State.RUNNING


def test_arrow_keys_and_page_keys_skip_and_go_back(qtbot, window, clock) -> None:
    window.session.start(BUILTIN_BY_ID["foundation"])
    at(window, clock, 3_000)
    key(qtbot, window, Qt.Key.Key_Right)
    assert window.session_view.phase_label.text() == "UP"
    key(qtbot, window, Qt.Key.Key_PageDown)
    assert window.session_view.phase_label.text() == "REST"
    key(qtbot, window, Qt.Key.Key_Left)  # near the rest's start: back to the set
    assert window.session_view.phase_label.text() == "UP"
    assert window.session_view.rep_label.text() == "Rep 1 / 15"
    key(qtbot, window, Qt.Key.Key_PageUp)
    assert window.session_view.phase_label.text() == "GET READY"


def test_plus_and_minus_change_the_rest(qtbot, window, clock) -> None:
    window.session.start(BUILTIN_BY_ID["foundation"])
    at(window, clock, 10_000 + 75_000 + 20_000)  # 40 s of rest left
    key(qtbot, window, Qt.Key.Key_Plus)
    assert window.session_view.time_label.text() == "0:55"
    key(qtbot, window, Qt.Key.Key_Minus)
    key(qtbot, window, Qt.Key.Key_Minus)
    assert window.session_view.time_label.text() == "0:25"


def test_enter_ends_a_heel_rise_test_set_and_counts_its_reps(qtbot, window, clock) -> None:
    window.session.start(BUILTIN_BY_ID["heel-rise-test"])
    tl = window.session.timeline
    test_set = next(w for w in tl.work_sets if w.exercise_id == "heel_rise_test")
    at(window, clock, test_set.start_ms + 12 * 2000 + 300)
    assert window.session_view.time_label.text() == "12"
    key(qtbot, window, Qt.Key.Key_Return)
    assert window.session.records[-1].done == 12
    assert window.session_view.phase_label.text() == "REST"
    assert window.session_view.side_label.text() == "RIGHT"


def test_escape_asks_before_stopping_and_no_keeps_going(qtbot, window, clock):
    window.session.start(BUILTIN_BY_ID["foundation"])
    asked = answer_modal(click_button("Go on"))
    key(qtbot, window, Qt.Key.Key_Escape)
    assert asked and window.session.state is State.RUNNING
    window.activateWindow()  # what the window manager does when the question closes
    qtbot.waitUntil(window.isActiveWindow)
    answer_modal(click_button("Stop"))
    key(qtbot, window, Qt.Key.Key_Escape)
    assert window.session.state is State.ABANDONED
    assert window.session_view.exercise_label.text() == "Session stopped"
    assert window.session_view.close_button.isVisible()


def test_a_whole_program_runs_without_input_and_ends_with_a_summary(window, clock) -> None:
    window.session.start(BUILTIN_BY_ID["isometric"])
    tl = window.session.timeline
    for ms in range(0, tl.duration_ms + 1000, 1000):
        at(window, clock, ms)
    assert window.session.state is State.FINISHED
    assert len(window.session.records) == 10
    assert all(r.done == 45 for r in window.session.records)
    assert window.session_view.exercise_label.text() == "Session complete"
    assert window.session_view.summary_label.text().startswith("10 sets")
    assert window.session_view.phase_label.text() == "DONE"
    window.session_view.close_button.click()
    assert window.stack.currentWidget() is window.home


def test_session_shortcuts_do_nothing_on_the_library_page(qtbot, window) -> None:
    qtbot.keyClick(window.home.program_list, Qt.Key.Key_Space)
    assert window.session.state is None
    assert not window.window_actions["toggle_pause"].isEnabled()


def test_every_session_button_comes_back_for_the_next_session(window, clock) -> None:
    window.session.start(BUILTIN_BY_ID["isometric"])
    window.session.finish()
    assert not window.session_view.end_set_button.isVisibleTo(window)
    window.session_view.close_button.click()
    window.session.start(BUILTIN_BY_ID["heel-rise-test"])
    for button in window.session_view.session_buttons():
        assert button.isVisibleTo(window), button.text()


def test_the_end_summary_does_not_grow_the_window(window, clock) -> None:
    window.resize(1000, 640)
    window.session.start(BUILTIN_BY_ID["foundation"])
    tl = window.session.timeline
    for w in tl.work_sets:  # a long session: many lines of summary
        at(window, clock, w.end_ms)
    window.session.finish()
    assert window.height() <= 640 + 1
    rows = window.session_view.summary_cells()
    assert ("Single-leg calf raise", "Left", "2 × 12 reps", "12, 12") in [r[:4] for r in rows]
    assert ("Single-leg calf raise", "Right", "2 × 12 reps", "12, 12") in [r[:4] for r in rows]
    assert "30 ground contacts" in window.session_view.summary_label.text()


def test_a_set_redone_after_back_is_counted_once(window, clock) -> None:
    window.session.start(BUILTIN_BY_ID["isometric"])
    first = window.session.timeline.work_sets[0]
    at(window, clock, first.end_ms + 500)
    window.session.back()  # near the start of the switch: back into the hold
    at(window, clock, first.end_ms + 500 + first.duration_ms)
    assert [r.work.index for r in window.session.records] == [0]


def test_the_big_digits_grow_with_the_window(window) -> None:
    window.session.start(BUILTIN_BY_ID["foundation"])
    window.resize(800, 500)
    small = window.session_view.time_label.font().pixelSize()
    window.resize(1600, 1000)
    large = window.session_view.time_label.font().pixelSize()
    assert large > small * 1.5


def test_f11_enters_focus_mode_and_esc_leaves_it_before_asking_to_stop(
    qtbot, window, clock
) -> None:
    asked = answer_modal(click_button("Go on"))
    window.session.start(BUILTIN_BY_ID["foundation"])
    key(qtbot, window, Qt.Key.Key_F11)
    assert window.in_focus_mode and window.isFullScreen()
    assert not window.menuBar().isVisible()
    assert not window.session_view.pause_button.isVisible()  # keys only, big digits
    key(qtbot, window, Qt.Key.Key_Escape)
    assert not window.in_focus_mode and not window.isFullScreen() and asked == []
    key(qtbot, window, Qt.Key.Key_Escape)
    assert len(asked) == 1
    assert window.session.state is State.RUNNING


def test_clicker_and_media_keys_control_the_session(qtbot, window, clock) -> None:
    window.session.start(BUILTIN_BY_ID["foundation"])
    for k in (Qt.Key.Key_B, Qt.Key.Key_Period, Qt.Key.Key_MediaTogglePlayPause):
        key(qtbot, window, k)
        assert window.session.state is State.PAUSED, k
        key(qtbot, window, Qt.Key.Key_Space)
        assert window.session.state is State.RUNNING
    key(qtbot, window, Qt.Key.Key_MediaNext)
    assert window.session_view.phase_label.text() == "UP"
    key(qtbot, window, Qt.Key.Key_MediaPrevious)
    assert window.session_view.phase_label.text() == "GET READY"


def test_f5_starts_the_selected_program_and_resumes_a_paused_one(qtbot, window) -> None:
    qtbot.keyClick(window.home.program_list, Qt.Key.Key_F5)
    assert window.session.state is not None and window.session.state is State.RUNNING
    key(qtbot, window, Qt.Key.Key_Space)
    key(qtbot, window, Qt.Key.Key_F5)
    assert window.session.state is State.RUNNING


def test_m_mutes_and_the_view_says_so(qtbot, window) -> None:
    window.session.start(BUILTIN_BY_ID["foundation"])
    key(qtbot, window, Qt.Key.Key_M)
    assert window.muted and window.session_view.muted_label.isVisible()
    key(qtbot, window, Qt.Key.Key_M)
    assert not window.muted and not window.session_view.muted_label.isVisible()


def test_every_action_has_a_menu_entry_and_a_tooltip(window) -> None:
    in_menus = {
        a
        for menu in window.menuBar().findChildren(type(window.menuBar().addMenu("x")))
        for a in menu.actions()
    }
    for act in window.actions():
        if act is window.window_actions["escape"]:
            continue  # Esc is a second key for "Stop session" and "Focus mode", both in menus
        assert act in in_menus, act.text()
        assert act.toolTip(), act.text()


def test_window_size_and_panes_come_back_next_start(qtbot, window, tmp_path, make_window) -> None:
    window.resize(760, 540)  # inside the offscreen screen (800 x 600): restore clamps to it
    state = window.home.splitter.saveState()
    window.close()
    assert (tmp_path / "window.ini").exists()
    again = make_window(show=True)  # the next start, on the same data folder
    again.restore_window_state()
    assert again.size().width() == 760 and again.size().height() == 540
    qtbot.waitUntil(lambda: again.home.splitter.saveState() == state)


def test_every_control_has_an_accessible_name_and_tab_goes_left_to_right(qtbot, window):
    from PySide6.QtWidgets import QAbstractButton, QAbstractItemView, QComboBox

    controls = [
        w
        for kind in (QAbstractButton, QComboBox, QAbstractItemView)
        for w in window.findChildren(kind)
        # Qt's own helpers (menu bar overflow, a closed combo box's popup) are not ours.
        if not w.objectName().startswith("qt_") and w.isVisibleTo(window)
    ]
    assert len(controls) >= 6  # start, two filters, the filter combo, two lists
    for widget in controls:
        name = widget.accessibleName() or (
            widget.text() if isinstance(widget, QAbstractButton) else ""
        )
        assert name.strip(), f"{type(widget).__name__} {widget.objectName()} has no name"
    window.home.muscle_filter.setFocus()
    seen = [window.focusWidget()]
    order = [
        window.home.muscle_filter,
        window.home.equipment_free_box,
        window.home.per_side_box,
        window.home.exercise_list,
        window.home.exercise_details,
        window.home.program_list,
        window.home.new_program_button,
        window.home.duplicate_button,
        window.home.edit_button,
        window.home.start_button,  # Delete is disabled for the built-in program selected
    ]
    for _ in range(len(order) - 1):
        window.focusNextChild()
        seen.append(window.focusWidget())
    assert seen == order


def test_a_suspend_notice_stays_while_paused(window, clock) -> None:
    window.session.start(BUILTIN_BY_ID["foundation"])
    at(window, clock, 4_000)
    clock.set(clock() + 12 * 60_000)  # the computer slept (the monotonic clock went on here)
    window.session.poll_now()
    assert window.session.state is State.PAUSED
    at(window, clock, 9_000)  # frames and polls while paused keep it
    window.session.poll_now()
    assert window.notice_area.isVisible()
    assert "slept" in window.notice_area.summary_text()
    window.session.resume()
    assert "slept" not in window.notice_area.summary_text()
    assert window.notice_area.isHidden()  # running again: the notice is no longer true


def test_the_phase_bar_follows_the_phase(window, clock) -> None:
    window.session.start(BUILTIN_BY_ID["foundation"])
    at(window, clock, 10_000 + 1_000)  # half of a 2 s "up"
    assert window.session_view.phase_bar.fraction() == pytest.approx(0.5)
    at(window, clock, 10_000 + 2_500)  # half of the 1 s hold
    assert window.session_view.phase_bar.fraction() == pytest.approx(0.5)
