"""Test helpers for the real window: moving a manual clock as the app experiences time, reading
the notice area, and answering modal dialogs as a user would."""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QAbstractButton, QApplication, QWidget

from calftimer.core.clock import ManualClock
from calftimer.gui.driver import SessionDriver

STEP_MS = 5_000  # the real driver wakes at least every frame; a 15 s silence means a suspend


def advance_to(driver: SessionDriver, clock: ManualClock, instant_ms: int) -> None:
    """Move ``clock`` to ``instant_ms`` in steps, letting the driver wake at each one."""
    while clock() < instant_ms:
        clock.set(min(instant_ms, clock() + STEP_MS))
        driver.poll_now()
    driver.poll_now()


def advance_by_deadlines(driver: SessionDriver, clock: ManualClock, instant_ms: int) -> None:
    """Move ``clock`` to ``instant_ms`` waking exactly at each deadline, as the precise timer
    does, so every cue is handed out on time."""
    while clock() < instant_ms:
        deadline = driver.session.next_deadline_ms()
        # Never more than STEP_MS at once (a longer silence would look like a suspend).
        step_to = min(instant_ms, clock() + STEP_MS)
        if deadline is not None and deadline <= step_to:
            step_to = max(deadline, clock())
        clock.set(step_to)
        driver.poll_now()


def notice_text(window: object) -> str:
    """Every notice the window's notice area holds now, in full, one per line."""
    return "\n".join(n.text for n in window.notices.active())  # type: ignore[attr-defined]


class ModalAnswer(list[QWidget]):
    """The dialogs ``answer_modal`` answered (at most one); ``cancel()`` stops it looking."""

    cancelled = False

    def cancel(self) -> None:
        self.cancelled = True


def answer_modal(
    answer: Callable[[QWidget], None],
    during: Callable[[QWidget], None] | None = None,
    *,
    tries: int = 500,
) -> ModalAnswer:
    """Answer the next modal dialog the way a user would: once it is up (and its event loop
    runs), call ``during`` (time passing while it is open), then ``answer`` it (click a button).

    The result holds the dialog once it was seen; it stays empty if none came up (within
    ``tries`` x 10 ms, or before ``cancel()``), so a test can tell "never asked" from "asked"."""
    seen = ModalAnswer()

    def look(left: int) -> None:
        if seen.cancelled:
            return
        dialog = QApplication.activeModalWidget()
        if dialog is None or not dialog.isVisible():
            if left > 0:
                QTimer.singleShot(10, lambda: look(left - 1))
            return
        seen.append(dialog)
        if during is not None:
            during(dialog)
        answer(dialog)

    QTimer.singleShot(0, lambda: look(tries))
    return seen


def click_button(text: str) -> Callable[[QWidget], None]:
    """An ``answer`` for ``answer_modal``: click the dialog's button that reads ``text``
    (mnemonic ampersands ignored)."""

    def click(dialog: QWidget) -> None:
        for button in dialog.findChildren(QAbstractButton):
            if button.text().replace("&", "") == text and button.isVisible():
                button.click()
                return
        dialog.close()  # not found: never leave a modal loop running
        raise AssertionError(f"no button {text!r} in {dialog.windowTitle()!r}")

    return click
