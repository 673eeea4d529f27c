"""Work off the window's thread, with its result handed back on the window's thread.

``Jobs`` runs a job on a ``BackgroundWriter`` thread (calftimer.core.store) and calls
``on_done(result, error)`` in the thread that owns the ``Jobs`` object (the window's), through
a queued signal. Every part that reads or writes the history in the background goes through
one: no part keeps its own bridge of per-purpose signals.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from PySide6.QtCore import QObject, Signal

from calftimer.core.store import BackgroundWriter

Done = Callable[[Any, Exception | None], None]


class Jobs(QObject):
    # Carries (on_done, result, error) from the worker thread; queued, since it is emitted there.
    _finished = Signal(object)

    def __init__(self, writer: BackgroundWriter) -> None:
        # No parent: a job may still report after the window is gone, and a signal on a
        # deleted QObject would crash; unparented, it lives as long as someone refers to it.
        super().__init__()
        self._writer = writer
        self._finished.connect(self._on_finished)

    @property
    def writer(self) -> BackgroundWriter:
        return self._writer

    def run(self, job: Callable[[], Any], on_done: Done | None = None) -> None:
        """Queue ``job``; ``on_done(result, error)`` runs on this object's thread afterwards."""
        if on_done is None:
            self._writer.submit(job)
            return
        self._writer.submit(
            job, lambda result, error: self._finished.emit((on_done, result, error))
        )

    def flush(self, timeout: float | None = None) -> bool:
        return self._writer.flush(timeout)

    def close(self, timeout: float | None = 10.0) -> None:
        self._writer.close(timeout)

    @staticmethod
    def _on_finished(item: tuple[Done, Any, Exception | None]) -> None:
        on_done, result, error = item
        on_done(result, error)
