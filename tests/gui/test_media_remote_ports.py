"""The Windows and macOS media remotes, driven through fakes of winrt and PyObjC.

Neither platform is available here, so these fakes stand in for the system libraries: each
records what the port shows and calls the handlers the port registered, as the system would on
a headset press. They check the same mapping the MPRIS tests check for real on Linux: each button
becomes the same ``RemoteCommand``, and what is shown follows a ``NowPlaying``.
"""

from __future__ import annotations

from types import SimpleNamespace
from typing import Any

import pytest

from calftimer.core.remote import NowPlaying, RemoteCommand, Status
from calftimer.gui.remote import RemoteUnavailableError, create_media_remote
from calftimer.gui.remote.macos import MacMediaRemote
from calftimer.gui.remote.windows import TICKS_PER_MS, WindowsMediaRemote

SESSION = NowPlaying(
    Status.PLAYING,
    title="Single-leg calf raise · set 2 of 3 · left leg",
    program="Runner's calf foundation",
    length_ms=1_500_000,
    position_ms=61_000,
    track=1,
    can_play=True,
    can_pause=True,
    can_next=True,
    can_previous=True,
)


# --------------------------------------------------------------------------- Windows (winrt)


class _Enum(SimpleNamespace):
    """A WinRT enumeration: members compare by identity, as the projection's do."""


class FakeControls:
    def __init__(self) -> None:
        self.handlers: list[Any] = []
        self.is_enabled = False
        self.timeline: Any = None
        self.display_updater = SimpleNamespace(
            type=None,
            music_properties=SimpleNamespace(title="", artist=""),
            thumbnail=None,
            updates=0,
        )
        self.display_updater.update = self._updated

    def _updated(self) -> None:
        self.display_updater.updates += 1

    def add_button_pressed(self, handler: Any) -> int:
        self.handlers.append(handler)
        return len(self.handlers)

    def remove_button_pressed(self, token: int) -> None:
        self.handlers[token - 1] = None

    def update_timeline_properties(self, timeline: Any) -> None:
        self.timeline = timeline


def fake_winrt() -> SimpleNamespace:
    controls = FakeControls()
    buttons = _Enum(**{n: object() for n in ("PLAY", "PAUSE", "STOP", "NEXT", "PREVIOUS")})
    status = _Enum(**{n: n for n in ("PLAYING", "PAUSED", "STOPPED")})

    class MediaPlayer:
        def __init__(self) -> None:
            self.command_manager = SimpleNamespace(is_enabled=True)
            self.system_media_transport_controls = controls

    return SimpleNamespace(
        MediaPlayer=MediaPlayer,
        MediaPlaybackStatus=status,
        MediaPlaybackType=_Enum(MUSIC="music"),
        Button=buttons,
        TimelineProperties=lambda: SimpleNamespace(),
        TimeSpan=lambda ticks: ticks,
        Uri=lambda url: url,
        StreamReference=SimpleNamespace(create_from_uri=lambda uri: ("stream", uri)),
        controls=controls,
    )


@pytest.fixture
def windows(qtbot) -> tuple[WindowsMediaRemote, SimpleNamespace, list[RemoteCommand]]:
    rt = fake_winrt()
    port = WindowsMediaRemote(lambda: 0, art_url="file:///icon.png", winrt=lambda: rt)
    pressed: list[RemoteCommand] = []
    port.command.connect(pressed.append)
    port.start()
    return port, rt, pressed


def test_windows_buttons_become_the_same_commands(windows) -> None:
    _port, rt, pressed = windows
    controls = rt.controls
    assert controls.is_enabled
    for name in ("PLAY", "PAUSE", "STOP", "NEXT", "PREVIOUS"):
        for handler in controls.handlers:
            handler(controls, SimpleNamespace(button=getattr(rt.Button, name)))
    assert pressed == [
        RemoteCommand.PLAY,
        RemoteCommand.PAUSE,
        RemoteCommand.STOP,
        RemoteCommand.NEXT,
        RemoteCommand.PREVIOUS,
    ]


def test_windows_shows_the_session(windows) -> None:
    port, rt, _pressed = windows
    controls = rt.controls
    port.publish(SESSION)
    assert controls.playback_status == "PLAYING"
    assert (controls.is_play_enabled, controls.is_pause_enabled, controls.is_next_enabled) == (
        True,
        True,
        True,
    )
    music = controls.display_updater.music_properties
    assert (music.title, music.artist) == (SESSION.title, SESSION.program)
    assert controls.display_updater.thumbnail == ("stream", "file:///icon.png")
    assert controls.timeline.end_time == SESSION.length_ms * TICKS_PER_MS
    assert controls.timeline.position == SESSION.position_ms * TICKS_PER_MS
    port.publish(NowPlaying(Status.STOPPED, can_play=False))
    assert controls.playback_status == "STOPPED"
    assert not controls.is_play_enabled and not controls.is_stop_enabled
    port.close()
    assert not controls.is_enabled and controls.handlers == [None]


def test_windows_without_winrt_says_what_is_missing(qtbot) -> None:
    def missing() -> SimpleNamespace:
        raise RemoteUnavailableError("the winrt packages are not installed (No module 'winrt')")

    port = WindowsMediaRemote(lambda: 0, winrt=missing)
    with pytest.raises(RemoteUnavailableError, match="winrt"):
        port.start()


# --------------------------------------------------------------------------- macOS (PyObjC)


class FakeCommand:
    def __init__(self) -> None:
        self.targets: list[Any] = []
        self.enabled: bool | None = None

    def addTargetWithHandler_(self, handler: Any) -> object:  # PyObjC's names
        self.targets.append(handler)
        return handler

    def removeTarget_(self, target: Any) -> None:
        self.targets.remove(target)

    def setEnabled_(self, on: bool) -> None:
        self.enabled = on


def fake_media_player() -> SimpleNamespace:
    names = (
        "playCommand",
        "pauseCommand",
        "togglePlayPauseCommand",
        "nextTrackCommand",
        "previousTrackCommand",
        "stopCommand",
    )
    commands = {name: FakeCommand() for name in names}
    center = SimpleNamespace(**{name: (lambda c=c: c) for name, c in commands.items()})
    info = SimpleNamespace(info=None, state=None)
    info.setNowPlayingInfo_ = lambda value: setattr(info, "info", value)
    info.setPlaybackState_ = lambda value: setattr(info, "state", value)
    return SimpleNamespace(
        MPRemoteCommandCenter=SimpleNamespace(sharedCommandCenter=lambda: center),
        MPNowPlayingInfoCenter=SimpleNamespace(defaultCenter=lambda: info),
        MPRemoteCommandHandlerStatusSuccess=0,
        MPNowPlayingPlaybackStatePlaying=1,
        MPNowPlayingPlaybackStatePaused=2,
        MPNowPlayingPlaybackStateStopped=3,
        MPMediaItemPropertyTitle="title",
        MPMediaItemPropertyArtist="artist",
        MPMediaItemPropertyPlaybackDuration="duration",
        MPNowPlayingInfoPropertyElapsedPlaybackTime="elapsed",
        MPNowPlayingInfoPropertyPlaybackRate="rate",
        commands=commands,
        info=info,
    )


def test_macos_buttons_become_the_same_commands_and_the_session_shows(qtbot) -> None:
    mp = fake_media_player()
    port = MacMediaRemote(lambda: 0, media_player=lambda: mp)
    pressed: list[RemoteCommand] = []
    port.command.connect(pressed.append)
    port.start()
    for name in ("togglePlayPauseCommand", "nextTrackCommand", "previousTrackCommand"):
        [handler] = mp.commands[name].targets
        assert handler(object()) == 0  # MPRemoteCommandHandlerStatusSuccess
    assert pressed == [RemoteCommand.PLAY_PAUSE, RemoteCommand.NEXT, RemoteCommand.PREVIOUS]

    port.publish(SESSION)
    assert mp.info.info == {
        "title": SESSION.title,
        "artist": SESSION.program,
        "duration": 1_500.0,
        "elapsed": 61.0,
        "rate": 1.0,
    }
    assert mp.info.state == 1
    paused = NowPlaying(Status.PAUSED, can_play=True, can_pause=True, can_next=False)
    port.publish(paused)
    assert mp.info.state == 2 and mp.info.info["rate"] == 0.0
    assert mp.commands["nextTrackCommand"].enabled is False
    port.close()
    assert all(not c.targets for c in mp.commands.values())
    assert mp.info.state == 3 and mp.info.info is None


def test_each_platform_gets_its_own_port(qtbot) -> None:
    assert type(create_media_remote(lambda: 0, platform="win32")).__name__ == "WindowsMediaRemote"
    assert type(create_media_remote(lambda: 0, platform="darwin")).__name__ == "MacMediaRemote"
    assert type(create_media_remote(lambda: 0, platform="linux")).__name__ == "MprisRemote"
    # Here, the Windows and macOS ports say they cannot run rather than failing on an import.
    for platform in ("win32", "darwin"):
        with pytest.raises(RemoteUnavailableError):
            create_media_remote(lambda: 0, platform=platform).start()
