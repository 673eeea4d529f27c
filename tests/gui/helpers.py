"""Test helpers for the real window: moving a manual clock as the app experiences time, reading
the notice area, and answering modal dialogs as a user would."""

from __future__ import annotations

from collections.abc import Callable
from typing import Protocol

from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QAbstractButton, QApplication, QWidget

from calftimer.core.clock import ManualClock


class Wakeable(Protocol):
    """What the helpers wake: the session controller, or a bare driver."""

    def poll_now(self) -> None: ...

    def next_deadline_ms(self) -> int | None: ...


STEP_MS = 5_000  # the real driver wakes at least every frame; a 15 s silence means a suspend


class FakeTimer:
    """A single-shot timer that fires when its ``FakeTimers`` is told the clock moved."""

    def __init__(self, timers: FakeTimers, callback: Callable[[], None]) -> None:
        self._timers = timers
        self.callback = callback
        self.due: int | None = None
        self.delay_ms: int | None = None  # what it was last started with

    def start(self, delay_ms: int) -> None:
        self.delay_ms = delay_ms
        self.due = self._timers.clock() + max(0, delay_ms)

    def stop(self) -> None:
        self.due = None

    def is_active(self) -> bool:
        return self.due is not None


class FakeTimers:
    """A ``TimerFactory`` (calftimer.gui.session.timers) on a manual clock: its timers fire in
    ``fire_due``, in the order they are due, when the clock has reached them."""

    def __init__(self, clock: ManualClock) -> None:
        self.clock = clock
        self.made: list[FakeTimer] = []

    def __call__(self, callback: Callable[[], None]) -> FakeTimer:
        timer = FakeTimer(self, callback)
        self.made.append(timer)
        return timer

    def next_due(self) -> int | None:
        return min((t.due for t in self.made if t.due is not None), default=None)

    def fire_due(self) -> int:
        """Fire every timer due by now (one fired may arm another); how many fired."""
        fired = 0
        while True:
            due = [t for t in self.made if t.due is not None and t.due <= self.clock()]
            if not due:
                return fired
            timer = min(due, key=lambda t: t.due or 0)
            timer.due = None
            timer.callback()
            fired += 1


def advance_to(
    session: Wakeable,
    clock: ManualClock,
    instant_ms: int,
    timers: FakeTimers | None = None,
) -> None:
    """Move ``clock`` to ``instant_ms`` in steps, letting the session (and ``timers``) wake at
    each one."""
    while clock() < instant_ms:
        clock.set(min(instant_ms, clock() + STEP_MS))
        session.poll_now()
        if timers is not None:
            timers.fire_due()
    session.poll_now()
    if timers is not None:
        timers.fire_due()


def advance_by_deadlines(
    session: Wakeable,
    clock: ManualClock,
    instant_ms: int,
    timers: FakeTimers | None = None,
    *,
    step_ms: int = STEP_MS,
) -> None:
    """Move ``clock`` to ``instant_ms`` waking exactly at each deadline, as the precise timers
    do (the session's and ``timers``'), so every cue is handed out on time; and at least every
    ``step_ms`` (``FRAME_INTERVAL_MS``: as the driver's frame timer does while it runs)."""
    while clock() < instant_ms:
        deadlines = [session.next_deadline_ms(), timers.next_due() if timers else None]
        # Never more than STEP_MS at once (a longer silence would look like a suspend).
        step_to = min(instant_ms, clock() + min(step_ms, STEP_MS))
        for deadline in deadlines:
            if deadline is not None and deadline <= step_to:
                step_to = max(deadline, clock())
        clock.set(step_to)
        session.poll_now()
        if timers is not None:
            timers.fire_due()


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
