"""Clocks: the monotonic millisecond clock the session runs on, and a manual one for tests.

A clock is any ``Callable[[], int]`` returning monotonic milliseconds. Injecting it keeps the
session deterministic under test and lets benchmarks replay stalls without waiting.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from datetime import UTC, datetime

Clock = Callable[[], int]
WallClock = Callable[[], datetime]


def monotonic_ms() -> int:
    """Milliseconds from an arbitrary origin; never jumps with wall-clock changes."""
    return time.monotonic_ns() // 1_000_000


def boottime_clock() -> Clock | None:
    """A clock that keeps counting while the machine sleeps (Linux CLOCK_BOOTTIME), or None.

    Compared with the monotonic clock, which stops in suspend on Linux, it tells a suspend
    apart from the wall clock being set (NTP, a time-zone trip), which must not pause anything.
    """
    clock_id = getattr(time, "CLOCK_BOOTTIME", None)
    if clock_id is None:
        return None
    return lambda: time.clock_gettime_ns(clock_id) // 1_000_000


def utc_now() -> datetime:
    return datetime.now(UTC)


class ManualClock:
    """A clock that moves only when told to: ``clock.advance(250)``."""

    def __init__(self, start_ms: int = 1_000_000) -> None:
        self.now_ms = start_ms

    def __call__(self) -> int:
        return self.now_ms

    def advance(self, ms: int) -> None:
        if ms < 0:
            raise ValueError("a monotonic clock cannot go back")
        self.now_ms += ms

    def set(self, ms: int) -> None:
        if ms < self.now_ms:
            raise ValueError("a monotonic clock cannot go back")
        self.now_ms = ms
