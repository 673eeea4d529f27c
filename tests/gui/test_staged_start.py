"""The plain launch's staged start: a first frame that needs almost nothing, then the whole window.

``calftimer`` with no arguments shows a first frame (title, menu titles, status line, the chosen
theme) before it imports the core or any part of the window, and builds the rest right after
that frame is painted. These tests check what the first frame needed, that the window it grows
into is the one ``MainWindow(...)`` builds in one step, and that a close or a second launch in
between is handled.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import textwrap
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import shiboken6
from PySide6.QtCore import Qt, QTimer
from PySide6.QtGui import QKeySequence
from PySide6.QtWidgets import QApplication

from calftimer.app import main
from calftimer.core.clock import ManualClock
from calftimer.core.library import ProgramLibrary
from calftimer.gui.main_window import MainWindow
from calftimer.paths import AppPaths

WAIT_MS = 30_000  # a Qt process starting on a shared, loaded machine

# Runs ``main([])`` (the plain launch) and reports, as one JSON line, what was loaded when the
# window was first painted, and what the window holds once its program list has been painted.
# The first-paint watch is the one benchmarks/startup.py uses: QApplication is replaced by a
# subclass with an event filter before calftimer imports it; calftimer itself is not touched.
PROBE = textwrap.dedent(
    """
    import json, sys
    import PySide6.QtWidgets as QtWidgets
    from PySide6.QtCore import QEvent, QObject, QTimer

    seen = {}

    def menus(window):
        return {
            bar.text(): [a.text() for a in bar.menu().actions()]
            for bar in window.menuBar().actions()
        }

    def describe_window(window):
        seen["built"] = getattr(window, "built", True)
        seen["menus"] = menus(window)
        seen["programs"] = window.home.program_model.rowCount()
        window.close()

    class Watch(QObject):
        def eventFilter(self, obj, event):
            if event.type() == QEvent.Type.Paint and isinstance(obj, QtWidgets.QWidget):
                window = obj.window()
                if "first_paint" not in seen:
                    app = QtWidgets.QApplication.instance()
                    seen["first_paint"] = {
                        "modules": sorted(m for m in sys.modules if m.startswith("calftimer")),
                        "built": getattr(window, "built", True),
                        "window": window.windowTitle(),
                        "background": app.palette().window().color().name(),
                        "menus": list(menus(window)),
                    }
                if obj.objectName() == "programList" and "menus" not in seen:
                    QTimer.singleShot(0, lambda: describe_window(window))
            return False

    class Probe(QtWidgets.QApplication):
        def __init__(self, *args):
            super().__init__(*args)
            self._watch = Watch()
            self.installEventFilter(self._watch)

    QtWidgets.QApplication = Probe
    from calftimer.app import main
    code = main([])
    print("PROBE" + json.dumps({"exit": code, **seen}), flush=True)
    """
)


def run_probe(tmp_path: Path, settings: dict[str, Any] | None = None) -> dict[str, Any]:
    data = tmp_path / "data"
    if settings is not None:
        data.mkdir()
        (data / "settings.json").write_text(
            json.dumps({"kind": "calftimer.settings", "schema_version": 1, **settings})
        )
    env = dict(os.environ, QT_QPA_PLATFORM="offscreen", CALFTIMER_DATA_DIR=str(data))
    done = subprocess.run(
        [sys.executable, "-c", PROBE],
        capture_output=True,
        text=True,
        env=env,
        cwd=tmp_path,
        timeout=WAIT_MS / 1000,
        check=False,
    )
    lines = [line for line in done.stdout.splitlines() if line.startswith("PROBE")]
    assert done.returncode == 0 and lines, done.stderr[-3000:]
    result: dict[str, Any] = json.loads(lines[-1][len("PROBE") :])
    return result


# What the first frame must not wait for: the core's programs and timeline, the settings
# module, and every part of the window (the home page, the session, the history...).
NOT_BEFORE_THE_FIRST_PAINT = (
    "calftimer.core.library",
    "calftimer.core.catalog",
    "calftimer.core.programs",
    "calftimer.core.timeline",
    "calftimer.core.settings",
    "calftimer.core.store",
    "calftimer.gui.home_page",
    "calftimer.gui.session.controller",
    "calftimer.gui.session_view",
    "calftimer.gui.history_page",
    "calftimer.gui.notices",
    "calftimer.gui.theme",
)


@pytest.mark.slow
def test_the_first_frame_is_painted_before_the_core_and_the_parts_load(tmp_path) -> None:
    probe = run_probe(tmp_path)
    first = probe["first_paint"]
    assert first["window"] == "calftimer" and not first["built"]
    assert first["menus"] == ["&File", "&Session", "&Programs", "&View", "&Help"]
    loaded = [m for m in NOT_BEFORE_THE_FIRST_PAINT if m in first["modules"]]
    assert loaded == [], f"loaded before the first paint: {loaded}"
    # ...and it grows into the whole window, which then closes normally.
    assert probe["built"] and probe["programs"] == 4 and probe["exit"] == 0
    assert len(probe["menus"]["&Session"]) == 12


@pytest.mark.slow
def test_the_first_frame_already_wears_the_dark_theme(tmp_path) -> None:
    probe = run_probe(tmp_path, {"theme": "dark"})
    assert probe["first_paint"]["background"] == "#1e1e1e"  # no light frame before the dark
    assert "calftimer.core.settings" not in probe["first_paint"]["modules"]
    assert probe["built"]


def describe(window: MainWindow) -> dict[str, Any]:
    """What a user finds in the window: its menus and every command with its keys, the pages,
    the programs listed."""
    return {
        "title": window.windowTitle(),
        "menus": [
            (
                menu.title(),
                [
                    (a.objectName(), a.text(), a.isSeparator(), a.isCheckable())
                    for a in menu.actions()
                ],
            )
            for menu in (bar.menu() for bar in window.menuBar().actions())
        ],
        "actions": sorted(
            (a.objectName(), tuple(k.toString() for k in a.shortcuts()), a.toolTip())
            for a in window.actions()
        ),
        "page": type(window.stack.currentWidget()).__name__,
        "programs": [
            window.home.program_model.index(row, 0).data()
            for row in range(window.home.program_model.rowCount())
        ],
        "muted": window.window_actions["toggle_mute"].isChecked(),
        "icon_sizes": sorted(s.width() for s in window.windowIcon().availableSizes()),
    }


@pytest.fixture
def plain_launch_env(tmp_path, monkeypatch) -> Iterator[Path]:
    data = tmp_path / "data"
    monkeypatch.setenv("CALFTIMER_DATA_DIR", str(data))
    yield data


def test_the_staged_window_is_the_one_step_window(qtbot, tmp_path, plain_launch_env) -> None:
    seen: dict[str, Any] = {}

    def inspect() -> None:
        try:
            windows = [w for w in QApplication.topLevelWidgets() if isinstance(w, MainWindow)]
            ready = windows and windows[0].built and windows[0].store is not None
            if not ready and len(seen.setdefault("polls", [])) < 200:
                seen["polls"].append(1)
                QTimer.singleShot(50, inspect)
                return
            if ready:
                seen["window"] = windows[0]
                seen["staged"] = describe(windows[0])
                windows[0].close()
        except Exception as exc:  # reported below; the loop must end either way
            seen["error"] = repr(exc)
        QApplication.quit()

    QTimer.singleShot(0, inspect)
    assert main([]) == 0
    assert "staged" in seen, seen.get("error", "the plain launch never finished its window")
    # The window is destroyed as the event loop ends, not left to the garbage collector
    # (which could take it while Python finalizes: the History chart then crashed the exit).
    assert not any(isinstance(w, MainWindow) for w in QApplication.topLevelWidgets())
    # Not before the History page's chart import (it preloads when idle) has ended: a thread
    # signalling a deleted page only makes noise, but in another test's output.
    qtbot.waitUntil(
        lambda: all(t.name != "calftimer-chart-import" for t in threading.enumerate()),
        timeout=WAIT_MS,
    )
    one_step = MainWindow(
        ProgramLibrary.load(plain_launch_env / "programs"),
        ManualClock(0),
        AppPaths(tmp_path / "elsewhere", "test"),
    )
    qtbot.addWidget(one_step)
    assert seen["staged"]["menus"] == describe(one_step)["menus"]
    expected = describe(one_step)
    # (Not the number of pages: the History page is added when the app is first idle.)
    for key in ("title", "actions", "page", "programs", "muted", "icon_sizes"):
        assert seen["staged"][key] == expected[key], key


def test_closing_the_window_before_it_is_built_ends_calftimer_at_once(
    qtbot, capfd, plain_launch_env
) -> None:
    closed: list[MainWindow] = []
    earlier = set(QApplication.topLevelWidgets())

    def close_first_frame() -> None:
        # Queued before the event loop starts: it runs before the build, at the latest
        # between the first paint and the build (a Ctrl+C, or the user, that early).
        for window in QApplication.topLevelWidgets():
            if isinstance(window, MainWindow) and window not in earlier:
                closed.append(window)
                window.close()

    QTimer.singleShot(0, close_first_frame)
    assert main([]) == 0
    assert len(closed) == 1 and not closed[0].built
    assert not shiboken6.isValid(closed[0])  # destroyed as the event loop ended
    assert "Traceback" not in capfd.readouterr().err
    # Nothing was opened: no history folder was made.
    assert not (plain_launch_env / "history").exists()


def test_headset_media_keys_still_reach_their_commands(qtbot, tmp_path) -> None:
    """The action table names the media keys as text now (no Qt enum needed to read it)."""
    window = MainWindow(ProgramLibrary.load(None), ManualClock(0), AppPaths(tmp_path, "test"))
    qtbot.addWidget(window)
    for name, key in (
        ("start_or_resume", Qt.Key.Key_MediaPlay),
        ("toggle_pause", Qt.Key.Key_MediaTogglePlayPause),
        ("pause_only", Qt.Key.Key_MediaPause),
        ("back", Qt.Key.Key_MediaPrevious),
        ("skip", Qt.Key.Key_MediaNext),
    ):
        assert QKeySequence(key) in window.window_actions[name].shortcuts(), name


@pytest.mark.slow
def test_a_plain_launch_answers_a_second_launch_and_ends_on_sigterm(qtbot, tmp_path) -> None:
    """``calftimer`` with no arguments, as the launcher starts it, then ``calftimer --start
    foundation``: the second hands over and exits, the first starts the program and records
    it, and SIGTERM (a logout) ends it with 0."""
    data = tmp_path / "data"
    env = dict(os.environ, QT_QPA_PLATFORM="offscreen", CALFTIMER_DATA_DIR=str(data))
    processes: list[subprocess.Popen[str]] = []

    def start(*args: str) -> subprocess.Popen[str]:
        process = subprocess.Popen(
            [sys.executable, "-m", "calftimer", *args],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
            env=env,
            cwd=tmp_path,
        )
        processes.append(process)
        return process

    try:
        first = start()
        qtbot.waitUntil(lambda: (data / "calftimer.lock").exists(), timeout=WAIT_MS)
        second = start("--start", "foundation")
        qtbot.waitUntil(lambda: second.poll() is not None, timeout=WAIT_MS)
        out, err = second.communicate(timeout=10)
        assert second.returncode == 0, err
        assert "--start foundation was handed over" in out, out
        sessions = data / "history" / "sessions"
        qtbot.waitUntil(lambda: any(sessions.glob("*.json")), timeout=WAIT_MS)
        doc = json.loads(next(sessions.glob("*.json")).read_bytes())
        assert doc["session"]["program_id"] == "foundation"
        assert first.poll() is None
        first.send_signal(signal.SIGTERM)
        qtbot.waitUntil(lambda: first.poll() is not None, timeout=WAIT_MS)
        _out, err = first.communicate(timeout=10)
        assert first.returncode == 0, err
        assert "Traceback" not in err
    finally:
        for process in processes:
            if process.poll() is None:
                process.kill()
            process.communicate(timeout=10)


def test_the_colour_scheme_numbers_the_theme_asks_for_are_qts(qapp) -> None:
    """apply_theme tells Qt the scheme by number (no Python enum before the first paint):
    the numbers must be Qt's, and Qt must take them."""
    from calftimer.gui.theme import COLOR_SCHEMES

    hints = qapp.styleHints()
    meta = hints.metaObject()
    scheme = meta.property(meta.indexOfProperty("colorScheme"))
    assert scheme.isWritable()
    assert {
        "light": scheme.enumerator().keyToValue("Light")[0],  # (value, found)
        "dark": scheme.enumerator().keyToValue("Dark")[0],
    } == COLOR_SCHEMES
    assert {"light": Qt.ColorScheme.Light.value, "dark": Qt.ColorScheme.Dark.value} == COLOR_SCHEMES
    try:
        assert all(hints.setProperty("colorScheme", n) for n in COLOR_SCHEMES.values())
    finally:
        hints.unsetColorScheme()
