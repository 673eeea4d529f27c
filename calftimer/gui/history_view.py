"""The history view: weekly training volume as stacked bars, with trend, spikes and details.

A thin Qt/pyqtgraph layer over ``calftimer.core.volume``: ``set_history`` builds the volume
table once; the metric, the per-leg view and the range only read it. The plot items are made
once and updated in place (``setOpts``/``setData``), never cleared and re-added, so a switch
stays cheap on twenty years of history (``benchmarks/chart_scale.py``).

What the user gets: bars per ISO week stacked by exercise in a colour-blind-safe palette with a
legend; per leg, left and right bars side by side; a 4-week rolling average line; sessions well
above the previous 30 days marked as information (an amber triangle; a red double triangle above
130 %, told apart by shape too); range presets plus pan and zoom, the value axis following the
weeks in view; the exact numbers of the week under the pointer (also with the arrow keys); a
click lists that week's sessions and sets beside the chart; loads in the user's unit; PNG and
CSV export of what is shown; a helpful empty state. Weeks are calendar weeks in the history's
time zone, so a daylight-saving change never shifts a week (``week_start_x``).
"""

from __future__ import annotations

import csv
import time
from bisect import bisect_left, bisect_right
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta, tzinfo
from datetime import time as day_time
from pathlib import Path
from types import MappingProxyType
from typing import Any

import pyqtgraph as pg
from PySide6.QtCore import QByteArray, QEvent, QPointF, Qt, Signal
from PySide6.QtGui import QColor, QKeyEvent, QPainterPath, QPalette
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
from calftimer.core.i18n import (
    N_,
    _,
    format_date,
    format_number,
    format_percent,
    localized,
    month_name,
    n_,
)
from calftimer.core.programs import program_display_name
from calftimer.core.settings import format_load
from calftimer.core.texts import sets_text
from calftimer.core.volume import (
    METRICS,
    SPIKE_AMBER,
    SPIKE_RED,
    Spike,
    VolumeTable,
    WeekSeries,
    display_amount,
    metric_name,
    metric_unit,
    monday_of,
    parse_instant,
    spikes,
)

# Okabe & Ito's palette: told apart with every common colour-vision deficiency.
PALETTE = ("#0072B2", "#E69F00", "#009E73", "#CC79A7", "#56B4E9", "#D55E00", "#F0E442", "#000000")
# A true red and an amber, far apart in hue and lightness (the red stays dark, the amber light,
# also as protan, deutan and tritan eyes see them); each is outlined in the theme's text colour,
# and the shape tells them apart without colour: one triangle, or two stacked for red.
SPIKE_COLOURS = {"amber": "#FFB000", "red": "#D7191C"}
RANGES: tuple[tuple[str, int | None], ...] = localized(
    (
        (N_("12 weeks"), 12),
        (N_("6 months"), 26),
        (N_("1 year"), 52),
        (N_("All"), None),
    )
)
WEEK_S = 7 * 24 * 3600
BAR_WIDTH = 0.8  # of a week
Y_HEADROOM = 1.12  # above the tallest bar in view: room for its spike mark


def week_start_x(monday: date, tz: tzinfo | None = None) -> float:
    """Midnight starting a week's Monday in ``tz`` (None: the machine's zone), in epoch
    seconds, the date axis's unit. A week with a daylight-saving change is 167 or 169 hours
    long, so weeks are found by their dates, never by multiples of seven days."""
    if tz is None:
        return time.mktime(monday.timetuple())
    return datetime.combine(monday, day_time(), tzinfo=tz).timestamp()


def week_x(monday: date, tz: tzinfo | None = None) -> float:
    """Where a week's bar stands: the middle of the week."""
    return week_start_x(monday, tz) + WEEK_S / 2


def day_of(x: float, tz: tzinfo | None) -> date | None:
    """The calendar date at ``x`` (epoch seconds) in ``tz``; None off the calendar."""
    try:
        return datetime.fromtimestamp(x, tz).date()
    except (OverflowError, OSError, ValueError):
        return None


def spike_symbol(level: str) -> str | QPainterPath:
    """An upward triangle for amber; two stacked triangles for red, so the two differ by
    shape as well as colour (pyqtgraph's symbol space: y grows downwards, size 1)."""
    if level != "red":
        return "t1"
    path = QPainterPath()
    for top, bottom in ((-0.55, -0.03), (0.03, 0.55)):
        path.moveTo(-0.5, bottom)
        path.lineTo(0.0, top)
        path.lineTo(0.5, bottom)
        path.closeSubpath()
    return path


def is_dark(palette: QPalette) -> bool:
    return palette.color(QPalette.ColorRole.Window).lightness() < 128


def exercise_name(exercise_id: str, *, english: bool = False) -> str:
    """The exercise's name as shown (``english``: as the chart's CSV file writes it)."""
    try:
        ex = catalog_exercise(exercise_id)
    except KeyError:
        return exercise_id
    return ex.name if english else ex.local_name


def leg_word(leg: str) -> str:
    return {"left": _("left"), "right": _("right")}.get(leg, leg)


def format_amount(value: float, metric: str, weight_unit: str = "kg") -> str:
    """A stored amount as a file writes it: tut in minutes with a decimal, load volume in the
    user's unit (``1,234.5``; ``shown_amount`` writes it as the language does)."""
    shown = display_amount(value, metric, weight_unit)
    return f"{shown:,.0f}" if metric not in ("tut", "load") else f"{shown:,.1f}"


def shown_amount(value: float, metric: str, weight_unit: str = "kg") -> str:
    """A stored amount as shown, in the number format of the current language."""
    shown = display_amount(value, metric, weight_unit)
    return format_number(shown, 0 if metric not in ("tut", "load") else 1)


@dataclass(frozen=True)
class PreparedHistory:
    """What ``set_history`` computes from the sessions, computed ahead (see
    ``prepare_history``): the window hands it to ``show_prepared`` in one cheap step."""

    sessions: list[Mapping[str, Any]]
    table: VolumeTable
    spikes: dict[str, list[Spike]]


def prepare_history(
    sessions: Sequence[Mapping[str, Any]], tz: Any = None, metrics: Sequence[str] = METRICS
) -> PreparedHistory:
    """The costly part of showing a history (on twenty years, a third of a second for the
    table and half that per metric for the spikes). Pure Python over the store's documents,
    no Qt: the window runs it on a worker thread, so a long history never stalls the window.
    ``metrics``: the metrics whose spikes to find now (``spikes_for`` finds the others)."""
    items = list(sessions)
    return PreparedHistory(
        items, VolumeTable.build(items, tz), {metric: spikes(items, metric) for metric in metrics}
    )


def find_spikes(sessions: Sequence[Mapping[str, Any]], metrics: Sequence[str]) -> dict[str, Any]:
    """The spikes of ``metrics``, found on a worker thread for ``HistoryView.add_spikes``."""
    return {metric: spikes(sessions, metric) for metric in metrics}


class CalendarAxis(pg.AxisItem):
    """A date axis for weekly data that computes only the ticks in view: years, months or
    weeks by the span shown, in the history's time zone (``tz``). The first label says the
    year when no year label is in view. pyqtgraph's DateAxisItem made thousands of tick values
    on twenty years, which alone took 12 ms of every repaint while panning."""

    tz: tzinfo | None = None
    _year_at: float | None = None  # the tick that also names its year

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.enableAutoSIPrefix(False)  # dates, not seconds: never "(x1e+09)"

    def tickValues(self, minVal: float, maxVal: float, size: float) -> list[Any]:  # noqa: N803
        self._year_at = None
        if maxVal <= minVal or size <= 0:
            return []
        first, last = day_of(minVal, self.tz), day_of(maxVal, self.tz)
        if first is None or last is None:
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
        tz = self.tz
        major_x = [x for d in major if minVal <= (x := week_start_x(d, tz)) <= maxVal]
        minor_x = [x for d in minor if minVal <= (x := week_start_x(d, tz)) <= maxVal]
        names_a_year = any((d := day_of(x, tz)) and d.month == d.day == 1 for x in major_x)
        # The first label clear of the left edge (one right at the edge is not drawn).
        clear = [
            x for x in sorted(major_x + minor_x) if (x - minVal) / (maxVal - minVal) * size > 30
        ]
        if clear and not names_a_year:
            self._year_at = clear[0]  # "Jun 2026", then "Jul", "Aug"...
        as_x = [(WEEK_S * 52, major_x)]
        if minor_x:
            as_x.append((WEEK_S, minor_x))
        return as_x

    def tickStrings(self, values: list[float], scale: float, spacing: float) -> list[str]:
        out = []
        for value in values:
            day = day_of(value, self.tz)
            if day is None:
                out.append("")
                continue
            if day.month == 1 and day.day == 1:
                text = f"{day.year}"
            elif day.day == 1 or day.day <= 7:
                text = month_name(day.month, short=True)
            else:
                text = format_date(day, _("{day:02d} {month_short}"))
            out.append(
                _("{date} {year}").format(date=text, year=day.year)
                if value == self._year_at
                else text
            )
        return out


class HistoryView(QWidget):
    """Weekly volume chart with its controls and the list of a chosen week's sessions."""

    close_requested = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setAccessibleName(_("Training history"))
        self.table = VolumeTable()
        self._sessions: dict[str, Mapping[str, Any]] = {}
        self._all_sessions: list[Mapping[str, Any]] = []
        self._spikes: dict[str, list[Spike]] = {}
        self.series: WeekSeries | None = None
        self.selected_week: int | None = None
        self._bars: dict[Any, pg.BarGraphItem] = {}
        self._range_weeks: int | None = 12
        self._weight_unit = "kg"
        # Per week of the series: where it starts on the x axis and the height of its tallest
        # drawing (bars, average), so the value axis can follow the weeks in view.
        self._week_starts: list[float] = []
        self._week_tops: list[float] = []
        self._fitting_y = False

        # ---- controls
        self.metric_combo = QComboBox()
        self.metric_combo.setAccessibleName(_("Metric"))
        self.metric_combo.setToolTip(_("What the bars count"))
        for metric in METRICS:
            self.metric_combo.addItem(metric_name(metric), metric)
        self.per_leg_box = QCheckBox(_("Per le&g"))
        self.per_leg_box.setToolTip(
            _("Left and right side by side; a two-leg rep counts for both legs")
        )
        self.range_buttons = QButtonGroup(self)
        range_row = QHBoxLayout()
        for i, (label, _weeks) in enumerate(RANGES):
            button = QPushButton(label)
            button.setCheckable(True)
            button.setAccessibleName(_("Show {range}").format(range=label.lower()))
            self.range_buttons.addButton(button, i)
            range_row.addWidget(button)
        self.range_buttons.button(0).setChecked(True)
        self.png_button = QPushButton(_("Export P&NG…"))
        self.csv_button = QPushButton(_("Export &CSV…"))
        self.back_button = QPushButton(_("&Back"))
        self.back_button.setToolTip(_("Back to the exercises and programs (Esc)"))

        # ---- plot
        self.axis = CalendarAxis(orientation="bottom")
        self.plot = pg.PlotWidget(axisItems={"bottom": self.axis})
        self.plot.setAccessibleName(_("Weekly volume chart"))
        self.plot.setBackground(None)
        # Horizontal guide lines at the value axis's ticks, drawn as one curve: pyqtgraph's
        # own grid cost 12 ms of each repaint while panning twenty years.
        self.guide_lines = pg.PlotCurveItem(pen=pg.mkPen(128, 128, 128, 70), connect="pairs")
        self.guide_lines.setZValue(-10)
        # Left out of the auto range: lines drawn at the old metric's ticks kept the old scale.
        self.plot.addItem(self.guide_lines, ignoreBounds=True)
        view_box = self.plot.getViewBox()
        view_box.sigRangeChanged.connect(self._update_guide_lines)
        view_box.sigXRangeChanged.connect(self._fit_y_to_view)
        self.plot.setMouseEnabled(x=True, y=False)  # pan and zoom in time; y follows the data
        # pyqtgraph's "A" (auto range) button would fit y to every week of the history.
        self.plot.getPlotItem().hideButtons()
        view_box.setLimits(minXRange=4 * WEEK_S)
        # The value axis is set from the weeks in view (_fit_y_to_view): pyqtgraph's own auto
        # range reads every bar of the history, in view or not.
        self.plot.disableAutoRange(axis="y")
        # The legend under the chart, not over it: inside the plot it hid the first weeks'
        # bars. In the plot's own layout, so the PNG export keeps it.
        self.legend = pg.LegendItem(colCount=3, frame=False)
        self.legend.setMinimumWidth(1)  # never widen the plot past its window: fewer columns
        self.plot.getPlotItem().layout.addItem(self.legend, 4, 1)
        view_box.sigResized.connect(self._fit_legend)
        self.leg_key = pg.BarGraphItem(x=[0], height=[0], width=0, brush="#888888")
        self.rolling_line = pg.PlotDataItem(name="4-week average")
        self.rolling_line.setZValue(5)  # over the bars
        self.plot.addItem(self.rolling_line)
        self.legend.addItem(self.rolling_line, _("4-week average"))
        self.spike_marks = pg.ScatterPlotItem()
        self.spike_marks.setZValue(6)
        self.plot.addItem(self.spike_marks)
        self.spike_keys = {
            level: pg.ScatterPlotItem(symbol=spike_symbol(level), size=self._spike_size(level))
            for level in ("amber", "red")
        }
        self.plot.scene().sigMouseMoved.connect(self._on_mouse_moved)
        self.plot.scene().sigMouseClicked.connect(self._on_mouse_clicked)

        self.empty_label = QLabel(
            _(
                "No training recorded yet.\n\nFinish a set and it appears here, week by week: "
                "reps, time under tension, load, left and right."
            )
        )
        self.empty_label.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.empty_label.setWordWrap(True)
        self.chart_stack = QStackedWidget()
        self.chart_stack.addWidget(self.plot)
        self.chart_stack.addWidget(self.empty_label)

        self.hover_label = QLabel(" ")
        self.hover_label.setWordWrap(True)
        self.hover_label.setAccessibleName(_("Numbers of the week"))
        self.week_details = QTreeWidget()
        self.week_details.setAccessibleName(_("Sessions of the chosen week"))
        # Two columns: the session's day and time lead its row (a third "When" column was
        # empty on every set's row and cut the set names short beside the chart).
        self.week_details.setHeaderLabels([_("Session / set"), _("Result")])
        self.week_details.setRootIsDecorated(True)
        header = self.week_details.header()
        header.setStretchLastSection(False)
        header.setSectionResizeMode(0, header.ResizeMode.Stretch)
        header.setSectionResizeMode(1, header.ResizeMode.ResizeToContents)
        self.week_details_hint = QLabel(
            _("Click a week in the chart (or use ← →) to list its sessions and sets here.")
        )
        self.week_details_hint.setWordWrap(True)
        self.week_details_hint.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.week_details_hint.setMargin(12)
        self.details_stack = QStackedWidget()
        self.details_stack.addWidget(self.week_details_hint)
        self.details_stack.addWidget(self.week_details)

        top = QHBoxLayout()
        top.addWidget(QLabel(_("&Metric:")))
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
        # The chosen week's sessions beside the chart, not under it: on a 1366 x 768 screen
        # the list gets the full height (30 rows) and the chart keeps its own. The user can
        # drag the handle; the window remembers it (layout_state).
        self.splitter = QSplitter(Qt.Orientation.Horizontal)
        self.splitter.addWidget(chart_box)
        self.splitter.addWidget(self.details_stack)
        self.splitter.setStretchFactor(0, 2)
        self.splitter.setStretchFactor(1, 1)
        self.splitter.setSizes([620, 380])  # until dragged: room for a set's line and result
        self.splitter.setChildrenCollapsible(False)
        self.details_stack.setMinimumWidth(self.fontMetrics().horizontalAdvance("M") * 18)
        chart_box.setMinimumWidth(self.fontMetrics().horizontalAdvance("M") * 30)
        self.tabs = QTabWidget()
        self.tabs.addTab(self.splitter, _("&Weekly volume"))
        self.tabs.addTab(self._build_test_tab(), _("Heel-rise &test"))
        self.tabs.currentChanged.connect(self._on_tab_changed)
        layout = QVBoxLayout(self)
        layout.addLayout(top)
        layout.addWidget(self.tabs, 1)

        self.metric_combo.currentIndexChanged.connect(lambda _i: self.refresh())
        self.per_leg_box.toggled.connect(lambda _on: self.refresh())
        self.range_buttons.idClicked.connect(self.set_range_preset)
        self.back_button.clicked.connect(self.close_requested)
        self._apply_colours()
        self.refresh()

    def _build_test_tab(self) -> QWidget:
        self.test_axis = CalendarAxis(orientation="bottom")
        self.test_plot = pg.PlotWidget(axisItems={"bottom": self.test_axis})
        self.test_plot.setAccessibleName(_("Heel-rise test results over time"))
        self.test_plot.setBackground(None)
        self.test_plot.setMouseEnabled(x=True, y=False)
        self.test_plot.getViewBox().setLimits(minXRange=4 * WEEK_S)
        self.test_legend = self.test_plot.addLegend(offset=(10, 10))
        # Two colours and two symbols: the legs differ without colour too.
        self.test_left = pg.PlotDataItem(
            pen=pg.mkPen(PALETTE[0], width=2), symbol="o", symbolBrush=PALETTE[0], name="Left"
        )
        self.test_right = pg.PlotDataItem(
            pen=pg.mkPen(PALETTE[5], width=2), symbol="s", symbolBrush=PALETTE[5], name="Right"
        )
        # The target: a dashed line named on the line itself and in the legend.
        self.test_target_line = pg.InfiniteLine(
            angle=0, label="target", labelOpts={"position": 0.98, "anchors": [(1, 1), (1, 1)]}
        )
        self.test_target_key = pg.PlotDataItem()  # the legend's sample of the line
        for item in (self.test_target_line, self.test_left, self.test_right):
            self.test_plot.addItem(item)
        self.test_legend.addItem(self.test_target_key, _("Target"))
        self.test_empty = QLabel(
            _(
                "No heel-rise test yet.\n\nRun the “Heel-rise endurance test” program every four "
                "weeks or so: each result appears here, left and right."
            )
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
        """Draw the heel-rise results per leg over time, with the target line, on calendar
        dates: at least eight weeks around the tests, so even one test has dated ticks."""
        points = self.test_points()
        self.test_stack.setCurrentWidget(self.test_plot if points else self.test_empty)
        self.test_axis.tz = self.table.tz
        for item, index in ((self.test_left, 1), (self.test_right, 2)):
            pairs = [(p[0].timestamp(), p[index]) for p in points if p[index] is not None]
            item.setData([x for x, _unused in pairs], [y for _unused, y in pairs])
        self.test_target_line.setValue(target)
        self.test_target_line.label.setFormat(_("target {target}").format(target=target))
        legend_label = self.test_legend.getLabel(self.test_target_key)
        if legend_label is not None:
            legend_label.setText(_("Target: {target} raises per leg").format(target=target))
        if points:
            first, last = points[0][0].timestamp(), points[-1][0].timestamp()
            middle, half = (first + last) / 2, max((last - first) / 2 + 2 * WEEK_S, 4 * WEEK_S)
            self.test_plot.setXRange(middle - half, middle + half, padding=0)
            counts = [n for p in points for n in p[1:] if n is not None]
            self.test_plot.setYRange(0, max([target, *counts]) * 1.15, padding=0)
            when, left, right = points[-1]
            legs = ", ".join(
                _("{leg} {reps}").format(leg=leg_word(leg), reps=reps)
                for leg, reps in (("left", left), ("right", right))
                if reps is not None
            )
            self.test_summary.setText(
                n_(
                    "{n} test; the last on {date}: {legs}.",
                    "{n} tests; the last on {date}: {legs}.",
                    len(points),
                ).format(
                    n=len(points),
                    date=format_date(
                        when.astimezone(self.table.tz), _("{day:02d} {month_short} {year}")
                    ),
                    legs=legs,
                )
            )
        else:
            self.test_summary.setText(" ")

    # ------------------------------------------------------------------ look and layout

    def _apply_colours(self) -> None:
        """Axes, text, the average line, the legends and the spike marks in the colours of
        the current theme (light or dark): called again when the palette changes."""
        palette = self.palette()
        dark = is_dark(palette)
        text = palette.color(QPalette.ColorRole.WindowText)
        self._outline = QColor("#ffffff" if dark else "#000000")
        for plot in (self.plot, self.test_plot):
            for side in ("left", "bottom"):
                axis = plot.getPlotItem().getAxis(side)
                axis.setPen(text)
                axis.setTextPen(text)
        base = QColor(palette.color(QPalette.ColorRole.Base))
        base.setAlpha(225)
        for legend in (self.legend, self.test_legend):
            legend.setBrush(base)
            legend.setPen(palette.color(QPalette.ColorRole.Mid))
            legend.setLabelTextColor(text)
            for _sample, label in legend.items:
                label.setText(label.text)  # the new colour only shows once the text is set
        # Solid: a dashed pen took 8 ms of each repaint over twenty years.
        self.rolling_line.setPen(pg.mkPen(text, width=2))
        target_pen = pg.mkPen(text, width=1.5, style=Qt.PenStyle.DashLine)
        self.test_target_line.setPen(target_pen)
        self.test_target_key.setPen(target_pen)
        self.test_target_line.label.setColor(text)
        for level, key in self.spike_keys.items():
            key.setBrush(pg.mkBrush(SPIKE_COLOURS[level]))
            key.setPen(pg.mkPen(self._outline, width=1))
        self.test_plot.setLabel("left", _("Raises per leg"))
        self.test_plot.setLabel("bottom", _("Date of the test"))
        if self.series is not None:
            self._show_spikes(self.series)

    def changeEvent(self, event: QEvent) -> None:
        super().changeEvent(event)
        if event.type() in (QEvent.Type.PaletteChange, QEvent.Type.ApplicationPaletteChange):
            self._apply_colours()

    @staticmethod
    def _spike_size(level: str) -> int:
        return 16 if level == "red" else 12

    def _on_tab_changed(self, index: int) -> None:
        """The metric, legs, range and CSV belong to the weekly volume; PNG exports the tab."""
        volume = index == 0
        for widget in (self.metric_combo, self.per_leg_box, self.csv_button):
            widget.setEnabled(volume and (widget is not self.csv_button or self._has_volume()))
        for button in self.range_buttons.buttons():
            button.setEnabled(volume)
        self.png_button.setEnabled(self._has_volume() if volume else bool(self.test_points()))

    def _has_volume(self) -> bool:
        return self.series is not None and not self.series.empty

    def layout_state(self) -> QByteArray:
        """Where the user left the handle between the chart and the session list."""
        return self.splitter.saveState()

    def restore_layout(self, state: object) -> None:
        """Put the handle back (anything that is not a saved state is ignored)."""
        if isinstance(state, QByteArray | bytes):
            self.splitter.restoreState(QByteArray(state))

    # ------------------------------------------------------------------ data

    @property
    def metric(self) -> str:
        return str(self.metric_combo.currentData())

    @property
    def weight_unit(self) -> str:
        return self._weight_unit

    @weight_unit.setter
    def weight_unit(self, unit: str) -> None:
        """Loads in "kg" or "lb" (Settings): the chart, the readout, the list and the CSV."""
        if unit not in ("kg", "lb"):
            raise ValueError(f"unknown weight unit {unit!r}; expected 'kg' or 'lb'")
        if unit == self._weight_unit:
            return
        self._weight_unit = unit
        self.metric_combo.setItemText(self.metric_combo.findData("load"), metric_name("load", unit))
        self.refresh()
        if self.selected_week is not None:
            self.select_week(self.selected_week)

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

    def show_prepared(self, prepared: PreparedHistory, *, test_target: int = 25) -> None:
        """Show a history prepared on a worker thread (``prepare_history``): like
        ``set_history``, without its cost. The chosen week stays chosen when older weeks
        arrive in front of it."""
        chosen = (
            self.series.weeks[self.selected_week]
            if self.series is not None and self.selected_week is not None
            else None
        )
        self._all_sessions = prepared.sessions
        self._sessions = {s["id"]: s for s in prepared.sessions}
        self.table = prepared.table
        self._spikes = dict(prepared.spikes)
        self.selected_week = None
        self.refresh()
        self.set_range_preset(self.range_buttons.checkedId())
        self.show_tests(test_target)
        if chosen is not None and self.series is not None and chosen in self.series.weeks:
            self.select_week(self.series.weeks.index(chosen))
        elif chosen is not None:
            self.select_week(None)

    def add_spikes(self, sessions: Sequence[Mapping[str, Any]], found: Mapping[str, Any]) -> None:
        """Keep spikes found elsewhere (``find_spikes``) for ``sessions``, if those are still
        the ones shown, so switching to their metric costs no search."""
        if sessions is self._all_sessions:
            for metric, marks in found.items():
                self._spikes.setdefault(metric, marks)

    def spikes_for(self, metric: str) -> list[Spike]:
        if metric not in self._spikes:
            self._spikes[metric] = spikes(self._all_sessions, metric)
        return self._spikes[metric]

    def refresh(self) -> None:
        """Redraw for the current metric and leg view: the items are updated in place."""
        metric, per_leg, unit = self.metric, self.per_leg_box.isChecked(), self._weight_unit
        series = self.table.series(metric, per_leg=per_leg)
        self.series = series
        tz = self.table.tz
        self.axis.tz = tz
        self.chart_stack.setCurrentWidget(self.empty_label if series.empty else self.plot)
        self._on_tab_changed(self.tabs.currentIndex())
        self.plot.setLabel("left", metric_name(metric, unit))
        self._week_starts = [week_start_x(w, tz) for w in series.weeks]
        xs = [week_x(w, tz) for w in series.weeks]
        scale = display_amount(1.0, metric, unit)  # stored amounts to the unit shown
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
                    self.legend.addItem(item, exercise_name(exercise_id))  # shown: translated
            else:
                item.setOpts(**opts)
            bottoms[leg] = [b + h for b, h in zip(y0, heights, strict=True)]
        rolling = [v * scale for v in series.rolling]
        if per_leg:
            rolling = [v / 2 for v in rolling]  # per leg: the average leg's week
        self.rolling_line.setData(xs, rolling)
        self._week_tops = [
            max(parts)
            for parts in zip(bottoms[""], bottoms["left"], bottoms["right"], rolling, strict=True)
        ]
        self._show_spikes(series)
        self._update_legend_keys(per_leg)
        self._fit_y_to_view()
        if self.selected_week is not None and self.selected_week >= len(xs):
            self.selected_week = None
        self.hover_label.setText(
            self.week_text(self.selected_week) if self.selected_week is not None else " "
        )

    def _fit_y_to_view(self, *_args: object) -> None:
        """The value axis from 0 to the tallest bar or average of the weeks in view, after
        every metric, leg, range, pan or zoom (the exported PNG is this same view)."""
        if self._fitting_y:
            return
        (x0, x1), _unused = self.plot.viewRange()
        # Weeks that overlap the view, even in part.
        lo = max(0, bisect_right(self._week_starts, x0) - 1)
        hi = bisect_left(self._week_starts, x1)
        top = max(self._week_tops[lo:hi], default=0.0)
        self._fitting_y = True
        try:
            self.plot.setYRange(0, (top if top > 0 else 1.0) * Y_HEADROOM, padding=0)
        finally:
            self._fitting_y = False

    def _update_guide_lines(self, *_args: object) -> None:
        (x0, x1), (y0, y1) = self.plot.viewRange()
        axis = self.plot.getPlotItem().getAxis("left")
        levels = axis.tickValues(y0, y1, max(1.0, self.plot.getViewBox().height()))
        ys = [y for y in (levels[0][1] if levels else []) if y0 <= y <= y1]
        xs = [v for _unused in ys for v in (x0, x1)]
        self.guide_lines.setData(xs, [y for y in ys for _unused in (0, 1)])

    def _fit_legend(self, *_args: object) -> None:
        """As many legend columns (up to three) as the plot's width holds."""
        entries = self.legend.items
        if not entries:
            return
        widest = max(sample.width() + label.minimumWidth() + 12 for sample, label in entries)
        columns = max(1, min(3, int(self.plot.getViewBox().width() // widest)))
        self.legend.setColumnCount(columns)

    def _update_legend_keys(self, per_leg: bool) -> None:
        """Explain the two bar shades per leg and each kind of spike mark, only when shown."""
        for item in (self.leg_key, *self.spike_keys.values()):
            self.legend.removeItem(item)
        if per_leg:
            self.legend.addItem(self.leg_key, _("Left: full colour · right: light"))
        levels = {spot.data().level for spot in self.spike_marks.points()}
        for level, ratio in (("amber", SPIKE_AMBER), ("red", SPIKE_RED)):
            if level in levels:
                self.legend.addItem(
                    self.spike_keys[level],
                    _("Session over {value:.0f} % of the 30-day largest").format(value=ratio * 100),
                )
        self._fit_legend()

    def _show_spikes(self, series: WeekSeries) -> None:
        if series.empty:
            self.spike_marks.setData([])
            return
        index = {w: i for i, w in enumerate(series.weeks)}
        scale = display_amount(1.0, series.metric, self._weight_unit)
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
                    "pos": (week_x(week, self.table.tz), tops[i] * 1.04 + 1e-9),
                    "brush": pg.mkBrush(SPIKE_COLOURS[spike.level]),
                    "pen": pg.mkPen(self._outline, width=1),
                    "symbol": spike_symbol(spike.level),
                    "size": self._spike_size(spike.level),
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
        tz = self.table.tz
        last = week_start_x(series.weeks[-1] + timedelta(weeks=1), tz)
        if self._range_weeks is None:
            first = week_start_x(series.weeks[0], tz)
        else:
            first = week_start_x(series.weeks[-1] - timedelta(weeks=self._range_weeks - 1), tz)
        self.plot.setXRange(first, last, padding=0.02)
        self._fit_y_to_view()

    def visible_weeks(self) -> list[int]:
        """Indices into ``series.weeks`` of the weeks in view."""
        if self.series is None:
            return []
        (x0, x1), _unused = self.plot.viewRange()
        tz = self.table.tz
        return [i for i, w in enumerate(self.series.weeks) if x0 <= week_x(w, tz) <= x1]

    # ------------------------------------------------------------------ reading a week

    @property
    def bars(self) -> Mapping[Any, pg.BarGraphItem]:
        """The bar items drawn now, by exercise (or exercise and leg): made once and given
        new data on every change, never rebuilt."""
        return MappingProxyType(self._bars)

    def week_index_at(self, x: float) -> int | None:
        """The week under ``x`` by its calendar date in the history's time zone."""
        series = self.series
        if series is None or not series.weeks:
            return None
        day = day_of(x, self.table.tz)
        if day is None:
            return None
        i = (day - series.weeks[0]).days // 7
        return i if 0 <= i < len(series.weeks) else None

    def week_text(self, i: int) -> str:
        """The exact numbers of week ``i``, as shown under the chart and read out."""
        series = self.series
        if series is None:
            raise RuntimeError("internal error: a week's numbers without a chart")
        metric, week, weight = series.metric, series.weeks[i], self._weight_unit
        unit = metric_unit(metric, weight)

        def amount(value: float) -> str:
            return shown_amount(value, metric, weight)

        iso_year, iso_week, _unused = week.isocalendar()
        head = _("Week {week} of {year} (from {date}): ").format(
            week=iso_week,
            year=iso_year,
            date=format_date(week, _("{weekday_short} {day:02d} {month_short} {year}")),
        )
        if series.per_leg:
            # Per leg a two-leg set counts for each leg: a sum of both would count it twice.
            left, right = series.leg_totals["left"][i], series.leg_totals["right"][i]
            head += _("left {left}, right {right} {unit}").format(
                left=amount(left), right=amount(right), unit=unit
            )
        else:
            head += _("{amount} {unit}").format(amount=amount(series.totals[i]), unit=unit)
        change = series.change[i]
        if change is not None:
            sign = "+" if change >= 0 else "-"
            head += _(", {change} on the week before").format(
                change=sign + format_percent(abs(change))
            )
        if series.per_leg:
            head += _("; 4-week average {amount} per leg.").format(
                amount=amount(series.rolling[i] / 2)
            )
        else:
            head += _("; 4-week average {amount}.").format(amount=amount(series.rolling[i]))
        parts = []
        for key, values in series.stacks.items():
            if values[i]:
                exercise_id, leg = key if isinstance(key, tuple) else (key, "")
                name = exercise_name(exercise_id)
                if leg:
                    name = _("{name} ({leg})").format(name=name, leg=leg_word(leg))
                parts.append(_("{name} {amount}").format(name=name, amount=amount(values[i])))
        text = head + (
            " " + _("{items}.").format(items=", ".join(parts)) if parts else _(" Nothing recorded.")
        )
        return text + self._spike_text(week)

    def _spike_text(self, week: date) -> str:
        """The marked sessions of ``week`` in words: the mark's meaning without its colour."""
        series = self.series
        if series is None:
            return ""
        tz = self.table.tz
        found = [s for s in self.spikes_for(series.metric) if monday_of(s.started_at, tz) == week]
        return "".join(
            (
                _(
                    " Marked red: the session of {date}, {ratio} of the largest in the 30 "
                    "days before."
                )
                if s.level == "red"
                else _(
                    " Marked: the session of {date}, {ratio} of the largest in the 30 days before."
                )
            ).format(
                date=format_date(
                    s.started_at.astimezone(tz), _("{weekday_short} {day:02d} {month_short}")
                ),
                ratio=format_percent(s.ratio),
            )
            for s in found
        )

    def select_week(self, i: int | None) -> None:
        """Show week ``i``'s numbers and list its sessions and sets."""
        self.selected_week = i
        self.week_details.clear()
        if i is None or self.series is None:
            self.hover_label.setText(" ")
            self.details_stack.setCurrentWidget(self.week_details_hint)
            return
        self.details_stack.setCurrentWidget(self.week_details)
        self.hover_label.setText(self.week_text(i))
        for session_id in self.table.session_ids(self.series.weeks[i]):
            session = self._sessions.get(session_id)
            if session is None:
                continue
            start = parse_instant(session["started_at"]).astimezone(self.table.tz)
            count = len(session["sets"])
            when = format_date(
                start, _("{weekday_short} {day:02d} {month_short} {hour:02d}:{minute:02d}")
            )
            node = QTreeWidgetItem(
                [
                    _("{when} · {program}").format(
                        when=when, program=program_display_name(session)
                    ),
                    sets_text(count),
                ]
            )
            for s in session["sets"]:
                name = _("{exercise}, set {number}").format(
                    exercise=exercise_name(s["exercise"]), number=s["set"]
                )
                if s["side"] != "both":
                    name = _("{set}, {leg}").format(set=name, leg=leg_word(s["side"]))
                if s["mode"] == "time":
                    result = _("{done} of {planned} s")
                elif s["mode"] == "distance":
                    result = _("{done} of {planned} m")
                else:
                    result = _("{done} of {planned} reps")
                result = result.format(done=s["done"], planned=s["planned"])
                if s["load_kg"]:
                    result = _("{result} @ {load}").format(
                        result=result, load=format_load(s["load_kg"], self._weight_unit)
                    )
                node.addChild(QTreeWidgetItem([name, result]))
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
        """The chart of the tab shown, as shown, legend included, at the screen's resolution."""
        plot = self.test_plot if self.tabs.currentIndex() == 1 else self.plot
        if not plot.grab().save(str(path), "PNG"):
            raise OSError(f"{path}: could not be written")

    def export_csv(self, path: Path) -> None:
        """One row per week in view: every series shown, the total, the 4-week average and
        the change on the week before. The numbers shown, so loads are in the user's unit,
        named in every column heading; the full backup (``calftimer export``) keeps kg."""
        series = self.series
        if series is None:
            raise RuntimeError("internal error: a CSV export without a chart")
        metric, weight = series.metric, self._weight_unit
        keys = list(series.stacks)

        # A file for spreadsheets: the same words and numbers in every language.
        def column(key: Any) -> str:
            exercise_id, leg = key if isinstance(key, tuple) else (key, "")
            return exercise_name(exercise_id, english=True) + (f" ({leg})" if leg else "")

        with path.open("w", newline="", encoding="utf-8") as out:
            writer = csv.writer(out)
            unit = metric_unit(metric, weight, english=True)
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
                iso_year, iso_week, _unused = week.isocalendar()
                change = series.change[i]
                writer.writerow(
                    [
                        f"{iso_year}-W{iso_week:02d}",
                        week.isoformat(),
                        *(
                            format_amount(series.stacks[k][i], metric, weight).replace(",", "")
                            for k in keys
                        ),
                        format_amount(series.totals[i], metric, weight).replace(",", ""),
                        format_amount(
                            series.rolling[i] / (2 if series.per_leg else 1), metric, weight
                        ).replace(",", ""),
                        "" if change is None else f"{change:+.1%}",
                    ]
                )
