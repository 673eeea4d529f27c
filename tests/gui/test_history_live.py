"""The open window shows history that other processes write, without a restart: a real
``python -m calftimer import`` run beside it, a sync conflict copy arriving. A running session
is never disturbed: what arrives meanwhile is read once it is over."""

from __future__ import annotations

import json
import subprocess
import sys
import threading
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from calftimer.core.exchange import backup_bytes
from calftimer.core.history import SessionDoc
from calftimer.core.programs import BUILTIN_BY_ID
from calftimer.core.store import Store
from calftimer.core.timeline import CompileOptions
from calftimer.gui.main_window import MainWindow
from tests.core.store_worker import imported_session
from tests.core.test_store import month_bytes, worker_env

WAIT_MS = 20_000


@pytest.fixture
def make_shown(make_window):
    """A shown window on ``data`` with its history open, as the app opens it."""

    def make(data: Path) -> MainWindow:
        return make_window(data, options=CompileOptions(prepare_s=5), history=True, show=True)

    return make


def reps(sessions: list[SessionDoc]) -> int:
    return sum(s["done"] for session in sessions for s in session["sets"])


def shown_reps(window: MainWindow) -> int:
    """The reps the open History's chart adds up to, over every week it has."""
    view = window.history.view
    if view is None or view.series is None or view.chart_stack.currentWidget() is not view.plot:
        return 0
    return round(sum(view.series.totals))


def run_import(data: Path, sessions: list[SessionDoc], tmp_path: Path) -> None:
    backup = tmp_path / "backup.json"
    backup.write_bytes(backup_bytes(sessions, [], exported_at=datetime.now(UTC)))
    done = subprocess.run(
        [sys.executable, "-m", "calftimer", "import", str(backup), "--data-dir", str(data)],
        capture_output=True,
        text=True,
        env=worker_env(),
        timeout=60,
        check=False,
    )
    assert done.returncode == 0, done.stderr


def last_month(days: int) -> datetime:
    return datetime.now(UTC).replace(hour=7, minute=0, second=0, microsecond=0) - timedelta(
        days=days
    )


@pytest.mark.slow
def test_an_import_from_the_command_line_shows_in_the_open_history(qtbot, tmp_path, make_shown):
    data = tmp_path / "data"
    here = [imported_session(last_month(40), sets=2)]
    Store.open(data).merge_sessions(here)
    window = make_shown(data)
    window.window_actions["show_history"].trigger()  # Ctrl+H
    qtbot.waitUntil(lambda: shown_reps(window) == reps(here), timeout=WAIT_MS)

    arriving = [imported_session(last_month(d), sets=3) for d in (30, 20, 10)]
    run_import(data, arriving, tmp_path)

    qtbot.waitUntil(lambda: shown_reps(window) == reps(here + arriving), timeout=WAIT_MS)
    assert window.stack.currentWidget() is window.history.view


@pytest.mark.slow
def test_a_sync_conflict_copy_arriving_shows_in_the_open_history(qtbot, tmp_path, make_shown):
    data = tmp_path / "data"
    shared = imported_session(datetime(2025, 6, 2, 7, 0, tzinfo=UTC), sets=1)
    Store.open(data).merge_sessions([shared])
    window = make_shown(data)
    window.history.show()
    qtbot.waitUntil(lambda: shown_reps(window) == reps([shared]), timeout=WAIT_MS)

    other_device = imported_session(datetime(2025, 6, 3, 7, 0, tzinfo=UTC), sets=2)
    copy = data / "history" / "months" / "2025-06.sync-conflict-20250604-070000-PHONE12.json"
    copy.write_bytes(month_bytes("2025-06", [shared, other_device]))

    qtbot.waitUntil(lambda: shown_reps(window) == reps([shared, other_device]), timeout=WAIT_MS)
    qtbot.waitUntil(lambda: not copy.exists(), timeout=WAIT_MS)
    assert (data / "merged" / copy.name).exists()


@pytest.mark.slow
def test_what_arrives_during_a_session_is_read_after_it_and_the_session_is_kept(
    qtbot, tmp_path, writer, make_shown
) -> None:
    data = tmp_path / "data"
    window = make_shown(data)
    refreshed: list[bool] = []
    window.history_changed.connect(lambda: refreshed.append(True))
    window.session.start(BUILTIN_BY_ID["isometric"])
    qtbot.waitUntil(
        lambda: (
            window.session.recorder is not None and window.session.recorder.session_id is not None
        )
    )
    running = window.session.recorder.session_id

    arriving = [imported_session(last_month(12), sets=2)]
    run_import(data, arriving, tmp_path)
    window.history.watch.changed.emit()  # as the watcher would (it may be slower to notice)
    assert writer.flush(timeout=10)
    assert window.store is not None
    assert arriving[0]["id"] not in {s["id"] for s in window.store.loaded_sessions()}
    assert refreshed == []  # nothing happened under the running session

    window.session.abandon()
    qtbot.waitUntil(lambda: refreshed == [True], timeout=WAIT_MS)
    on_disk = {s["id"]: s["status"] for s in Store.open(data).sessions()}
    assert on_disk == {running: "abandoned", arriving[0]["id"]: "finished"}
    assert json.loads((data / "history" / "sessions" / f"{running}.json").read_bytes())


def test_a_burst_of_folder_changes_gives_one_look(qtbot, tmp_path) -> None:
    from calftimer.gui.history_watch import HistoryWatch

    watch = HistoryWatch([tmp_path], debounce_ms=150, poll_ms=600_000)
    looks: list[int] = []
    watch.changed.connect(lambda: looks.append(1))
    assert watch.watching == [str(tmp_path)]
    with qtbot.waitSignal(watch.changed, timeout=WAIT_MS):
        for n in range(20):  # a sync tool delivering twenty files
            (tmp_path / f"{n}.json").write_bytes(b"{}")
    assert looks == [1]
    watch.stop()


def test_the_slow_poll_looks_where_nothing_can_be_watched(qtbot, tmp_path) -> None:
    """A folder that is not there (or a file system without change events) is still looked
    at now and then, and watched as soon as it exists."""
    from calftimer.gui.history_watch import HistoryWatch

    later = tmp_path / "months"
    watch = HistoryWatch([later], debounce_ms=150, poll_ms=100)
    assert watch.watching == []
    later.mkdir()
    with qtbot.waitSignal(watch.changed, timeout=WAIT_MS):
        pass  # no folder event can come: only the poll
    assert watch.watching == [str(later)]
    watch.stop()


def write_years_of_history(data: Path, years: int) -> None:
    """One session a day for ``years`` up to last month, in month files as the store keeps
    them (written directly: fast, and the same bytes)."""
    end = datetime.now(UTC).replace(day=1, hour=7, minute=0, second=0, microsecond=0)
    by_month: dict[str, list[SessionDoc]] = {}
    day = end - timedelta(days=365 * years)
    while day < end:
        session = imported_session(day, sets=3)
        by_month.setdefault(day.strftime("%Y-%m"), []).append(session)
        day += timedelta(days=1)
    folder = data / "history" / "months"
    folder.mkdir(parents=True)
    for month, sessions in by_month.items():
        (folder / f"{month}.json").write_bytes(month_bytes(month, sessions))


@pytest.mark.slow
def test_ctrl_h_on_a_long_history_shows_the_recent_weeks_at_once_and_fills_in(tmp_path) -> None:
    """A real, fresh process (the chart library not loaded yet) with the older months held
    back: Ctrl+H never blocks the window; the History shows what is read, then everything."""
    data = tmp_path / "data"
    write_years_of_history(data, years=4)
    probe = subprocess.run(
        [sys.executable, "-m", "tests.gui.history_open_probe", str(data)],
        capture_output=True,
        text=True,
        env=dict(worker_env(), QT_QPA_PLATFORM="offscreen"),
        timeout=120,
        check=False,
    )
    assert probe.returncode == 0, probe.stderr
    seen = json.loads(probe.stdout.strip().splitlines()[-1])
    assert seen["chart_loaded_at_start"] is False
    assert seen["loop_ran_before_chart"] is True  # the window answered while the chart loaded
    assert seen["fully_loaded_while_held"] is False
    assert 0 < seen["shown_while_held"] == seen["loaded_while_held"] < seen["total"]
    assert seen["shown_at_end"] == seen["total"]


def test_ctrl_h_shows_the_history_at_once_while_older_months_are_held_back(
    qtbot, tmp_path, make_window
) -> None:
    """In a window whose chart library is loaded already (here, by this test's imports): the
    History comes in Ctrl+H itself, with what is read; the rest fills in once it is read."""
    from calftimer.gui import history_view  # noqa: F401  (loaded, as after a preload)
    from tests.gui.history_open_probe import GatedStore

    data = tmp_path / "data"
    write_years_of_history(data, years=3)
    total = reps(Store.open(data).sessions())
    store = GatedStore.open(data)
    store.gate = threading.Event()  # this test's own gate (the class one is the probe's)
    try:
        window = make_window(data, history=store)
        window.show()
        window.history.load_in_background()
        window.window_actions["show_history"].trigger()
        assert window.stack.currentWidget() is window.history.view
        assert 0 < shown_reps(window) == reps(store.loaded_sessions()) < total
        assert not store.fully_loaded
        store.gate.set()
        qtbot.waitUntil(lambda: shown_reps(window) == total, timeout=WAIT_MS)
        assert "All of your history is shown." in window.statusBar().currentMessage()
    finally:
        store.gate.set()


def test_the_history_view_is_made_ahead_when_idle_but_never_during_a_session(
    qtbot, tmp_path, make_shown
) -> None:
    idle = make_shown(tmp_path / "idle")
    idle.history.preload()
    qtbot.waitUntil(lambda: idle.history.view is not None, timeout=WAIT_MS)
    assert idle.stack.currentWidget() is idle.home  # made ahead, not shown

    busy = make_shown(tmp_path / "busy")
    busy.session.start(BUILTIN_BY_ID["isometric"])
    busy.history.preload()
    # Once every event posted so far has run, the preload has decided.
    with qtbot.waitSignal(busy.session.position_changed, timeout=WAIT_MS):
        pass
    assert busy.history.view is None
