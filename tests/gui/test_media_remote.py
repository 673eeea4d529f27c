"""Headset buttons, media keys and the desktop's media widget drive the session through MPRIS2.

Everything here runs against a real, private ``dbus-daemon`` (tests/gui/dbus_harness.py) and is
driven from outside the window by ``playerctl`` (what a desktop's media keys daemon does),
``dbus-monitor`` and ``dbus-send``, each in a subprocess the test ends. The window is the real
``MainWindow`` on a manual clock; it never has the keyboard focus here, as on the floor.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import signal
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from calftimer.core.exercise import Mode
from calftimer.core.programs import BUILTIN_BY_ID
from calftimer.core.session import State
from calftimer.core.settings import Settings
from calftimer.core.timeline import SegmentKind
from calftimer.gui.main_window import MainWindow
from calftimer.gui.remote.mpris import BUS_NAME, MprisRemote
from tests.gui.dbus_harness import WAIT_S, Lines, bus_address, stop
from tests.gui.fakes import T0
from tests.gui.helpers import advance_by_deadlines, notice_text

__all__ = ["bus_address"]  # a fixture, used by name below

APP_START_S = 30.0  # a real launch, on a loaded machine
PLAYER = BUS_NAME.removeprefix("org.mpris.MediaPlayer2.")
ROOT = Path(__file__).resolve().parents[2]


def select(window: MainWindow, program_id: str) -> None:
    home = window.home
    row = home.program_model.row_of(program_id)
    home.program_list.setCurrentIndex(home.program_model.index(row, 0))
    assert home.selected_program() is BUILTIN_BY_ID[program_id]


def tool(name: str) -> str:
    path = shutil.which(name)
    if path is None:
        message = f"{name} is not installed: python3 bootstrap.py --test installs it"
        if os.environ.get("CI"):
            pytest.fail(message)
        pytest.skip(message)
    return path


def bus_env(address: str) -> dict[str, str]:
    return dict(os.environ, DBUS_SESSION_BUS_ADDRESS=address)


class Remote:
    """Presses and reads the player from outside, as the desktop does; the window's event loop
    runs while each tool waits for its answer (the answer comes from this very process)."""

    def __init__(self, qtbot, address: str) -> None:
        self.qtbot = qtbot
        self.address = address
        self.playerctl = tool("playerctl")

    def run(self, *argv: str) -> str:
        process = subprocess.Popen(
            argv,
            env=bus_env(self.address),
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        try:
            self.qtbot.waitUntil(lambda: process.poll() is not None, timeout=int(WAIT_S * 1000))
            out, err = process.communicate(timeout=WAIT_S)
        finally:
            stop(process)
        if process.returncode != 0:
            raise AssertionError(f"{argv} failed ({process.returncode}): {err.strip()}")
        return out.strip()

    def press(self, command: str) -> None:
        self.run(self.playerctl, "-p", PLAYER, command)

    def get(self, what: str) -> str:
        return self.run(self.playerctl, "-p", PLAYER, *what.split())

    def property(self, name: str) -> str:
        """A Player property as dbus-send prints it ("boolean true", "string \"Paused\"")."""
        out = self.run(
            tool("dbus-send"),
            "--session",
            "--print-reply",
            f"--dest={BUS_NAME}",
            "/org/mpris/MediaPlayer2",
            "org.freedesktop.DBus.Properties.Get",
            "string:org.mpris.MediaPlayer2.Player",
            f"string:{name}",
        )
        return out.split("variant", 1)[1].strip()


@pytest.fixture
def remote_window(make_window, bus_address) -> Callable[..., MainWindow]:
    """A window whose media remote is on the private bus, started."""

    def make(**kwargs: object) -> MainWindow:
        window = make_window(
            media_remote=lambda position_ms: MprisRemote(position_ms, address=bus_address),
            **kwargs,
        )
        assert window.remote is not None
        assert window.remote.start(), "the remote could not register on the private bus"
        return window

    return make


@pytest.fixture
def remote(qtbot, bus_address) -> Remote:
    return Remote(qtbot, bus_address)


def test_headset_buttons_pause_resume_skip_go_back_and_stop(
    qtbot, remote_window, remote: Remote, clock, timers
) -> None:
    window = remote_window(history=True)
    window.showMinimized()  # another window has the focus, or none: the buttons still work
    session = window.session
    session.start(BUILTIN_BY_ID["foundation"])
    first = session.timeline.work_sets[0]
    advance_by_deadlines(session, clock, T0 + first.start_ms + 15_000, timers)
    assert session.state is State.RUNNING

    remote.press("play-pause")
    assert session.state is State.PAUSED
    remote.press("play-pause")
    assert session.state is State.RUNNING
    remote.press("pause")
    remote.press("pause")  # a second Pause leaves it paused
    assert session.state is State.PAUSED
    remote.press("play")
    assert session.state is State.RUNNING

    before = session.position()
    remote.press("next")  # skip: the rest of this set (what was done of it is recorded)
    after = session.position()
    assert after.segment.index > before.segment.index
    assert after.segment.kind is not SegmentKind.DONE
    assert [r.work.index for r in session.records] == [first.index]
    remote.press("previous")  # back, just after a skip: to the set skipped, as Left does
    assert session.position().t_ms == first.start_ms

    advance_by_deadlines(session, clock, session.mono_at(first.start_ms) + 20_000, timers)
    remote.press("stop")  # no question (nobody at the keyboard): stopped, what was done kept
    assert session.state is State.ABANDONED
    [record] = session.records  # the set redone replaces the one skipped
    assert record.work.index == first.index and record.done >= 2


def test_next_ends_a_heel_rise_test_set_and_counts_it(
    qtbot, remote_window, remote: Remote, clock, timers
) -> None:
    window = remote_window(history=True)
    session = window.session
    session.start(BUILTIN_BY_ID["heel-rise-test"])
    left = next(w for w in session.timeline.work_sets if w.mode is Mode.TEST)
    advance_by_deadlines(session, clock, T0 + left.start_ms + 21 * 2_000 + 500, timers)
    assert session.position().segment.open_ended

    remote.press("next")

    record = session.records[-1]
    assert record.ended_by.value == "user", "ended as with Enter, not skipped"
    assert record.done == 21
    assert session.position().segment.kind is not SegmentKind.UP


@contextlib.contextmanager
def watching(address: str, rule: str) -> Iterator[Lines]:
    """What ``dbus-monitor`` sees on the private bus of the signals ``rule`` matches, from now
    on, one printed line at a time; the monitor is ended after the block."""
    monitor = subprocess.Popen(
        [tool("dbus-monitor"), "--address", address, rule],
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        lines = Lines(monitor)
        lines.next_line()  # dbus-monitor's own NameAcquired: it listens from here on
        yield lines
    finally:
        stop(monitor)


@pytest.fixture
def signals(bus_address) -> Iterator[Lines]:
    """The ``PropertiesChanged`` signals on the private bus."""
    rule = "type='signal',interface='org.freedesktop.DBus.Properties',member='PropertiesChanged'"
    with watching(bus_address, rule) as lines:
        yield lines


def test_the_desktop_sees_the_session(qtbot, remote_window, remote: Remote, clock, timers) -> None:
    window = remote_window(history=True)
    assert remote.get("status") == "Stopped"
    program = BUILTIN_BY_ID["foundation"]
    select(window, program.id)
    assert remote.get("metadata --format {{artist}}") == program.name
    session = window.session
    session.start(program)
    first = session.timeline.work_sets[0]
    advance_by_deadlines(session, clock, T0 + first.start_ms + 1_500, timers)

    assert remote.get("status") == "Playing"
    title = remote.get("metadata --format {{title}}")
    assert title.startswith("Double-leg calf raise · set 1 of"), title
    length_us = int(remote.get("metadata mpris:length"))
    assert length_us == session.timeline.duration_ms * 1000
    position_s = float(remote.get("position"))
    assert position_s == pytest.approx(session.position().t_ms / 1000, abs=0.01)
    session.pause()
    assert remote.get("status") == "Paused"


def test_the_signals_carry_the_new_values(
    qtbot, remote_window, signals: Lines, clock, timers
) -> None:
    window = remote_window()
    session = window.session
    session.start(BUILTIN_BY_ID["foundation"])
    advance_by_deadlines(session, clock, T0 + 2_000, timers)
    session.pause()
    text = _read_until(signals, "Paused")
    assert 'string "PlaybackStatus"' in text and 'string "Playing"' in text
    assert 'string "Paused"' in text
    assert 'string "Position"' not in text, "Position is read, never signalled"
    assert "int64" in text, "mpris:length goes out as int64, as MPRIS requires"


def _read_until(lines: Lines, text: str, timeout: float = WAIT_S) -> str:
    """The monitor's lines up to the first holding ``text`` (the signals were sent before: no
    event loop has to run for them to arrive); AssertionError after ``timeout`` seconds."""
    deadline = time.monotonic() + timeout
    seen = [lines.next_line(timeout)]
    while text not in seen[-1]:
        seen.append(lines.next_line(max(0.0, deadline - time.monotonic())))
    return "\n".join(seen)


def test_play_on_the_home_page_starts_and_on_the_summary_needs_a_second_press(
    qtbot, remote_window, remote: Remote, clock, timers
) -> None:
    window = remote_window(history=True)
    select(window, "foundation")
    assert remote.get("status") == "Stopped"
    remote.press("play")
    session = window.session
    assert session.state is State.RUNNING, "play on the home page starts the selected program"
    remote.press("stop")
    assert session.over

    # The summary shows: a stray press starts nothing, it only says how to start.
    remote.press("play")
    assert session.over
    assert "Press play again" in notice_text(window)
    clock.advance(11_000)  # too late for the second press: asks again
    remote.press("play")
    assert session.over
    remote.press("play")
    assert session.state is State.RUNNING, "the confirming press starts the next session"


def test_headset_start_can_be_turned_off(qtbot, remote_window, remote: Remote) -> None:
    window = remote_window(settings=Settings(remote_start=False))
    select(window, "foundation")
    assert remote.property("CanPlay") == "boolean false"
    remote.run(  # a desktop may still send Play: nothing starts
        tool("dbus-send"),
        "--session",
        "--print-reply",
        f"--dest={BUS_NAME}",
        "/org/mpris/MediaPlayer2",
        "org.mpris.MediaPlayer2.Player.Play",
    )
    assert window.session.state is None
    window.settings_hub.update(Settings(remote_start=True))
    assert remote.property("CanPlay") == "boolean true"


def test_without_a_session_bus_the_user_is_told(qtbot, make_window, tmp_path) -> None:
    missing = f"unix:path={tmp_path / 'no-bus'}"
    window = make_window(media_remote=lambda position_ms: MprisRemote(position_ms, address=missing))
    assert window.remote is not None
    assert not window.remote.start()
    assert "only while its window has the focus" in notice_text(window)


KILLED_APP = """
import sys
from calftimer.app import main
sys.exit(main(["--start", "foundation"]))
"""


@pytest.mark.slow
def test_the_name_leaves_the_bus_when_the_app_is_killed(bus_address, tmp_path) -> None:
    rule = f"type='signal',member='NameOwnerChanged',arg0='{BUS_NAME}'"
    with watching(bus_address, rule) as owners:
        _launch_and_kill(bus_address, tmp_path, owners)


def _launch_and_kill(bus_address: str, tmp_path: Path, owners: Lines) -> None:
    env = dict(
        bus_env(bus_address),
        QT_QPA_PLATFORM="offscreen",
        CALFTIMER_DATA_DIR=str(tmp_path / "data"),
        PYTHONPATH=str(ROOT),
    )
    app = subprocess.Popen(
        [sys.executable, "-c", KILLED_APP],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,
    )
    try:
        # The bus says when a name gets or loses its owner: the player's name is in both.
        assert f'string "{BUS_NAME}"' in _read_until(owners, BUS_NAME, APP_START_S)
        assert BUS_NAME in _names(bus_address)
        os.killpg(app.pid, signal.SIGKILL)
        app.wait(timeout=WAIT_S)
        _read_until(owners, BUS_NAME)  # the name's owner changed again: to nobody
        assert BUS_NAME not in _names(bus_address), "the name outlived the process"
    finally:
        if app.poll() is None:
            os.killpg(app.pid, signal.SIGKILL)
            app.wait(timeout=WAIT_S)


def _names(address: str) -> list[str]:
    out = subprocess.run(
        [
            tool("dbus-send"),
            f"--bus={address}",
            "--print-reply",
            "--dest=org.freedesktop.DBus",
            "/org/freedesktop/DBus",
            "org.freedesktop.DBus.ListNames",
        ],
        capture_output=True,
        text=True,
        timeout=WAIT_S,
        check=True,
    ).stdout
    return [line.split('"')[1] for line in out.splitlines() if '"' in line]


@pytest.fixture(autouse=True)
def _no_user_bus() -> Iterator[None]:
    """Nothing here may reach the user's real session bus."""
    saved = os.environ.pop("DBUS_SESSION_BUS_ADDRESS", None)
    yield
    if saved is not None:
        os.environ["DBUS_SESSION_BUS_ADDRESS"] = saved
