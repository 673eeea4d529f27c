"""The history chart: its items hold the right numbers after every change, the week readout,
ranges, per-leg bars, spikes, the chosen week's sessions, exports and the empty state."""

from __future__ import annotations

import csv
from datetime import date, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from PySide6.QtCore import Qt
from PySide6.QtGui import QImage

from calftimer.core.clock import ManualClock
from calftimer.core.library import ProgramLibrary
from calftimer.core.programs import BUILTIN_BY_ID
from calftimer.gui.history_view import WEEK_S, HistoryView, week_x
from calftimer.gui.main_window import MainWindow
from calftimer.paths import AppPaths
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
    return {key: item.opts for key, item in v._bars.items()}


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
    items = dict(view._bars)
    view.metric_combo.setCurrentIndex(view.metric_combo.findData("load"))
    assert view._bars["single_leg_calf_raise"] is items["single_leg_calf_raise"]
    assert list(view._bars["single_leg_calf_raise"].opts["height"][:1]) == [2 * 14 * 5.0]
    assert "double_leg_calf_raise" not in view._bars  # no load, no bar
    assert view.plot.getPlotItem().getAxis("left").labelText == "Load volume (kg × reps)"
    view.metric_combo.setCurrentIndex(view.metric_combo.findData("tut"))
    assert list(view._bars["double_leg_calf_raise"].opts["height"][:1]) == [20 * 5 / 60]  # min


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


def test_hovering_a_week_shows_its_numbers(qtbot, view: HistoryView) -> None:
    view.set_range_preset(3)  # all
    vb = view.plot.getViewBox()
    scene_pos = vb.mapViewToScene(vb.mapToView(vb.rect().center()))
    target = view.week_index_at(vb.mapSceneToView(scene_pos).x())
    view._on_mouse_moved(scene_pos)
    assert target is not None
    assert view.hover_label.text() == view.week_text(target)


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


@pytest.fixture
def window(qtbot, tmp_path: Path):
    w = MainWindow(ProgramLibrary.load(None), ManualClock(1_000_000), AppPaths(tmp_path, "test"))
    qtbot.addWidget(w)
    return w


def test_ctrl_h_opens_the_history_and_esc_goes_back(qtbot, window: MainWindow) -> None:
    window.show()
    qtbot.waitExposed(window)
    window.history_action.trigger()
    assert window.stack.currentWidget() is window.history_view
    assert window.history_view.chart_stack.currentWidget() is window.history_view.empty_label
    window.escape_action.trigger()
    assert window.stack.currentWidget() is window.home


def test_no_history_while_training(window: MainWindow) -> None:
    window.start_program(BUILTIN_BY_ID["isometric"])
    window.show_history()
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
