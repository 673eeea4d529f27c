"""Media remotes: headset buttons, media keys and the desktop's media widget driving the session.

One port per platform, each a QObject with the same face (``MediaRemotePort``): it sends each
button press as a ``RemoteCommand`` and shows a ``NowPlaying``. ``create_media_remote`` picks the
platform's port (imported only then: winrt and PyObjC exist only on their platforms);
``RemoteControl`` (control.py) is the part that connects a port to the session and the window.

- Linux and BSD: MPRIS2 on the session bus (mpris.py).
- Windows: the System Media Transport Controls (windows.py, through the ``winrt`` packages).
- macOS: the Now Playing centre and the remote command centre (macos.py, through PyObjC).
"""

from __future__ import annotations

import sys
from collections.abc import Callable
from typing import TYPE_CHECKING, Protocol

if TYPE_CHECKING:
    from PySide6.QtCore import QObject, SignalInstance

    from calftimer.core.remote import NowPlaying


class RemoteUnavailableError(RuntimeError):
    """The platform's media remote cannot work here; the message says why, for a notice."""


class MediaRemotePort(Protocol):
    """What every platform's port offers (each is a QObject with these signals)."""

    name: str  # "MPRIS", "System Media Transport Controls", "Now Playing"
    command: SignalInstance  # RemoteCommand
    raise_requested: SignalInstance
    quit_requested: SignalInstance
    lost: SignalInstance  # str: why the remote stopped working

    def start(self) -> None:
        """Register with the system; raises ``RemoteUnavailableError`` if it cannot."""

    def close(self) -> None: ...

    def publish(self, now: NowPlaying) -> None: ...

    def seeked(self, position_ms: int) -> None: ...


def art_url() -> str:
    """A file URL of the app icon, for the media widget and the lock screen."""
    from calftimer.resources import icon_files

    icon = icon_files()[256]
    return icon.resolve().as_uri() if icon.is_file() else ""


def create_media_remote(
    position_ms: Callable[[], int], parent: QObject | None = None, platform: str = sys.platform
) -> MediaRemotePort:
    """The media remote of ``platform``, not started yet."""
    if platform == "win32":
        from calftimer.gui.remote.windows import WindowsMediaRemote

        return WindowsMediaRemote(position_ms, art_url=art_url(), parent=parent)
    if platform == "darwin":
        from calftimer.gui.remote.macos import MacMediaRemote

        return MacMediaRemote(position_ms, parent=parent)
    from calftimer.gui.remote.mpris import MprisRemote

    return MprisRemote(position_ms, art_url=art_url(), parent=parent)
