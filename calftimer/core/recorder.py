"""SessionRecorder: turns a running session's events into store writes on the background writer.

The window calls ``started``/``set_completed``/``ended`` from the UI thread; each becomes a job on
the ``BackgroundWriter`` so an fsync never delays a cue. Jobs run in order on one thread, so the
session id created by the first job is known to the later ones.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Any

from calftimer.core.i18n import N_, _
from calftimer.core.session import SetRecord
from calftimer.core.store import BackgroundWriter, Store

ErrorHandler = Callable[[str], None]
SavedHandler = Callable[[int], None]


class SessionRecorder:
    """Each started session gets its own token; jobs carry the token, never "the current id",
    so a failed start can never make a later session's sets land in an earlier session."""

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
        self._token = 0
        self._begin_args: dict[int, tuple[str, str, datetime]] = {}
        self._ids: dict[int, str] = {}  # written by the worker thread only
        self._saved: dict[int, int] = {}

    @property
    def enabled(self) -> bool:
        return not self._store.read_only

    @property
    def session_id(self) -> str | None:
        """The history id of the session started last (None until its start was saved)."""
        return self._ids.get(self._token)

    def started(self, program_id: str, program_name: str, started_at: datetime) -> None:
        self._token += 1
        token = self._token
        self._begin_args[token] = (program_id, program_name, started_at)
        self._submit(
            lambda: self._session_for(token),
            N_("Could not start the session in your history: {error}"),
        )

    def set_completed(self, record: SetRecord) -> None:
        token = self._token

        def save() -> None:
            # If the start could not be saved, it is tried again here: the set is what counts.
            self._store.add_set(self._session_for(token), record)
            self._saved[token] = self._saved.get(token, 0) + 1
            if self._on_saved is not None:
                self._on_saved(self._saved[token])

        self._submit(save, N_("Could not save a set: {error}"))

    def ended(self, status: str, ended_at: datetime) -> None:
        token = self._token

        def end() -> None:
            if token in self._ids:
                self._store.end_session(self._ids[token], status, ended_at)

        self._submit(end, N_("Could not close the session in your history: {error}"))

    def current(self) -> int | None:
        """A handle on the session started last (None before any), for what is given about it
        later: a result dialog left open while another session starts still saves to this one."""
        return self._token or None

    def test_result(self, left: int, right: int, session: int | None = None) -> None:
        """Save a heel-rise test result to ``session`` (a ``current()`` handle), or to the
        session started last."""
        token = self._token if session is None else session
        if token not in self._begin_args:
            raise ValueError(f"no session {token} was started by this recorder")
        self._submit(
            lambda: self._store.add_test_result(self._session_for(token), left, right),
            N_("Could not save the test result: {error}"),
        )

    def pain(self, when: str, rating: int, session_id: str | None = None) -> None:
        """Save a 0-10 pain rating: to ``session_id``, or to the session started last."""
        token = self._token
        self._submit(
            lambda: self._store.add_pain(session_id or self._session_for(token), when, rating),
            N_("Could not save the pain rating: {error}"),
        )

    def _session_for(self, token: int) -> str:
        if token not in self._ids:
            self._ids[token] = self._store.begin_session(*self._begin_args[token])
        return self._ids[token]

    def _submit(self, job: Callable[[], object], failure: str) -> None:
        """Run ``job`` on the writer; ``failure`` (N_-marked, with ``{error}``) reports it."""
        if not self.enabled:
            return

        def done(_result: Any, error: Exception | None) -> None:
            if error is not None:
                self._on_error(_(failure).format(error=error))

        self._writer.submit(job, done)
