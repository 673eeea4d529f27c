"""A history prepared on a worker thread (``prepare_history``) and shown in one step
(``show_prepared``) draws exactly what ``set_history`` draws, and keeps the chosen week."""

from __future__ import annotations

import threading

from calftimer.core.volume import METRICS
from calftimer.gui.history_view import HistoryView, prepare_history
from tests.gui.test_history_view import UTC, weeks_of_training


def drawn(view: HistoryView) -> dict:
    """Everything the chart shows for each metric and leg view."""
    out = {}
    for metric in METRICS:
        for per_leg in (False, True):
            view.metric_combo.setCurrentIndex(view.metric_combo.findData(metric))
            view.per_leg_box.setChecked(per_leg)
            bars = {k: (list(i.opts["x"]), list(i.opts["height"])) for k, i in view.bars.items()}
            out[metric, per_leg] = (
                bars,
                [tuple(p) for p in view.spike_marks.getData()],
                view.hover_label.text(),
            )
    return out


def test_a_prepared_history_draws_what_set_history_draws(qtbot) -> None:
    sessions = weeks_of_training()
    direct, prepared = HistoryView(), HistoryView()
    for view in (direct, prepared):
        qtbot.addWidget(view)
        view.resize(1000, 600)
    direct.set_history(sessions, UTC, test_target=30)
    result: list = []
    worker = threading.Thread(target=lambda: result.append(prepare_history(sessions, UTC)))
    worker.start()
    worker.join(timeout=30)
    prepared.show_prepared(result[0], test_target=30)
    assert drawn(prepared) == drawn(direct)
    assert prepared.test_summary.text() == direct.test_summary.text()


def test_the_chosen_week_stays_chosen_when_older_weeks_arrive(qtbot) -> None:
    sessions = weeks_of_training()
    view = HistoryView()
    qtbot.addWidget(view)
    view.set_history(sessions[-8:], UTC)  # the recent weeks, shown at once
    view.select_week(1)
    week = view.series.weeks[1]
    head = view.hover_label.text().split(",")[0]  # "Week N of YYYY (from ...): 82 reps"
    view.show_prepared(prepare_history(sessions, UTC))
    assert view.series.weeks[view.selected_week] == week
    assert view.selected_week > 1  # older weeks came in front of it
    # Its numbers are shown again (the change on the week before now has a week before).
    assert view.hover_label.text().split(",")[0] == head


def test_spikes_found_later_are_kept_only_for_the_history_shown(qtbot) -> None:
    from calftimer.gui.history_view import find_spikes

    sessions = weeks_of_training()
    direct, later = HistoryView(), HistoryView()
    for view in (direct, later):
        qtbot.addWidget(view)
    direct.set_history(sessions, UTC)
    prepared = prepare_history(sessions, UTC, metrics=["reps"])
    later.show_prepared(prepared)
    others = [m for m in METRICS if m != "reps"]
    later.add_spikes(sessions, {m: [] for m in others})  # found for a list no longer shown
    later.add_spikes(prepared.sessions, find_spikes(prepared.sessions, others))
    assert drawn(later) == drawn(direct)
