"""The optional pain log: a 0-10 rating on the summary, and a next-morning prompt on the first
start of a later day that can be dismissed and never comes twice in one day."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest

from calftimer.core.programs import BUILTIN_BY_ID
from calftimer.core.store import Store
from calftimer.gui.main_window import MainWindow
from tests.gui.fakes import T0
from tests.gui.helpers import advance_to

FRIDAY_MORNING = datetime(2026, 11, 27, 7, 30, tzinfo=UTC)


@pytest.fixture
def window_on(make_window, writer):
    """A window on ``data`` whose wall clock says ``now``, opening that folder's history."""

    def make(data: Path, now: datetime) -> MainWindow:
        w = make_window(data, wall_clock=lambda: now)  # the day it asks about
        w.attach_store(Store.open(data), writer)
        return w

    return make


def test_the_summary_asks_for_pain_during_the_session(window_on, clock, tmp_path, writer) -> None:
    w = window_on(tmp_path, FRIDAY_MORNING)
    w.session.start(BUILTIN_BY_ID["isometric"])
    assert w.session_view.pain_bar.isHidden()
    advance_to(w.session, clock, T0 + 30_000)
    w.session.finish()
    bar = w.session_view.pain_bar
    assert not bar.isHidden()
    bar.buttons[3].click()
    assert bar.isHidden() and w.coach.last_pain == {"during": 3}
    assert writer.flush(timeout=10)
    (session,) = Store.open(tmp_path).sessions()
    assert [(p["when"], p["rating"]) for p in session["pain"]] == [("during", 3)]


def test_the_next_morning_asks_once_about_yesterday(window_on, tmp_path: Path, writer) -> None:
    store = Store.open(tmp_path)
    yesterday = store.begin_session(
        "foundation", "Runner's calf foundation", datetime(2026, 11, 26, 17, 0, tzinfo=UTC)
    )
    empty = window_on(tmp_path / "other", FRIDAY_MORNING)  # nothing to ask about
    assert empty.home.morning_pain_bar.isHidden()
    _one_set(store, yesterday)  # a session with a set counts
    w = window_on(tmp_path, FRIDAY_MORNING)
    bar = w.home.morning_pain_bar
    assert not bar.isHidden()
    assert "yesterday's session (Runner's calf foundation)" in bar.question.text()
    bar.buttons[2].click()
    assert writer.flush(timeout=10)
    (session,) = Store.open(tmp_path).sessions()
    assert [(p["when"], p["rating"]) for p in session["pain"]] == [("next_morning", 2)]
    # Dismissed or answered, the question is not asked again the same day.
    again = window_on(tmp_path, FRIDAY_MORNING.replace(hour=18))
    assert again.home.morning_pain_bar.isHidden()


def test_dismissing_is_remembered_for_the_day(window_on, tmp_path: Path) -> None:
    store = Store.open(tmp_path)
    sid = store.begin_session(
        "isometric", "Isometric holds", datetime(2026, 11, 26, 17, tzinfo=UTC)
    )
    _one_set(store, sid)
    w = window_on(tmp_path, FRIDAY_MORNING)
    assert not w.home.morning_pain_bar.isHidden()
    w.home.morning_pain_bar.not_now.click()
    assert w.home.morning_pain_bar.isHidden()
    assert window_on(tmp_path, FRIDAY_MORNING).home.morning_pain_bar.isHidden()
    # The next day it may ask again (about the same session, now the day before yesterday).
    saturday = FRIDAY_MORNING.replace(day=28)
    assert not window_on(tmp_path, saturday).home.morning_pain_bar.isHidden()


def _one_set(store: Store, session_id: str) -> list:
    from calftimer.core.session import EndedBy, SetRecord
    from tests.set_records import work_set

    start = datetime(2026, 11, 26, 17, 5, tzinfo=UTC)
    record = SetRecord(
        work=work_set(exercise_id="soleus_squat", target=15),
        done=15,
        time_under_tension_ms=60_000,
        started_mono_ms=0,
        ended_mono_ms=60_000,
        started_at=start,
        ended_at=start,
        ended_by=EndedBy.TIME,
    )
    return [store.add_set(session_id, record)]
