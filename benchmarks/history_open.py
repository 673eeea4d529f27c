"""Ctrl+H on twenty years of history while the older months still load: the longest stall.

What it measures
----------------
Twenty years of daily sessions, 20 sets each (7,300 sessions, 146,000 sets, written into the
store's layout by ``store_scale.generate_history``). Each run is a fresh process (offscreen), as
after a real start: the chart library is not loaded yet, the store has read its recent months
(``Store.open``), the main window is shown and painted. Then, at one instant, the window starts
reading the older months in the background (as the app does once it is up) and Ctrl+H is pressed
(``history_action.trigger()``, what the shortcut runs). From that instant until the History
shows the whole history (the chart adds up to every rep on disk), a 1 ms precise ``QTimer``
records when the event loop ran; the **longest gap** between two of its ticks is the longest
time the window could not answer (a click, a repaint, a key).

Three sides, alternating run by run in one invocation:

* **calftimer**: the window as it is (it also asks for the History to be made ahead, as the app
  does after start-up; pressing Ctrl+H at once leaves that no time, the worst case);
* **calftimer, made ahead**: the same, but Ctrl+H comes once the app has made the History
  view ahead (the chart library imported on a thread), while the older months still load:
  what a user who presses Ctrl+H a second after start-up gets; the clock starts at Ctrl+H;
* **blocking** (the previous code): Ctrl+H imports the chart library and makes the view in the
  window's thread, and once the older months are read the whole history is turned into the
  chart there too. The class below restores exactly that code.

Also reported (medians): how long Ctrl+H itself held the window, the time from Ctrl+H until the
History showed something, and until it showed everything. The ratio is blocking / calftimer for
the longest stall.

Run from the repository root::

    python benchmarks/history_open.py             # 7 runs each, about 2 minutes
    python benchmarks/history_open.py --runs 3 --years 5 --json
"""

from __future__ import annotations

import argparse
import itertools
import json
import os
import platform
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

REPO_ROOT = Path(__file__).resolve().parent.parent
try:
    import calftimer  # noqa: F401
except ImportError:
    sys.path.insert(0, str(REPO_ROOT))

YEARS = 20
SETS_PER_SESSION = 20
DEADLINE_S = 120.0


def make_blocking_window_class() -> type:
    """The main window with the History code before this change (same store, same view)."""
    from calftimer.core.session import State
    from calftimer.gui.main_window import MainWindow

    class BlockingWindow(MainWindow):
        def show_history(self) -> None:
            if self.driver is not None and self.driver.session.state in (
                State.RUNNING,
                State.PAUSED,
            ):
                return
            if self.history_view is None:
                from calftimer.gui.history_view import HistoryView

                self.history_view = HistoryView()
                self.history_view.close_requested.connect(self.show_home)
                self.stack.addWidget(self.history_view)
            self.leave_focus_mode()
            self.stack.setCurrentWidget(self.history_view)
            self.history_view.metric_combo.setFocus()
            self._refresh_history()
            self._update_action_state()

        def _refresh_history(self) -> None:
            if self.history_view is None or self.store is None:
                return
            self.history_view.set_history(
                self.store.loaded_sessions(), test_target=self.settings.test_target
            )
            if not self.store.fully_loaded:
                self.load_history_in_background()

        def _on_history_loaded(self) -> None:
            if self.history_view is not None and self.stack.currentWidget() is self.history_view:
                self._refresh_history()

    return BlockingWindow


def child(side: str, data_dir: Path, total_reps: int) -> dict[str, Any]:
    """One run in this fresh process: Ctrl+H, then the event loop's gaps until complete."""
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    from PySide6.QtCore import Qt, QTimer
    from PySide6.QtWidgets import QApplication

    app = QApplication(["history-open"])
    from calftimer.core.clock import monotonic_ms
    from calftimer.core.library import ProgramLibrary
    from calftimer.core.store import BackgroundWriter, Store
    from calftimer.gui.main_window import MainWindow
    from calftimer.paths import AppPaths

    window_class = MainWindow if side != "blocking" else make_blocking_window_class()
    chart_loaded_before = "pyqtgraph" in sys.modules
    store = Store.open(data_dir)
    writer = BackgroundWriter()
    window = window_class(
        ProgramLibrary.load(None),
        monotonic_ms,
        AppPaths(data_dir, "bench"),
        store=store,
        writer=writer,
    )
    window.resize(1100, 720)
    window.show()
    deadline = time.perf_counter() + DEADLINE_S
    while not window.isVisible() and time.perf_counter() < deadline:
        app.processEvents()
    for _ in range(10):  # the first paint and what it queued
        app.processEvents()

    ticks: list[float] = []
    marks: dict[str, float] = {}

    def shown_reps() -> int:
        view = window.history.view
        if view is None or window.stack.currentWidget() is not view or view.series is None:
            return 0
        return round(sum(view.series.totals))

    def on_tick() -> None:
        now = time.perf_counter()
        ticks.append(now)
        if "start" not in marks:
            return
        shown = shown_reps()
        if shown and "visible" not in marks:
            marks["visible"] = now
        if shown == total_reps and store.fully_loaded:
            marks["complete"] = now
            app.quit()
        elif now > deadline:
            app.quit()

    def press_ctrl_h() -> None:
        marks["start"] = time.perf_counter()
        window.window_actions["show_history"].trigger()
        marks["ctrl_h_returned"] = time.perf_counter()

    def start_loading() -> None:
        window.history.load_in_background()
        if side != "blocking":
            window.history.preload()  # as the app asks after start-up
        if side == "ahead":
            press_when_made_ahead()
        else:
            press_ctrl_h()

    def press_when_made_ahead() -> None:
        view = window.history.view
        if view is None or view.series is None:
            QTimer.singleShot(1, press_when_made_ahead)
            return
        # Made and filled; its off-screen drawing is the next turn of the loop: after that.
        QTimer.singleShot(0, lambda: QTimer.singleShot(0, press_made_ahead))

    def press_made_ahead() -> None:
        marks["loaded_then"] = float(store.fully_loaded)
        press_ctrl_h()

    meter = QTimer()
    meter.setTimerType(Qt.TimerType.PreciseTimer)
    meter.setInterval(1)
    meter.timeout.connect(on_tick)
    meter.start()
    QTimer.singleShot(50, start_loading)
    app.exec()
    meter.stop()
    writer.close()
    start = marks["start"]
    during = [start, *(t for t in ticks if t > start and t <= marks.get("complete", t))]
    gaps = [(b - a, b) for a, b in itertools.pairwise(during)]
    longest, ended = max(gaps, default=(0.0, start))
    ms = 1000.0
    return {
        "side": side,
        "chart_loaded_before": chart_loaded_before,
        "all_read_at_ctrl_h": bool(marks.get("loaded_then", 0.0)),
        "complete": "complete" in marks,
        "longest_stall_ms": longest * ms,
        "longest_stall_ended_at_ms": (ended - start) * ms,  # after Ctrl+H
        "ctrl_h_held_ms": (marks["ctrl_h_returned"] - start) * ms,
        "to_visible_ms": (marks.get("visible", float("nan")) - start) * ms,
        "to_complete_ms": (marks.get("complete", float("nan")) - start) * ms,
    }


def run_child(side: str, data_dir: Path, total_reps: int) -> dict[str, Any]:
    env = dict(os.environ, QT_QPA_PLATFORM=os.environ.get("QT_QPA_PLATFORM", "offscreen"))
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(REPO_ROOT), env.get("PYTHONPATH")]))
    out = subprocess.run(
        [sys.executable, __file__, "--child", side, str(data_dir), str(total_reps)],
        capture_output=True,
        text=True,
        env=env,
        timeout=DEADLINE_S + 60,
        check=True,
    )
    result: dict[str, Any] = json.loads(out.stdout.strip().splitlines()[-1])
    return result


def machine() -> str:
    cpu = ""
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    return f"{cpu or platform.machine()}, {os.cpu_count()} CPUs, Python {platform.python_version()}"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=7, help="runs per side (7)")
    parser.add_argument("--years", type=int, default=YEARS)
    parser.add_argument("--json", action="store_true")
    parser.add_argument("--child", nargs=3, metavar=("SIDE", "DIR", "REPS"), help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.child:
        side, folder, reps = args.child
        print(json.dumps(child(side, Path(folder), int(reps))))
        return 0
    sys.path.insert(0, str(Path(__file__).resolve().parent))
    from store_scale import generate_history

    root = Path(tempfile.mkdtemp(prefix="calftimer-history-open-"))
    try:
        sessions = generate_history(
            root, args.years * 365, SETS_PER_SESSION, datetime.now(UTC).replace(microsecond=0)
        )
        from calftimer.core.volume import VolumeTable

        # What the chart adds up to once complete (the reps metric, every week, local time).
        total_reps = round(sum(VolumeTable.build(sessions).series("reps").totals))
        sides = ("calftimer", "ahead", "blocking")
        results: dict[str, list[dict[str, Any]]] = {side: [] for side in sides}
        for i in range(args.runs):
            # Rotate which side goes first, so none always runs on a warmer machine.
            order = sides[i % 3 :] + sides[: i % 3]
            for side in order:
                results[side].append(run_child(side, root, total_reps))
                if not args.json:
                    r = results[side][-1]
                    print(
                        f"  run {i + 1} {side:9}: longest stall {r['longest_stall_ms']:7.1f} ms,"
                        f" Ctrl+H held {r['ctrl_h_held_ms']:7.1f} ms, complete after "
                        f"{r['to_complete_ms']:7.0f} ms",
                        flush=True,
                    )
    finally:
        shutil.rmtree(root, ignore_errors=True)

    def median(side: str, key: str) -> float:
        return statistics.median(r[key] for r in results[side])

    keys = ("longest_stall_ms", "ctrl_h_held_ms", "to_visible_ms", "to_complete_ms")
    summary = {
        "sessions": len(sessions),
        "sets": sum(len(s["sets"]) for s in sessions),
        "runs": args.runs,
        "all_complete": all(r["complete"] for side in results.values() for r in side),
        "calftimer_ms": {k: round(median("calftimer", k), 1) for k in keys},
        "made_ahead_ms": {k: round(median("ahead", k), 1) for k in keys},
        "blocking_ms": {k: round(median("blocking", k), 1) for k in keys},
        "stall_ratio": round(
            median("blocking", "longest_stall_ms")
            / max(median("calftimer", "longest_stall_ms"), 0.1),
            1,
        ),
        "longest_stalls_ms": {
            side: [round(r["longest_stall_ms"], 1) for r in runs] for side, runs in results.items()
        },
        "machine": machine(),
    }
    if args.json:
        print(json.dumps(summary, indent=1))
        return 0
    print(
        f"Ctrl+H while the older months load: {summary['sessions']} sessions, "
        f"{summary['sets']} sets; medians of {args.runs} runs; {summary['machine']}"
    )
    print(f"{'':34}{'calftimer':>11}{'made ahead':>12}{'blocking':>11}")
    labels = {
        "longest_stall_ms": "longest event-loop stall",
        "ctrl_h_held_ms": "Ctrl+H held the window",
        "to_visible_ms": "Ctrl+H to History shown",
        "to_complete_ms": "Ctrl+H to whole history shown",
    }
    for key in keys:
        print(
            f"{labels[key]:34}{summary['calftimer_ms'][key]:>9.1f}ms"
            f"{summary['made_ahead_ms'][key]:>10.1f}ms{summary['blocking_ms'][key]:>9.1f}ms"
        )
    print(f"longest stall, blocking / calftimer: {summary['stall_ratio']}x")
    read = sum(r["all_read_at_ctrl_h"] for r in results["ahead"])
    print(f"made ahead: the older months were all read before Ctrl+H in {read} of {args.runs} runs")
    if not summary["all_complete"]:
        print("warning: some runs did not complete within the deadline", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
