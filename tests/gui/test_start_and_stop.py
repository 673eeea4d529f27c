"""Starting never fails silently, and stopping asks the same way whatever the user pressed.

Dialogs are real (a QMessageBox, the settings dialog) and answered by clicking their buttons
while their own event loop runs, as a user would."""

from __future__ import annotations

from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication

from calftimer.core.clock import ManualClock
from calftimer.core.library import ProgramLibrary
from calftimer.core.programs import BUILTIN_BY_ID
from calftimer.core.store import BackgroundWriter, Store
from calftimer.gui.main_window import MainWindow
from calftimer.paths import AppPaths
from tests.gui.helpers import answer_modal, click_button, notice_text

T0 = 5_000_000


@pytest.fixture
def clock() -> ManualClock:
    return ManualClock(T0)


@pytest.fixture
def writer():
    w = BackgroundWriter()
    yield w
    w.close()


@pytest.fixture
def window(qtbot, clock, tmp_path: Path, writer) -> MainWindow:
    w = MainWindow(
        ProgramLibrary.load(None),
        clock,
        AppPaths(tmp_path, "test"),
        store=Store.open(tmp_path),
        writer=writer,
    )
    qtbot.addWidget(w)
    w.show()
    qtbot.waitExposed(w)
    w.activateWindow()
    return w


def press(qtbot, window: MainWindow, key: Qt.Key, modifier=Qt.KeyboardModifier.NoModifier) -> None:
    qtbot.keyClick(window.stack.currentWidget(), key, modifier)


# ------------------------------------------------------------------------------ starting


def test_after_ok_in_settings_f5_starts_the_program_still_selected(qtbot, window) -> None:
    isometric = window.program_model.row_of("isometric")
    window.program_list.setCurrentIndex(window.program_model.index(isometric, 0))
    seen = answer_modal(click_button("OK"))
    window.open_settings()
    assert seen and seen[0].windowTitle() == "Settings"
    window.activateWindow()  # what the window manager does when a dialog closes
    qtbot.waitUntil(window.isActiveWindow)
    assert window.selected_program() is BUILTIN_BY_ID["isometric"]  # the selection is kept
    press(qtbot, window, Qt.Key.Key_F5)
    assert window.driver is not None
    assert window.driver.session.timeline.program_id == "isometric"


def test_start_with_nothing_selected_says_so_and_goes_to_the_list(qtbot, window) -> None:
    window.program_list.setCurrentIndex(window.program_model.index(-1, 0))
    assert window.selected_program() is None
    window.start_button.setFocus()
    window.start_button.click()
    assert window.driver is None
    assert "Select a program first" in window.notice_area.summary_text()  # why, and where
    assert QApplication.focusWidget() is window.program_list  # focus moved there
    window.notices.dismiss("start")
    press(qtbot, window, Qt.Key.Key_F5)  # F5 too: said again, even after a dismiss
    assert window.driver is None and "Select a program first" in window.notice_area.summary_text()
    # Choosing one makes the notice untrue: it goes.
    window.program_list.setCurrentIndex(window.program_model.index(0, 0))
    assert "select a program" not in notice_text(window)
    press(qtbot, window, Qt.Key.Key_F5)
    assert window.driver is not None


def test_f5_in_the_history_says_where_to_start(qtbot, window) -> None:
    window.show_history()
    press(qtbot, window, Qt.Key.Key_F5)
    assert window.driver is None
    assert "program list" in notice_text(window)
