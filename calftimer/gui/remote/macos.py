"""macOS: the Now Playing centre and the remote command centre (the menu bar's Now Playing,
AirPods and keyboard media keys, the lock screen), through PyObjC's MediaPlayer framework.

``MPRemoteCommandCenter`` calls its handlers on the main thread, where Qt's event loop runs on
macOS, so a press is emitted straight to the window. ``MPNowPlayingInfoCenter`` is given the
title, the program, the session's length and position, and the playback state.

Not run here (no Mac): tests/gui/test_media_remote_ports.py drives this code through a fake of
the MediaPlayer module and checks the same mapping as MPRIS's.
"""

from __future__ import annotations

import logging
import sys
from collections.abc import Callable
from typing import Any

from PySide6.QtCore import QObject, Signal

from calftimer.core.i18n import _
from calftimer.core.remote import NowPlaying, RemoteCommand, Status
from calftimer.gui.remote import RemoteUnavailableError

log = logging.getLogger(__name__)

# The command centre's commands, by attribute, and what each press means.
_COMMANDS: dict[str, RemoteCommand] = {
    "playCommand": RemoteCommand.PLAY,
    "pauseCommand": RemoteCommand.PAUSE,
    "togglePlayPauseCommand": RemoteCommand.PLAY_PAUSE,
    "nextTrackCommand": RemoteCommand.NEXT,
    "previousTrackCommand": RemoteCommand.PREVIOUS,
    "stopCommand": RemoteCommand.STOP,
}
_STATES = {
    Status.PLAYING: "MPNowPlayingPlaybackStatePlaying",
    Status.PAUSED: "MPNowPlayingPlaybackStatePaused",
    Status.STOPPED: "MPNowPlayingPlaybackStateStopped",
}


def load_media_player() -> Any:
    """PyObjC's MediaPlayer module; RemoteUnavailableError when it is not installed."""
    try:
        import MediaPlayer  # type: ignore[import-not-found]
    except ImportError as exc:
        why = _("PyObjC's MediaPlayer framework is not installed ({error})").format(error=exc)
        raise RemoteUnavailableError(why) from exc
    return MediaPlayer


class MacMediaRemote(QObject):
    """The Now Playing centre as a ``MediaRemotePort``."""

    command = Signal(object)  # RemoteCommand
    raise_requested = Signal()
    quit_requested = Signal()
    lost = Signal(str)

    name = "Now Playing"

    def __init__(
        self,
        position_ms: Callable[[], int],
        *,
        media_player: Callable[[], Any] = load_media_player,
        parent: QObject | None = None,
    ) -> None:
        super().__init__(parent)
        del position_ms  # the position goes out whole with each publish()
        self._load = media_player
        self._mp: Any = None
        self._targets: list[tuple[Any, Any]] = []

    def start(self) -> None:
        if self._mp is not None:
            return
        if sys.platform != "darwin" and self._load is load_media_player:
            raise RemoteUnavailableError(_("the Now Playing centre exists on macOS only"))
        mp = self._load()
        center = mp.MPRemoteCommandCenter.sharedCommandCenter()
        success = mp.MPRemoteCommandHandlerStatusSuccess
        for attribute, command in _COMMANDS.items():
            remote_command = getattr(center, attribute)()

            def handler(_event: Any, command: RemoteCommand = command) -> int:
                self.command.emit(command)
                return int(success)

            target = remote_command.addTargetWithHandler_(handler)
            self._targets.append((remote_command, target))
        self._mp = mp

    def close(self) -> None:
        mp, self._mp = self._mp, None
        if mp is None:
            return
        for remote_command, target in self._targets:
            remote_command.removeTarget_(target)
        self._targets.clear()
        info = mp.MPNowPlayingInfoCenter.defaultCenter()
        info.setNowPlayingInfo_(None)
        info.setPlaybackState_(mp.MPNowPlayingPlaybackStateStopped)

    def publish(self, now: NowPlaying) -> None:
        mp = self._mp
        if mp is None:
            return
        center = mp.MPRemoteCommandCenter.sharedCommandCenter()
        enabled = {
            "playCommand": now.can_play,
            "pauseCommand": now.can_pause,
            "togglePlayPauseCommand": now.can_play or now.can_pause,
            "nextTrackCommand": now.can_next,
            "previousTrackCommand": now.can_previous,
            "stopCommand": now.status is not Status.STOPPED,
        }
        for attribute, on in enabled.items():
            getattr(center, attribute)().setEnabled_(on)
        info = {
            mp.MPMediaItemPropertyTitle: now.title or "calftimer",
            mp.MPMediaItemPropertyArtist: now.program,
            mp.MPMediaItemPropertyPlaybackDuration: now.length_ms / 1000,
            mp.MPNowPlayingInfoPropertyElapsedPlaybackTime: now.position_ms / 1000,
            # The system moves the position on by itself at this rate until told otherwise.
            mp.MPNowPlayingInfoPropertyPlaybackRate: 1.0 if now.status is Status.PLAYING else 0.0,
        }
        center_info = mp.MPNowPlayingInfoCenter.defaultCenter()
        center_info.setNowPlayingInfo_(info)
        center_info.setPlaybackState_(getattr(mp, _STATES[now.status]))

    def seeked(self, position_ms: int) -> None:
        """The elapsed time is sent whole with each ``publish``, which follows every jump."""
