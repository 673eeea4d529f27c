""" "Stop the session?": one question for Esc, Stop, Ctrl+W, Ctrl+Q and closing the window.

The session is paused while the question is open (a question left open for a minute must not
record sets nobody did), and runs on after "No" unless the user had paused it themselves.
"Yes" stops it; what was done is kept either way.
"""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtWidgets import QMessageBox, QWidget

from calftimer.core.i18n import N_, _
from calftimer.core.session import State

TITLE = N_("Stop the session?")
QUESTION = N_("Stop this session now? The sets you have done are kept.")


def ask(parent: QWidget) -> bool:
    """The question itself: True for "Stop"."""
    box = QMessageBox(QMessageBox.Icon.Question, _(TITLE), _(QUESTION), parent=parent)
    stop = box.addButton(_("&Stop"), QMessageBox.ButtonRole.AcceptRole)
    go_on = box.addButton(_("&Go on"), QMessageBox.ButtonRole.RejectRole)
    box.setDefaultButton(go_on)  # Enter (a clicker's key) must not end a session by accident
    box.setEscapeButton(go_on)
    box.exec()
    return box.clickedButton() is stop


def ask_to_stop(
    parent: QWidget,
    state: Callable[[], State | None],
    toggle_pause: Callable[[], object],
    abandon: Callable[[], object],
) -> bool:
    """Ask with the session paused; True when there is no session left running (stopped now,
    or already over), False when the user goes on."""
    if state() not in (State.RUNNING, State.PAUSED):
        return True
    paused_here = state() is State.RUNNING
    if paused_here:
        toggle_pause()
    stop = ask(parent)
    if state() not in (State.RUNNING, State.PAUSED):
        return True  # it ended while the question was open (a second launch started another)
    if stop:
        abandon()
        return True
    if paused_here and state() is State.PAUSED:
        toggle_pause()  # the user had not paused: it runs on
    return False
