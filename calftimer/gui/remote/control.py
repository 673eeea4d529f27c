"""The part that lets a media remote drive the session: ``RemoteControl``.

It shows the session on the platform's port (``NowPlaying``, republished at every wake-up of the
session, a state change, and when the window changes page) and turns each button press into
what the window does (``remote_action`` in calftimer.core.remote decides). A session being
active is enough: the presses work with the window minimised, behind another window or showing
the History, since a runner on the floor cannot see which. Stop ends the session at once and
keeps what was done (there is nobody at the keyboard to answer the usual question). From the
home page Play starts the selected program; on the summary a first Play only says that a second
one within ten seconds starts the next session, so a stray press in a pocket starts nothing.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Mapping
from typing import TYPE_CHECKING

from PySide6.QtCore import QObject

from calftimer.core.i18n import _
from calftimer.core.remote import (
    CONFIRM_START_MS,
    Action,
    RemoteCommand,
    Screen,
    now_playing,
    remote_action,
)
from calftimer.core.session import State

if TYPE_CHECKING:
    from calftimer.core.clock import Clock
    from calftimer.core.session import Position
    from calftimer.core.timeline import Timeline
    from calftimer.gui.notices import NoticeBoard
    from calftimer.gui.remote import MediaRemotePort
    from calftimer.gui.session.controller import SessionController
    from calftimer.gui.settings_hub import SettingsHub

log = logging.getLogger(__name__)

NOTICE_KEY = "remote"

# The presses that move the session to another place in it.
_JUMPS: dict[Action, Callable[[SessionController], bool]] = {
    Action.SKIP: lambda session: session.skip(),
    Action.BACK: lambda session: session.back(),
    Action.END_SET: lambda session: session.end_set(),
}


class RemoteControl(QObject):
    """Connects a ``MediaRemotePort`` (made by ``source``, given how to read the session's
    position) to the session controller and the window's commands.

    ``screen``: which screen the window shows; ``handlers``: what the window does for each
    ``Action`` that is not a plain session operation (START, and raising or quitting);
    ``program_name``: the program a Play would start, or that runs; ``say``: a short message in
    the status line (and to screen readers).
    """

    def __init__(
        self,
        source: Callable[[Callable[[], int]], MediaRemotePort],
        session: SessionController,
        settings: SettingsHub,
        notices: NoticeBoard,
        clock: Clock,
        screen: Callable[[], Screen],
        program_name: Callable[[], str],
        handlers: Mapping[str, Callable[[], object]],
        say: Callable[[str], None] = lambda _text: None,
        parent: QObject | None = None,
    ) -> None:
        super().__init__(parent)
        self._session = session
        self._settings = settings
        self._notices = notices
        self._clock = clock
        self._screen = screen
        self._program_name = program_name
        self._handlers = handlers
        self._say = say
        self._confirm_until: int | None = None
        self._sessions = 0
        # What was last shown, so a wake-up within one step (a cue, ~2 a second in a set)
        # publishes nothing: the title, the buttons and the length change only with these.
        self._shown: tuple[object, ...] | None = None
        self._port = port = source(self.position_ms)
        port.command.connect(self.press)
        port.raise_requested.connect(lambda: self._run("raise"))
        port.quit_requested.connect(lambda: self._run("quit"))
        port.lost.connect(self._on_lost)
        session.started.connect(self._on_started)
        session.position_changed.connect(self._on_position)
        session.state_changed.connect(lambda _state: self.refresh())
        settings.changed.connect(lambda _settings: self.refresh())

    def start(self) -> bool:
        """Register the remote with the system; False (and a notice saying why) if it cannot."""
        from calftimer.gui.remote import RemoteUnavailableError

        try:
            self._port.start()
        except RemoteUnavailableError as exc:
            log.info("media remote (%s) unavailable: %s", self._port.name, exc)
            self._say_unreachable(
                _(
                    "Headset and media buttons reach calftimer only while its window has the "
                    "focus: {reason}."
                ).format(reason=exc)
            )
            return False
        self.refresh()
        return True

    def close(self) -> None:
        self._port.close()

    # ------------------------------------------------------------------ what the remote shows

    def refresh(self) -> None:
        """Show where the session is now (called on every change the remote can show)."""
        session = self._session
        position = session.position()
        timeline = session.timeline
        self._shown = _shown_key(position, timeline)
        now = now_playing(
            session.state,
            position,
            timeline,
            self._program_name(),
            can_start=self._can_start(),
            session_number=self._sessions if self._sessions else -1,
        )
        self._port.publish(now)

    def position_ms(self) -> int:
        """The session's position for the remote's Position property (read when asked)."""
        position = self._session.position()
        return 0 if position is None else position.t_ms

    def _on_position(self, position: Position, timeline: Timeline) -> None:
        if _shown_key(position, timeline) != self._shown:
            self.refresh()

    def _can_start(self) -> bool:
        if not self._settings.current.remote_start:
            return False
        return self._screen() in (Screen.HOME, Screen.SUMMARY) and not self._session.active

    def _on_started(self, _timeline: object) -> None:
        self._sessions += 1
        self._confirm_until = None
        self._notices.withdraw(NOTICE_KEY + "-confirm")
        self.refresh()

    def _on_lost(self, why: str) -> None:
        self._say_unreachable(
            _(
                "Headset and media buttons no longer reach calftimer from other windows: {reason}."
            ).format(reason=why)
        )

    def _say_unreachable(self, text: str) -> None:
        """The remote cannot be reached from other windows (never registered, or lost)."""
        self._notices.post(
            NOTICE_KEY,
            "info",
            text,
            summary=_("Headset buttons work only while the window has the focus."),
        )

    # ------------------------------------------------------------------ what a press does

    def press(self, command: RemoteCommand) -> Action:
        """Do what ``command`` means now; returns what was done (for tests and the log)."""
        session = self._session
        screen = Screen.SESSION if session.active else self._screen()
        now = self._clock()
        armed = self._confirm_until is not None and now <= self._confirm_until
        action = remote_action(
            command,
            screen,
            session.state,
            session.position(),
            start_enabled=self._settings.current.remote_start,
            confirm_armed=armed,
        )
        log.info("media remote: %s on %s -> %s", command.value, screen.value, action.value)
        if action is Action.ASK_CONFIRM:
            self._confirm_until = now + CONFIRM_START_MS
            program = self._program_name()
            if program:
                text = _("Press play again within {seconds} s to start {program}.").format(
                    seconds=CONFIRM_START_MS // 1000, program=program
                )
            else:
                text = _("Press play again within {seconds} s to start the selected program.")
                text = text.format(seconds=CONFIRM_START_MS // 1000)
            self._notices.withdraw(NOTICE_KEY + "-confirm")
            self._notices.post(NOTICE_KEY + "-confirm", "info", text)
            self._say(text)  # the status line and screen readers too
            return action
        self._do(action)  # a START ends the confirmation when the session starts
        self.refresh()
        return action

    def _do(self, action: Action) -> None:
        session = self._session
        if action is Action.PAUSE:
            session.pause()
        elif action is Action.RESUME:
            if session.state is State.PAUSED:
                self._run("show_session")
            session.resume()
        elif action in _JUMPS:
            if _JUMPS[action](session):
                self._port.seeked(self.position_ms())  # the desktop resets its position
        elif action is Action.STOP and session.abandon():
            self._run("stopped")
        elif action is Action.START:
            self._run("start")

    def _run(self, name: str) -> None:
        handler = self._handlers.get(name)
        if handler is not None:
            handler()


def _shown_key(position: Position | None, timeline: Timeline | None) -> tuple[object, ...]:
    """What decides everything the remote shows but the position (which is read when asked)."""
    if position is None or timeline is None:
        return ()
    return (position.segment.index, position.state, timeline.duration_ms)
