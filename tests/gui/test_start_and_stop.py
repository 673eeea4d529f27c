"""Starting never fails silently, and stopping asks the same way whatever the user pressed.

Dialogs are real (a QMessageBox, the settings dialog) and answered by clicking their buttons
while their own event loop runs, as a user would."""

from __future__ import annotations

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication

from calftimer.core.clock import ManualClock
from calftimer.core.programs import BUILTIN_BY_ID
from calftimer.core.session import State
from calftimer.core.store import Store
from calftimer.gui.main_window import MainWindow
from calftimer.gui.stop_question import QUESTION, TITLE
from tests.gui.fakes import T0
from tests.gui.helpers import advance_to, answer_modal, click_button, notice_text


@pytest.fixture
def window(make_window) -> MainWindow:
    return make_window(history=True, activate=True)


def press(qtbot, window: MainWindow, key: Qt.Key, modifier=Qt.KeyboardModifier.NoModifier) -> None:
    qtbot.keyClick(window.stack.currentWidget(), key, modifier)


# ------------------------------------------------------------------------------ starting


def test_after_ok_in_settings_f5_starts_the_program_still_selected(qtbot, window) -> None:
    isometric = window.home.program_model.row_of("isometric")
    window.home.program_list.setCurrentIndex(window.home.program_model.index(isometric, 0))
    seen = answer_modal(click_button("OK"))
    window.open_settings()
    assert seen and seen[0].windowTitle() == "Settings"
    window.activateWindow()  # what the window manager does when a dialog closes
    qtbot.waitUntil(window.isActiveWindow)
    assert window.home.selected_program() is BUILTIN_BY_ID["isometric"]  # the selection is kept
    press(qtbot, window, Qt.Key.Key_F5)
    assert window.session.state is not None
    assert window.session.timeline.program_id == "isometric"


def test_start_with_nothing_selected_says_so_and_goes_to_the_list(qtbot, window) -> None:
    window.home.program_list.setCurrentIndex(window.home.program_model.index(-1, 0))
    assert window.home.selected_program() is None
    window.home.start_button.setFocus()
    window.home.start_button.click()
    assert window.session.state is None
    assert "Select a program first" in window.notice_area.summary_text()  # why, and where
    assert QApplication.focusWidget() is window.home.program_list  # focus moved there
    window.notices.dismiss("start")
    press(qtbot, window, Qt.Key.Key_F5)  # F5 too: said again, even after a dismiss
    assert (
        window.session.state is None
        and "Select a program first" in window.notice_area.summary_text()
    )
    # Choosing one makes the notice untrue: it goes.
    window.home.program_list.setCurrentIndex(window.home.program_model.index(0, 0))
    assert "select a program" not in notice_text(window)
    press(qtbot, window, Qt.Key.Key_F5)
    assert window.session.state is not None


def test_f5_in_the_history_says_where_to_start(qtbot, window) -> None:
    window.history.show()
    press(qtbot, window, Qt.Key.Key_F5)
    assert window.session.state is None
    assert "program list" in notice_text(window)


# ------------------------------------------------------------------------------ stopping


def trigger(qtbot, window: MainWindow, how: str) -> None:
    if how == "Esc":
        press(qtbot, window, Qt.Key.Key_Escape)
    elif how == "Stop button":
        window.session_view.stop_button.click()
    elif how == "Ctrl+W":
        press(qtbot, window, Qt.Key.Key_W, Qt.KeyboardModifier.ControlModifier)
    elif how == "Ctrl+Q":
        press(qtbot, window, Qt.Key.Key_Q, Qt.KeyboardModifier.ControlModifier)
    else:
        raise ValueError(how)


def into_the_first_set(window: MainWindow, clock: ManualClock) -> None:
    window.session.start(BUILTIN_BY_ID["isometric"])  # 45 s holds
    first = window.session.timeline.work_sets[0]
    advance_to(window.session, clock, T0 + first.start_ms + 5_000)
    assert window.session.state is State.RUNNING


@pytest.mark.parametrize("how", ["Esc", "Stop button", "Ctrl+W", "Ctrl+Q"])
def test_asking_to_stop_pauses_and_go_on_resumes(qtbot, window, clock, how) -> None:
    into_the_first_set(window, clock)
    t_asked = window.session.elapsed_ms
    while_open: dict[str, object] = {}

    def a_minute_passes(dialog) -> None:
        advance_to(window.session, clock, clock() + 60_000)  # the set would have ended
        while_open.update(
            title=dialog.windowTitle(),
            text=dialog.text(),
            state=window.session.state,
            t=window.session.elapsed_ms,
            sets=len(window.session.records),
        )

    asked = answer_modal(click_button("Go on"), a_minute_passes)
    trigger(qtbot, window, how)
    assert asked, f"{how} did not ask"
    assert while_open["title"] == TITLE and while_open["text"] == QUESTION  # the same question
    assert while_open["state"] is State.PAUSED
    assert while_open["t"] == t_asked  # the session did not move on behind the question
    assert while_open["sets"] == 0  # and recorded nothing nobody did
    assert window.session.state is State.RUNNING  # "Go on": it runs again
    assert window.isVisible()


def test_go_on_leaves_a_session_the_user_paused_paused(qtbot, window, clock) -> None:
    into_the_first_set(window, clock)
    press(qtbot, window, Qt.Key.Key_Space)
    assert window.session.state is State.PAUSED
    asked = answer_modal(click_button("Go on"))
    press(qtbot, window, Qt.Key.Key_Escape)
    assert asked and window.session.state is State.PAUSED


def test_ctrl_q_mid_session_asks_and_stop_quits_keeping_what_was_done(
    qtbot, window, clock, writer, tmp_path
) -> None:
    into_the_first_set(window, clock)
    first = window.session.timeline.work_sets[0]
    advance_to(window.session, clock, T0 + first.end_ms + 1_000)  # one set done
    asked = answer_modal(click_button("Stop"))
    trigger(qtbot, window, "Ctrl+Q")
    assert asked and not window.isVisible()  # quit
    assert window.session.state is State.ABANDONED
    assert writer.flush(timeout=10)
    (session,) = Store.open(tmp_path).sessions()
    assert session["status"] == "abandoned" and [s["done"] for s in session["sets"]] == [45]


def test_ctrl_q_without_a_session_quits_without_asking(qtbot, window) -> None:
    asked = answer_modal(click_button("Stop"))
    trigger(qtbot, window, "Ctrl+Q")  # a question would be answered inside this call
    asked.cancel()
    assert not window.isVisible() and asked == []
