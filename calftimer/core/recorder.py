"""SessionRecorder: turns a running session's events into store writes on the background writer.

The window calls ``started``/``set_completed``/``ended`` from the UI thread; each becomes a job on
the ``BackgroundWriter`` so an fsync never delays a cue. Jobs run in order on one thread, so the
session id created by the first job is known to the later ones.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Any

from calftimer.core.session import SetRecord
from calftimer.core.store import BackgroundWriter, Store

ErrorHandler = Callable[[str], None]
SavedHandler = Callable[[int], None]


class SessionRecorder:
    def __init__(
        self,
        store: Store,
        writer: BackgroundWriter,
        on_error: ErrorHandler,
        on_saved: SavedHandler | None = None,
    ) -> None:
        self._store = store
        self._writer = writer
        self._on_error = on_error
        self._on_saved = on_saved
        self.session_id: str | None = None  # written by the worker thread only
        self.saved_sets = 0

    @property
    def enabled(self) -> bool:
        return not self._store.read_only

    def started(self, program_id: str, program_name: str, started_at: datetime) -> None:
        def begin() -> None:
            self.session_id = self._store.begin_session(program_id, program_name, started_at)
            self.saved_sets = 0

        self._submit(begin, "start the session in your history")

    def set_completed(self, record: SetRecord) -> None:
        def save() -> None:
            if self.session_id is None:
                raise RuntimeError("the session was never started in the history")
            self._store.add_set(self.session_id, record)
            self.saved_sets += 1
            if self._on_saved is not None:
                self._on_saved(self.saved_sets)

        self._submit(save, "save a set")

    def ended(self, status: str, ended_at: datetime) -> None:
        def end() -> None:
            if self.session_id is not None:
                self._store.end_session(self.session_id, status, ended_at)

        self._submit(end, "close the session in your history")

    def _submit(self, job: Callable[[], None], what: str) -> None:
        if not self.enabled:
            return

        def done(_result: Any, error: Exception | None) -> None:
            if error is not None:
                self._on_error(f"Could not {what}: {error}")

        self._writer.submit(job, done)
