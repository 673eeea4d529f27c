"""Cyclic garbage is collected on the GUI thread, never on a worker thread."""

from __future__ import annotations

import gc
import threading
import weakref

from calftimer.gui.collector import MainThreadCollector


class Node:
    def __init__(self) -> None:
        self.me = self  # a cycle: only the cyclic collector frees it


def test_cycles_made_anywhere_are_freed_by_the_gui_thread(qtbot) -> None:
    collector = MainThreadCollector(interval_ms=10)
    was = gc.isenabled()
    gc.enable()
    collector.start()
    try:
        assert not gc.isenabled(), "no collection may start on a worker thread"
        freed_on: list[str] = []
        made: list[weakref.ref[Node]] = []

        def work() -> None:
            for _ in range(3 * gc.get_threshold()[0]):  # well past generation 0's threshold
                node = Node()
                made.append(
                    weakref.ref(node, lambda _r: freed_on.append(threading.current_thread().name))
                )
                del node

        worker = threading.Thread(target=work, name="worker")
        worker.start()
        worker.join()
        assert all(ref() is not None for ref in made), "nothing was collected on the worker"
        qtbot.waitUntil(lambda: all(ref() is None for ref in made), timeout=5_000)
        assert set(freed_on) == {threading.main_thread().name}
        collector.stop()
        assert gc.isenabled(), "stopped, Python collects as before"
    finally:
        collector.stop()
        if not was:
            gc.disable()  # as the suite's own fixture keeps it
