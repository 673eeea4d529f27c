"""Python's cyclic garbage collector, run on the GUI thread only: ``MainThreadCollector``.

By default Python collects cycles in whichever thread happens to allocate past a threshold: the
history writer, the chart import or the sound thread. A collection there that frees a Qt
wrapper makes PySide queue the C++ deletion for the GUI thread, which has crashed the process
(seen in the test suite: a segfault in ``runDeletionInMainThread``), and a collection on the
sound thread delays its next top-up. So automatic collection is off and a timer on the GUI
thread collects the generations whose thresholds were passed, as pyqtgraph's own
``GarbageCollector`` does for applications.
"""

from __future__ import annotations

import gc

from PySide6.QtCore import QObject, QTimer

INTERVAL_MS = 1_000  # cheap when there is nothing to do: a look at three counters


class MainThreadCollector(QObject):
    """While started, cycles are collected every ``INTERVAL_MS`` on this object's thread."""

    def __init__(self, parent: QObject | None = None, interval_ms: int = INTERVAL_MS) -> None:
        super().__init__(parent)
        self._timer = QTimer(self)
        self._timer.setInterval(interval_ms)
        self._timer.timeout.connect(self.collect_due)
        self._was_enabled = gc.isenabled()

    def start(self) -> None:
        self._was_enabled = gc.isenabled()
        gc.disable()
        self._timer.start()

    def stop(self) -> None:
        self._timer.stop()
        if self._was_enabled:
            gc.enable()

    def collect_due(self) -> int:
        """Collect the oldest generation whose threshold was passed; how many objects it
        found unreachable (0 when nothing was due)."""
        counts, thresholds = gc.get_count(), gc.get_threshold()
        generation = -1
        for g in range(3):
            if counts[g] > thresholds[g]:
                generation = g
        return gc.collect(generation) if generation >= 0 else 0
