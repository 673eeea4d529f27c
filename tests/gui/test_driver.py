"""The driver hands each cue to its listeners once: all the cues of one wake-up, in order, in
one ``cues_due`` list (the window, the audio and the benchmarks listen to that one signal)."""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import Signal

from calftimer.core.clock import ManualClock
from calftimer.core.programs import BUILTIN_BY_ID
from calftimer.core.session import Session, State
from calftimer.core.timeline import CompileOptions, Cue, compile_program
from calftimer.gui.driver import SessionDriver
from tests.gui.helpers import advance_by_deadlines

T0 = 5_000_000


def listen_to_every_signal(driver: SessionDriver) -> list[tuple[str, tuple[Any, ...]]]:
    """Every emission of every signal the driver declares, in order, with its arguments."""
    heard: list[tuple[str, tuple[Any, ...]]] = []
    for name in dir(SessionDriver):
        if isinstance(getattr(SessionDriver, name), Signal):
            getattr(driver, name).connect(lambda *args, name=name: heard.append((name, args)))
    return heard


def started(program: str, **driver_options: Any) -> tuple[SessionDriver, ManualClock]:
    """A driver started on ``program`` (a 10 s get-ready) at T0."""
    timeline = compile_program(BUILTIN_BY_ID[program], CompileOptions(prepare_s=10))
    clock = ManualClock(T0)
    driver = SessionDriver(Session(timeline, clock), **driver_options)
    driver.start()
    return driver, clock


def cues_in(args: tuple[Any, ...]) -> list[Cue]:
    found: list[Cue] = []
    for arg in args:
        items = arg if isinstance(arg, list) else [arg]
        found += [item for item in items if isinstance(item, Cue)]
    return found


def test_each_cue_is_handed_out_once_in_timeline_order(qtbot) -> None:
    timeline = compile_program(BUILTIN_BY_ID["isometric"], CompileOptions(prepare_s=5))
    clock = ManualClock(T0)
    driver = SessionDriver(Session(timeline, clock))
    heard = listen_to_every_signal(driver)
    driver.start()
    advance_by_deadlines(driver, clock, T0 + timeline.duration_ms + 1_000)
    assert driver.session.state is State.FINISHED

    delivered = [cue for _, args in heard for cue in cues_in(args)]
    assert delivered == list(timeline.cues)  # each once, none twice through another signal
    assert {name for name, args in heard if cues_in(args)} == {"cues_due"}
    driver.stop_timers()


def test_a_late_wake_up_hands_out_what_it_passed_in_one_ordered_list(qtbot) -> None:
    timeline = compile_program(BUILTIN_BY_ID["alfredson"], CompileOptions(prepare_s=5))
    clock = ManualClock(T0)
    driver = SessionDriver(Session(timeline, clock))
    driver.start()
    due = [c for c in timeline.cues if 0 < c.offset_ms <= 9_000]
    assert len(due) > 3  # the countdown, "go" and the first reps' cues
    with qtbot.waitSignal(driver.cues_due) as handed:
        clock.advance(9_000)  # a stall: the window was busy for nine seconds
        driver.poll_now()
    assert handed.args[0] == due
    driver.stop_timers()


def test_a_frame_between_wake_ups_says_only_that_time_moved(qtbot) -> None:
    """The 20-a-second frame publishes ``frame``, never ``position_changed``: a listener that
    redraws everything on ``position_changed`` does so at the session's wake-ups only."""
    driver, clock = started("foundation")
    clock.advance(1_234)  # inside the get-ready: no deadline passed, so only frames run
    heard = listen_to_every_signal(driver)
    with qtbot.waitSignal(driver.frame, timeout=2_000) as frame:
        pass
    (position,) = frame.args
    assert position.t_ms == 1_234 and position == driver.position()
    assert [name for name, _ in heard] == ["frame"]
    driver.stop_timers()


def test_a_paused_session_has_no_frames(qtbot) -> None:
    driver, clock = started("foundation")
    driver.apply("pause")
    heard = listen_to_every_signal(driver)
    with qtbot.assertNotEmitted(driver.frame, wait=300):
        clock.advance(200)
    assert heard == []
    driver.stop_timers()


def test_the_frame_policy_decides_when_frames_come(qtbot) -> None:
    """After every wake-up and every frame the driver asks its policy when the next frame is
    due; None means none (a still figure and no number about to change)."""
    asked: list[int] = []
    answer: list[int | None] = [None]

    def policy(position) -> int | None:
        asked.append(position.t_ms)
        return answer[0]

    driver, clock = started("foundation", frame_policy=policy)
    assert asked == [0]  # the start's wake-up asked
    with qtbot.assertNotEmitted(driver.frame, wait=150):
        pass
    answer[0] = 20
    clock.advance(500)
    driver.poll_now()  # a wake-up: asks again, and now a frame is due in 20 ms
    with qtbot.waitSignal(driver.frame, timeout=2_000):
        pass
    assert asked[-2:] == [500, 500]  # the frame asked for the one after it
    driver.stop_timers()
