"""The keyboard shortcuts dialog lists every shortcut and fits a 1366 x 768 laptop screen."""

from __future__ import annotations

from PySide6.QtCore import QRect

PANEL_PX = 48  # a desktop panel (GNOME's top bar is 32 px, a KDE or Windows task bar 40-48)
LAPTOP = QRect(0, 0, 1366, 768 - PANEL_PX)  # the free area of a common small laptop screen


def test_the_shortcuts_dialog_fits_a_small_laptop_screen_with_room_to_spare(
    qtbot, make_window
) -> None:
    window = make_window(activate=True)
    qtbot.waitUntil(window.isActiveWindow)
    qtbot.keyClicks(window.home.program_list, "?")
    dialog = window.help.shortcuts_dialog
    assert dialog is not None and dialog.isVisible()
    natural = dialog.natural_size()
    assert natural.height() <= 0.75 * LAPTOP.height(), natural  # room to spare
    assert natural.width() <= 0.85 * LAPTOP.width(), natural
    assert dialog.size_for(LAPTOP) == natural  # shown whole: nothing scrolls
    # On a smaller screen it keeps within the free area and scrolls instead.
    small = dialog.size_for(QRect(0, 0, 800, 480))
    assert small.height() <= 0.85 * 480 and small.width() <= 0.85 * 800
    # Every keyed action is listed, with keys and what they do.
    rows = dialog.rows()
    assert rows == window.help.shortcut_rows() and len(rows) >= 20
    keys = {key for keys, _ in rows for key in keys.split(", ")}
    assert {"F5", "Space", "Esc", "Ctrl+Q", "Ctrl+Shift+N", "?"} <= keys
    assert ("Esc", "Leave focus mode, or stop the session") in rows
