"""A fresh calftimer window on a long history: Ctrl+H while its older months are held back.

``python -m tests.gui.history_open_probe DATA_DIR`` (offscreen) opens the history in DATA_DIR
with a store whose background read of the older months waits for a gate, builds the real main
window, starts that read as the app does, and presses Ctrl+H. A fresh process, so the chart
library is not loaded yet, as after a real start. It prints one JSON line:

``loop_ran_before_chart``
    a zero-delay timer posted right after Ctrl+H ran before the chart existed: the window kept
    answering while the chart library loaded (the old window imported it in Ctrl+H itself);
``shown_while_held``, ``loaded_while_held``
    the reps the History showed with the older months still held back, and the reps read then;
``fully_loaded_while_held``
    whether the store had read everything by then (it must not have: the gate was closed);
``shown_at_end``, ``total``
    the reps shown once the gate opened and everything was read, and the reps on disk.
"""

from __future__ import annotations

import json
import sys
import threading
from pathlib import Path
from typing import Any

from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QApplication

from calftimer.core.clock import monotonic_ms
from calftimer.core.library import ProgramLibrary
from calftimer.core.store import BackgroundWriter, Store
from calftimer.gui.main_window import MainWindow
from calftimer.paths import AppPaths

DEADLINE_MS = 60_000


class GatedStore(Store):
    """The older months are read only once ``gate`` is set: a loader held back on purpose."""

    gate = threading.Event()

    def ensure_loaded(self) -> int:
        self.gate.wait(DEADLINE_MS / 1000)
        return super().ensure_loaded()


def reps(sessions: Any) -> int:
    return sum(s["done"] for session in sessions for s in session["sets"])


def main(data_dir: Path) -> int:
    app = QApplication([])
    total = reps(Store.open(data_dir).sessions())
    store = GatedStore.open(data_dir)
    writer = BackgroundWriter()
    window = MainWindow(
        ProgramLibrary.load(None),
        monotonic_ms,
        AppPaths(data_dir, "probe"),
        store=store,
        writer=writer,
    )
    window.show()
    out: dict[str, Any] = {"total": total, "chart_loaded_at_start": "pyqtgraph" in sys.modules}

    def shown() -> int | None:
        view = window.history.view
        if view is None or window.stack.currentWidget() is not view or view.series is None:
            return None
        return round(sum(view.series.totals))

    def finish() -> None:
        print(json.dumps(out), flush=True)
        app.quit()

    def wait_for_end() -> None:
        if shown() == total:
            out["shown_at_end"] = total
            finish()
            return
        QTimer.singleShot(10, wait_for_end)

    def wait_for_recent() -> None:
        now = shown()
        if not now:
            QTimer.singleShot(10, wait_for_recent)
            return
        out["shown_while_held"] = now
        out["loaded_while_held"] = reps(store.loaded_sessions())
        out["fully_loaded_while_held"] = store.fully_loaded
        store.gate.set()
        wait_for_end()

    def after_ctrl_h() -> None:
        out["loop_ran_before_chart"] = window.history.view is None

    def press_ctrl_h() -> None:
        window.history.load_in_background()  # as the app does once the window is up
        window.window_actions["show_history"].trigger()
        QTimer.singleShot(0, after_ctrl_h)
        wait_for_recent()

    QTimer.singleShot(0, press_ctrl_h)
    QTimer.singleShot(DEADLINE_MS, finish)  # whatever happens, say what was seen and end
    try:
        app.exec()
    finally:
        store.gate.set()
        writer.close()
    return 0


if __name__ == "__main__":
    sys.exit(main(Path(sys.argv[1])))
