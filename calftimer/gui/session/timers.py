"""Timers as a port: the session parts ask for single-shot timers from an injected factory.

``QtTimers`` makes real ones (precise Qt timers, since a coarse one fired a 1 s timer up to
44 ms early here); tests inject a factory whose timers fire when the test moves a manual clock,
so nothing waits real time and nobody reaches for a private ``QTimer``.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Protocol

from PySide6.QtCore import QObject, Qt, QTimer


class Timer(Protocol):
    """A single-shot timer: ``start`` (re)arms it, its callback runs once when it fires."""

    def start(self, delay_ms: int) -> None: ...

    def stop(self) -> None: ...

    def is_active(self) -> bool: ...


TimerFactory = Callable[[Callable[[], None]], Timer]
"""Makes a timer that calls the given callback when it fires."""


class _QtTimer:
    def __init__(self, parent: QObject, callback: Callable[[], None]) -> None:
        self._timer = QTimer(parent)
        self._timer.setSingleShot(True)
        self._timer.setTimerType(Qt.TimerType.PreciseTimer)
        self._timer.timeout.connect(callback)

    def start(self, delay_ms: int) -> None:
        self._timer.start(max(0, delay_ms))

    def stop(self) -> None:
        self._timer.stop()

    def is_active(self) -> bool:
        return self._timer.isActive()


class QtTimers:
    """The real ``TimerFactory``: precise single-shot ``QTimer``s owned by ``parent``."""

    def __init__(self, parent: QObject) -> None:
        self._parent = parent

    def __call__(self, callback: Callable[[], None]) -> Timer:
        return _QtTimer(self._parent, callback)
