"""Session timing under event-loop stalls: calftimer's deadline driver vs a tick-counting timer.

What it measures
----------------
One Qt event loop runs, side by side and for ``--seconds`` (default 60):

* **calftimer**: a real ``Session`` on the monotonic clock, driven by the real ``SessionDriver``
  (a precise single-shot ``QTimer`` re-armed to the session's next deadline, plus its 40 ms
  frame timer). A segment boundary counts as *reported* at the first moment the driver either
  emits ``cues_due`` with a cue at or after the boundary's offset, or emits ``position_changed``
  with a position in that segment or a later one.
* **baseline**: what naive desktop interval timers do. A ``QTimer`` with a 100 ms interval (Qt's
  default timer type) subtracts 100 ms from a ``remaining`` counter on every tick and moves to
  the next segment when the counter reaches zero. A boundary counts as reported when the counter
  rolls over. (The overshoot is carried into the next segment, which is the kindest version of
  the pattern; all segment lengths here are multiples of 100 ms, so it makes no difference.)

Both follow the same timeline, compiled with ``compile_program`` from a program of
``double_leg_calf_raise`` blocks with a quick 1.1/0/0.9/0 tempo and short rests, so there is a
segment boundary about every second. Only boundaries scheduled within the first ``--seconds`` are
scored.

A third timer injects an event-loop stall: every ``--stall-every-s`` seconds it calls
``time.sleep()`` for ``--stall-ms`` in the GUI thread, which blocks both runners equally (this
stands in for a slow repaint, a blocking disk write or a garbage-collection pause). The stalls are
offset by ``STALL_PHASE_MS`` from whole seconds: every boundary lies on a 100 ms grid, so a stall
never starts exactly when a boundary is due (if it did, the result would depend on which of two
simultaneously due timers Qt happens to fire first). Some boundaries still fall inside stalls.

For every boundary the script records ``time.monotonic_ns()`` at the moment each runner reports
it and subtracts the scheduled instant (the runner's start + the boundary's offset) to get its
*lateness*. It prints, for both runners:

* boundary lateness p50 / p95 / max in milliseconds, over all scored boundaries;
* p95 lateness *outside stalls*: boundaries scheduled inside a stall, or up to one 100 ms tick
  after its end, are left out (measured stall windows are used, not the nominal ones);
* the accumulated drift at the end: real elapsed time since the runner started minus the
  position the runner believes it is at (``Session.t_ms()`` for calftimer, segment start + time
  counted in the segment for the baseline); positive means behind real time;
* the ratio of the two drifts (calftimer's drift is floored at 1 ms, the clock's resolution, so
  the ratio stays finite and is a lower bound when the floor applies).

The targets for calftimer are no accumulated drift (within one 100 ms tick) and p95 lateness of
at most 5 ms outside stalls. After the end instant the loop keeps running (stalls included) for a
short grace period so that a runner which is behind can still report the boundaries scheduled
before the end; boundaries never reported are counted and left out of the percentiles.

Run from the repository root::

    python benchmarks/timing.py                 # 60 s, 250 ms stall every 5 s
    python benchmarks/timing.py --seconds 20 --json

The machine matters: on a shared, noisy machine single runs vary, so quote percentiles of a run.
"""

from __future__ import annotations

import argparse
import json
import math
import os
import platform
import sys
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

# Qt needs no screen for this: use the offscreen platform unless the caller chose one.
os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

# ``python benchmarks/timing.py`` puts benchmarks/ (not the repo root) on sys.path.
REPO_ROOT = Path(__file__).resolve().parent.parent
try:
    import calftimer  # noqa: F401
except ImportError:
    sys.path.insert(0, str(REPO_ROOT))

import PySide6  # noqa: E402
from PySide6.QtCore import QObject, Qt, QTimer, qVersion  # noqa: E402
from PySide6.QtWidgets import QApplication  # noqa: E402
from stats import json_safe, percentile  # noqa: E402  (benchmarks/stats.py, beside this)

from calftimer.core.clock import monotonic_ms  # noqa: E402
from calftimer.core.exercise import Tempo  # noqa: E402
from calftimer.core.programs import Program, default_block  # noqa: E402
from calftimer.core.session import Position, Session  # noqa: E402
from calftimer.core.timeline import CompileOptions, Cue, Timeline, compile_program  # noqa: E402
from calftimer.gui.driver import SessionDriver  # noqa: E402

TICK_MS = 100  # the baseline's interval, and the "one tick" used by the targets
STALL_PHASE_MS = 37  # stalls start 37 ms past whole seconds, off the 100 ms boundary grid
TARGET_P95_OUTSIDE_STALLS_MS = 5.0
TARGET_DRIFT_MS = TICK_MS
NS_PER_MS = 1_000_000


# --------------------------------------------------------------------------------- timeline


def build_timeline(min_duration_ms: int) -> Timeline:
    """A timeline with a boundary about every second, at least ``min_duration_ms`` long.

    Blocks of 5 sets x 5 reps at 1.1 s up / 0.9 s down (10 s per set, 3 s rests) are
    repeated until the session outlasts the run, so it never ends while being measured.
    """
    block = default_block(
        "double_leg_calf_raise",
        sets=5,
        target=5,
        tempo=Tempo(1.1, 0, 0.9, 0),
        rest_s=3,
        rest_after_s=5,
    )
    options = CompileOptions(prepare_s=2)
    blocks = [block]
    while True:
        program = Program("timing-benchmark", "Timing benchmark", "", tuple(blocks))
        timeline = compile_program(program, options)
        if timeline.duration_ms >= min_duration_ms:
            return timeline
        blocks.append(block)


@dataclass(frozen=True)
class Boundary:
    """The start of segment ``index`` (>= 1), ``offset_ms`` after the session start."""

    index: int
    offset_ms: int


def boundaries_until(timeline: Timeline, horizon_ms: int) -> list[Boundary]:
    """Segment boundaries (starts of every segment but the first) within the first horizon."""
    return [
        Boundary(s.index, s.start_ms) for s in timeline.segments[1:] if 0 < s.start_ms <= horizon_ms
    ]


# ---------------------------------------------------------------------------------- runners


@dataclass
class Reports:
    """When a runner reported each boundary (monotonic ns), in boundary order."""

    boundaries: Sequence[Boundary]
    start_ns: int = 0  # the instant the runner counts the timeline from
    reported_ns: list[int] = field(default_factory=list)

    def reach(self, offset_ms: int, now_ns: int) -> None:
        """The runner showed that timeline time ``offset_ms`` was reached at ``now_ns``.

        Every boundary up to that offset not yet reported is reported now (a stall can make a
        runner pass several boundaries at once).
        """
        while (
            len(self.reported_ns) < len(self.boundaries)
            and self.boundaries[len(self.reported_ns)].offset_ms <= offset_ms
        ):
            self.reported_ns.append(now_ns)

    @property
    def complete(self) -> bool:
        return len(self.reported_ns) == len(self.boundaries)


class CalftimerRunner(QObject):
    """The real Session + SessionDriver, observed only through the driver's signals."""

    def __init__(self, timeline: Timeline, boundaries: Sequence[Boundary]) -> None:
        super().__init__()
        self.session = Session(timeline, monotonic_ms)
        self.driver = SessionDriver(self.session, self)
        self.reports = Reports(boundaries)
        self.driver.cues_due.connect(self._on_cues)
        self.driver.position_changed.connect(self._on_position)

    def start(self) -> None:
        self.driver.start()
        # The session's own start instant (ms) is its zero: mono_at(0) while running.
        start_ms = self.session.mono_at(0)
        assert start_ms is not None
        self.reports.start_ns = start_ms * NS_PER_MS
        # Cues and positions emitted inside start() carried offsets <= 0: no boundary yet.

    def stop(self) -> None:
        self.driver.stop_timers()

    def position_ms(self) -> float:
        return float(self.session.t_ms())

    def _on_cues(self, cues: list[Cue]) -> None:
        # One wake-up's cues, in order: the last one reached is the furthest offset.
        self.reports.reach(cues[-1].offset_ms, time.monotonic_ns())

    def _on_position(self, position: Position) -> None:
        # Being in segment i means every boundary up to segment i's start has passed.
        self.reports.reach(position.segment.start_ms, time.monotonic_ns())


class TickCountingRunner(QObject):
    """The naive countdown: a 100 ms interval timer that subtracts 100 ms per tick."""

    def __init__(self, timeline: Timeline, boundaries: Sequence[Boundary]) -> None:
        super().__init__()
        self._segments = timeline.segments
        self._index = 0
        self._remaining_ms = self._segments[0].duration_ms
        self.reports = Reports(boundaries)
        self._timer = QTimer(self)  # default (coarse) timer type, as in most desktop code
        self._timer.setInterval(TICK_MS)
        self._timer.timeout.connect(self._tick)

    def start(self) -> None:
        self.reports.start_ns = time.monotonic_ns()
        self._timer.start()

    def stop(self) -> None:
        self._timer.stop()

    def position_ms(self) -> float:
        """Where the baseline believes it is: segment start + time counted in the segment."""
        seg = self._segments[self._index]
        return float(seg.start_ms + seg.duration_ms - self._remaining_ms)

    def _tick(self) -> None:
        # One tick is assumed to be exactly 100 ms, however long it really was.
        self._remaining_ms -= TICK_MS
        while self._remaining_ms <= 0 and self._index + 1 < len(self._segments):
            self._index += 1
            self._remaining_ms += self._segments[self._index].duration_ms
            self.reports.reach(self._segments[self._index].start_ms, time.monotonic_ns())


def precise_single_shot(parent: QObject, slot: Callable[[], None]) -> QTimer:
    """A stopped single-shot PreciseTimer calling ``slot``; ``.start(ms)`` arms it."""
    timer = QTimer(parent)
    timer.setSingleShot(True)
    timer.setTimerType(Qt.TimerType.PreciseTimer)
    timer.timeout.connect(slot)
    return timer


class StallInjector(QObject):
    """Blocks the GUI thread for ``stall_ms`` every ``every_ms``; records the real windows."""

    def __init__(self, stall_ms: int, every_ms: int) -> None:
        super().__init__()
        self._stall_s = stall_ms / 1000
        self._every_ms = every_ms
        self.windows_ns: list[tuple[int, int]] = []
        self._timer = QTimer(self)
        self._timer.setTimerType(Qt.TimerType.PreciseTimer)
        self._timer.timeout.connect(self._stall)
        self._first = precise_single_shot(self, self._first_stall)

    def start(self) -> None:
        if self._stall_s <= 0 or self._every_ms <= 0:
            return
        # First stall at every_ms + STALL_PHASE_MS, then every every_ms.
        self._first.start(self._every_ms + STALL_PHASE_MS)

    def stop(self) -> None:
        self._first.stop()
        self._timer.stop()

    def _first_stall(self) -> None:
        self._timer.start(self._every_ms)
        self._stall()

    def _stall(self) -> None:
        begin = time.monotonic_ns()
        time.sleep(self._stall_s)  # simulates a slow repaint or a blocking write
        self.windows_ns.append((begin, time.monotonic_ns()))


# ---------------------------------------------------------------------------------- figures


def in_stall(instant_ns: int, windows_ns: Sequence[tuple[int, int]]) -> bool:
    """True if ``instant_ns`` falls in a stall or within one tick after its end."""
    tick_ns = TICK_MS * NS_PER_MS
    return any(begin <= instant_ns <= end + tick_ns for begin, end in windows_ns)


def summarise(
    reports: Reports, windows_ns: Sequence[tuple[int, int]], drift_ms: float
) -> dict[str, Any]:
    """Lateness percentiles (all / outside stalls) and the drift of one runner."""
    lateness: list[float] = []
    outside: list[float] = []
    for boundary, reported in zip(reports.boundaries, reports.reported_ns, strict=False):
        scheduled = reports.start_ns + boundary.offset_ms * NS_PER_MS
        late_ms = (reported - scheduled) / NS_PER_MS
        lateness.append(late_ms)
        if not in_stall(scheduled, windows_ns):
            outside.append(late_ms)
    return {
        "boundaries_scheduled": len(reports.boundaries),
        "boundaries_reported": len(reports.reported_ns),
        "boundaries_outside_stalls": len(outside),
        "lateness_p50_ms": percentile(lateness, 50),
        "lateness_p95_ms": percentile(lateness, 95),
        "lateness_max_ms": max(lateness) if lateness else math.nan,
        "lateness_p95_outside_stalls_ms": percentile(outside, 95),
        "drift_ms": drift_ms,
    }


# ------------------------------------------------------------------------------------- run


def run(seconds: float, stall_ms: int, stall_every_s: float) -> dict[str, Any]:
    """Run both runners in one event loop and return the figures."""
    app = QApplication.instance() or QApplication(sys.argv[:1])
    horizon_ms = round(seconds * 1000)
    # A runner that is behind gets this long after the end to report the last boundaries.
    grace_ms = max(5_000, horizon_ms // 4)
    timeline = build_timeline(horizon_ms + grace_ms + 10_000)
    boundaries = boundaries_until(timeline, horizon_ms)

    calftimer_runner = CalftimerRunner(timeline, boundaries)
    baseline_runner = TickCountingRunner(timeline, boundaries)
    stalls = StallInjector(stall_ms, round(stall_every_s * 1000))
    drift: dict[str, float] = {}
    errors: list[BaseException] = []
    owner = QObject()  # parent of the control timers below
    finish_timer = QTimer(owner)
    finish_timer.setInterval(20)

    def guarded(slot: Callable[[], None]) -> Callable[[], None]:
        # An exception in a Qt slot is only printed and the loop would run forever: stop it.
        def wrapper() -> None:
            try:
                slot()
            except BaseException as exc:
                errors.append(exc)
                app.exit(1)

        return wrapper

    def begin() -> None:
        # Everything starts within microseconds of each other, inside the running loop.
        stalls.start()
        calftimer_runner.start()
        baseline_runner.start()
        drift_timer.start(horizon_ms)

    def measure_drift() -> None:
        # Both at the same instant: real elapsed time minus where each runner believes it is.
        now = time.monotonic_ns()
        for name, runner in (("calftimer", calftimer_runner), ("baseline", baseline_runner)):
            real_ms = (now - runner.reports.start_ns) / NS_PER_MS
            drift[name] = real_ms - runner.position_ms()
        drift["measured_at_ms"] = (now - calftimer_runner.reports.start_ns) / NS_PER_MS
        finish_timer.start()

    def maybe_finish() -> None:
        elapsed_ms = (time.monotonic_ns() - calftimer_runner.reports.start_ns) / NS_PER_MS
        done = calftimer_runner.reports.complete and baseline_runner.reports.complete
        if done or elapsed_ms >= horizon_ms + grace_ms:
            finish_timer.stop()
            stalls.stop()
            calftimer_runner.stop()
            baseline_runner.stop()
            app.quit()

    finish_timer.timeout.connect(guarded(maybe_finish))
    drift_timer = precise_single_shot(owner, guarded(measure_drift))
    precise_single_shot(owner, guarded(begin)).start(0)
    app.exec()
    if errors:
        raise errors[0]

    windows = stalls.windows_ns
    calftimer_fig = summarise(calftimer_runner.reports, windows, drift["calftimer"])
    baseline_fig = summarise(baseline_runner.reports, windows, drift["baseline"])
    # calftimer's drift is usually below the 1 ms clock resolution: floor it there.
    floor_applied = abs(drift["calftimer"]) < 1.0
    ratio = abs(drift["baseline"]) / max(abs(drift["calftimer"]), 1.0)
    stall_lengths = [(end - begin) / NS_PER_MS for begin, end in windows]
    end_ns = calftimer_runner.reports.start_ns + horizon_ms * NS_PER_MS
    return {
        "config": {
            "seconds": seconds,
            "stall_ms": stall_ms,
            "stall_every_s": stall_every_s,
            "stall_phase_ms": STALL_PHASE_MS,
            "tick_ms": TICK_MS,
            "program": "double_leg_calf_raise blocks, 5 x 5 reps, tempo 1.1/0/0.9/0, rests 3 s",
            "timeline_duration_ms": timeline.duration_ms,
        },
        "stalls": {
            "count": len(windows),  # including any during the grace period
            "before_end": sum(begin <= end_ns for begin, _ in windows),
            "mean_ms": sum(stall_lengths) / len(stall_lengths) if windows else 0.0,
            "max_ms": max(stall_lengths, default=0.0),
        },
        "drift_measured_at_ms": drift["measured_at_ms"],
        "calftimer": calftimer_fig,
        "baseline": baseline_fig,
        "drift_ratio": ratio,
        "drift_ratio_is_lower_bound": floor_applied,
        "targets": {
            "calftimer_drift_within_one_tick": abs(drift["calftimer"]) <= TARGET_DRIFT_MS,
            "calftimer_p95_outside_stalls_le_5ms": (
                calftimer_fig["lateness_p95_outside_stalls_ms"] <= TARGET_P95_OUTSIDE_STALLS_MS
            ),
        },
        "environment": {
            "python": platform.python_version(),
            "pyside6": PySide6.__version__,
            "qt": qVersion(),
            "platform": platform.platform(),
            "cpus": os.cpu_count(),
            "qpa": os.environ.get("QT_QPA_PLATFORM", ""),
        },
    }


def print_report(result: dict[str, Any]) -> None:
    cfg, cal, base = result["config"], result["calftimer"], result["baseline"]
    st = result["stalls"]
    print(
        f"calftimer timing: {cfg['seconds']:g} s, {cfg['stall_ms']} ms stall every "
        f"{cfg['stall_every_s']:g} s (+{cfg['stall_phase_ms']} ms phase)"
    )
    print(
        f"  stalls injected: {st['before_end']} before the end, {st['count']} in all "
        f"(mean {st['mean_ms']:.1f} ms, max {st['max_ms']:.1f} ms)"
    )
    print(
        f"  boundaries scheduled in the first {cfg['seconds']:g} s: {cal['boundaries_scheduled']} "
        f"({cal['boundaries_outside_stalls']} outside stalls)"
    )
    rows = [
        ("boundary lateness p50 (ms)", "lateness_p50_ms", "{:.2f}"),
        ("boundary lateness p95 (ms)", "lateness_p95_ms", "{:.2f}"),
        ("boundary lateness max (ms)", "lateness_max_ms", "{:.2f}"),
        ("p95 lateness outside stalls (ms)", "lateness_p95_outside_stalls_ms", "{:.2f}"),
        ("boundaries reported", "boundaries_reported", "{:d}"),
        (f"drift at {result['drift_measured_at_ms'] / 1000:.1f} s (ms)", "drift_ms", "{:+.2f}"),
    ]
    print(f"  {'':34}{'calftimer':>12}{'baseline':>12}")
    for label, key, fmt in rows:
        print(f"  {label:34}{fmt.format(cal[key]):>12}{fmt.format(base[key]):>12}")
    bound = ">= " if result["drift_ratio_is_lower_bound"] else ""
    print(
        f"  drift ratio (baseline / calftimer, calftimer floored at 1 ms): "
        f"{bound}{result['drift_ratio']:.0f}x"
    )
    targets = result["targets"]
    verdict = {True: "met", False: "MISSED"}
    print(
        f"  calftimer targets: drift within one tick ({TICK_MS} ms): "
        f"{verdict[targets['calftimer_drift_within_one_tick']]}; "
        f"p95 outside stalls <= {TARGET_P95_OUTSIDE_STALLS_MS:g} ms: "
        f"{verdict[targets['calftimer_p95_outside_stalls_le_5ms']]}"
    )


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--seconds", type=float, default=60, help="measured run length (60)")
    parser.add_argument("--stall-ms", type=int, default=250, help="length of each stall (250)")
    parser.add_argument("--stall-every-s", type=float, default=5, help="stall period (5)")
    parser.add_argument("--json", action="store_true", help="print the figures as JSON")
    args = parser.parse_args(argv)
    if args.seconds <= 0:
        parser.error("--seconds must be positive")
    result = run(args.seconds, args.stall_ms, args.stall_every_s)
    if args.json:
        print(json.dumps(json_safe(result), indent=2))
    else:
        print_report(result)
    return 0


if __name__ == "__main__":
    sys.exit(main())
