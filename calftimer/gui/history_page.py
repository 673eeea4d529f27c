"""The History page: the weekly volume chart, made and filled without ever stalling the window,
and kept up to date with what other processes write.

- The chart library (pyqtgraph, numpy: 0.7 s) is imported on a thread; a placeholder shows
  meanwhile. When the app is idle after start-up the view is made ahead (``preload``), so
  Ctrl+H is only a switch. Never while a session runs or waits to start: an import holds
  Python's lock in long steps, and a cue must never wait for it.
- A history of up to ``HISTORY_SHOWN_AT_ONCE`` sessions is drawn at once; a longer one shows its
  recent weeks, is prepared on a worker thread and swapped in one cheap step; the spikes of the
  other metrics come after.
- The older months are read on the long-jobs thread after the window is up
  (``load_in_background``); the chart fills in when they arrive.
- ``HistoryWatch`` notices what another process writes to the history folders (an import from
  a terminal, a sync service's files and conflict copies); the store re-reads what changed on
  the writer thread, never while a session runs (then after it), and the chart redraws.
"""

from __future__ import annotations

import sys
from collections.abc import Callable
from datetime import datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QObject, Qt, QTimer, Signal
from PySide6.QtWidgets import QFileDialog, QLabel, QStackedWidget, QWidget

from calftimer.core.i18n import _
from calftimer.core.session import State
from calftimer.core.settings import Settings
from calftimer.gui.session.controller import SessionController
from calftimer.gui.shell import Shell

if TYPE_CHECKING:
    import threading

    from calftimer.core.store import Store
    from calftimer.gui.history_view import HistoryView
    from calftimer.gui.history_watch import HistoryWatch
    from calftimer.gui.jobs import Jobs

# A history this long is shown by the window's thread at once; a longer one is prepared on a
# worker thread (twenty years took 0.3-0.8 s), showing its recent weeks meanwhile.
HISTORY_SHOWN_AT_ONCE = 500  # sessions
HISTORY_RECENT_WEEKS = 27  # what is shown at once of a longer history: the 6-month range and more
SPIKES_SEARCH_DELAY_MS = 250  # after a long history is swapped in (see _on_history_prepared)
CHART_MODULE = "calftimer.gui.history_view"
CHART_IMPORT_WAIT_S = 10  # the window closing waits this long at most for that import


class _ImportReport(QObject):
    """Carries the chart import's outcome from its thread. Unparented and kept alive by the
    thread itself: the window may be gone by the time the import ends (a quick quit), and a
    signal on a deleted object would raise on that thread."""

    finished = Signal(str)  # "" or why the import failed


class HistoryPage(QObject):
    close_requested = Signal()  # Close or Esc on the page: back to the programs
    changed = Signal()  # the history in memory changed under us (another process wrote it)
    store_reported = Signal()  # a job of the store ended: it may have notices to show

    def __init__(
        self,
        stack: QStackedWidget,
        show_page: Callable[[QWidget], None],
        shell: Shell,
        session: SessionController,
        parent: QObject | None = None,
    ) -> None:
        super().__init__(parent)
        self._stack = stack
        self._show_page = show_page
        self._shell = shell
        self._session = session
        self._store: Store | None = None
        self._saves: Jobs | None = None
        self._jobs: Jobs | None = None
        self.view: HistoryView | None = None  # made on first use: pyqtgraph stays off start-up
        self._placeholder: QLabel | None = None
        self._chart_importing = False
        self._chart_waiters: list[Callable[[], None]] = []
        self._chart_thread: threading.Thread | None = None
        self._closed = False  # the window closed: no chart import may start any more
        self._generation = 0  # a prepared history older than this is dropped
        self._view_filled = False
        self._partly_shown = False  # said "older history fills in shortly"
        self.watch: HistoryWatch | None = None
        self._disk_refresh = "idle"  # or "running", "again" (asked while running), "after session"
        shell.settings.changed.connect(self._on_settings_changed)
        session.state_changed.connect(self._on_session_state)

    def attach_history(self, store: Store, saves: Jobs, long_jobs: Jobs) -> None:
        """Show ``store``'s history from now on, and follow what other processes write."""
        from calftimer.gui.history_watch import HistoryWatch

        self._store, self._saves, self._jobs = store, saves, long_jobs
        if self.watch is not None:
            self.watch.stop()
            self.watch.deleteLater()
        self.watch = HistoryWatch([store.sessions_dir, store.months_dir], self)
        self.watch.changed.connect(self.refresh_from_disk)

    def is_current(self) -> bool:
        """The History (or its placeholder) is the page on screen."""
        current = self._stack.currentWidget()
        return current is not None and current in (self.view, self._placeholder)

    # ------------------------------------------------------------------ showing it

    def show(self) -> None:
        """The weekly volume chart. Not while a session runs: training comes first."""
        if self._session.active:
            self._shell.say(_("Finish or stop the session to see your history."))
            return
        if self.view is None and not self._chart_module_ready():
            self._show_placeholder()  # the chart library loads on a thread first
            return
        view = self.view or self._make_view()
        self._show_page(view)
        view.metric_combo.setFocus()
        self._refresh()

    def preload(self) -> None:
        """Make the History ready while nothing else happens, so Ctrl+H opens it at once (see
        the module's docstring for why never during a session)."""
        QTimer.singleShot(0, self, self._preload_if_idle)

    def load_in_background(self) -> None:
        """Read the older months of history on the long-jobs thread, after the window is up."""
        store, jobs = self._store, self._jobs
        if store is None or jobs is None or store.fully_loaded:
            return
        jobs.run(store.ensure_loaded, lambda _r, _e: self._on_history_loaded())

    def _on_history_loaded(self) -> None:
        self.store_reported.emit()
        if self.view is not None and self._stack.currentWidget() is self.view:
            self._refresh()  # says "All of your history is shown." once it is

    def _preload_if_idle(self) -> None:
        # A preload queued before the window closed must not start importing numpy then: the
        # process would end mid-import (a window closed as soon as it was built).
        if self._closed or self._session.active or self._session.waiting_program is not None:
            return
        self._import_chart_then(self._make_view_if_idle)

    def _make_view_if_idle(self) -> None:
        if self.view is None and not self._session.active:
            self._make_view_in_steps()

    def _make_view(self) -> HistoryView:
        from calftimer.gui.history_view import HistoryView

        view = HistoryView()
        view.close_requested.connect(self.close_requested)
        view.png_button.clicked.connect(self._export_png)
        view.csv_button.clicked.connect(self._export_csv)
        view.weight_unit = self._shell.settings.current.weight_unit
        view.restore_layout(self._shell.state_file().value("history/splitter"))
        self._stack.addWidget(view)
        self.view = view
        return view

    def _make_view_in_steps(self, then: Callable[[], None] | None = None) -> None:
        """Make the view, fill it with what is read and lay it out and draw it once, off
        screen, then call ``then``: short steps in turns of the event loop, never one long
        pause of the window, and showing it afterwards is only a switch."""
        self._make_view()

        def fill() -> None:
            if self._store is not None and self.view is not None and not self._view_filled:
                self._show_loaded()
            QTimer.singleShot(0, self, draw)

        def draw() -> None:
            view = self.view
            if view is not None and self._stack.currentWidget() is not view:
                view.resize(self._stack.size())
                view.grab()  # polish, layout, fonts and chart caches: not at Ctrl+H
            if then is not None:
                QTimer.singleShot(0, self, then)

        # Each step with the page as its context: a window destroyed meanwhile takes them along.
        QTimer.singleShot(0, self, fill)

    def _show_placeholder(self) -> None:
        """Shown for the moment the chart library takes to load; Esc goes back."""
        if self._placeholder is None:
            placeholder = QLabel(_("Opening your history…"))
            placeholder.setAlignment(Qt.AlignmentFlag.AlignCenter)
            placeholder.setAccessibleName(_("Opening your history"))
            self._stack.addWidget(placeholder)
            self._placeholder = placeholder
        self._show_page(self._placeholder)
        self._import_chart_then(self._on_chart_ready_for_history)

    def _on_chart_ready_for_history(self) -> None:
        if self._stack.currentWidget() is not self._placeholder:
            return  # the user went elsewhere meanwhile
        if self.view is None:
            self._make_view_in_steps(then=self._on_chart_ready_for_history)
            return
        self.show()

    # ------------------------------------------------------------------ the chart library

    def _chart_module_ready(self) -> bool:
        # During the import the module is in sys.modules already, half made: not ready.
        return not self._chart_importing and CHART_MODULE in sys.modules

    def _import_chart_then(self, then: Callable[[], None]) -> None:
        """Run ``then`` in this thread once the chart module is imported, importing it on a
        worker thread if needed (pyqtgraph and numpy: 0.7 s that would freeze the window)."""
        if self._chart_module_ready():
            then()
            return
        self._chart_waiters.append(then)
        if self._chart_importing:
            return
        self._chart_importing = True
        import threading

        report = _ImportReport()
        report.finished.connect(self._on_chart_imported)  # queued: it comes from the thread
        self._chart_thread = threading.Thread(
            target=_import_chart_module, args=(report,), name="calftimer-chart-import", daemon=True
        )
        self._chart_thread.start()

    def _on_chart_imported(self, error: str) -> None:
        self._chart_importing = False
        waiters, self._chart_waiters = self._chart_waiters, []
        if error:
            if self._placeholder is not None and self._stack.currentWidget() is self._placeholder:
                self.close_requested.emit()
            self._shell.say(_("The history chart cannot be shown: {error}").format(error=error))
            return
        for then in waiters:
            then()

    # ------------------------------------------------------------------ filling it

    def _refresh(self) -> None:
        if self.view is None:
            return
        if self._store is None:
            self.view.set_history([])
            return
        self._show_loaded()
        if not self._store.fully_loaded:
            self._shell.say(_("Reading your older history… the chart fills in shortly."))
            self._partly_shown = True
            self.load_in_background()

    def _show_loaded(self) -> None:
        """Put what is loaded into the History without stalling the window: a short history at
        once; a long one is prepared on a worker thread while the view shows what it had (or,
        the first time, the recent weeks), then swapped in one cheap step."""
        store, view = self._store, self.view
        if store is None or view is None:
            return
        sessions = store.loaded_sessions()
        self._generation += 1
        target = self._shell.settings.current.test_target
        if len(sessions) <= HISTORY_SHOWN_AT_ONCE:
            view.set_history(sessions, test_target=target)
            self._view_filled = True
            self._say_if_complete()
            return
        if not self._view_filled:
            view.set_history(recent_sessions(sessions), test_target=target)
            self._view_filled = True
        if not store.fully_loaded or self._jobs is None:
            return  # prepared once the older months are in (load_in_background)
        from calftimer.gui.history_view import prepare_history

        generation = self._generation
        shown = [view.metric]  # the other metrics' spikes come after: sooner shown
        self._jobs.run(
            lambda: prepare_history(sessions, metrics=shown),
            lambda prepared, error: self._on_history_prepared(generation, prepared, error),
        )

    def _on_history_prepared(self, generation: int, prepared: Any, error: Exception | None) -> None:
        if generation != self._generation or self.view is None:
            return  # a newer refresh is on its way
        if error is not None:
            self._shell.say(_("The history could not be drawn: {error}").format(error=error))
            return
        self.view.show_prepared(prepared, test_target=self._shell.settings.current.test_target)
        self._say_if_complete()
        # The other metrics' spikes are searched once the new chart has been painted: a worker
        # busy meanwhile would take turns with that paint and make it twice as long.
        QTimer.singleShot(SPIKES_SEARCH_DELAY_MS, self, lambda: self._find_other_spikes(prepared))

    def _find_other_spikes(self, prepared: Any) -> None:
        from calftimer.core.volume import METRICS
        from calftimer.gui.history_view import find_spikes

        view, sessions = self.view, prepared.sessions
        others = [m for m in METRICS if m not in prepared.spikes]
        if view is None or self._jobs is None or not others:
            return

        def done(found: Any, error: Exception | None) -> None:
            if error is None and view is self.view:
                view.add_spikes(sessions, found)  # otherwise found on demand, as before

        self._jobs.run(lambda: find_spikes(sessions, others), done)

    def _say_if_complete(self) -> None:
        if (
            self._partly_shown
            and self._store is not None
            and self._store.fully_loaded
            and self._stack.currentWidget() is self.view
        ):
            self._partly_shown = False
            self._shell.say(_("All of your history is shown."))

    # ------------------------------------------------------------------ other processes

    def refresh_from_disk(self) -> None:
        """Read what another process changed in the history, on the writer thread (between
        saves, never beside one). Not while a session runs: nothing may disturb it, and
        nothing it shows needs the rest of the history; it is done when the session ends."""
        store, saves = self._store, self._saves
        if store is None or saves is None:
            return
        if self._disk_refresh in ("running", "again"):
            self._disk_refresh = "again"  # one more look when this one is done
            return
        if self._session.active:
            self._disk_refresh = "after session"
            return
        self._disk_refresh = "running"
        saves.run(
            store.refresh_from_disk,
            lambda changed, error: self._on_refreshed(error is None and bool(changed)),
        )

    def _on_session_state(self, state: State) -> None:
        if self._disk_refresh == "after session" and state.is_over:
            self._disk_refresh = "idle"
            self.refresh_from_disk()

    def _on_refreshed(self, changed: bool) -> None:
        again = self._disk_refresh == "again"
        self._disk_refresh = "idle"
        # Now, not at some later save (which may be mid-session): a conflict copy merged, a
        # damaged file set aside.
        self.store_reported.emit()
        if changed:
            if self.view is not None and self._stack.currentWidget() is self.view:
                self._refresh()
            self.changed.emit()
        if again:
            self.refresh_from_disk()

    # ------------------------------------------------------------------ export and the end

    def _export_png(self) -> None:
        if self.view is not None:
            self._export("png", _("PNG image (*.png)"), self.view.export_png)

    def _export_csv(self) -> None:
        if self.view is not None:
            self._export("csv", _("CSV file (*.csv)"), self.view.export_csv)

    def _export(self, suffix: str, file_filter: str, write: Callable[[Path], None]) -> None:
        if self.view is None:
            return
        default = str(Path.home() / f"calftimer-{self.view.metric}-by-week.{suffix}")
        name, _unused = QFileDialog.getSaveFileName(
            self._shell.window, _("Export the chart"), default, file_filter
        )
        if not name:
            return
        target = Path(name)
        try:
            write(target)
        except OSError as exc:
            self._shell.warn(
                _("The chart was not exported"), _("{target}: {exc}").format(target=target, exc=exc)
            )
            return
        self._shell.say(_("Exported to {target}.").format(target=target))

    def _on_settings_changed(self, settings: Settings) -> None:
        if self.view is not None:
            self.view.weight_unit = settings.weight_unit

    def close(self) -> None:
        """The window closes: nothing more to read; the chart's layout is kept for next time."""
        self._closed = True
        if self.watch is not None:
            self.watch.stop()
        if self.view is not None:
            self._shell.state_file().setValue("history/splitter", self.view.layout_state())
        if self._chart_thread is not None:
            # A process that ends while that thread still imports numpy crashed on its way
            # out (a quit within a second of the start, when the view is made ahead).
            self._chart_thread.join(timeout=CHART_IMPORT_WAIT_S)


def _import_chart_module(report: _ImportReport) -> None:
    """On the import thread: ``report`` carries the outcome back (queued)."""
    import importlib

    try:
        importlib.import_module(CHART_MODULE)
    except Exception as exc:  # reported in the window, never lost on a thread
        report.finished.emit(f"{type(exc).__name__}: {exc}")
        return
    report.finished.emit("")


def recent_sessions(sessions: list[Any]) -> list[Any]:
    """The tail of ``sessions`` (oldest first) from ``HISTORY_RECENT_WEEKS`` before the last."""
    if not sessions:
        return []
    newest = datetime.fromisoformat(sessions[-1]["started_at"])
    cutoff = (newest - timedelta(weeks=HISTORY_RECENT_WEEKS)).date().isoformat()
    start = len(sessions)
    while start > 0 and sessions[start - 1]["started_at"][:10] >= cutoff:
        start -= 1
    return sessions[start:]
