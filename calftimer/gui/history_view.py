"""The history view: weekly training volume as stacked bars, with trend, spikes and details.

A thin Qt/pyqtgraph layer over ``calftimer.core.volume``: ``set_history`` builds the volume
table once; the metric, the per-leg view and the range only read it. The plot items are made
once and updated in place (``setOpts``/``setData``), never cleared and re-added, so a switch
stays cheap on twenty years of history (``benchmarks/chart_scale.py``).

What the user gets: bars per ISO week stacked by exercise in a colour-blind-safe palette with a
legend; per leg, left and right bars side by side; a 4-week rolling average line; sessions well
above the previous 30 days marked (amber, red) as information; range presets plus pan and zoom;
the exact numbers of the week under the pointer (also with the arrow keys); a click lists that
week's sessions and sets; PNG and CSV export of what is shown; a helpful empty state.
"""

from __future__ import annotations

import csv
import time
from collections.abc import Mapping, Sequence
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any

import pyqtgraph as pg
from PySide6.QtCore import QPointF, Qt, Signal
from PySide6.QtGui import QColor, QKeyEvent
from PySide6.QtWidgets import (
    QButtonGroup,
    QCheckBox,
    QComboBox,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QSplitter,
    QStackedWidget,
    QTabWidget,
    QTreeWidget,
    QTreeWidgetItem,
    QVBoxLayout,
    QWidget,
)

from calftimer.core.catalog import exercise as catalog_exercise
from calftimer.core.volume import (
    METRIC_NAMES,
    METRIC_UNITS,
    METRICS,
    Spike,
    VolumeTable,
    WeekSeries,
    monday_of,
    parse_instant,
    spikes,
)

# Okabe & Ito's palette: told apart with every common colour-vision deficiency.
PALETTE = ("#0072B2", "#E69F00", "#009E73", "#CC79A7", "#56B4E9", "#D55E00", "#F0E442", "#000000")
SPIKE_COLOURS = {"amber": "#E69F00", "red": "#D55E00"}
RANGES: tuple[tuple[str, int | None], ...] = (
    ("12 weeks", 12),
    ("6 months", 26),
    ("1 year", 52),
    ("All", None),
)
WEEK_S = 7 * 24 * 3600
BAR_WIDTH = 0.8  # of a week


def week_start_x(monday: date) -> float:
    """Local midnight starting a week's Monday, in epoch seconds (the date axis's unit)."""
    return time.mktime(monday.timetuple())


def week_x(monday: date) -> float:
    """Where a week's bar stands: the middle of the week."""
    return week_start_x(monday) + WEEK_S / 2


def exercise_name(exercise_id: str) -> str:
    try:
        return catalog_exercise(exercise_id).name
    except KeyError:
        return exercise_id


def format_amount(value: float, metric: str) -> str:
    if metric == "tut":
        return f"{value / 60:.1f}"
    return f"{value:,.0f}" if metric != "load" else f"{value:,.1f}"


class CalendarAxis(pg.AxisItem):
    """A date axis for weekly data that computes only the ticks in view: years, months or
    weeks by the span shown. pyqtgraph's DateAxisItem made thousands of tick values on twenty
    years, which alone took 12 ms of every repaint while panning."""

    def tickValues(self, minVal: float, maxVal: float, size: float) -> list[Any]:  # noqa: N803
        if maxVal <= minVal or size <= 0:
            return []
        try:
            first = datetime.fromtimestamp(minVal).date()
            last = datetime.fromtimestamp(maxVal).date()
        except (OverflowError, OSError, ValueError):
            return []
        days = (last - first).days
        room = max(2, int(size // 70))  # at most one label per 70 px
        if days > 2 * 365:
            step = next(s for s in (1, 2, 5, 10, 20, 50) if days / 365 / s <= room)
            major = [date(y, 1, 1) for y in range(first.year, last.year + 2) if y % step == 0]
            minor: list[date] = []
        elif days > 120:
            major = [date(y, 1, 1) for y in range(first.year, last.year + 2)]
            months = [
                date(first.year + (first.month - 1 + k) // 12, (first.month - 1 + k) % 12 + 1, 1)
                for k in range(days // 28 + 2)
            ]
            step = next(s for s in (1, 2, 3, 6) if len(months) / s <= room)
            minor = [m for m in months if (m.month - 1) % step == 0 and m.month != 1]
        else:
            monday = first - timedelta(days=first.weekday())
            mondays = [monday + timedelta(weeks=k) for k in range(days // 7 + 2)]
            step = next((s for s in (1, 2, 4) if len(mondays) / s <= room), 4)
            major = [m for m in mondays if m.day <= 7]  # the first Monday of a month
            minor = [m for k, m in enumerate(mondays) if k % step == 0 and m.day > 7]
        as_x = [(WEEK_S * 52, [week_start_x(d) for d in major])]
        if minor:
            as_x.append((WEEK_S, [week_start_x(d) for d in minor]))
        return as_x

    def tickStrings(self, values: list[float], scale: float, spacing: float) -> list[str]:
        out = []
        for value in values:
            day = datetime.fromtimestamp(value).date()
            if day.month == 1 and day.day == 1:
                out.append(f"{day.year}")
            elif day.day == 1:
                out.append(f"{day:%b}")
            else:
                out.append(f"{day:%d %b}" if day.day > 7 else f"{day:%b}")
        return out


class HistoryView(QWidget):
    """Weekly volume chart with its controls and the list of a chosen week's sessions."""

    close_requested = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setAccessibleName("Training history")
        self.table = VolumeTable()
        self._sessions: dict[str, Mapping[str, Any]] = {}
        self._all_sessions: list[Mapping[str, Any]] = []
        self._spikes: dict[str, list[Spike]] = {}
        self.series: WeekSeries | None = None
        self.selected_week: int | None = None
        self._bars: dict[Any, pg.BarGraphItem] = {}
        self._range_weeks: int | None = 12

        # ---- controls
        self.metric_combo = QComboBox()
        self.metric_combo.setAccessibleName("Metric")
        self.metric_combo.setToolTip("What the bars count")
        for metric in METRICS:
            self.metric_combo.addItem(METRIC_NAMES[metric], metric)
        self.per_leg_box = QCheckBox("&Per leg")
        self.per_leg_box.setToolTip(
            "Left and right side by side; a two-leg rep counts for both legs"
        )
        self.range_buttons = QButtonGroup(self)
        range_row = QHBoxLayout()
        for i, (label, _weeks) in enumerate(RANGES):
            button = QPushButton(label)
            button.setCheckable(True)
            button.setAccessibleName(f"Show {label.lower()}")
            self.range_buttons.addButton(button, i)
            range_row.addWidget(button)
        self.range_buttons.button(0).setChecked(True)
        self.png_button = QPushButton("Export &PNG…")
        self.csv_button = QPushButton("Export &CSV…")
        self.back_button = QPushButton("&Back")
        self.back_button.setToolTip("Back to the exercises and programs (Esc)")

        # ---- plot
        self.axis = CalendarAxis(orientation="bottom")
        self.plot = pg.PlotWidget(axisItems={"bottom": self.axis})
        self.plot.setAccessibleName("Weekly volume chart")
        self.plot.setBackground(None)
        # Horizontal guide lines at the value axis's ticks, drawn as one curve: pyqtgraph's
        # own grid cost 12 ms of each repaint while panning twenty years.
        self.guide_lines = pg.PlotCurveItem(pen=pg.mkPen(128, 128, 128, 70), connect="pairs")
        self.guide_lines.setZValue(-10)
        self.plot.addItem(self.guide_lines)
        self.plot.getViewBox().sigRangeChanged.connect(self._update_guide_lines)
        self.plot.setMouseEnabled(x=True, y=False)  # pan and zoom in time; y follows the data
        self.plot.getViewBox().setLimits(minXRange=4 * WEEK_S)
        self.plot.enableAutoRange(axis="y")
        self.plot.setAutoVisible(y=True)
        self.legend = self.plot.addLegend(
            offset=(10, 10),
            colCount=2,
            brush=pg.mkBrush(255, 255, 255, 215),
            pen=pg.mkPen("#999999"),
            labelTextColor="#222222",
        )
        self.leg_key = pg.BarGraphItem(x=[0], height=[0], width=0, brush="#888888")
        self.rolling_line = pg.PlotDataItem(
            # Solid: a dashed pen took 8 ms of each repaint over twenty years.
            pen=pg.mkPen("#333333", width=2),
            name="4-week average",
        )
        self.rolling_line.setZValue(5)  # over the bars
        self.plot.addItem(self.rolling_line)
        self.spike_marks = pg.ScatterPlotItem(size=12, symbol="t1", pen=pg.mkPen("#000000"))
        self.spike_marks.setZValue(6)
        self.plot.addItem(self.spike_marks)
        self.spike_key = pg.ScatterPlotItem(
            symbol="t1", size=12, brush=pg.mkBrush(SPIKE_COLOURS["amber"]), pen=pg.mkPen("#000")
        )
        self.plot.scene().sigMouseMoved.connect(self._on_mouse_moved)
        self.plot.scene().sigMouseClicked.connect(self._on_mouse_clicked)

        self.empty_label = QLabel(
            "No training recorded yet.\n\nFinish a set and it appears here, week by week: "
            "reps, time under tension, load, left and right."
        )
        self.empty_label.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.empty_label.setWordWrap(True)
        self.chart_stack = QStackedWidget()
        self.chart_stack.addWidget(self.plot)
        self.chart_stack.addWidget(self.empty_label)

        self.hover_label = QLabel(" ")
        self.hover_label.setWordWrap(True)
        self.hover_label.setAccessibleName("Numbers of the week")
        self.week_details = QTreeWidget()
        self.week_details.setAccessibleName("Sessions of the chosen week")
        self.week_details.setHeaderLabels(["Session / set", "Result", "When"])
        self.week_details.setRootIsDecorated(True)
        header = self.week_details.header()
        header.setStretchLastSection(False)
        header.setSectionResizeMode(0, header.ResizeMode.Stretch)
        for column in (1, 2):
            header.setSectionResizeMode(column, header.ResizeMode.ResizeToContents)

        top = QHBoxLayout()
        top.addWidget(QLabel("&Metric:"))
        top.itemAt(0).widget().setBuddy(self.metric_combo)  # type: ignore[attr-defined]
        top.addWidget(self.metric_combo)
        top.addWidget(self.per_leg_box)
        top.addSpacing(12)
        top.addLayout(range_row)
        top.addStretch(1)
        top.addWidget(self.png_button)
        top.addWidget(self.csv_button)
        top.addWidget(self.back_button)
        chart_box = QWidget()
        chart_layout = QVBoxLayout(chart_box)
        chart_layout.setContentsMargins(0, 0, 0, 0)
        chart_layout.addWidget(self.chart_stack, 1)
        chart_layout.addWidget(self.hover_label)
        self.tabs = QTabWidget()
        self.tabs.addTab(chart_box, "&Weekly volume")
        self.tabs.addTab(self._build_test_tab(), "Heel-rise &test")
        splitter = QSplitter(Qt.Orientation.Vertical)
        splitter.addWidget(self.tabs)
        splitter.addWidget(self.week_details)
        splitter.setStretchFactor(0, 3)
        splitter.setStretchFactor(1, 1)
        splitter.setChildrenCollapsible(False)
        layout = QVBoxLayout(self)
        layout.addLayout(top)
        layout.addWidget(splitter, 1)

        self.metric_combo.currentIndexChanged.connect(lambda _i: self.refresh())
        self.per_leg_box.toggled.connect(lambda _on: self.refresh())
        self.range_buttons.idClicked.connect(self.set_range_preset)
        self.back_button.clicked.connect(self.close_requested)
        self.refresh()

    def _build_test_tab(self) -> QWidget:
        self.test_plot = pg.PlotWidget(axisItems={"bottom": CalendarAxis(orientation="bottom")})
        self.test_plot.setAccessibleName("Heel-rise test results over time")
        self.test_plot.setBackground(None)
        self.test_plot.setLabel("left", "Raises per leg")
        self.test_plot.setMouseEnabled(x=True, y=False)
        self.test_plot.addLegend(
            offset=(10, 10),
            brush=pg.mkBrush(255, 255, 255, 215),
            pen=pg.mkPen("#999999"),
            labelTextColor="#222222",
        )
        # Two colours and two symbols: the legs differ without colour too.
        self.test_left = pg.PlotDataItem(
            pen=pg.mkPen(PALETTE[0], width=2), symbol="o", symbolBrush=PALETTE[0], name="Left"
        )
        self.test_right = pg.PlotDataItem(
            pen=pg.mkPen(PALETTE[5], width=2), symbol="s", symbolBrush=PALETTE[5], name="Right"
        )
        self.test_target_line = pg.InfiniteLine(
            angle=0, pen=pg.mkPen("#555555", width=1), label="target", labelOpts={"position": 0.05}
        )
        for item in (self.test_target_line, self.test_left, self.test_right):
            self.test_plot.addItem(item)
        self.test_empty = QLabel(
            "No heel-rise test yet.\n\nRun the \u201cHeel-rise endurance test\u201d program every "
            "four weeks or so: each result appears here, left and right."
        )
        self.test_empty.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.test_empty.setWordWrap(True)
        self.test_summary = QLabel(" ")
        self.test_summary.setWordWrap(True)
        self.test_stack = QStackedWidget()
        self.test_stack.addWidget(self.test_plot)
        self.test_stack.addWidget(self.test_empty)
        box = QWidget()
        layout = QVBoxLayout(box)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.test_stack, 1)
        layout.addWidget(self.test_summary)
        return box

    def test_points(self) -> list[tuple[datetime, int | None, int | None]]:
        """Every heel-rise result, oldest first: (when, left, right)."""
        points = [
            (parse_instant(t["recorded_at"]), t["left_reps"], t["right_reps"])
            for session in self._all_sessions
            for t in session["tests"]
        ]
        points.sort(key=lambda p: p[0])
        return points

    def show_tests(self, target: int) -> None:
        """Draw the heel-rise results per leg over time, with the target line."""
        points = self.test_points()
        self.test_stack.setCurrentWidget(self.test_plot if points else self.test_empty)
        for item, index in ((self.test_left, 1), (self.test_right, 2)):
            pairs = [(p[0].timestamp(), p[index]) for p in points if p[index] is not None]
            item.setData([x for x, _ in pairs], [y for _, y in pairs])
        self.test_target_line.setValue(target)
        self.test_target_line.label.setFormat(f"target {target}")
        if points:
            when, left, right = points[-1]
            legs = ", ".join(
                f"{leg} {reps}"
                for leg, reps in (("left", left), ("right", right))
                if reps is not None
            )
            self.test_summary.setText(
                f"{len(points)} test{'s' if len(points) != 1 else ''}; the last on "
                f"{when.astimezone(self.table.tz):%d %b %Y}: {legs}."
            )
        else:
            self.test_summary.setText(" ")

    # ------------------------------------------------------------------ data

    @property
    def metric(self) -> str:
        return str(self.metric_combo.currentData())

    def set_history(
        self, sessions: Sequence[Mapping[str, Any]], tz: Any = None, *, test_target: int = 25
    ) -> None:
        """Show ``sessions`` (the store's documents); builds the volume table once."""
        self._all_sessions = list(sessions)
        self._sessions = {s["id"]: s for s in sessions}
        self.table = VolumeTable.build(sessions, tz)
        self._spikes = {}
        self.refresh()
        self.set_range_preset(self.range_buttons.checkedId())
        self.show_tests(test_target)

    def spikes_for(self, metric: str) -> list[Spike]:
        if metric not in self._spikes:
            self._spikes[metric] = spikes(self._all_sessions, metric)
        return self._spikes[metric]

    def refresh(self) -> None:
        """Redraw for the current metric and leg view: the items are updated in place."""
        metric, per_leg = self.metric, self.per_leg_box.isChecked()
        series = self.table.series(metric, per_leg=per_leg)
        self.series = series
        self.chart_stack.setCurrentWidget(self.empty_label if series.empty else self.plot)
        for act in (self.png_button, self.csv_button):
            act.setEnabled(not series.empty)
        self.plot.setLabel("left", METRIC_NAMES[metric])
        xs = [week_x(w) for w in series.weeks]
        scale = 1 / 60 if metric == "tut" else 1.0
        wanted = set(series.stacks)
        for key in list(self._bars):
            if key not in wanted:
                item = self._bars.pop(key)
                self.plot.removeItem(item)
                self.legend.removeItem(item)
        bottoms = {leg: [0.0] * len(xs) for leg in ("", "left", "right")}
        width = BAR_WIDTH * WEEK_S / (2 if per_leg else 1)
        exercises = self.table.exercises
        for key, values in series.stacks.items():
            exercise_id, leg = key if isinstance(key, tuple) else (key, "")
            colour = QColor(PALETTE[exercises.index(exercise_id) % len(PALETTE)])
            if leg == "right":
                colour.setAlpha(150)  # right leg: the same colour, lighter, on the right
            shift = {"": 0.0, "left": -width / 2, "right": width / 2}[leg]
            heights = [v * scale for v in values]
            y0 = bottoms[leg]
            opts = dict(
                x=[x + shift for x in xs],
                height=heights,
                y0=list(y0),
                width=width,
                brush=colour,
                pen=None,  # no outline: an empty week must not draw a line
            )
            item = self._bars.get(key)
            if item is None:
                item = pg.BarGraphItem(**opts)
                self._bars[key] = item
                self.plot.addItem(item)
                if leg != "right":
                    self.legend.addItem(item, exercise_name(exercise_id))
            else:
                item.setOpts(**opts)
            bottoms[leg] = [b + h for b, h in zip(y0, heights, strict=True)]
        rolling = [v * scale for v in series.rolling]
        if per_leg:
            rolling = [v / 2 for v in rolling]  # per leg: the average leg's week
        self.rolling_line.setData(xs, rolling)
        self._show_spikes(series, scale)
        self._update_legend_keys(per_leg)
        if self.selected_week is not None and self.selected_week >= len(xs):
            self.selected_week = None
        self.hover_label.setText(
            self.week_text(self.selected_week) if self.selected_week is not None else " "
        )

    def _update_guide_lines(self, *_args: object) -> None:
        (x0, x1), (y0, y1) = self.plot.viewRange()
        axis = self.plot.getPlotItem().getAxis("left")
        levels = axis.tickValues(y0, y1, max(1.0, self.plot.getViewBox().height()))
        ys = [y for y in (levels[0][1] if levels else []) if y0 <= y <= y1]
        xs = [v for _ in ys for v in (x0, x1)]
        self.guide_lines.setData(xs, [y for y in ys for _ in (0, 1)])

    def _update_legend_keys(self, per_leg: bool) -> None:
        """Explain the two bar shades per leg and the spike marks, only when shown."""
        for item in (self.leg_key, self.spike_key):
            self.legend.removeItem(item)
        if per_leg:
            self.legend.addItem(self.leg_key, "Left: full colour · right: light")
        if len(self.spike_marks.data):
            self.legend.addItem(
                self.spike_key, "Session above 110 % of the last 30 days' largest (red: 130 %)"
            )

    def _show_spikes(self, series: WeekSeries, scale: float) -> None:
        if series.empty:
            self.spike_marks.setData([])
            return
        index = {w: i for i, w in enumerate(series.weeks)}
        tops = [t * scale for t in series.totals]
        if series.per_leg:
            tops = [
                max(a, b) * scale
                for a, b in zip(series.leg_totals["left"], series.leg_totals["right"], strict=True)
            ]
        spots = []
        for spike in self.spikes_for(series.metric):
            week = monday_of(spike.started_at, self.table.tz)
            i = index.get(week)
            if i is None:
                continue
            spots.append(
                {
                    "pos": (week_x(week), tops[i] * 1.04 + 1e-9),
                    "brush": pg.mkBrush(SPIKE_COLOURS[spike.level]),
                    "data": spike,
                }
            )
        self.spike_marks.setData(spots)

    # ------------------------------------------------------------------ range

    def set_range_preset(self, index: int) -> None:
        """Show the last 12 weeks, 6 months, 1 year or everything (pan and zoom stay on)."""
        button = self.range_buttons.button(index)
        if button is not None and not button.isChecked():
            button.setChecked(True)
        self._range_weeks = RANGES[index][1]
        series = self.series
        if series is None or not series.weeks:
            return
        last = week_start_x(series.weeks[-1]) + WEEK_S
        if self._range_weeks is None:
            first = week_start_x(series.weeks[0])
        else:
            first = last - self._range_weeks * WEEK_S
        self.plot.setXRange(first, last, padding=0.02)

    def visible_weeks(self) -> list[int]:
        """Indices into ``series.weeks`` of the weeks in view."""
        if self.series is None:
            return []
        (x0, x1), _ = self.plot.viewRange()
        return [i for i, w in enumerate(self.series.weeks) if x0 <= week_x(w) <= x1]

    # ------------------------------------------------------------------ reading a week

    def week_index_at(self, x: float) -> int | None:
        series = self.series
        if series is None or not series.weeks:
            return None
        i = int((x - week_start_x(series.weeks[0])) // WEEK_S)
        return i if 0 <= i < len(series.weeks) else None

    def week_text(self, i: int) -> str:
        """The exact numbers of week ``i``, as shown under the chart and read out."""
        series = self.series
        if series is None:
            raise RuntimeError("internal error: a week's numbers without a chart")
        metric, week = series.metric, series.weeks[i]
        unit = METRIC_UNITS[metric]
        iso_year, iso_week, _ = week.isocalendar()
        head = f"Week {iso_week} of {iso_year} (from {week:%a %d %b %Y}): "
        if series.per_leg:
            # Per leg a two-leg set counts for each leg: a sum of both would count it twice.
            left, right = series.leg_totals["left"][i], series.leg_totals["right"][i]
            head += (
                f"left {format_amount(left, metric)}, right {format_amount(right, metric)} {unit}"
            )
        else:
            head += f"{format_amount(series.totals[i], metric)} {unit}"
        change = series.change[i]
        if change is not None:
            head += f", {change:+.0%} on the week before"
        if series.per_leg:
            head += f"; 4-week average {format_amount(series.rolling[i] / 2, metric)} per leg."
        else:
            head += f"; 4-week average {format_amount(series.rolling[i], metric)}."
        parts = []
        for key, values in series.stacks.items():
            if values[i]:
                exercise_id, leg = key if isinstance(key, tuple) else (key, "")
                name = exercise_name(exercise_id) + (f" ({leg})" if leg else "")
                parts.append(f"{name} {format_amount(values[i], metric)}")
        return head + (" " + ", ".join(parts) + "." if parts else " Nothing recorded.")

    def select_week(self, i: int | None) -> None:
        """Show week ``i``'s numbers and list its sessions and sets."""
        self.selected_week = i
        self.week_details.clear()
        if i is None or self.series is None:
            self.hover_label.setText(" ")
            return
        self.hover_label.setText(self.week_text(i))
        for session_id in self.table.session_ids(self.series.weeks[i]):
            session = self._sessions.get(session_id)
            if session is None:
                continue
            start = parse_instant(session["started_at"]).astimezone(self.table.tz)
            node = QTreeWidgetItem(
                [session["program_name"], f"{len(session['sets'])} sets", f"{start:%a %d %b %H:%M}"]
            )
            for s in session["sets"]:
                side = "" if s["side"] == "both" else f", {s['side']}"
                target = {"time": " s", "distance": " m"}.get(s["mode"], " reps")
                load = f" @ {s['load_kg']:g} kg" if s["load_kg"] else ""
                node.addChild(
                    QTreeWidgetItem(
                        [
                            f"{exercise_name(s['exercise'])}, set {s['set']}{side}",
                            f"{s['done']} of {s['planned']}{target}{load}",
                            "",
                        ]
                    )
                )
            self.week_details.addTopLevelItem(node)
            node.setExpanded(True)

    def _on_mouse_moved(self, scene_pos: QPointF) -> None:
        if self.series is None or self.series.empty:
            return
        point = self.plot.getViewBox().mapSceneToView(scene_pos)
        i = self.week_index_at(point.x())
        if i is not None:
            self.hover_label.setText(self.week_text(i))
            self.plot.setToolTip(self.week_text(i))

    def _on_mouse_clicked(self, event: Any) -> None:
        point = self.plot.getViewBox().mapSceneToView(event.scenePos())
        self.select_week(self.week_index_at(point.x()))

    def keyPressEvent(self, event: QKeyEvent) -> None:
        """Left and Right move the chosen week (the numbers are read out); Esc goes back."""
        series = self.series
        key = event.key()
        if key == Qt.Key.Key_Escape:
            self.close_requested.emit()
            return
        if series is not None and series.weeks and key in (Qt.Key.Key_Left, Qt.Key.Key_Right):
            current = self.selected_week if self.selected_week is not None else len(series.weeks)
            step = -1 if key == Qt.Key.Key_Left else 1
            self.select_week(max(0, min(len(series.weeks) - 1, current + step)))
            return
        super().keyPressEvent(event)

    # ------------------------------------------------------------------ export

    def export_png(self, path: Path) -> None:
        """The chart as shown, legend included, at the screen's resolution."""
        if not self.plot.grab().save(str(path), "PNG"):
            raise OSError(f"{path}: could not be written")

    def export_csv(self, path: Path) -> None:
        """One row per week in view: every series shown, the total, the 4-week average and
        the change on the week before."""
        series = self.series
        if series is None:
            raise RuntimeError("internal error: a CSV export without a chart")
        metric = series.metric
        keys = list(series.stacks)

        def column(key: Any) -> str:
            exercise_id, leg = key if isinstance(key, tuple) else (key, "")
            return exercise_name(exercise_id) + (f" ({leg})" if leg else "")

        with path.open("w", newline="", encoding="utf-8") as out:
            writer = csv.writer(out)
            unit = METRIC_UNITS[metric]
            writer.writerow(
                [
                    "Week",
                    "Monday",
                    *(f"{column(k)} ({unit})" for k in keys),
                    f"Total ({unit}{', left + right' if series.per_leg else ''})",
                    f"4-week average ({unit}{', per leg' if series.per_leg else ''})",
                    "Change on week before",
                ]
            )
            for i in self.visible_weeks():
                week = series.weeks[i]
                iso_year, iso_week, _ = week.isocalendar()
                change = series.change[i]
                writer.writerow(
                    [
                        f"{iso_year}-W{iso_week:02d}",
                        week.isoformat(),
                        *(
                            format_amount(series.stacks[k][i], metric).replace(",", "")
                            for k in keys
                        ),
                        format_amount(series.totals[i], metric).replace(",", ""),
                        format_amount(
                            series.rolling[i] / (2 if series.per_leg else 1), metric
                        ).replace(",", ""),
                        "" if change is None else f"{change:+.1%}",
                    ]
                )
