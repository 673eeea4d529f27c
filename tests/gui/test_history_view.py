"""The history chart: its items hold the right numbers after every change, the week readout,
ranges, per-leg bars, spikes, the chosen week's sessions, exports and the empty state."""

from __future__ import annotations

import csv
from datetime import date, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from PySide6.QtCore import QEvent, QPoint, QPointF, QRect, Qt
from PySide6.QtGui import QColor, QImage, QMouseEvent
from PySide6.QtWidgets import QApplication

from calftimer.core.programs import BUILTIN_BY_ID
from calftimer.gui.history_view import PALETTE, WEEK_S, HistoryView, week_x
from calftimer.gui.main_window import MainWindow
from tests.core.test_volume import a_session, a_set

UTC = ZoneInfo("UTC")
FIRST = date(2026, 8, 3)  # a Monday


def weeks_of_training(count: int = 20) -> list[dict]:
    """Two sessions a week, growing; week 10 is empty; a single-leg set every session."""
    sessions = []
    for week in range(count):
        if week == 10:
            continue
        for day in (0, 3):
            start = datetime.combine(FIRST + timedelta(weeks=week, days=day), datetime.min.time())
            sessions.append(
                a_session(
                    start.replace(hour=7, tzinfo=UTC).isoformat(),
                    a_set("double_leg_calf_raise", done=10 + week),
                    a_set("single_leg_calf_raise", done=8, side="left", load_kg=5.0),
                    a_set("single_leg_calf_raise", done=6, side="right", load_kg=5.0),
                )
            )
    sessions.append(
        a_session("2026-12-17T07:00:00+00:00", *[a_set("soleus_squat", done=40)] * 3)
    )  # a spike
    return sessions


@pytest.fixture
def view(qtbot) -> HistoryView:
    v = HistoryView()
    qtbot.addWidget(v)
    v.resize(1000, 600)
    v.show()
    v.set_history(weeks_of_training(), UTC)
    return v


def bars(v: HistoryView) -> dict:
    return {key: item.opts for key, item in v.bars.items()}


def test_the_bars_hold_each_exercise_stacked_week_by_week(view: HistoryView) -> None:
    series = view.series
    assert series.weeks[0] == FIRST and len(series.weeks) == 20
    opts = bars(view)
    assert set(opts) == {"double_leg_calf_raise", "single_leg_calf_raise", "soleus_squat"}
    double = opts["double_leg_calf_raise"]
    assert list(double["height"][:3]) == [20, 22, 24]  # two sessions a week, one more rep each
    assert double["height"][10] == 0  # the empty week stays a week
    single = opts["single_leg_calf_raise"]
    assert list(single["y0"][:3]) == [20, 22, 24]  # stacked on the double-leg raises
    assert list(single["height"][:3]) == [28, 28, 28]
    assert list(double["x"][:2]) == [week_x(FIRST), week_x(FIRST) + WEEK_S]


def test_switching_metric_updates_the_same_items_in_place(view: HistoryView) -> None:
    items = dict(view.bars)
    view.metric_combo.setCurrentIndex(view.metric_combo.findData("load"))
    assert view.bars["single_leg_calf_raise"] is items["single_leg_calf_raise"]
    assert list(view.bars["single_leg_calf_raise"].opts["height"][:1]) == [2 * 14 * 5.0]
    assert "double_leg_calf_raise" not in view.bars  # no load, no bar
    assert view.plot.getPlotItem().getAxis("left").labelText == "Load volume (kg × reps)"
    view.metric_combo.setCurrentIndex(view.metric_combo.findData("tut"))
    assert list(view.bars["double_leg_calf_raise"].opts["height"][:1]) == [20 * 5 / 60]  # min


def test_per_leg_shows_left_and_right_side_by_side(view: HistoryView) -> None:
    view.per_leg_box.setChecked(True)
    opts = bars(view)
    left, right = opts[("single_leg_calf_raise", "left")], opts[("single_leg_calf_raise", "right")]
    assert list(left["height"][:1]) == [16] and list(right["height"][:1]) == [12]
    assert left["x"][0] < week_x(FIRST) < right["x"][0]
    # A two-leg rep counts for both legs, under each leg's single-leg bar.
    assert list(opts[("double_leg_calf_raise", "left")]["height"][:1]) == [20]
    assert list(right["y0"][:1]) == [20]
    assert "left 36, right 32" in view.week_text(0)


def test_the_week_readout_has_the_exact_numbers(view: HistoryView) -> None:
    text = view.week_text(1)
    assert text.startswith("Week 33 of 2026 (from Mon 10 Aug 2026): 50 reps")
    assert "+4% on the week before" in text  # 48 -> 50
    assert "4-week average 49" in text
    assert "Double-leg calf raise 22" in text and "Single-leg calf raise 28" in text
    assert "Nothing recorded" in view.week_text(10)


def test_hovering_a_week_shows_its_numbers(qtbot, monkeypatch, view: HistoryView) -> None:
    import pyqtgraph as pg

    monkeypatch.setitem(pg.CONFIG_OPTIONS, "mouseRateLimit", 0)  # see the DST test below
    view.set_range_preset(3)  # all
    view.resize(1200, 600)
    view.show()
    qtbot.waitExposed(view)
    box = view.plot.getViewBox()
    pixel = view.plot.mapFromScene(box.mapViewToScene(box.mapToView(box.rect().center())))
    target = view.week_index_at(box.mapSceneToView(view.plot.mapToScene(pixel)).x())
    assert target is not None
    move_pointer_to(view, pixel)
    assert view.hover_label.text() == view.week_text(target)


def move_pointer_to(view: HistoryView, pixel: QPoint) -> None:
    """The pointer comes to rest over ``pixel`` of the chart (a real mouse-move event)."""
    move = QMouseEvent(
        QEvent.Type.MouseMove,
        QPointF(pixel),
        QPointF(view.plot.viewport().mapToGlobal(pixel)),
        Qt.MouseButton.NoButton,
        Qt.MouseButton.NoButton,
        Qt.KeyboardModifier.NoModifier,
    )
    QApplication.sendEvent(view.plot.viewport(), move)


def test_range_presets_show_the_last_weeks_and_everything(view: HistoryView) -> None:
    view.set_range_preset(0)
    assert len(view.visible_weeks()) == 12
    assert view.visible_weeks()[-1] == len(view.series.weeks) - 1
    view.set_range_preset(3)
    assert len(view.visible_weeks()) == len(view.series.weeks)
    assert view.range_buttons.checkedId() == 3


def test_a_spike_is_marked_above_its_week(view: HistoryView) -> None:
    spots = view.spike_marks.data
    assert len(spots) == 1
    spike = spots[0]["data"]
    assert spike.level == "red" and spike.value == 120
    assert spots[0]["x"] == week_x(date(2026, 12, 14))


def test_choosing_a_week_lists_its_sessions_and_sets(qtbot, view: HistoryView) -> None:
    view.select_week(0)
    tree = view.week_details
    assert tree.topLevelItemCount() == 2
    first = tree.topLevelItem(0)
    assert first.text(1) == "3 sets" and first.childCount() == 3
    assert first.child(1).text(0) == "Single-leg calf raise, set 1, left"
    assert first.child(1).text(1) == "8 of 8 reps @ 5 kg"
    view.setFocus()
    qtbot.keyClick(view, Qt.Key.Key_Right)
    assert view.selected_week == 1 and tree.topLevelItemCount() == 2


def test_png_export_is_the_chart_at_its_size(tmp_path: Path, view: HistoryView) -> None:
    target = tmp_path / "chart.png"
    view.export_png(target)
    image = QImage(str(target))
    ratio = view.plot.devicePixelRatioF()
    assert (image.width(), image.height()) == (
        round(view.plot.width() * ratio),
        round(view.plot.height() * ratio),
    )
    colours = {
        image.pixel(x, y) for x in range(0, image.width(), 7) for y in range(0, image.height(), 7)
    }
    assert len(colours) > 5  # bars, axes and text: not a blank image


def test_csv_export_is_the_visible_weeks(tmp_path: Path, view: HistoryView) -> None:
    view.set_range_preset(0)
    target = tmp_path / "weeks.csv"
    view.export_csv(target)
    rows = list(csv.reader(target.open(encoding="utf-8")))
    assert rows[0][:3] == ["Week", "Monday", "Double-leg calf raise (reps)"]
    assert rows[0][-3:] == ["Total (reps)", "4-week average (reps)", "Change on week before"]
    assert len(rows) == 1 + 12
    assert rows[-1][0] == "2026-W51" and rows[-1][1] == "2026-12-14"


def test_an_empty_history_says_what_will_appear(qtbot) -> None:
    v = HistoryView()
    qtbot.addWidget(v)
    v.set_history([], UTC)
    assert v.chart_stack.currentWidget() is v.empty_label
    assert "No training recorded yet" in v.empty_label.text()
    assert not v.png_button.isEnabled() and not v.csv_button.isEnabled()


# ------------------------------------------------------------------ in the window


def test_ctrl_h_opens_the_history_and_esc_goes_back(qtbot, window: MainWindow) -> None:
    window.show()
    qtbot.waitExposed(window)
    window.window_actions["show_history"].trigger()
    assert window.stack.currentWidget() is window.history.view
    assert window.history.view.chart_stack.currentWidget() is window.history.view.empty_label
    window.window_actions["escape"].trigger()
    assert window.stack.currentWidget() is window.home


def test_no_history_while_training(window: MainWindow) -> None:
    window.session.start(BUILTIN_BY_ID["isometric"])
    window.history.show()
    assert window.stack.currentWidget() is window.session_view
    assert "Finish or stop the session" in window.statusBar().currentMessage()


def test_the_heel_rise_trend_has_a_line_per_leg_and_the_target(qtbot) -> None:
    first, second = a_session("2026-09-01T07:00:00+00:00"), a_session("2026-10-01T07:00:00+00:00")
    first["tests"] = [
        {
            "id": "t1",
            "left_reps": 22,
            "right_reps": 26,
            "heel_height_cm": None,
            "recorded_at": "2026-09-01T07:30:00+00:00",
        }
    ]
    second["tests"] = [
        {
            "id": "t2",
            "left_reps": 25,
            "right_reps": None,
            "heel_height_cm": None,
            "recorded_at": "2026-10-01T07:30:00+00:00",
        }
    ]
    v = HistoryView()
    qtbot.addWidget(v)
    v.set_history([second, first], UTC, test_target=30)
    assert v.test_stack.currentWidget() is v.test_plot
    xs, ys = v.test_left.getData()
    assert list(ys) == [22, 25] and xs[0] < xs[1]  # oldest first
    assert list(v.test_right.getData()[1]) == [26]  # a test of one leg adds only that leg
    assert v.test_target_line.value() == 30
    assert v.test_summary.text() == "2 tests; the last on 01 Oct 2026: left 25."
    v.set_history([], UTC)
    assert v.test_stack.currentWidget() is v.test_empty


# ------------------------------------------------------------------ axes, units, list, colours


def y_top(v: HistoryView) -> float:
    return v.plot.viewRange()[1][1]


def tallest_in_view(v: HistoryView) -> float:
    """The top of the tallest bar or average point whose week is in view, read from the
    plot's items (what is drawn), not from the view's own bookkeeping."""
    (x0, x1), _ = v.plot.viewRange()
    tops = [
        y0 + h
        for item in v.bars.values()
        for x, y0, h in zip(item.opts["x"], item.opts["y0"], item.opts["height"], strict=True)
        if x0 <= x <= x1
    ]
    xs, ys = v.rolling_line.getData()
    tops += [y for x, y in zip(xs, ys, strict=True) if x0 <= x <= x1]
    return max(tops)


def test_the_value_axis_follows_the_data_in_view_after_each_switch(view: HistoryView) -> None:
    def fits() -> bool:
        tallest = tallest_in_view(view)
        return tallest <= y_top(view) <= tallest * 1.25

    assert fits()
    reps_top = y_top(view)
    view.metric_combo.setCurrentIndex(view.metric_combo.findData("tut"))  # minutes: far smaller
    assert fits() and y_top(view) < reps_top / 10
    view.metric_combo.setCurrentIndex(view.metric_combo.findData("reps"))
    assert fits() and y_top(view) == pytest.approx(reps_top)
    view.per_leg_box.setChecked(True)  # one leg's bar is lower than both legs' stack
    assert fits() and y_top(view) < reps_top
    view.per_leg_box.setChecked(False)
    view.set_range_preset(3)
    view.set_range_preset(0)
    assert fits()
    # No auto-range button to put the scale of the whole history back.
    assert view.plot.getPlotItem().buttonsHidden


def test_the_value_axis_shrinks_to_a_quieter_range_and_when_panning(qtbot) -> None:
    # A heavy first month, then light weeks: the last 12 weeks must not keep the heavy scale.
    sessions = [
        a_session(
            datetime.combine(FIRST + timedelta(weeks=w), datetime.min.time())
            .replace(hour=7, tzinfo=UTC)
            .isoformat(),
            a_set("double_leg_calf_raise", done=200 if w < 4 else 20),
        )
        for w in range(30)
    ]
    v = HistoryView()
    qtbot.addWidget(v)
    v.resize(1000, 600)
    v.show()
    v.set_history(sessions, UTC)
    v.set_range_preset(3)  # all: the heavy weeks set the scale
    assert 200 <= y_top(v) <= 250
    v.set_range_preset(0)  # the last 12 weeks: 20 reps each
    assert 20 <= y_top(v) <= 25
    v.plot.setXRange(week_x(FIRST) - WEEK_S, week_x(FIRST) + 6 * WEEK_S, padding=0)  # pan back
    assert 200 <= y_top(v) <= 250


def test_the_exported_png_has_the_switched_metric_on_its_own_scale(
    qtbot, tmp_path: Path, view: HistoryView
) -> None:
    box = view.plot.getViewBox()

    def plot_area() -> QRect:
        return view.plot.mapFromScene(box.sceneBoundingRect()).boundingRect()

    # Laid out at its size (a pixel of rounding either way).
    qtbot.waitUntil(lambda: view.plot.rect().adjusted(-1, -1, 1, 1).contains(plot_area()))
    view.export_png(tmp_path / "reps.png")  # the reps chart is drawn (and exported) first
    view.metric_combo.setCurrentIndex(view.metric_combo.findData("tut"))
    target = tmp_path / "tut.png"
    view.export_png(target)
    image = QImage(str(target))
    # The column of pixels through the middle of the tallest week's bar, in the plot area.
    area = plot_area()
    assert area.height() > 300
    tallest = max(range(len(view.series.weeks)), key=lambda i: view.series.totals[i])
    middle = QPointF(week_x(view.series.weeks[tallest]), 0)
    column = view.plot.mapFromScene(box.mapViewToScene(middle)).x()
    colours = {QColor(c).rgb() for c in PALETTE[:3]}  # the bars' colours (drawn without blending)
    rows = [y for y in range(area.top(), area.bottom()) if image.pixel(column, y) in colours]
    assert rows, "no bar drawn"
    # The tallest bar reaches into the top fifth of the plot: the axis was not left at the
    # reps' scale (1.4 min drawn on a 0-80 axis).
    assert min(rows) - area.top() < area.height() * 0.2


def test_loads_follow_the_weight_unit_in_chart_readout_list_and_csv(
    tmp_path: Path, view: HistoryView
) -> None:
    view.metric_combo.setCurrentIndex(view.metric_combo.findData("load"))
    kg_height = view.bars["single_leg_calf_raise"].opts["height"][0]
    assert kg_height == 2 * 14 * 5.0
    view.weight_unit = "lb"
    assert view.metric_combo.currentText() == "Load volume (lb × reps)"
    assert view.plot.getPlotItem().getAxis("left").labelText == "Load volume (lb × reps)"
    lb_height = view.bars["single_leg_calf_raise"].opts["height"][0]
    assert lb_height == pytest.approx(kg_height / 0.45359237)
    assert y_top(view) >= tallest_in_view(view)
    view.select_week(0)
    assert "308.6 lb × reps" in view.hover_label.text()  # 140 kg x reps
    assert "kg" not in view.hover_label.text()
    single = view.week_details.topLevelItem(0).child(1)
    assert single.text(1) == "8 of 8 reps @ 11 lb"  # 5 kg, shown by the shared formatter
    target = tmp_path / "load.csv"
    view.set_range_preset(3)
    view.export_csv(target)
    rows = list(csv.reader(target.open(encoding="utf-8")))
    assert rows[0][2] == "Single-leg calf raise (lb × reps)"
    assert rows[1][2] == "308.6"
    view.weight_unit = "kg"
    view.select_week(0)
    assert "140.0 kg × reps" in view.hover_label.text()
    assert view.week_details.topLevelItem(0).child(1).text(1) == "8 of 8 reps @ 5 kg"


def test_the_window_gives_the_history_the_unit_from_settings(window: MainWindow) -> None:
    from dataclasses import replace

    window.apply_settings(replace(window.settings_hub.current, weight_unit="lb"))
    window.history.show()
    assert window.history.view.weight_unit == "lb"
    window.apply_settings(replace(window.settings_hub.current, weight_unit="kg"))
    assert window.history.view.weight_unit == "kg"
    assert window.history.view.metric_combo.itemText(2) == "Load volume (kg × reps)"


def test_the_session_list_shows_many_rows_beside_a_full_chart_at_1366_by_768(
    qtbot, window: MainWindow
) -> None:
    window.resize(1366, 768 - 32 - 30)  # a laptop screen less a panel and the title bar
    window.show()
    qtbot.waitExposed(window)
    window.history.show()
    history = window.history.view
    history.set_history(weeks_of_training(), UTC)
    assert history.details_stack.currentWidget() is history.week_details_hint
    history.select_week(3)
    tree = history.week_details
    assert history.details_stack.currentWidget() is tree
    qtbot.waitUntil(lambda: tree.viewport().height() > 0)
    row = tree.visualItemRect(tree.topLevelItem(0)).height()
    assert tree.viewport().height() // row >= 25  # every set of a busy week, at a glance
    assert history.plot.height() >= 450 and history.plot.width() >= 750
    # A set's line and its result are not cut short.
    child = tree.topLevelItem(0).child(1)
    metrics = tree.fontMetrics()
    assert tree.columnWidth(0) >= metrics.horizontalAdvance(child.text(0)) + tree.indentation()
    assert tree.columnWidth(1) >= metrics.horizontalAdvance(child.text(1))


def test_the_split_between_chart_and_list_comes_back_next_start(
    qtbot, window: MainWindow, make_window
) -> None:
    window.resize(1200, 700)
    window.show()
    qtbot.waitExposed(window)
    window.history.show()
    window.history.view.splitter.setSizes([500, 650])
    sizes = window.history.view.splitter.sizes()
    window.close()
    again = make_window(size=(1200, 700), show=True)  # the next start, on the same data folder
    again.history.show()
    assert again.history.view.splitter.sizes() == sizes


def one_test(when: str, left: int | None, right: int | None) -> dict:
    session = a_session(when)
    session["tests"] = [
        {
            "id": when,
            "left_reps": left,
            "right_reps": right,
            "heel_height_cm": None,
            "recorded_at": when,
        }
    ]
    return session


def tick_labels(plot, axis) -> list[str]:
    (x0, x1), _ = plot.viewRange()
    labels = []
    for _spacing, values in axis.tickValues(x0, x1, axis.width() or plot.width()):
        labels += axis.tickStrings(values, 1.0, 1.0)
    return labels


def test_the_heel_rise_chart_has_dates_axis_titles_and_a_named_target(qtbot) -> None:
    v = HistoryView()
    qtbot.addWidget(v)
    v.resize(1000, 600)
    v.show()
    v.tabs.setCurrentIndex(1)
    # One test, low counts: dates still show, and the target line is in view and named.
    v.set_history([one_test("2026-09-10T07:30:00+00:00", 8, 10)], UTC, test_target=30)
    labels = tick_labels(v.test_plot, v.test_axis)
    assert any(label.endswith(" 2026") for label in labels)  # the first date names its year
    assert any(label[:2].isdigit() for label in labels)  # days of the month: "14 Sep"
    item = v.test_plot.getPlotItem()
    assert item.getAxis("bottom").labelText == "Date of the test"
    assert "x1e" not in item.getAxis("bottom").labelString()
    assert item.getAxis("left").labelText == "Raises per leg"
    (x0, x1), (y0, y1) = v.test_plot.viewRange()
    assert y0 <= 0 and y1 > 30  # the target 30 is in view above results of 8 and 10
    assert x0 < datetime(2026, 9, 10, tzinfo=UTC).timestamp() < x1
    assert v.test_target_line.label.toPlainText() == "target 30"
    legend = [label.text for _sample, label in v.test_legend.items]
    assert "Target: 30 raises per leg" in legend
    v.set_history([one_test("2026-09-10T07:30:00+00:00", 8, 10)], UTC, test_target=25)
    assert v.test_target_line.label.toPlainText() == "target 25"
    assert "Target: 25 raises per leg" in [label.text for _s, label in v.test_legend.items]
    # On this tab the export is this chart, and the weekly controls step aside.
    assert v.png_button.isEnabled() and not v.metric_combo.isEnabled()


# Colour-vision deficiency simulation (Machado, Oliveira and Fernandes 2009, severity 1),
# applied to linear RGB.
CVD = {
    "protan": ((0.152286, 1.052583, -0.204868), (0.114503, 0.786281, 0.099216),
               (-0.003882, -0.048116, 1.051998)),
    "deutan": ((0.367322, 0.860646, -0.227968), (0.280085, 0.672501, 0.047413),
               (-0.011820, 0.042940, 0.968881)),
    "tritan": ((1.255528, -0.076749, -0.178779), (-0.078411, 0.930809, 0.147602),
               (0.004733, 0.691367, 0.303900)),
}  # fmt: skip


def linear(colour: QColor) -> tuple[float, float, float]:
    def channel(c: float) -> float:
        return c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4

    return channel(colour.redF()), channel(colour.greenF()), channel(colour.blueF())


def seen_luminance(colour: QColor, matrix=None) -> float:
    rgb = linear(colour)
    if matrix is not None:
        rgb = tuple(min(1.0, max(0.0, sum(m * c for m, c in zip(row, rgb, strict=True))))
                    for row in matrix)  # fmt: skip
    return 0.2126 * rgb[0] + 0.7152 * rgb[1] + 0.0722 * rgb[2]


def ratio(a: float, b: float) -> float:
    return (max(a, b) + 0.05) / (min(a, b) + 0.05)


def spiky_history() -> list[dict]:
    """Weekly sessions of 100 reps; one of 120 (amber, over 110 %), later one of 200 (red)."""
    sessions = []
    for week in range(12):
        done = {5: 120, 9: 200}.get(week, 100)
        when = datetime.combine(FIRST + timedelta(weeks=week), datetime.min.time())
        sessions.append(a_session(when.replace(hour=7, tzinfo=UTC).isoformat(), a_set(done=done)))
    return sessions


@pytest.mark.parametrize("theme", ["light", "dark"])
def test_spike_marks_are_red_and_amber_told_apart_by_shape_too(qtbot, theme: str) -> None:
    from calftimer.gui.theme import contrast_ratio, theme_palette

    v = HistoryView()
    qtbot.addWidget(v)
    v.setPalette(theme_palette(theme))
    v.resize(1000, 600)
    v.show()
    v.set_history(spiky_history(), UTC)
    marks = {spot.data().level: spot for spot in v.spike_marks.points()}
    assert set(marks) == {"amber", "red"}
    red, amber = (marks[level].brush().color() for level in ("red", "amber"))
    assert red.hslHue() <= 8 or red.hslHue() >= 352  # red, not orange (the old one was 26°)
    assert 38 <= amber.hslHue() <= 50  # amber
    assert marks["red"].symbol() != marks["amber"].symbol()  # shape, not colour alone
    background = v.palette().color(v.backgroundRole())
    for spot in marks.values():
        # Each mark stands out from the chart's background by its outline (WCAG 1.4.11).
        assert contrast_ratio(spot.pen().color(), background) >= 3
    for name, matrix in (("normal", None), *CVD.items()):
        seen = ratio(seen_luminance(red, matrix), seen_luminance(amber, matrix))
        assert seen >= 2.0, f"red and amber look alike to {name} eyes ({seen:.2f}:1)"
    # The legend explains both marks with their own shapes, and the readout says it in words.
    keys = {label.text: sample.item for sample, label in v.legend.items}
    assert keys["Session over 130 % of the 30-day largest"].opts["symbol"] == (
        marks["red"].symbol()
    )
    assert keys["Session over 110 % of the 30-day largest"].opts["symbol"] == (
        marks["amber"].symbol()
    )
    red_week = v.series.weeks.index(FIRST + timedelta(weeks=9))
    assert "Marked red: the session of Mon 05 Oct, 167% of the largest" in v.week_text(red_week)


def test_spike_outlines_follow_a_theme_change(qtbot) -> None:
    from calftimer.gui.theme import contrast_ratio, theme_palette

    v = HistoryView()
    qtbot.addWidget(v)
    v.setPalette(theme_palette("light"))
    v.set_history(spiky_history(), UTC)
    v.setPalette(theme_palette("dark"))
    dark = theme_palette("dark").color(v.backgroundRole())
    assert all(contrast_ratio(s.pen().color(), dark) >= 3 for s in v.spike_marks.points())
    average = v.rolling_line.opts["pen"].color()
    assert contrast_ratio(average, dark) >= 4.5  # the average line was #333 on #1e1e1e


BERLIN = ZoneInfo("Europe/Berlin")


@pytest.mark.parametrize(
    ("boundary", "before", "after"),
    [
        # Summer time starts on Sunday 29 March 2026, ends on Sunday 25 October 2026.
        (date(2026, 3, 30), "Week 13 of 2026 (from Mon 23 Mar", "Week 14 of 2026 (from Mon 30 Mar"),
        (
            date(2026, 10, 26),
            "Week 43 of 2026 (from Mon 19 Oct",
            "Week 44 of 2026 (from Mon 26 Oct",
        ),
    ],
)
def test_hovering_just_inside_each_week_after_a_dst_change_reads_that_week(
    qtbot, monkeypatch, boundary: date, before: str, after: str
) -> None:
    import pyqtgraph as pg

    # pyqtgraph drops a move that follows another within 10 ms; a hand is never that fast.
    monkeypatch.setitem(pg.CONFIG_OPTIONS, "mouseRateLimit", 0)
    # The history's zone is injected: Berlin, whatever the machine's zone is.
    sessions = [
        a_session(f"{date(2026, 1, 7) + timedelta(weeks=k)}T12:00:00+00:00", a_set())
        for k in range(45)
    ]
    v = HistoryView()
    qtbot.addWidget(v)
    v.resize(2400, 600)  # 4 weeks over 1,900 px: a pixel is less than the hour that moved
    v.splitter.setSizes([2000, 400])
    v.show()
    qtbot.waitExposed(v)
    v.set_history(sessions, BERLIN)
    midnight = datetime.combine(boundary, datetime.min.time(), tzinfo=BERLIN).timestamp()
    v.plot.setXRange(midnight - 2 * WEEK_S, midnight + 2 * WEEK_S, padding=0)  # 4 weeks
    box = v.plot.getViewBox()
    edge = v.plot.mapFromScene(box.mapViewToScene(QPointF(midnight, 1)))
    for dx, expected in ((-1, before), (1, after)):
        pixel = QPoint(edge.x() + dx, edge.y())
        x = box.mapSceneToView(v.plot.mapToScene(pixel)).x()
        assert 0 < (x - midnight) * dx < 3600  # within the hour the clocks moved
        move_pointer_to(v, pixel)
        assert v.hover_label.text().startswith(expected)
