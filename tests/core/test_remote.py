"""What a media remote shows and what each of its buttons does, decided without Qt."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from calftimer.core.clock import ManualClock
from calftimer.core.programs import BUILTIN_BY_ID
from calftimer.core.remote import (
    Action,
    RemoteCommand,
    Screen,
    Status,
    now_playing,
    remote_action,
)
from calftimer.core.session import Session, State
from calftimer.core.timeline import compile_program

WALL0 = datetime(2026, 12, 6, 7, 0, tzinfo=UTC)


def started(program_id: str) -> tuple[Session, ManualClock]:
    clock = ManualClock(0)
    session = Session(compile_program(BUILTIN_BY_ID[program_id]), clock, lambda: WALL0)
    session.start()
    return session, clock


def shown(session: Session, *, can_start: bool = False) -> object:
    return now_playing(
        session.state,
        session.position(),
        session.timeline,
        "Runner's calf foundation",
        can_start=can_start,
        session_number=1,
    )


def test_before_any_session_only_play_can_work_and_only_if_it_may_start() -> None:
    idle = now_playing(None, None, None, "Foundation", can_start=True)
    assert idle.status is Status.STOPPED and idle.program == "Foundation"
    assert (idle.can_play, idle.can_pause, idle.can_next, idle.can_previous) == (
        True,
        False,
        False,
        False,
    )
    off = now_playing(None, None, None, "Foundation", can_start=False)
    assert not off.can_play and not off.can_control


def test_a_running_session_shows_its_set_length_and_position() -> None:
    session, clock = started("foundation")
    first = session.timeline.work_sets[0]
    clock.set(first.start_ms - 1_000)  # the get-ready: the set is announced as next
    before = shown(session)
    assert before.title.startswith("Next: Double-leg calf raise · set 1 of ")
    clock.set(first.start_ms + 2_000)
    now = shown(session)
    assert now.status is Status.PLAYING
    assert now.title == f"Double-leg calf raise · set 1 of {first.sets}"
    assert now.length_ms == session.timeline.duration_ms
    assert now.position_ms == first.start_ms + 2_000
    assert now.track == 1
    assert (now.can_play, now.can_pause, now.can_next, now.can_previous) == (
        True,
        True,
        True,
        True,
    )
    session.pause()
    assert shown(session).status is Status.PAUSED


def test_a_one_leg_set_names_its_leg() -> None:
    session, clock = started("foundation")
    one_leg = next(w for w in session.timeline.work_sets if w.side.value == "left")
    clock.set(one_leg.start_ms + 500)
    assert shown(session).title.endswith(" · left leg")


def test_next_is_offered_on_the_last_step_only_for_an_open_set() -> None:
    session, clock = started("heel-rise-test")
    last = session.timeline.work_sets[-1]
    clock.set(last.start_ms + 5_000)
    position = session.position()
    assert position.segment.open_ended
    assert shown(session).can_next, "Next ends the test set"
    assert (
        remote_action(
            RemoteCommand.NEXT, Screen.SESSION, session.state, position, start_enabled=True
        )
        is Action.END_SET
    )


def test_nothing_to_skip_to_after_the_last_step() -> None:
    session, clock = started("isometric")
    clock.set(session.timeline.duration_ms - 500)
    assert session.position().segment.end_ms >= session.timeline.duration_ms
    assert not shown(session).can_next


def test_an_ended_session_is_stopped_and_may_offer_a_new_start() -> None:
    session, clock = started("isometric")
    clock.set(5_000)
    session.abandon()
    ended = shown(session, can_start=True)
    assert ended.status is Status.STOPPED
    assert ended.can_play and not ended.can_pause and not ended.can_next


@pytest.mark.parametrize(
    ("command", "state", "expected"),
    [
        (RemoteCommand.PLAY_PAUSE, State.RUNNING, Action.PAUSE),
        (RemoteCommand.PLAY_PAUSE, State.PAUSED, Action.RESUME),
        (RemoteCommand.PLAY, State.RUNNING, Action.NONE),
        (RemoteCommand.PLAY, State.PAUSED, Action.RESUME),
        (RemoteCommand.PAUSE, State.RUNNING, Action.PAUSE),
        (RemoteCommand.PAUSE, State.PAUSED, Action.NONE),
        (RemoteCommand.NEXT, State.RUNNING, Action.SKIP),
        (RemoteCommand.NEXT, State.PAUSED, Action.SKIP),
        (RemoteCommand.PREVIOUS, State.RUNNING, Action.BACK),
        (RemoteCommand.STOP, State.PAUSED, Action.STOP),
    ],
)
def test_each_button_during_a_session(
    command: RemoteCommand, state: State, expected: Action
) -> None:
    session, clock = started("foundation")
    clock.set(session.timeline.work_sets[0].start_ms + 1_000)
    if state is State.PAUSED:
        session.pause()
    action = remote_action(
        command, Screen.SESSION, session.state, session.position(), start_enabled=True
    )
    assert action is expected


def test_play_starts_from_the_home_page_and_from_a_summary_only_when_confirmed() -> None:
    for command in (RemoteCommand.PLAY, RemoteCommand.PLAY_PAUSE):
        home = remote_action(command, Screen.HOME, None, None, start_enabled=True)
        assert home is Action.START
        first = remote_action(command, Screen.SUMMARY, State.FINISHED, None, start_enabled=True)
        assert first is Action.ASK_CONFIRM
        second = remote_action(
            command, Screen.SUMMARY, State.FINISHED, None, start_enabled=True, confirm_armed=True
        )
        assert second is Action.START


@pytest.mark.parametrize("screen", [Screen.HOME, Screen.SUMMARY, Screen.OTHER])
def test_no_start_when_the_setting_is_off_or_elsewhere(screen: Screen) -> None:
    assert remote_action(RemoteCommand.PLAY, screen, None, None, start_enabled=False) is Action.NONE
    for command in (RemoteCommand.NEXT, RemoteCommand.PREVIOUS, RemoteCommand.STOP):
        assert remote_action(command, screen, None, None, start_enabled=True) is Action.NONE
    assert remote_action(RemoteCommand.PLAY, Screen.OTHER, None, None, start_enabled=True) is (
        Action.NONE
    )
