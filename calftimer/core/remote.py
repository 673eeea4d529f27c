"""What a media remote (headset buttons, media keys, the desktop's media widget) sees and does.

Desktops route headset and keyboard media buttons to the media player they know (MPRIS2 on
Linux, the System Media Transport Controls on Windows, the Now Playing centre on macOS). Each of
those ports shows the same things and sends the same few commands, so the decisions live here,
Qt-free and tested once:

- ``now_playing`` turns the session's position into what the desktop shows: playing, paused or
  stopped; a title (the exercise and its set), the program as the artist, the session's length
  and position; and which buttons would work now (``can_next`` is false on the last step, ...).
- ``remote_action`` turns a button press into what the window should do, given which screen
  shows: pause, resume, skip, back, end a test set (Next during a test to failure or a distance
  set, so a heel-rise test can be ended from a headset), stop, or start the selected program
  from the home page, and from the summary only after a second, confirming press.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from calftimer.core.catalog import exercise
from calftimer.core.i18n import _
from calftimer.core.programs import Side
from calftimer.core.session import Position, State
from calftimer.core.texts import leg_name
from calftimer.core.timeline import SegmentKind, Timeline

# A press on the summary asks for a second press within this long before a session starts.
CONFIRM_START_MS = 10_000


class RemoteCommand(StrEnum):
    """The buttons every platform's media remote has."""

    PLAY = "play"
    PAUSE = "pause"
    PLAY_PAUSE = "play_pause"
    NEXT = "next"
    PREVIOUS = "previous"
    STOP = "stop"


class Screen(StrEnum):
    """What the window shows when a button is pressed."""

    HOME = "home"  # the program list
    SESSION = "session"  # a session running or paused
    SUMMARY = "summary"  # a session just ended
    OTHER = "other"  # the History, a dialog: a press there starts nothing


class Action(StrEnum):
    """What the window does for a press."""

    NONE = "none"
    PAUSE = "pause"
    RESUME = "resume"
    SKIP = "skip"
    END_SET = "end_set"
    BACK = "back"
    STOP = "stop"
    START = "start"  # the program selected on the home page (or the one just done)
    ASK_CONFIRM = "ask_confirm"  # on the summary: say that a second press starts


class Status(StrEnum):
    """MPRIS's PlaybackStatus values; the other ports map them onto theirs."""

    PLAYING = "Playing"
    PAUSED = "Paused"
    STOPPED = "Stopped"


@dataclass(frozen=True, slots=True)
class NowPlaying:
    """What a media remote shows and allows, at one moment."""

    status: Status
    title: str = ""  # the exercise and its set, "Single-leg calf raise · set 2 of 3 · left"
    program: str = ""  # shown as the artist
    length_ms: int = 0  # the whole session
    position_ms: int = 0
    track: int = -1  # the session (numbered from 1 in this run of the app); -1: none yet
    can_play: bool = False
    can_pause: bool = False
    can_next: bool = False
    can_previous: bool = False

    @property
    def can_control(self) -> bool:
        return self.can_play or self.can_pause or self.can_next or self.can_previous


def now_playing(
    state: State | None,
    position: Position | None,
    timeline: Timeline | None,
    program: str,
    *,
    can_start: bool,
    session_number: int = -1,
) -> NowPlaying:
    """What the remote shows. ``state``/``position``/``timeline``: the session's (None before the
    first one); ``can_start``: a press of Play would start a program (the setting is on and the
    home page or the summary shows). The whole session is one "track": its length is the
    session's, its title follows the set."""
    if state is None or position is None or timeline is None or state is State.READY:
        return NowPlaying(Status.STOPPED, program=program, can_play=can_start)
    if state.is_over:
        return NowPlaying(
            Status.STOPPED,
            title=_title(position),
            program=program,
            length_ms=timeline.duration_ms,
            position_ms=min(position.t_ms, timeline.duration_ms),
            track=session_number,
            can_play=can_start,
        )
    seg = position.segment
    last_step = seg.kind is SegmentKind.DONE or seg.end_ms >= timeline.duration_ms
    running = state is State.RUNNING
    return NowPlaying(
        Status.PLAYING if running else Status.PAUSED,
        title=_title(position),
        program=program,
        length_ms=timeline.duration_ms,
        position_ms=position.t_ms,
        track=session_number,
        # MPRIS: "CanPlay"/"CanPause" belong to the track, not to whether it plays right now
        # (playerctl even ignores a player whose CanPlay is false): both hold for a session.
        can_play=True,
        can_pause=True,
        can_next=not last_step or seg.open_ended,
        can_previous=True,
    )


def _title(position: Position) -> str:
    """The exercise, set and leg, in the chosen language ("Next: ..." before it starts)."""
    work = position.work_set
    if work is None:
        return _("Session complete") if position.segment.kind is SegmentKind.DONE else ""
    parts = [
        exercise(work.exercise_id).local_name,
        _("set {number} of {sets}").format(number=work.set_number, sets=work.sets),
    ]
    if work.side is not Side.BOTH:
        parts.append(leg_name(work.side))
    title = " · ".join(parts)
    if position.segment.work_index < 0 and position.segment.kind is not SegmentKind.DONE:
        return _("Next: {step}").format(step=title)  # a get-ready, rest or switch before it
    return title


def remote_action(
    command: RemoteCommand,
    screen: Screen,
    state: State | None,
    position: Position | None,
    *,
    start_enabled: bool,
    confirm_armed: bool = False,
) -> Action:
    """What a press of ``command`` does on ``screen``.

    ``start_enabled``: the setting that lets a headset start a program (on by default);
    ``confirm_armed``: on the summary, a first press was made in the last ``CONFIRM_START_MS``.
    """
    active = state in (State.RUNNING, State.PAUSED)
    if screen is Screen.SESSION and active:
        return _session_action(command, state, position)
    if command in (RemoteCommand.PLAY, RemoteCommand.PLAY_PAUSE) and start_enabled:
        if screen is Screen.HOME:
            return Action.START
        if screen is Screen.SUMMARY:
            return Action.START if confirm_armed else Action.ASK_CONFIRM
    return Action.NONE


def _session_action(
    command: RemoteCommand, state: State | None, position: Position | None
) -> Action:
    running = state is State.RUNNING
    if command is RemoteCommand.PLAY_PAUSE:
        return Action.PAUSE if running else Action.RESUME
    if command is RemoteCommand.PLAY:
        return Action.NONE if running else Action.RESUME
    if command is RemoteCommand.PAUSE:
        return Action.PAUSE if running else Action.NONE
    if command is RemoteCommand.NEXT:
        # A test to failure or a distance set has no end the app can see: Next ends it, and
        # what was done counts (skipping would too, but would record it as skipped).
        if position is not None and position.segment.open_ended:
            return Action.END_SET
        return Action.SKIP
    if command is RemoteCommand.PREVIOUS:
        return Action.BACK
    return Action.STOP


__all__ = [
    "CONFIRM_START_MS",
    "Action",
    "NowPlaying",
    "RemoteCommand",
    "Screen",
    "Status",
    "now_playing",
    "remote_action",
]
