"""One frame of the exercise figure at 1920 x 1080: calftimer's widget against a plain baseline.

What it measures
----------------
Offscreen, in one process: a ``FigureWidget`` of 1920 x 1080 is given a new pose (the next
frame of a single-leg calf raise's "up", so ``set_pose`` never short-cuts) and painted with
``repaint()`` into its backing store; the time of ``set_pose`` + the synchronous paint is one
frame. The pose itself (``figure.pose``, pure Python) is timed apart, since a frame driver pays
for it too.

The **baseline** paints the same poses in the same widget size the cheapest way QPainter
offers: one ``QPainterPath`` of the limbs, stroked with a 1 px cosmetic pen, no antialiasing,
no props. calftimer paints antialiased round-capped limbs, joints, the head and the props.

Each figure is the median of ``--frames`` frames (default 300) after 20 warm-up frames, in ms;
the ratio is calftimer / baseline. Target: a calftimer frame <= 2 ms at 1920 x 1080.

Run from the repository root::

    python benchmarks/figure_paint.py
    python benchmarks/figure_paint.py --json
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import statistics
import sys
import time
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from PySide6.QtCore import QPointF
from PySide6.QtGui import QPainter, QPainterPath, QPaintEvent, QPen
from PySide6.QtWidgets import QApplication, QWidget

from calftimer.core import figure
from calftimer.core.programs import Side
from calftimer.core.timeline import SegmentKind
from calftimer.gui.figure_widget import FigureWidget, world_transform
from calftimer.gui.theme import theme_palette

EXERCISE = "single_leg_calf_raise"
WIDTH, HEIGHT = 1920, 1080


class BaselineWidget(QWidget):
    """The same pose as one thin path, no antialiasing, no props."""

    def __init__(self) -> None:
        super().__init__()
        self._pose: figure.Pose | None = None

    def set_pose(self, pose: figure.Pose) -> None:
        self._pose = pose
        self.update()

    def paintEvent(self, event: QPaintEvent) -> None:  # noqa: N802 (Qt's name)
        pose = self._pose
        painter = QPainter(self)
        painter.fillRect(self.rect(), self.palette().window())
        if pose is not None:
            box = figure.frame(pose.exercise_id, pose.side)
            scale, x0, y0 = world_transform(self.rect().toRectF(), box)
            path = QPainterPath()
            for chain in (
                pose.far_leg.points(),
                pose.near_leg.points(),
                (pose.near_leg.hip, pose.near_arm.shoulder, pose.neck, pose.head),
                (pose.near_arm.shoulder, pose.near_arm.elbow, pose.near_arm.hand),
                (pose.far_arm.shoulder, pose.far_arm.elbow, pose.far_arm.hand),
            ):
                first, *rest = chain
                path.moveTo(QPointF(x0 + first[0] * scale, y0 - first[1] * scale))
                for p in rest:
                    path.lineTo(QPointF(x0 + p[0] * scale, y0 - p[1] * scale))
            painter.setPen(QPen(self.palette().windowText().color(), 0))
            painter.drawPath(path)
        painter.end()


def frames(count: int) -> list[figure.Pose]:
    return [figure.pose(EXERCISE, SegmentKind.UP, (i % 200) / 200, Side.LEFT) for i in range(count)]


def time_frames(widget: FigureWidget | BaselineWidget, poses: list[figure.Pose]) -> list[float]:
    times = []
    for pose in poses:
        t0 = time.perf_counter()
        widget.set_pose(pose)
        widget.repaint()
        times.append((time.perf_counter() - t0) * 1000)
    return times


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--frames", type=int, default=300)
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args(argv)

    app = QApplication.instance() or QApplication([])
    app.setPalette(theme_palette("dark"))
    results: dict[str, float] = {}
    poses = frames(args.frames + 20)
    for name, widget in (("calftimer", FigureWidget()), ("baseline", BaselineWidget())):
        widget.resize(WIDTH, HEIGHT)
        widget.show()
        app.processEvents()
        times = time_frames(widget, poses)[20:]
        results[f"{name}_median_ms"] = statistics.median(times)
        results[f"{name}_p95_ms"] = sorted(times)[int(0.95 * len(times))]
        widget.close()
    pose_times = []
    for i in range(args.frames):
        t0 = time.perf_counter()
        figure.pose(EXERCISE, SegmentKind.UP, i / args.frames, Side.LEFT)
        pose_times.append((time.perf_counter() - t0) * 1000)
    results["pose_median_ms"] = statistics.median(pose_times)
    results["ratio"] = results["calftimer_median_ms"] / results["baseline_median_ms"]
    machine = f"{platform.machine()} {os.cpu_count()} CPUs, Python {platform.python_version()}"
    if args.json:
        print(json.dumps({"machine": machine, "size": [WIDTH, HEIGHT], **results}, indent=2))
        return 0
    print(f"Figure frame at {WIDTH} x {HEIGHT}, offscreen, {args.frames} frames ({machine})")
    print(f"{'':12}{'median ms':>12}{'p95 ms':>10}")
    for name in ("calftimer", "baseline"):
        print(f"{name:12}{results[f'{name}_median_ms']:12.3f}{results[f'{name}_p95_ms']:10.3f}")
    print(f"ratio calftimer / baseline: {results['ratio']:.2f}")
    print(f"pose computation (figure.pose): median {results['pose_median_ms']:.3f} ms")
    verdict = "meets" if results["calftimer_median_ms"] <= 2.0 else "MISSES"
    print(f"target <= 2 ms a frame: {verdict}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
