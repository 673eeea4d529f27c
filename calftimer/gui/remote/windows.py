"""Windows: the System Media Transport Controls (the media overlay, headset and keyboard media
buttons, the lock screen), through the ``winrt`` projection packages.

A desktop app (not a packaged UWP app) reaches the controls through a ``MediaPlayer`` whose own
command handling is turned off: its ``system_media_transport_controls`` are then ours to fill
and to listen to. Button presses arrive on a thread of the Windows runtime; ``command`` is a Qt
signal, so the press reaches the window on its own thread (a queued connection).

Not run here (no Windows machine): tests/gui/test_media_remote_ports.py drives this code through
a fake of the winrt modules and checks the same mapping as MPRIS's.
"""

from __future__ import annotations

import logging
import sys
from collections.abc import Callable
from types import SimpleNamespace
from typing import Any

from PySide6.QtCore import QObject, Signal

from calftimer.core.i18n import _
from calftimer.core.remote import NowPlaying, RemoteCommand, Status
from calftimer.gui.remote import RemoteUnavailableError

log = logging.getLogger(__name__)

# SystemMediaTransportControlsButton values (Windows.Media), by name: the same on every version.
_BUTTONS: dict[str, RemoteCommand] = {
    "PLAY": RemoteCommand.PLAY,
    "PAUSE": RemoteCommand.PAUSE,
    "STOP": RemoteCommand.STOP,
    "NEXT": RemoteCommand.NEXT,
    "PREVIOUS": RemoteCommand.PREVIOUS,
}
_STATUS = {Status.PLAYING: "PLAYING", Status.PAUSED: "PAUSED", Status.STOPPED: "STOPPED"}
TICKS_PER_MS = 10_000  # a Windows TimeSpan counts 100 ns ticks


def load_winrt() -> SimpleNamespace:
    """The winrt namespaces this port uses; RemoteUnavailableError when they are not installed."""
    try:
        from winrt.windows.foundation import TimeSpan, Uri  # type: ignore[import-not-found]
        from winrt.windows.media import (  # type: ignore[import-not-found]
            MediaPlaybackStatus,
            MediaPlaybackType,
            SystemMediaTransportControlsButton,
            SystemMediaTransportControlsTimelineProperties,
        )
        from winrt.windows.media.playback import MediaPlayer  # type: ignore[import-not-found]
        from winrt.windows.storage.streams import (  # type: ignore[import-not-found]
            RandomAccessStreamReference,
        )
    except ImportError as exc:
        why = _("the winrt packages are not installed ({error})").format(error=exc)
        raise RemoteUnavailableError(why) from exc
    return SimpleNamespace(
        MediaPlayer=MediaPlayer,
        MediaPlaybackStatus=MediaPlaybackStatus,
        MediaPlaybackType=MediaPlaybackType,
        Button=SystemMediaTransportControlsButton,
        TimelineProperties=SystemMediaTransportControlsTimelineProperties,
        TimeSpan=TimeSpan,
        Uri=Uri,
        StreamReference=RandomAccessStreamReference,
    )


class WindowsMediaRemote(QObject):
    """The System Media Transport Controls as a ``MediaRemotePort``."""

    command = Signal(object)  # RemoteCommand
    raise_requested = Signal()
    quit_requested = Signal()
    lost = Signal(str)

    name = "System Media Transport Controls"

    def __init__(
        self,
        position_ms: Callable[[], int],
        *,
        art_url: str = "",
        winrt: Callable[[], SimpleNamespace] = load_winrt,
        parent: QObject | None = None,
    ) -> None:
        super().__init__(parent)
        del position_ms  # the position goes out whole with each publish()
        self._art_url = art_url
        self._load = winrt
        self._rt: SimpleNamespace | None = None
        self._player: Any = None
        self._controls: Any = None
        self._token: Any = None
        self._shown_art = False

    def start(self) -> None:
        if self._controls is not None:
            return
        if sys.platform != "win32" and self._load is load_winrt:
            raise RemoteUnavailableError(_("the Windows media controls exist on Windows only"))
        rt = self._load()
        try:
            player = rt.MediaPlayer()
            player.command_manager.is_enabled = False  # its controls are ours to drive
            controls = player.system_media_transport_controls
            controls.is_enabled = True
            self._token = controls.add_button_pressed(self._on_button_pressed)
        except OSError as exc:  # a WinRT failure surfaces as an OSError subclass
            why = _("Windows refused the media controls ({error})").format(error=exc)
            raise RemoteUnavailableError(why) from exc
        self._rt, self._player, self._controls = rt, player, controls

    def close(self) -> None:
        controls, self._controls = self._controls, None
        if controls is None:
            return
        try:
            if self._token is not None:
                controls.remove_button_pressed(self._token)
            controls.is_enabled = False
        except OSError:
            log.warning("closing the media controls failed", exc_info=True)
        self._player = self._token = None

    def publish(self, now: NowPlaying) -> None:
        controls, rt = self._controls, self._rt
        if controls is None or rt is None:
            return
        controls.playback_status = getattr(rt.MediaPlaybackStatus, _STATUS[now.status])
        controls.is_play_enabled = now.can_play
        controls.is_pause_enabled = now.can_pause
        controls.is_stop_enabled = now.status is not Status.STOPPED
        controls.is_next_enabled = now.can_next
        controls.is_previous_enabled = now.can_previous
        updater = controls.display_updater
        updater.type = rt.MediaPlaybackType.MUSIC
        updater.music_properties.title = now.title or "calftimer"
        updater.music_properties.artist = now.program
        if self._art_url and not self._shown_art:
            updater.thumbnail = rt.StreamReference.create_from_uri(rt.Uri(self._art_url))
            self._shown_art = True
        updater.update()
        timeline = rt.TimelineProperties()
        timeline.start_time = rt.TimeSpan(0)
        timeline.end_time = rt.TimeSpan(now.length_ms * TICKS_PER_MS)
        timeline.position = rt.TimeSpan(now.position_ms * TICKS_PER_MS)
        controls.update_timeline_properties(timeline)

    def seeked(self, position_ms: int) -> None:
        """The timeline is sent whole with each ``publish``, which follows every jump."""

    def _on_button_pressed(self, _sender: Any, args: Any) -> None:
        # Called on a Windows runtime thread: only emit (the signal is queued to the window).
        rt = self._rt
        if rt is None:
            return
        for name, command in _BUTTONS.items():
            if args.button == getattr(rt.Button, name):
                self.command.emit(command)
                return
