"""Keep the screen awake while a session runs, and let it sleep again on pause, stop and exit.

``KeepAwake`` is the small interface the window talks to; one backend per platform:

- Linux and BSD: ``org.freedesktop.ScreenSaver.Inhibit`` on the session D-Bus, or the XDG
  portal's ``org.freedesktop.portal.Inhibit`` (tried first inside a Flatpak sandbox). Each is
  the other's fallback; which one is used is decided by what answers at the first ``inhibit()``.
- X11 without either (no session bus, a bare window manager): the X server's own screen saver
  and power saving held off with ``XScreenSaverSuspend`` (libXss), which the server undoes by
  itself when our connection closes; a desktop's own idle lock cannot be reached that way,
  which one short notice says.
- Windows: ``SetThreadExecutionState`` (per thread: call it from the GUI thread).
- macOS: a ``caffeinate -d -i -w <our pid>`` child process, killed on release.
- ``NullKeepAwake`` when nothing works, carrying the reason.

Every backend is released by the operating system if calftimer crashes: the D-Bus services drop
the inhibitions of a client whose bus connection closes, Windows drops a thread's execution
state with the thread, and ``caffeinate -w`` exits when the process it waits for is gone.

``KeepAwakeController`` maps session states onto it: RUNNING inhibits, anything else releases,
the keep-awake setting can switch it off, and a failure is reported once.
"""

from __future__ import annotations

import contextlib
import itertools
import logging
import os
import shutil
import subprocess
import sys
import threading
import xml.etree.ElementTree as ElementTree
from abc import ABC, abstractmethod
from collections.abc import Callable, Mapping, Sequence
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QObject, Signal, Slot

from calftimer.core.i18n import N_, _
from calftimer.core.session import State

if TYPE_CHECKING:
    from PySide6.QtDBus import QDBusConnection, QDBusInterface, QDBusMessage

log = logging.getLogger(__name__)

APP_NAME = "calftimer"
DEFAULT_REASON = N_("A calf training session is running")
# D-Bus calls run on the GUI thread and block it, so they must come back fast or give up.
DBUS_TIMEOUT_MS = 1000
# The portal is often started on demand by the bus (D-Bus activation), which can take longer.
PORTAL_START_TIMEOUT_MS = 3000

SCREENSAVER_SERVICE = "org.freedesktop.ScreenSaver"
SCREENSAVER_INTERFACE = "org.freedesktop.ScreenSaver"
# KDE and GNOME export both paths; some older services only the short one.
SCREENSAVER_PATHS = ("/org/freedesktop/ScreenSaver", "/ScreenSaver")

PORTAL_SERVICE = "org.freedesktop.portal.Desktop"
PORTAL_PATH = "/org/freedesktop/portal/desktop"
PORTAL_INTERFACE = "org.freedesktop.portal.Inhibit"
PORTAL_REQUEST_INTERFACE = "org.freedesktop.portal.Request"
PORTAL_INHIBIT_IDLE = 8  # flags: 1 logout, 2 user switch, 4 suspend, 8 idle

ES_CONTINUOUS = 0x80000000
ES_SYSTEM_REQUIRED = 0x00000001
ES_DISPLAY_REQUIRED = 0x00000002

# Errors after which trying another object path of the same service is pointless.
_SERVICE_ERRORS = (
    "org.freedesktop.DBus.Error.ServiceUnknown",
    "org.freedesktop.DBus.Error.NoReply",
    "org.freedesktop.DBus.Error.Timeout",
    "org.freedesktop.DBus.Error.TimedOut",
    "org.freedesktop.DBus.Error.NameHasNoOwner",
    "org.freedesktop.DBus.Error.Disconnected",
)


class KeepAwakeError(Exception):
    """A backend could not inhibit; the message is shown to the user as the reason."""


class _CallError(KeepAwakeError):
    """A D-Bus call came back with an error (``error_name``) or not at all."""

    def __init__(self, error_name: str, text: str) -> None:
        super().__init__(text)
        self.error_name = error_name


class KeepAwake(ABC):
    """Keeps the screen on between ``inhibit()`` and ``release()``; both are idempotent.

    Subclasses implement ``_start`` (raise ``KeepAwakeError`` with a readable reason) and
    ``_stop``; this base class keeps the state and makes repeated calls harmless.
    """

    method: str = "none"  # human-readable name of the mechanism, e.g. "org.freedesktop.ScreenSaver"
    # What still cannot be done while this backend holds the screen (None: nothing): said once.
    limitation: str | None = None

    def __init__(self) -> None:
        self._active = False
        self._unavailable_reason: str | None = None

    @property
    def active(self) -> bool:
        return self._active

    @property
    def unavailable_reason(self) -> str | None:
        """Why the last ``inhibit()`` failed; None while it works (or before it was tried)."""
        return self._unavailable_reason

    def inhibit(self, reason: str = _(DEFAULT_REASON)) -> bool:
        """Keep the screen awake; True when it is (or already was) being kept awake."""
        if self._active:
            return True
        try:
            self._start(reason)
        except KeepAwakeError as exc:
            self._unavailable_reason = str(exc)
            log.info("keep-awake via %s failed: %s", self.method, exc)
            return False
        self._active = True
        self._unavailable_reason = None
        return True

    def release(self) -> None:
        """Let the screen sleep again; does nothing when not inhibiting."""
        if not self._active:
            return
        self._active = False
        try:
            self._stop()
        except Exception:  # releasing must never take the window down
            log.warning(_("keep-awake via %s: release failed"), self.method, exc_info=True)

    @abstractmethod
    def _start(self, reason: str) -> None: ...

    @abstractmethod
    def _stop(self) -> None: ...


class NullKeepAwake(KeepAwake):
    """Nothing can keep the screen awake here; says why."""

    method = "none"

    def __init__(self, reason: str) -> None:
        super().__init__()
        self._unavailable_reason = reason
        self._reason = reason

    def _start(self, reason: str) -> None:
        raise KeepAwakeError(self._reason)

    def _stop(self) -> None:
        """Nothing was started, so there is nothing to release."""


class FallbackKeepAwake(KeepAwake):
    """Tries its candidates in order at each ``inhibit()`` and uses the first that works."""

    def __init__(self, candidates: Sequence[KeepAwake]) -> None:
        super().__init__()
        if not candidates:
            raise ValueError("FallbackKeepAwake needs at least one candidate")
        self._candidates = list(candidates)
        self._current: KeepAwake | None = None

    @property
    def method(self) -> str:  # type: ignore[override]
        chosen = self._current or self._candidates[0]
        return chosen.method

    @property
    def candidates(self) -> list[KeepAwake]:
        return list(self._candidates)

    @property
    def limitation(self) -> str | None:  # type: ignore[override]
        return self._current.limitation if self._current is not None else None

    def _start(self, reason: str) -> None:
        reasons: list[str] = []
        for candidate in self._candidates:
            if candidate.inhibit(reason):
                self._current = candidate
                return
            why = candidate.unavailable_reason or _("{method} did not work").format(
                method=candidate.method
            )
            if why not in reasons:  # "no D-Bus session bus" once, not once per service
                reasons.append(why)
        raise KeepAwakeError("; ".join(reasons))

    def _stop(self) -> None:
        if self._current is not None:
            self._current.release()


# --- Linux: D-Bus ---------------------------------------------------------------------------


def connect_to_bus(address: str, name: str) -> QDBusConnection:
    """A private connection to the bus at ``address`` (tests point this at their own bus)."""
    from PySide6.QtDBus import QDBusConnection

    return QDBusConnection.connectToBus(address, name)


class _DBusKeepAwake(KeepAwake):
    """Shared plumbing: a session-bus connection (or an injected one) and short, bounded calls.

    Whatever we inhibit over D-Bus is bound to our bus connection: when calftimer dies, even by
    SIGKILL, the socket closes, the bus announces that our unique name vanished
    (``NameOwnerChanged``) and the screensaver service / portal drops our inhibitions. That is
    what "released on crash" rests on; nothing has to run at exit.
    """

    def __init__(
        self, connection: QDBusConnection | None = None, timeout_ms: int = DBUS_TIMEOUT_MS
    ) -> None:
        super().__init__()
        self._connection = connection
        self._timeout_ms = timeout_ms

    def _bus(self) -> QDBusConnection:
        from PySide6.QtDBus import QDBusConnection

        bus = self._connection if self._connection is not None else QDBusConnection.sessionBus()
        if not bus.isConnected():
            detail = bus.lastError().message() or "DBUS_SESSION_BUS_ADDRESS is not set"
            raise KeepAwakeError(_("no D-Bus session bus ({detail})").format(detail=detail))
        return bus

    def _call(
        self,
        bus: QDBusConnection,
        service: str,
        path: str,
        interface: str,
        member: str,
        args: Sequence[Any] = (),
        timeout_ms: int | None = None,
    ) -> QDBusMessage:
        from PySide6.QtDBus import QDBus, QDBusMessage

        message = QDBusMessage.createMethodCall(service, path, interface, member)
        if args:
            message.setArguments(list(args))
        return bus.call(message, QDBus.CallMode.Block, timeout_ms or self._timeout_ms)

    def _interfaces_at(
        self, bus: QDBusConnection, service: str, path: str, timeout_ms: int | None = None
    ) -> set[str]:
        """The interfaces the object at ``path`` offers, asked with a short timeout.

        QDBusInterface introspects too, but with Qt's 25 s default timeout; asking first
        bounds the wait when a service hangs.
        """
        from PySide6.QtDBus import QDBusMessage

        reply = self._call(
            bus,
            service,
            path,
            "org.freedesktop.DBus.Introspectable",
            "Introspect",
            timeout_ms=timeout_ms,
        )
        if reply.type() != QDBusMessage.MessageType.ReplyMessage:
            waited = timeout_ms or self._timeout_ms
            raise _CallError(reply.errorName(), _describe_error(service, reply, waited))
        try:
            root = ElementTree.fromstring(str(reply.arguments()[0]))
        except (ElementTree.ParseError, IndexError):
            return set()
        return {node.get("name", "") for node in root.iter("interface")}

    def _interface(
        self, bus: QDBusConnection, service: str, path: str, interface: str
    ) -> QDBusInterface:
        from PySide6.QtDBus import QDBusInterface

        proxy = QDBusInterface(service, path, interface, bus)
        proxy.setTimeout(self._timeout_ms)
        return proxy


def _describe_error(service: str, reply: QDBusMessage, timeout_ms: int) -> str:
    name = reply.errorName()
    if name == "org.freedesktop.DBus.Error.ServiceUnknown":
        return _("{service} is not running on the session bus").format(service=service)
    if name in ("org.freedesktop.DBus.Error.NoReply", "org.freedesktop.DBus.Error.Timeout"):
        return _("{service} did not answer within {seconds} s").format(
            service=service, seconds=f"{timeout_ms / 1000:g}"
        )
    return f"{service}: {reply.errorMessage() or name or 'no reply'}"


def _has_method(proxy: QObject, signature: str) -> bool:
    return proxy.metaObject().indexOfMethod(signature) >= 0


class DBusScreenSaverKeepAwake(_DBusKeepAwake):
    """``org.freedesktop.ScreenSaver.Inhibit(app, reason) -> cookie``; ``UnInhibit(cookie)``."""

    method = "org.freedesktop.ScreenSaver"

    def __init__(
        self,
        connection: QDBusConnection | None = None,
        app_name: str = APP_NAME,
        timeout_ms: int = DBUS_TIMEOUT_MS,
        paths: Sequence[str] = SCREENSAVER_PATHS,
    ) -> None:
        super().__init__(connection, timeout_ms)
        self._app_name = app_name
        self._paths = tuple(paths)
        self._proxy: QDBusInterface | None = None
        self._cookie: int | None = None
        self._path: str | None = None

    @property
    def cookie(self) -> int | None:
        return self._cookie

    @property
    def path(self) -> str | None:
        """The object path that answered (one of ``SCREENSAVER_PATHS``)."""
        return self._path

    def _start(self, reason: str) -> None:
        from PySide6.QtDBus import QDBusMessage

        bus = self._bus()
        problems = []
        for path in self._paths:
            try:
                offered = self._interfaces_at(bus, SCREENSAVER_SERVICE, path)
            except _CallError as exc:
                if exc.error_name in _SERVICE_ERRORS:
                    raise
                problems.append(f"{path}: {exc}")
                continue
            if SCREENSAVER_INTERFACE not in offered:
                problems.append(_("nothing at {path}").format(path=path))
                continue
            # Built before inhibiting, so we never hold a cookie we could not hand back.
            proxy = self._interface(bus, SCREENSAVER_SERVICE, path, SCREENSAVER_INTERFACE)
            if not _has_method(proxy, "UnInhibit(uint)"):
                problems.append(f"{path} offers no UnInhibit(uint)")
                continue
            args = [self._app_name, reason]
            reply = self._call(
                bus, SCREENSAVER_SERVICE, path, SCREENSAVER_INTERFACE, "Inhibit", args
            )
            if reply.type() != QDBusMessage.MessageType.ReplyMessage or not reply.arguments():
                problems.append(_describe_error(SCREENSAVER_SERVICE, reply, self._timeout_ms))
                continue
            self._cookie = int(reply.arguments()[0])
            self._proxy = proxy
            self._path = path
            return
        raise KeepAwakeError(
            _("{service} refused: {problems}").format(
                service=SCREENSAVER_SERVICE, problems="; ".join(problems)
            )
        )

    def _stop(self) -> None:
        from PySide6.QtCore import Q_ARG, QMetaObject

        proxy, cookie = self._proxy, self._cookie
        self._proxy = self._cookie = None
        if proxy is None or cookie is None:
            return
        # UnInhibit takes a D-Bus uint32 ("u"). PySide6 sends a Python int as int32 ("i"), which
        # the services reject, so the call goes through the introspected proxy, whose method
        # UnInhibit(uint) converts the argument.
        QMetaObject.invokeMethod(proxy, "UnInhibit", Q_ARG("uint", cookie))
        error = proxy.lastError()
        if error.isValid():
            log.warning(_("UnInhibit(%d) failed: %s"), cookie, error.message())


class PortalKeepAwake(_DBusKeepAwake):
    """The XDG desktop portal's ``Inhibit(window, flags, options) -> request handle``.

    Releasing is calling ``org.freedesktop.portal.Request.Close`` on the handle. This is the
    way out of a Flatpak sandbox; it works outside one too, where the portal runs.
    """

    method = "org.freedesktop.portal.Inhibit"
    _tokens = itertools.count(1)

    def __init__(
        self,
        connection: QDBusConnection | None = None,
        timeout_ms: int = DBUS_TIMEOUT_MS,
        start_timeout_ms: int = PORTAL_START_TIMEOUT_MS,
    ) -> None:
        super().__init__(connection, timeout_ms)
        self._start_timeout_ms = start_timeout_ms
        self._handle: str | None = None

    @property
    def handle(self) -> str | None:
        return self._handle

    def _start(self, reason: str) -> None:
        from PySide6.QtCore import Q_ARG, Q_RETURN_ARG, QMetaObject

        bus = self._bus()
        offered = self._interfaces_at(bus, PORTAL_SERVICE, PORTAL_PATH, self._start_timeout_ms)
        if PORTAL_INTERFACE not in offered:
            raise KeepAwakeError(
                _("the desktop portal offers no {interface}").format(interface=PORTAL_INTERFACE)
            )
        proxy = self._interface(bus, PORTAL_SERVICE, PORTAL_PATH, PORTAL_INTERFACE)
        if not _has_method(proxy, "Inhibit(QString,uint,QVariantMap)"):
            raise KeepAwakeError(
                _("the desktop portal's {interface} has no Inhibit").format(
                    interface=PORTAL_INTERFACE
                )
            )
        options = {"reason": reason, "handle_token": f"calftimer{next(self._tokens)}"}
        # flags is a D-Bus uint32: through the proxy for the same reason as UnInhibit above.
        handle = QMetaObject.invokeMethod(
            proxy,
            "Inhibit",
            Q_RETURN_ARG("QDBusObjectPath"),
            Q_ARG("QString", ""),  # no parent window identifier
            Q_ARG("uint", PORTAL_INHIBIT_IDLE),
            Q_ARG("QVariantMap", options),
        )
        error = proxy.lastError()
        if error.isValid() or handle is None or not hasattr(handle, "path"):
            raise KeepAwakeError(
                _("the desktop portal refused: {reason}").format(
                    reason=error.message() or _("no handle")
                )
            )
        self._handle = handle.path()

    def _stop(self) -> None:
        from PySide6.QtDBus import QDBusMessage

        handle, self._handle = self._handle, None
        if handle is None:
            return
        reply = self._call(self._bus(), PORTAL_SERVICE, handle, PORTAL_REQUEST_INTERFACE, "Close")
        if reply.type() != QDBusMessage.MessageType.ReplyMessage:
            log.warning(_("closing the portal inhibit request failed: %s"), reply.errorMessage())


# --- X11 without D-Bus ------------------------------------------------------------------------


class _Xlib:
    """The few libX11 and libXss calls used, through ctypes (libxss1 is a small, common library;
    bootstrap.py installs it)."""

    def __init__(self) -> None:
        import ctypes
        import ctypes.util

        try:
            x11 = ctypes.CDLL(ctypes.util.find_library("X11") or "libX11.so.6")
            xss = ctypes.CDLL(ctypes.util.find_library("Xss") or "libXss.so.1")
        except OSError as exc:
            raise KeepAwakeError(_("libXss is not installed ({error})").format(error=exc)) from exc
        pointer = ctypes.c_void_p
        x11.XOpenDisplay.restype = pointer
        x11.XOpenDisplay.argtypes = [ctypes.c_char_p]
        for name in ("XFlush", "XCloseDisplay", "XResetScreenSaver"):
            getattr(x11, name).argtypes = [pointer]
        xss.XScreenSaverQueryExtension.argtypes = [
            pointer,
            ctypes.POINTER(ctypes.c_int),
            ctypes.POINTER(ctypes.c_int),
        ]
        xss.XScreenSaverSuspend.argtypes = [pointer, ctypes.c_int]
        self._ctypes = ctypes
        self.x11, self.xss = x11, xss

    def open(self, name: str) -> int | None:
        return self.x11.XOpenDisplay(name.encode()) or None  # type: ignore[no-any-return]

    def has_extension(self, display: int) -> bool:
        event, error = self._ctypes.c_int(), self._ctypes.c_int()
        found = self.xss.XScreenSaverQueryExtension(
            display, self._ctypes.byref(event), self._ctypes.byref(error)
        )
        return bool(found)

    def suspend(self, display: int, on: bool) -> None:
        self.xss.XScreenSaverSuspend(display, 1 if on else 0)
        if on:
            self.x11.XResetScreenSaver(display)  # a blanked screen comes back too
        self.x11.XFlush(display)

    def close(self, display: int) -> None:
        self.x11.XCloseDisplay(display)


class X11ScreenSaverKeepAwake(KeepAwake):
    """``XScreenSaverSuspend`` on a connection of our own to the X server: its screen saver and
    DPMS stay off while it is held; the server lifts it when the connection closes (a crash
    included)."""

    method = "XScreenSaverSuspend"

    @property
    def limitation(self) -> str | None:  # type: ignore[override]
        return _(
            "Without D-Bus, calftimer keeps only the X server's screen saver and power saving "
            "off; your desktop's own screen lock may still start."
        )

    def __init__(
        self,
        xlib: Callable[[], Any] | None = None,
        environ: Mapping[str, str] | None = None,
    ) -> None:
        super().__init__()
        self._load = xlib or _Xlib
        self._environ = os.environ if environ is None else environ
        self._lib: Any = None
        self._display: int | None = None

    def _start(self, reason: str) -> None:
        if not self._environ.get("DISPLAY"):
            raise KeepAwakeError(_("no X11 display (DISPLAY is not set)"))
        if self._lib is None:
            self._lib = self._load()
        display = self._lib.open(self._environ["DISPLAY"])
        if display is None:
            raise KeepAwakeError(
                _("the X display {display} cannot be opened").format(
                    display=self._environ["DISPLAY"]
                )
            )
        if not self._lib.has_extension(display):
            self._lib.close(display)
            raise KeepAwakeError(_("the X server has no screen saver extension"))
        self._lib.suspend(display, True)
        self._display = display

    def _stop(self) -> None:
        display, self._display = self._display, None
        if display is None:
            return
        self._lib.suspend(display, False)
        self._lib.close(display)


# --- Windows ----------------------------------------------------------------------------------


class WindowsKeepAwake(KeepAwake):
    """``SetThreadExecutionState``: the request belongs to the calling thread, so inhibit and
    release from the GUI thread. Windows drops it when that thread (or the process) ends."""

    method = "SetThreadExecutionState"

    def __init__(self, set_state: Callable[[int], int] | None = None) -> None:
        super().__init__()
        self._set_state = set_state
        self._thread: int | None = None

    def _function(self) -> Callable[[int], int]:
        if self._set_state is None:
            try:
                import ctypes

                function = ctypes.windll.kernel32.SetThreadExecutionState  # type: ignore[attr-defined]
            except (AttributeError, ImportError, OSError) as exc:
                raise KeepAwakeError(
                    _("SetThreadExecutionState is not available ({reason})").format(reason=exc)
                ) from exc
            function.argtypes = [ctypes.c_uint32]
            function.restype = ctypes.c_uint32
            self._set_state = function
        return self._set_state

    def _start(self, reason: str) -> None:
        flags = ES_CONTINUOUS | ES_DISPLAY_REQUIRED | ES_SYSTEM_REQUIRED
        if self._function()(flags) == 0:  # it returns the previous state, 0 on failure
            raise KeepAwakeError(_("SetThreadExecutionState failed"))
        self._thread = threading.get_ident()

    def _stop(self) -> None:
        if self._thread != threading.get_ident():
            log.warning(_("keep-awake released from another thread than the one that set it"))
        self._function()(ES_CONTINUOUS)
        self._thread = None


# --- macOS ------------------------------------------------------------------------------------


class CaffeinateKeepAwake(KeepAwake):
    """A ``caffeinate`` child: -d keeps the display on, -i the system, and -w makes it exit by
    itself when our process is gone, so a crash never leaves the Mac awake."""

    method = "caffeinate"

    def __init__(self, command: Sequence[str] | None = None) -> None:
        super().__init__()
        self._command = list(command) if command is not None else self.default_command()
        self._process: subprocess.Popen[bytes] | None = None

    @staticmethod
    def default_command() -> list[str]:
        return ["caffeinate", "-d", "-i", "-w", str(os.getpid())]

    @property
    def command(self) -> list[str]:
        return list(self._command)

    @property
    def process(self) -> subprocess.Popen[bytes] | None:
        return self._process

    def _start(self, reason: str) -> None:
        program = shutil.which(self._command[0])
        if program is None:
            raise KeepAwakeError(
                _("the {command} command was not found").format(command=self._command[0])
            )
        try:
            self._process = subprocess.Popen(
                [program, *self._command[1:]],
                stdin=subprocess.DEVNULL,
                stdout=subprocess.DEVNULL,
                stderr=subprocess.DEVNULL,
            )
        except OSError as exc:
            raise KeepAwakeError(
                _("could not start {command}: {reason}").format(
                    command=self._command[0], reason=exc
                )
            ) from exc

    def _stop(self) -> None:
        process, self._process = self._process, None
        if process is None or process.poll() is not None:
            return
        process.terminate()
        try:
            process.wait(timeout=1)
        except subprocess.TimeoutExpired:
            process.kill()
            with contextlib.suppress(subprocess.TimeoutExpired):
                process.wait(timeout=1)


# --- choosing ---------------------------------------------------------------------------------


def is_sandboxed() -> bool:
    """Inside Flatpak, talking to host services directly may be blocked: prefer the portal."""
    return os.path.exists("/.flatpak-info")


def create_keep_awake(
    platform: str | None = None,
    *,
    connection: QDBusConnection | None = None,
    sandboxed: bool | None = None,
    app_name: str = APP_NAME,
) -> KeepAwake:
    """The keep-awake for this platform. Cheap: no bus traffic or process until ``inhibit()``.

    On Linux the first ``inhibit()`` picks whichever D-Bus service answers (the portal first
    when sandboxed). ``connection`` replaces the session bus (tests use a private bus).
    """
    platform = sys.platform if platform is None else platform
    if platform == "win32":
        return WindowsKeepAwake()
    if platform == "darwin":
        if shutil.which("caffeinate") is None:
            return NullKeepAwake(
                _("the {command} command was not found").format(command="caffeinate")
            )
        return CaffeinateKeepAwake()
    x11 = X11ScreenSaverKeepAwake()
    try:
        import PySide6.QtDBus  # noqa: F401  (a Qt build without D-Bus has no way to ask)
    except ImportError:
        return FallbackKeepAwake([x11])
    screensaver = DBusScreenSaverKeepAwake(connection, app_name=app_name)
    portal = PortalKeepAwake(connection)
    sandboxed = is_sandboxed() if sandboxed is None else sandboxed
    dbus: list[KeepAwake] = [portal, screensaver] if sandboxed else [screensaver, portal]
    return FallbackKeepAwake([*dbus, x11])


# --- the controller ---------------------------------------------------------------------------


def unavailable_message(reason: str | None) -> str:
    detail = (reason or _("no method works on this system")).rstrip(". ")
    return _(
        "Could not keep the screen awake: {detail}. Set your screen to stay on while training."
    ).format(detail=detail)


class KeepAwakeController(QObject):
    """Session state in, inhibit/release out: RUNNING keeps the screen awake, anything else
    (ready, paused, finished, abandoned) lets it sleep. The keep-awake setting can turn it off.

    When inhibiting fails the first time, ``keep_awake_failed`` is emitted and
    ``status_message()`` returns the message once; later failures stay quiet. When it works
    again after that, ``keep_awake_restored`` is emitted (and a later failure is told again).
    """

    keep_awake_failed = Signal(str)  # the notice to show, emitted once per stretch of failures
    keep_awake_restored = Signal()  # inhibiting works again: the notice is no longer true
    keep_awake_limited = Signal(str)  # it works, but only in part (X11 without D-Bus): once

    def __init__(
        self,
        keep_awake: KeepAwake,
        *,
        enabled: bool = True,
        reason: str = _(DEFAULT_REASON),
        parent: QObject | None = None,
    ) -> None:
        super().__init__(parent)
        self._keep_awake = keep_awake
        self._enabled = enabled
        self._reason = reason
        self._state = State.READY
        self._reported = False
        self._limitation_said = False
        self._pending_message: str | None = None

    @property
    def keep_awake(self) -> KeepAwake:
        return self._keep_awake

    @property
    def state(self) -> State:
        return self._state

    @property
    def enabled(self) -> bool:
        return self._enabled

    @enabled.setter
    def enabled(self, enabled: bool) -> None:
        self.set_enabled(enabled)

    @Slot(bool)
    def set_enabled(self, enabled: bool) -> None:
        self._enabled = bool(enabled)
        if not self._enabled:
            self._reported = False  # turned back on and still failing: say so again
        self._apply()

    @Slot(object)
    def session_state_changed(self, state: State | str) -> None:
        self._state = State(state)
        self._apply()

    @Slot()
    def shutdown(self) -> None:
        """Release now (window closing, application quitting)."""
        self._state = State.READY
        self._keep_awake.release()

    def status_message(self) -> str | None:
        """The failure message the first time it is asked after a failure, then None."""
        message, self._pending_message = self._pending_message, None
        return message

    def _apply(self) -> None:
        if not (self._enabled and self._state is State.RUNNING):
            self._keep_awake.release()
            return
        if self._keep_awake.inhibit(self._reason):
            if self._reported:
                self._reported = False
                self.keep_awake_restored.emit()
            limitation = self._keep_awake.limitation
            if limitation is not None and not self._limitation_said:
                self._limitation_said = True
                self.keep_awake_limited.emit(limitation)
            return
        if self._reported:
            return
        self._reported = True
        self._pending_message = unavailable_message(self._keep_awake.unavailable_reason)
        self.keep_awake_failed.emit(self._pending_message)
