"""The screen is kept awake while a session runs and released otherwise.

Two layers: the controller through a fake KeepAwake (the seam the window uses), and the D-Bus
backends against a real, private ``dbus-daemon`` with a fake ``org.freedesktop.ScreenSaver``
(or portal) in a subprocess, so nothing here touches the user's session bus.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import textwrap
import time
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from calftimer.core.session import State
from calftimer.gui.keep_awake import (
    ES_CONTINUOUS,
    ES_DISPLAY_REQUIRED,
    ES_SYSTEM_REQUIRED,
    CaffeinateKeepAwake,
    DBusScreenSaverKeepAwake,
    FallbackKeepAwake,
    KeepAwakeController,
    NullKeepAwake,
    PortalKeepAwake,
    WindowsKeepAwake,
    X11ScreenSaverKeepAwake,
    create_keep_awake,
)
from tests.gui.dbus_harness import WAIT_S, Lines, bus_address, stop
from tests.gui.fakes import FakeKeepAwake
from tests.gui.test_close_by_window_manager import x_display
from tests.realaudio import poll_until

__all__ = ["bus_address", "x_display"]  # fixtures, used by name below

ROOT = Path(__file__).resolve().parents[2]
FAKE_SERVICE = Path(__file__).with_name("fake_screensaver.py")


# --- the controller, through the seam -------------------------------------------------------


def test_running_inhibits_and_every_other_state_releases(qtbot) -> None:
    fake = FakeKeepAwake()
    controller = KeepAwakeController(fake)
    for state in (State.PAUSED, State.FINISHED, State.ABANDONED, State.READY):
        controller.session_state_changed(State.RUNNING)
        assert fake.active, "start/resume keeps the screen awake"
        controller.session_state_changed(state)
        assert not fake.active, f"{state} must let the screen sleep"
    assert fake.calls == ["inhibit", "release"] * 4
    assert controller.status_message() is None


def test_repeated_states_ask_once() -> None:
    fake = FakeKeepAwake()
    controller = KeepAwakeController(fake)
    controller.session_state_changed(State.RUNNING)
    controller.session_state_changed("running")  # a StrEnum value arrives as text too
    controller.session_state_changed(State.PAUSED)
    controller.session_state_changed(State.PAUSED)
    assert fake.calls == ["inhibit", "release"]


def test_disabled_never_inhibits_and_re_enabling_while_running_does() -> None:
    fake = FakeKeepAwake()
    controller = KeepAwakeController(fake, enabled=False)
    controller.session_state_changed(State.RUNNING)
    assert fake.calls == []
    controller.enabled = True
    assert fake.active and fake.calls == ["inhibit"]
    controller.set_enabled(False)  # the setting turned off mid-session releases at once
    assert not fake.active and fake.calls == ["inhibit", "release"]
    controller.session_state_changed(State.PAUSED)
    controller.enabled = True  # enabling while paused waits for the session to run
    assert not fake.active
    controller.session_state_changed(State.RUNNING)
    assert fake.active


def test_shutdown_releases() -> None:
    fake = FakeKeepAwake()
    controller = KeepAwakeController(fake)
    controller.session_state_changed(State.RUNNING)
    controller.shutdown()
    assert not fake.active and fake.calls == ["inhibit", "release"]


def test_the_unavailable_message_appears_once(qtbot) -> None:
    fake = FakeKeepAwake(works=False)
    controller = KeepAwakeController(fake)
    emitted: list[str] = []
    controller.keep_awake_failed.connect(emitted.append)
    controller.session_state_changed(State.RUNNING)
    message = controller.status_message()
    assert message == (
        "Could not keep the screen awake: org.freedesktop.ScreenSaver is not running on the "
        "session bus. Set your screen to stay on while training."
    )
    assert controller.status_message() is None
    controller.session_state_changed(State.PAUSED)
    controller.session_state_changed(State.RUNNING)  # tried again, but not reported again
    assert fake.calls == ["inhibit", "inhibit"]
    assert controller.status_message() is None
    assert emitted == [message]


# --- the interface and the platform backends without D-Bus ----------------------------------


def test_inhibit_and_release_are_idempotent() -> None:
    fake = FakeKeepAwake()
    assert fake.inhibit("x") and fake.inhibit("x")
    fake.release()
    fake.release()
    assert fake.calls == ["inhibit", "release"]


def test_null_keep_awake_says_why() -> None:
    null = NullKeepAwake("no way here")
    assert not null.inhibit("training")
    assert not null.active
    assert null.unavailable_reason == "no way here"
    null.release()


def test_fallback_uses_the_first_that_works_and_releases_it() -> None:
    broken, working = FakeKeepAwake(works=False), FakeKeepAwake()
    chain = FallbackKeepAwake([broken, working])
    assert chain.inhibit("training")
    assert working.active and not broken.active
    chain.release()
    assert working.calls == ["inhibit", "release"]
    assert broken.calls == ["inhibit"]


def test_fallback_reports_every_reason_when_nothing_works() -> None:
    chain = FallbackKeepAwake([NullKeepAwake("first reason"), NullKeepAwake("second reason")])
    assert not chain.inhibit("training")
    assert "first reason" in (chain.unavailable_reason or "")
    assert "second reason" in (chain.unavailable_reason or "")


def test_windows_sets_and_clears_the_thread_execution_state() -> None:
    calls: list[int] = []

    def set_state(flags: int) -> int:
        calls.append(flags)
        return ES_CONTINUOUS  # the previous state; 0 would mean failure

    windows = WindowsKeepAwake(set_state)
    assert windows.inhibit("training")
    windows.release()
    assert calls == [ES_CONTINUOUS | ES_DISPLAY_REQUIRED | ES_SYSTEM_REQUIRED, ES_CONTINUOUS]


def test_windows_failure_is_reported() -> None:
    assert not WindowsKeepAwake(lambda flags: 0).inhibit("training")
    if sys.platform != "win32":
        off_windows = create_keep_awake("win32")
        assert not off_windows.inhibit("training")
        assert "SetThreadExecutionState" in (off_windows.unavailable_reason or "")


def test_caffeinate_waits_for_our_pid_and_is_killed_on_release() -> None:
    assert CaffeinateKeepAwake().command[1:] == ["-d", "-i", "-w", str(os.getpid())]
    stand_in = CaffeinateKeepAwake([sys.executable, "-c", "import time; time.sleep(60)"])
    assert stand_in.inhibit("training")
    process = stand_in.process
    assert process is not None and process.poll() is None
    stand_in.release()
    assert process.poll() is not None


def test_without_caffeinate_the_reason_is_given(monkeypatch, tmp_path) -> None:
    monkeypatch.setenv("PATH", str(tmp_path))
    missing = CaffeinateKeepAwake()
    assert not missing.inhibit("training")
    assert "caffeinate" in (missing.unavailable_reason or "")
    chosen = create_keep_awake("darwin")
    assert isinstance(chosen, NullKeepAwake)
    assert "caffeinate" in (chosen.unavailable_reason or "")


def test_linux_prefers_the_portal_only_when_sandboxed() -> None:
    plain = create_keep_awake("linux", sandboxed=False)
    sandboxed = create_keep_awake("linux", sandboxed=True)
    assert isinstance(plain, FallbackKeepAwake) and isinstance(sandboxed, FallbackKeepAwake)
    assert [type(c) for c in plain.candidates] == [
        DBusScreenSaverKeepAwake,
        PortalKeepAwake,
        X11ScreenSaverKeepAwake,
    ]
    assert [type(c) for c in sandboxed.candidates] == [
        PortalKeepAwake,
        DBusScreenSaverKeepAwake,
        X11ScreenSaverKeepAwake,
    ]
    assert plain.method == "org.freedesktop.ScreenSaver"
    assert sandboxed.method == "org.freedesktop.portal.Inhibit"


# --- X11 without D-Bus --------------------------------------------------------------------------


class FakeXlib:
    """Records what the X11 backend asks of libX11/libXss."""

    def __init__(self, *, display: int | None = 7, extension: bool = True) -> None:
        self.display, self.extension = display, extension
        self.calls: list[str] = []

    def open(self, name: str) -> int | None:
        self.calls.append(f"open {name}")
        return self.display

    def has_extension(self, display: int) -> bool:
        return self.extension

    def suspend(self, display: int, on: bool) -> None:
        self.calls.append("suspend" if on else "resume")

    def close(self, display: int) -> None:
        self.calls.append("close")


def test_x11_holds_the_screen_saver_off_and_lets_it_go() -> None:
    xlib = FakeXlib()
    backend = X11ScreenSaverKeepAwake(lambda: xlib, environ={"DISPLAY": ":5"})
    assert backend.inhibit("training")
    backend.release()
    assert xlib.calls == ["open :5", "suspend", "resume", "close"]


@pytest.mark.parametrize(
    ("environ", "xlib", "reason"),
    [
        ({}, FakeXlib(), "DISPLAY is not set"),
        ({"DISPLAY": ":5"}, FakeXlib(display=None), "cannot be opened"),
        ({"DISPLAY": ":5"}, FakeXlib(extension=False), "no screen saver extension"),
    ],
)
def test_x11_says_why_it_cannot(environ, xlib, reason) -> None:
    backend = X11ScreenSaverKeepAwake(lambda: xlib, environ=environ)
    assert not backend.inhibit("training")
    assert reason in (backend.unavailable_reason or "")
    assert "suspend" not in xlib.calls


def test_without_a_session_bus_x11_takes_over_and_one_short_notice_says_what_is_missing(
    qtbot,
) -> None:
    no_bus = NullKeepAwake("no D-Bus session bus (DBUS_SESSION_BUS_ADDRESS is not set)")
    x11 = X11ScreenSaverKeepAwake(lambda: FakeXlib(), environ={"DISPLAY": ":5"})
    controller = KeepAwakeController(FallbackKeepAwake([no_bus, x11]))
    failed: list[str] = []
    limited: list[str] = []
    controller.keep_awake_failed.connect(failed.append)
    controller.keep_awake_limited.connect(limited.append)
    for _ in range(3):  # pause and resume: said once
        controller.session_state_changed(State.RUNNING)
        controller.session_state_changed(State.PAUSED)
    assert failed == []
    assert limited == [x11.limitation]
    assert limited[0].count(".") == 1 and len(limited[0]) < 140


@pytest.mark.slow
def test_a_real_x_server_keeps_its_screen_saver_off_while_held(x_display: str) -> None:
    """On a private Xvfb with a 1 s screen-saver timeout: without the hold the saver starts
    after a second of idleness, with it it does not, and released it starts again."""
    import ctypes

    display = x_display
    x11 = ctypes.CDLL("libX11.so.6")
    xss = ctypes.CDLL("libXss.so.1")
    x11.XOpenDisplay.restype = ctypes.c_void_p
    x11.XOpenDisplay.argtypes = [ctypes.c_char_p]
    watcher = x11.XOpenDisplay(display.encode())
    assert watcher
    x11.XSetScreenSaver.argtypes = [ctypes.c_void_p] + [ctypes.c_int] * 4
    x11.XResetScreenSaver.argtypes = [ctypes.c_void_p]
    x11.XFlush.argtypes = [ctypes.c_void_p]
    x11.XDefaultRootWindow.restype = ctypes.c_ulong
    x11.XDefaultRootWindow.argtypes = [ctypes.c_void_p]

    class Info(ctypes.Structure):
        _fields_ = [
            ("window", ctypes.c_ulong),
            ("state", ctypes.c_int),
            ("kind", ctypes.c_int),
            ("til_or_since", ctypes.c_ulong),
            ("idle", ctypes.c_ulong),
            ("event_mask", ctypes.c_ulong),
        ]

    xss.XScreenSaverQueryInfo.argtypes = [
        ctypes.c_void_p,
        ctypes.c_ulong,
        ctypes.POINTER(Info),
    ]
    info = Info()

    def saver_on_after_idle() -> bool:
        """Whether the saver starts within 2 s of idleness (its timeout is 1 s). The X server
        runs that timer and sends this client nothing: its state is looked at until then."""
        x11.XResetScreenSaver(watcher)
        x11.XFlush(watcher)

        def saver_on() -> bool:
            xss.XScreenSaverQueryInfo(watcher, x11.XDefaultRootWindow(watcher), info)
            return bool(info.state == 1)  # ScreenSaverOn

        return poll_until(saver_on, timeout_s=2.0, every_s=0.05)

    x11.XSetScreenSaver(watcher, 1, 0, 1, 0)  # 1 s, no cycling, blank, no exposures
    assert saver_on_after_idle(), "the saver must start by itself here"
    backend = X11ScreenSaverKeepAwake(environ={"DISPLAY": display})
    assert backend.inhibit("training"), backend.unavailable_reason
    assert not saver_on_after_idle(), "held off while a session runs"
    backend.release()
    assert saver_on_after_idle(), "back to normal after the session"
    x11.XCloseDisplay.argtypes = [ctypes.c_void_p]
    x11.XCloseDisplay(watcher)


# --- against a real, private D-Bus ------------------------------------------------------------


def subprocess_env() -> dict[str, str]:
    path = os.pathsep.join(p for p in (str(ROOT), os.environ.get("PYTHONPATH")) if p)
    # DBUS_SESSION_BUS_ADDRESS is cleared so nothing can reach the user's real session bus.
    env = dict(os.environ, PYTHONPATH=path, QT_QPA_PLATFORM="offscreen")
    env.pop("DBUS_SESSION_BUS_ADDRESS", None)
    return env


@pytest.fixture
def start_fake(bus_address) -> Iterator[Callable[..., Lines]]:
    """Start the fake service on the private bus; returns its event lines once it is ready."""
    processes: list[subprocess.Popen[str]] = []

    def start(*args: str) -> Lines:
        process = subprocess.Popen(
            [sys.executable, str(FAKE_SERVICE), bus_address, *args],
            stdout=subprocess.PIPE,
            text=True,
            env=subprocess_env(),
        )
        processes.append(process)
        lines = Lines(process)
        lines.wait_for("ready")
        return lines

    yield start
    for process in processes:
        stop(process)


@pytest.fixture
def connection(qapp, bus_address):
    """Our side's connection to the private bus, injected into the code under test."""
    from PySide6.QtDBus import QDBusConnection

    name = f"calftimer-test-{uuid.uuid4().hex}"
    bus = QDBusConnection.connectToBus(bus_address, name)
    assert bus.isConnected(), bus.lastError().message()
    yield bus
    QDBusConnection.disconnectFromBus(name)


@pytest.mark.slow
def test_screensaver_inhibit_sends_our_name_and_release_sends_the_cookie(
    start_fake, connection
) -> None:
    events = start_fake()
    screensaver = DBusScreenSaverKeepAwake(connection, app_name="calftimer")
    assert screensaver.inhibit("Training session running"), screensaver.unavailable_reason
    app_name, reason, cookie = events.wait_for("inhibit")
    assert (app_name, reason) == ("calftimer", "Training session running")
    assert screensaver.active and screensaver.cookie == int(cookie)
    assert screensaver.path == "/org/freedesktop/ScreenSaver"
    assert screensaver.inhibit("again")  # already inhibiting: no second Inhibit call
    screensaver.release()
    screensaver.release()
    # The next event after the one Inhibit is the UnInhibit of its cookie, as a D-Bus uint32.
    assert events.wait_for("uninhibit") == [cookie, "known"]
    assert [line.split("\t")[0] for line in events.seen] == ["ready", "inhibit", "uninhibit"]
    assert not screensaver.active


@pytest.mark.slow
def test_screensaver_on_the_short_path_is_found(start_fake, connection) -> None:
    events = start_fake("--path", "/ScreenSaver")
    screensaver = DBusScreenSaverKeepAwake(connection)
    assert screensaver.inhibit("training"), screensaver.unavailable_reason
    assert screensaver.path == "/ScreenSaver"
    cookie = events.wait_for("inhibit")[2]
    screensaver.release()
    assert events.wait_for("uninhibit") == [cookie, "known"]


@pytest.mark.slow
def test_no_service_fails_quickly_with_a_reason(connection) -> None:
    screensaver = DBusScreenSaverKeepAwake(connection)
    started = time.monotonic()
    assert not screensaver.inhibit("training")
    assert time.monotonic() - started < 1.0
    assert screensaver.unavailable_reason == (
        "org.freedesktop.ScreenSaver is not running on the session bus"
    )
    chain = create_keep_awake("linux", connection=connection, sandboxed=False)
    assert not chain.inhibit("training")
    assert "org.freedesktop.ScreenSaver" in (chain.unavailable_reason or "")
    assert "org.freedesktop.portal.Desktop" in (chain.unavailable_reason or "")


@pytest.mark.slow
def test_a_hung_service_costs_at_most_the_timeout(start_fake, connection) -> None:
    events = start_fake()
    screensaver = DBusScreenSaverKeepAwake(connection, timeout_ms=200)
    hung = events.process
    os.kill(hung.pid, signal.SIGSTOP)
    try:
        started = time.monotonic()
        assert not screensaver.inhibit("training")
        assert time.monotonic() - started < 1.0
        assert screensaver.unavailable_reason == (
            "org.freedesktop.ScreenSaver did not answer within 0.2 s"
        )
    finally:
        os.kill(hung.pid, signal.SIGCONT)


@pytest.mark.slow
def test_portal_inhibits_idle_and_closes_the_request(start_fake, connection) -> None:
    events = start_fake("--portal")
    chosen = create_keep_awake("linux", connection=connection, sandboxed=False)
    assert chosen.inhibit("Training session running"), chosen.unavailable_reason
    assert chosen.method == "org.freedesktop.portal.Inhibit"  # the ScreenSaver is absent
    window, flags, reason, handle = events.wait_for("portal-inhibit")
    assert (window, flags, reason) == ("", "8", "Training session running")
    chosen.release()
    assert events.wait_for("close") == [handle]


CLIENT = textwrap.dedent(
    """
    import sys
    from PySide6.QtCore import QCoreApplication
    from calftimer.gui.keep_awake import DBusScreenSaverKeepAwake, connect_to_bus
    app = QCoreApplication([])
    bus = connect_to_bus(sys.argv[1], "client")
    keep_awake = DBusScreenSaverKeepAwake(bus)
    ok = keep_awake.inhibit("training")
    print("inhibited" if ok else "failed", bus.baseService(), sep="\t", flush=True)
    sys.stdin.readline()
    """
)


@pytest.mark.slow
def test_a_killed_client_disappears_from_the_bus(start_fake, bus_address) -> None:
    """What "released on crash" rests on: the bus tells the service the client is gone."""
    events = start_fake()
    client = subprocess.Popen(
        [sys.executable, "-c", CLIENT, bus_address],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
        env=subprocess_env(),
    )
    try:
        [client_name] = Lines(client).wait_for("inhibited")
        events.wait_for("inhibit")
        os.kill(client.pid, signal.SIGKILL)
        client.wait(timeout=WAIT_S)
        while events.wait_for("vanished") != [client_name]:
            pass
    finally:
        stop(client)


def test_a_session_without_d_bus_shows_one_short_info_notice(make_window) -> None:
    from calftimer.core.programs import BUILTIN_BY_ID
    from tests.gui.helpers import notice_text

    backend = FallbackKeepAwake(
        [
            NullKeepAwake("no D-Bus session bus (DBUS_SESSION_BUS_ADDRESS is not set)"),
            X11ScreenSaverKeepAwake(lambda: FakeXlib(), environ={"DISPLAY": ":5"}),
        ]
    )
    window = make_window(keep_awake=backend)
    window.session.start(BUILTIN_BY_ID["isometric"])
    assert window.session.state is State.RUNNING
    assert backend.active and backend.method == "XScreenSaverSuspend"
    [notice] = [n for n in window.notices.active() if n.key == "keep-awake"]
    assert notice.level == "info" and notice.text == backend.limitation
    assert "Could not keep the screen awake" not in notice_text(window)
