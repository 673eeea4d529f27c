"""Shared fixtures for the GUI tests: the real window, built the way the app builds it, on a
manual clock.

- ``clock``: a ``ManualClock`` at ``T0`` (tests.gui.fakes); the session runs on it.
- ``timers``: ``FakeTimers`` on that clock, injected into every window ``make_window`` builds
  (``MainWindow(timers=...)``), so the session's own timers (phrases, the audio wait, restarts,
  the end of a session) fire when the test moves the clock, never by waiting real time.
- ``writer``: the ``BackgroundWriter`` a window with a history saves through; closed at teardown.
- ``make_window(...)``: builds a ``MainWindow``; ``window``: one built with the defaults.

Every window made here is handed to qtbot, which closes and deletes it once the test is over,
before the fixtures (the writer among them) are torn down: a window saves what it has on close.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from datetime import datetime
from pathlib import Path
from typing import Protocol

import pytest

from calftimer.core.clock import ManualClock
from calftimer.core.library import ProgramLibrary
from calftimer.core.settings import Settings
from calftimer.core.store import BackgroundWriter, Store
from calftimer.core.timeline import CompileOptions
from calftimer.gui.keep_awake import KeepAwake
from calftimer.gui.main_window import MainWindow, MediaRemoteSource
from calftimer.paths import AppPaths
from tests.gui.fakes import T0
from tests.gui.helpers import FakeTimers


class MakeWindow(Protocol):
    """The ``make_window`` fixture's signature (see ``make_window``)."""

    def __call__(
        self,
        data: Path | None = None,
        *,
        library: ProgramLibrary | None = None,
        options: CompileOptions | None = None,
        history: bool | Store = False,
        settings: Settings | None = None,
        keep_awake: KeepAwake | Callable[[], KeepAwake] | None = None,
        wall_clock: Callable[[], datetime] | None = None,
        real_timers: bool = False,
        media_remote: MediaRemoteSource | None = None,
        size: tuple[int, int] | None = None,
        show: bool = False,
        activate: bool = False,
    ) -> MainWindow: ...


@pytest.fixture
def clock() -> ManualClock:
    return ManualClock(T0)


@pytest.fixture
def timers(clock: ManualClock) -> FakeTimers:
    return FakeTimers(clock)


@pytest.fixture
def writer() -> Iterator[BackgroundWriter]:
    w = BackgroundWriter()
    yield w
    w.close()  # drains pending jobs: none may report to a window torn down after the test


@pytest.fixture
def make_window(
    qtbot, request: pytest.FixtureRequest, tmp_path: Path, clock: ManualClock, timers: FakeTimers
) -> MakeWindow:
    """Build a real ``MainWindow`` on ``clock``:

    - ``data``: its data folder (settings, programs, history, window state); ``tmp_path``
      unless given. Two windows given the same folder see the same files, as two launches do.
    - ``library``: the programs it lists; by default the built-ins and the folder's own files,
      as the app loads them.
    - ``options``: how programs compile (get-ready, countdown); the settings decide if not given.
    - ``history``: ``True`` opens the folder's history (``Store.open(data)``) and saves through
      the ``writer`` fixture, as the app does; a ``Store`` is used as given, with that writer.
    - ``settings``, ``keep_awake``, ``wall_clock``, ``media_remote``: as ``MainWindow`` takes
      them (no keep-awake and no media remote by default; the computer's time by default).
    - ``real_timers``: the session's timers are real Qt timers (firing in real time) instead of
      the ``timers`` fixture's, for a test that needs real time to pass.
    - ``size``: resized to it before it is shown; ``show``: shown and exposed; ``activate``:
      shown, exposed and made the active window (keys then go where a user's would).
    """

    def make(
        data: Path | None = None,
        *,
        library: ProgramLibrary | None = None,
        options: CompileOptions | None = None,
        history: bool | Store = False,
        settings: Settings | None = None,
        keep_awake: KeepAwake | Callable[[], KeepAwake] | None = None,
        wall_clock: Callable[[], datetime] | None = None,
        real_timers: bool = False,
        media_remote: MediaRemoteSource | None = None,
        size: tuple[int, int] | None = None,
        show: bool = False,
        activate: bool = False,
    ) -> MainWindow:
        folder = tmp_path if data is None else data
        paths = AppPaths(folder, "test")
        store: Store | None = None
        writer: BackgroundWriter | None = None
        if history is not False:
            store = Store.open(folder) if history is True else history
            writer = request.getfixturevalue("writer")
        window = MainWindow(
            library if library is not None else ProgramLibrary.load(paths.programs_dir),
            clock,
            paths,
            options,
            store=store,
            writer=writer,
            settings=settings,
            keep_awake=keep_awake,
            timers=None if real_timers else timers,
            wall_clock=wall_clock,
            media_remote=media_remote,
        )
        qtbot.addWidget(window)
        if size is not None:
            window.resize(*size)
        if show or activate:
            window.show()
            qtbot.waitExposed(window)
        if activate:
            window.activateWindow()
        return window

    return make


@pytest.fixture
def window(make_window: MakeWindow) -> MainWindow:
    """A window with the defaults: built-in programs, no history, not shown."""
    return make_window()
