"""Suspend is a pause: a machine that slept mid-session pauses it, and the sleep is not training."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from calftimer.core.clock import ManualClock
from calftimer.core.programs import BUILTIN_BY_ID
from calftimer.core.session import Session, State
from calftimer.core.timeline import CompileOptions, compile_program
from calftimer.gui.driver import SessionDriver

T0 = 10_000_000


class ManualWall:
    def __init__(self) -> None:
        self.now = datetime(2026, 11, 27, 7, 0, tzinfo=UTC)

    def __call__(self) -> datetime:
        return self.now

    def advance(self, ms: int) -> None:
        self.now += timedelta(milliseconds=ms)


@pytest.fixture
def rig(qtbot):
    clock, wall = ManualClock(T0), ManualWall()
    session = Session(
        compile_program(BUILTIN_BY_ID["isometric"], CompileOptions(prepare_s=5)), clock, wall
    )
    driver = SessionDriver(session)
    driver.start()

    def tick(ms: int, wall_ms: int | None = None) -> None:
        clock.advance(ms)
        wall.advance(ms if wall_ms is None else wall_ms)
        driver.poll_now()

    for _ in range(100):  # two seconds of normal running
        tick(20)
    return driver, session, tick


def test_a_wall_clock_jump_means_the_machine_slept(qtbot, rig) -> None:
    driver, session, tick = rig
    before = session.t_ms()
    with qtbot.waitSignal(driver.suspended) as slept:
        tick(40, wall_ms=10 * 60_000)  # Linux: the monotonic clock stood still while asleep
    assert session.state is State.PAUSED
    assert slept.args[0] >= 9 * 60_000
    assert session.t_ms() == before  # the frame before the sleep: nothing was counted


def test_a_monotonic_gap_means_the_machine_slept_too(qtbot, rig) -> None:
    driver, session, tick = rig
    before = session.t_ms()
    with qtbot.waitSignal(driver.suspended):
        tick(10 * 60_000)  # Windows: the monotonic clock kept counting while asleep
    assert session.state is State.PAUSED
    assert session.t_ms() == before


def test_a_long_pause_by_the_user_is_not_a_suspend(qtbot, rig) -> None:
    driver, session, tick = rig
    driver.apply("pause")
    tick(30 * 60_000)
    with qtbot.assertNotEmitted(driver.suspended):
        driver.apply("resume")
        tick(20)
    assert session.state is State.RUNNING


def test_normal_wake_ups_never_pause(qtbot, rig) -> None:
    driver, session, tick = rig
    with qtbot.assertNotEmitted(driver.suspended):
        for _ in range(500):
            tick(40)
        tick(14_000)  # a long, but not suspicious, stall
    assert session.state is State.RUNNING


@pytest.fixture
def boot_rig(qtbot):
    """The Linux way: a clock that counts through suspend beside the monotonic one."""
    clock, wall, boot = ManualClock(T0), ManualWall(), ManualClock(50_000_000)
    session = Session(
        compile_program(BUILTIN_BY_ID["isometric"], CompileOptions(prepare_s=5)), clock, wall
    )
    driver = SessionDriver(session, sleep_clock=boot)
    driver.start()

    def tick(ms: int, wall_ms: int | None = None, boot_ms: int | None = None) -> None:
        clock.advance(ms)
        wall.advance(ms if wall_ms is None else wall_ms)
        boot.advance(ms if boot_ms is None else boot_ms)
        driver.poll_now()

    for _ in range(100):
        tick(20)
    return driver, session, tick


def test_setting_the_wall_clock_is_not_a_suspend(qtbot, boot_rig) -> None:
    driver, session, tick = boot_rig
    with qtbot.assertNotEmitted(driver.suspended):
        tick(40, wall_ms=45 * 60_000)  # NTP or a time-zone trip moved the wall clock
    assert session.state is State.RUNNING


def test_the_boot_clock_running_on_is_a_suspend(qtbot, boot_rig) -> None:
    driver, session, tick = boot_rig
    before = session.t_ms()
    with qtbot.waitSignal(driver.suspended):
        tick(40, boot_ms=20 * 60_000)  # slept 20 min: the monotonic clock stood still
    assert session.state is State.PAUSED and session.t_ms() == before
