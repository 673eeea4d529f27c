"""Moving a session's manual clock forward the way the real app experiences time."""

from __future__ import annotations

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
