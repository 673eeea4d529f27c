"""Linux: calftimer as an MPRIS2 media player on the session bus, so headset buttons, media keys
and the desktop's media widget (GNOME, KDE, the lock screen) reach the session whatever window
has the focus.

The player is ``org.mpris.MediaPlayer2.<APP_ID>`` at ``/org/mpris/MediaPlayer2`` with the two
interfaces of the specification (``org.mpris.MediaPlayer2`` and ``...Player``), their properties
through ``org.freedesktop.DBus.Properties`` (``PropertiesChanged`` sent on every change but
``Position``, as the specification asks; ``Seeked`` when a skip or back jumps), and
``Introspect``. Flatpak lets an app own ``org.mpris.MediaPlayer2.<its id>`` without a permission.

Why jeepney and not QtDBus: MPRIS types are strict (``mpris:length`` and ``Position`` are int64,
``mpris:trackid`` an object path) and GLib-based desktops ignore a length of another type.
PySide6 turns a Python int into whatever D-Bus integer its overloads pick (int32 for small
values, uint16 through ``QDBusArgument``), so exact typing from Python is not possible there;
jeepney (pure Python, no dependencies, the D-Bus layer of keyring/SecretStorage) writes the
signature we give it. Its socket is read from Qt's event loop through a ``QSocketNotifier``: no
thread, and every call into the window happens on the GUI thread.

The bus drops the name when the process ends, however it ends (SIGKILL included): the name
belongs to the connection.
"""

from __future__ import annotations

import contextlib
import itertools
import logging
import os
from collections.abc import Callable
from typing import Any

from PySide6.QtCore import QObject, QSocketNotifier, Signal

from calftimer import APP_ID
from calftimer.core.i18n import _
from calftimer.core.remote import NowPlaying, RemoteCommand, Status
from calftimer.gui.remote import RemoteUnavailableError

log = logging.getLogger(__name__)

BUS_NAME = f"org.mpris.MediaPlayer2.{APP_ID}"
OBJECT_PATH = "/org/mpris/MediaPlayer2"
ROOT_INTERFACE = "org.mpris.MediaPlayer2"
PLAYER_INTERFACE = "org.mpris.MediaPlayer2.Player"
PROPERTIES_INTERFACE = "org.freedesktop.DBus.Properties"
NO_TRACK = "/org/mpris/MediaPlayer2/TrackList/NoTrack"
TRACK_PREFIX = "/io/github/calftimer/CalfTimer/session/"
# Setting up the link blocks the GUI thread: a bus that does not answer is given up quickly.
CALL_TIMEOUT_S = 1.0
IDENTITY = "calftimer"

_PLAYER_METHODS: dict[str, RemoteCommand] = {
    "Play": RemoteCommand.PLAY,
    "Pause": RemoteCommand.PAUSE,
    "PlayPause": RemoteCommand.PLAY_PAUSE,
    "Next": RemoteCommand.NEXT,
    "Previous": RemoteCommand.PREVIOUS,
    "Stop": RemoteCommand.STOP,
}

INTROSPECTION = f"""<!DOCTYPE node PUBLIC "-//freedesktop//DTD D-BUS Object Introspection 1.0//EN"
 "http://www.freedesktop.org/standards/dbus/1.0/introspect.dtd">
<node>
  <interface name="org.freedesktop.DBus.Introspectable">
    <method name="Introspect"><arg name="xml" type="s" direction="out"/></method>
  </interface>
  <interface name="org.freedesktop.DBus.Peer">
    <method name="Ping"/>
  </interface>
  <interface name="{PROPERTIES_INTERFACE}">
    <method name="Get">
      <arg name="interface" type="s" direction="in"/><arg name="name" type="s" direction="in"/>
      <arg name="value" type="v" direction="out"/>
    </method>
    <method name="GetAll">
      <arg name="interface" type="s" direction="in"/>
      <arg name="properties" type="a{{sv}}" direction="out"/>
    </method>
    <method name="Set">
      <arg name="interface" type="s" direction="in"/><arg name="name" type="s" direction="in"/>
      <arg name="value" type="v" direction="in"/>
    </method>
    <signal name="PropertiesChanged">
      <arg name="interface" type="s"/><arg name="changed" type="a{{sv}}"/>
      <arg name="invalidated" type="as"/>
    </signal>
  </interface>
  <interface name="{ROOT_INTERFACE}">
    <method name="Raise"/>
    <method name="Quit"/>
    <property name="CanQuit" type="b" access="read"/>
    <property name="CanRaise" type="b" access="read"/>
    <property name="HasTrackList" type="b" access="read"/>
    <property name="Identity" type="s" access="read"/>
    <property name="DesktopEntry" type="s" access="read"/>
    <property name="SupportedUriSchemes" type="as" access="read"/>
    <property name="SupportedMimeTypes" type="as" access="read"/>
  </interface>
  <interface name="{PLAYER_INTERFACE}">
    <method name="Next"/>
    <method name="Previous"/>
    <method name="Pause"/>
    <method name="PlayPause"/>
    <method name="Stop"/>
    <method name="Play"/>
    <method name="Seek"><arg name="Offset" type="x" direction="in"/></method>
    <method name="SetPosition">
      <arg name="TrackId" type="o" direction="in"/><arg name="Position" type="x" direction="in"/>
    </method>
    <method name="OpenUri"><arg name="Uri" type="s" direction="in"/></method>
    <signal name="Seeked"><arg name="Position" type="x"/></signal>
    <property name="PlaybackStatus" type="s" access="read"/>
    <property name="Rate" type="d" access="read"/>
    <property name="Metadata" type="a{{sv}}" access="read"/>
    <property name="Volume" type="d" access="read"/>
    <property name="Position" type="x" access="read"/>
    <property name="MinimumRate" type="d" access="read"/>
    <property name="MaximumRate" type="d" access="read"/>
    <property name="CanGoNext" type="b" access="read"/>
    <property name="CanGoPrevious" type="b" access="read"/>
    <property name="CanPlay" type="b" access="read"/>
    <property name="CanPause" type="b" access="read"/>
    <property name="CanSeek" type="b" access="read"/>
    <property name="CanControl" type="b" access="read"/>
  </interface>
</node>
"""

Variant = tuple[str, Any]  # jeepney's form of a D-Bus variant: (signature, value)


class MprisUnavailableError(RemoteUnavailableError):
    """No session bus, or it did not answer; the message says which."""


def player_properties(now: NowPlaying, art_url: str) -> dict[str, Variant]:
    """The Player interface's properties but ``Position`` (read when asked), typed for D-Bus."""
    metadata: dict[str, Variant] = {
        "mpris:trackid": (
            "o",
            f"{TRACK_PREFIX}{now.track}" if now.track >= 0 else NO_TRACK,
        ),
    }
    if now.length_ms > 0:
        metadata["mpris:length"] = ("x", now.length_ms * 1000)
    if now.title:
        metadata["xesam:title"] = ("s", now.title)
    if now.program:
        metadata["xesam:artist"] = ("as", [now.program])
        metadata["xesam:album"] = ("s", now.program)
    if art_url:
        metadata["mpris:artUrl"] = ("s", art_url)
    return {
        "PlaybackStatus": ("s", now.status.value),
        "Rate": ("d", 1.0),
        "Metadata": ("a{sv}", metadata),
        "Volume": ("d", 1.0),
        "MinimumRate": ("d", 1.0),
        "MaximumRate": ("d", 1.0),
        "CanGoNext": ("b", now.can_next),
        "CanGoPrevious": ("b", now.can_previous),
        "CanPlay": ("b", now.can_play),
        "CanPause": ("b", now.can_pause),
        "CanSeek": ("b", False),
        # Constant, as the specification asks: the media widget would hide us when false.
        "CanControl": ("b", True),
    }


def root_properties() -> dict[str, Variant]:
    return {
        "CanQuit": ("b", True),
        "CanRaise": ("b", True),
        "HasTrackList": ("b", False),
        "Identity": ("s", IDENTITY),
        "DesktopEntry": ("s", APP_ID),
        "SupportedUriSchemes": ("as", []),
        "SupportedMimeTypes": ("as", []),
    }


class _BusLink:
    """One authenticated connection to a bus, with blocking calls for the set-up (bounded by
    ``CALL_TIMEOUT_S``) and non-blocking reads afterwards."""

    def __init__(self, address: str) -> None:
        from jeepney import Parser
        from jeepney.bus import get_bus
        from jeepney.io.blocking import prep_socket

        try:
            self.sock = prep_socket(get_bus(address), timeout=CALL_TIMEOUT_S)
        except (OSError, ValueError, KeyError, RuntimeError) as exc:
            # KeyError: no DBUS_SESSION_BUS_ADDRESS; ValueError: an address jeepney cannot use.
            raise MprisUnavailableError(_bus_problem(exc)) from exc
        self.sock.settimeout(CALL_TIMEOUT_S)
        self.parser = Parser()
        self._serials = itertools.count(1)
        self.queued: list[Any] = []  # messages that came while waiting for a reply
        from jeepney.bus_messages import message_bus

        self.call(message_bus.Hello())  # the bus answers nothing before it

    def send(self, message: Any) -> None:
        self.sock.sendall(message.serialise(serial=next(self._serials)))

    def call(self, message: Any) -> tuple[Any, ...]:
        """Send ``message`` and wait for its reply (the set-up's calls only)."""
        from jeepney import HeaderFields, MessageType

        serial = next(self._serials)
        try:
            self.sock.sendall(message.serialise(serial=serial))
            while True:
                reply = self.parser.get_next_message()
                if reply is None:
                    data = self.sock.recv(4096)
                    if not data:
                        raise MprisUnavailableError(_("the session bus closed the connection"))
                    self.parser.add_data(data)
                    continue
                if reply.header.fields.get(HeaderFields.reply_serial) != serial:
                    self.queued.append(reply)
                    continue
                if reply.header.message_type is MessageType.error:
                    raise MprisUnavailableError(
                        _("the session bus refused: {reply}").format(reply=reply.body)
                    )
                return tuple(reply.body)
        except OSError as exc:  # socket.timeout included
            why = _("the session bus did not answer ({error})").format(error=exc)
            raise MprisUnavailableError(why) from exc

    def read_available(self) -> list[Any] | None:
        """Every complete message readable now; None when the bus has gone."""
        messages, self.queued = self.queued, []
        while True:
            try:
                data = self.sock.recv(65536)
            except BlockingIOError:
                break
            except OSError:
                return None
            if not data:
                return None
            self.parser.add_data(data)
        while (message := self.parser.get_next_message()) is not None:
            messages.append(message)
        return messages

    def close(self) -> None:
        with contextlib.suppress(OSError):
            self.sock.close()


def _bus_problem(exc: BaseException) -> str:
    if isinstance(exc, KeyError):
        return _("there is no D-Bus session bus (DBUS_SESSION_BUS_ADDRESS is not set)")
    return _("the D-Bus session bus cannot be reached ({error})").format(error=exc)


class MprisRemote(QObject):
    """The MPRIS2 player. ``command`` carries each button press (a ``RemoteCommand``);
    ``raise_requested`` and ``quit_requested`` the root interface's two methods."""

    command = Signal(object)  # RemoteCommand
    raise_requested = Signal()
    quit_requested = Signal()
    lost = Signal(str)  # the bus went away: why

    name = "MPRIS"

    def __init__(
        self,
        position_ms: Callable[[], int],
        *,
        address: str = "SESSION",
        art_url: str = "",
        parent: QObject | None = None,
    ) -> None:
        super().__init__(parent)
        self._position_ms = position_ms
        self._address = address
        self._art_url = art_url
        self._link: _BusLink | None = None
        self._notifier: QSocketNotifier | None = None
        self._properties = player_properties(NowPlaying(Status.STOPPED), art_url)

    def start(self) -> None:
        """Connect and take the name; raises ``MprisUnavailableError`` with a readable reason."""
        if self._link is not None:
            return
        from jeepney.bus_messages import message_bus

        link = _BusLink(self._address)
        try:
            name = BUS_NAME
            # 4: DO_NOT_QUEUE. 1: we own it; 3: another calftimer does (a second instance that
            # single_instance let through, or a test): the specification's per-instance name.
            if link.call(message_bus.RequestName(name, 4))[0] != 1:
                name = f"{BUS_NAME}.instance{os.getpid()}"
                if link.call(message_bus.RequestName(name, 4))[0] != 1:
                    raise MprisUnavailableError(_("the name {name} is taken").format(name=name))
        except MprisUnavailableError:
            link.close()
            raise
        # From now on the socket is read when Qt says it is readable, and never waited on: a
        # send to a bus that stopped reading fails at once (and the remote is given up) rather
        # than freezing the window.
        link.sock.setblocking(False)
        self._link = link
        self._notifier = QSocketNotifier(link.sock.fileno(), QSocketNotifier.Type.Read, self)
        self._notifier.activated.connect(self._on_readable)
        if link.queued:
            self._on_readable()

    def close(self) -> None:
        """Leave the bus (the name goes with the connection)."""
        if self._notifier is not None:
            self._notifier.setEnabled(False)
            self._notifier.deleteLater()
            self._notifier = None
        if self._link is not None:
            self._link.close()
            self._link = None

    def publish(self, now: NowPlaying) -> None:
        """Show ``now``; the desktop hears of every property that changed."""
        properties = player_properties(now, self._art_url)
        changed = {k: v for k, v in properties.items() if self._properties.get(k) != v}
        self._properties = properties
        if changed:
            self._signal(
                PROPERTIES_INTERFACE,
                "PropertiesChanged",
                "sa{sv}as",
                (PLAYER_INTERFACE, changed, []),
            )

    def seeked(self, position_ms: int) -> None:
        """The session jumped (skip, back): the desktop resets its position from here."""
        self._signal(PLAYER_INTERFACE, "Seeked", "x", (position_ms * 1000,))

    # ------------------------------------------------------------------ the bus

    def _signal(self, interface: str, member: str, signature: str, body: tuple[Any, ...]) -> None:
        from jeepney import DBusAddress, new_signal

        if self._link is None:
            return
        emitter = DBusAddress(OBJECT_PATH, interface=interface)
        self._send(new_signal(emitter, member, signature, body))

    def _send(self, message: Any) -> None:
        link = self._link
        if link is None:
            return
        try:
            link.send(message)
        except OSError as exc:
            self._lose(_("the session bus connection failed ({error})").format(error=exc))

    def _lose(self, why: str) -> None:
        log.warning("MPRIS: %s", why)
        self.close()
        self.lost.emit(why)

    def _on_readable(self) -> None:
        link = self._link
        if link is None:
            return
        messages = link.read_available()
        if messages is None:
            self._lose(_("the session bus closed the connection"))
            return
        for message in messages:
            try:
                self._handle(message)
            except Exception:  # a malformed call must never take the window down
                log.exception("MPRIS: a call could not be handled")

    def _handle(self, message: Any) -> None:
        from jeepney import HeaderFields, MessageType, new_error, new_method_return

        header = message.header
        if header.message_type is not MessageType.method_call:
            return
        fields = header.fields
        interface = fields.get(HeaderFields.interface, "")
        member = fields.get(HeaderFields.member, "")
        path = fields.get(HeaderFields.path, "")
        body = tuple(message.body)

        def reply(signature: str | None = None, values: tuple[Any, ...] = ()) -> None:
            self._send(new_method_return(message, signature, values))

        def error(name: str, text: str) -> None:
            self._send(new_error(message, name, "s", (text,)))

        if path != OBJECT_PATH:
            error("org.freedesktop.DBus.Error.UnknownObject", f"no object at {path}")
            return
        if member == "Introspect":
            reply("s", (INTROSPECTION,))
        elif member == "Ping":
            reply()
        elif interface == PROPERTIES_INTERFACE or (not interface and member in ("Get", "GetAll")):
            self._properties_call(member, body, reply, error)
        elif member in _PLAYER_METHODS and interface in (PLAYER_INTERFACE, ""):
            reply()  # first: the caller (playerctl, the shell) is not kept waiting on the window
            self.command.emit(_PLAYER_METHODS[member])
        elif member in ("Seek", "SetPosition") and interface in (PLAYER_INTERFACE, ""):
            reply()  # CanSeek is false: the specification says to ignore these
        elif member == "OpenUri":
            error("org.mpris.MediaPlayer2.Player.Error.NotSupported", "calftimer opens no URIs")
        elif member == "Raise" and interface in (ROOT_INTERFACE, ""):
            reply()
            self.raise_requested.emit()
        elif member == "Quit" and interface in (ROOT_INTERFACE, ""):
            reply()
            self.quit_requested.emit()
        else:
            error("org.freedesktop.DBus.Error.UnknownMethod", f"no method {interface}.{member}")

    def _properties_call(
        self,
        member: str,
        body: tuple[Any, ...],
        reply: Callable[..., None],
        error: Callable[[str, str], None],
    ) -> None:
        interface = str(body[0]) if body else ""
        if interface == PLAYER_INTERFACE:
            table = {**self._properties, "Position": ("x", self._position_ms() * 1000)}
        elif interface == ROOT_INTERFACE:
            table = root_properties()
        else:
            error("org.freedesktop.DBus.Error.UnknownInterface", f"no interface {interface}")
            return
        if member == "GetAll":
            reply("a{sv}", (table,))
        elif member == "Get" and len(body) >= 2 and str(body[1]) in table:
            reply("v", (table[str(body[1])],))
        elif member == "Get":
            name = str(body[1]) if len(body) >= 2 else ""
            error("org.freedesktop.DBus.Error.UnknownProperty", f"no property {name}")
        elif member == "Set":
            error("org.freedesktop.DBus.Error.PropertyReadOnly", "every property is read-only")
        else:
            error("org.freedesktop.DBus.Error.UnknownMethod", f"no method {member}")
