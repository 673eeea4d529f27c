"""The session screen's frames: at the animation's rate while the figure moves, otherwise only
when a number shown changes (a whole second) or the figure starts moving; none while paused."""

from __future__ import annotations

from calftimer.core.clock import ManualClock
from calftimer.core.figure import Motion, motion_at
from calftimer.core.frames import MOVING_FRAME_MS, next_frame_ms
from calftimer.core.programs import BUILTIN_BY_ID
from calftimer.core.session import Session
from calftimer.core.timeline import CompileOptions, SegmentKind, compile_program

T0 = 1_000_000


def session_at(program: str, kind: SegmentKind, into_ms: int) -> Session:
    timeline = compile_program(BUILTIN_BY_ID[program], CompileOptions(prepare_s=10))
    segment = next(s for s in timeline.segments if s.kind is kind)
    clock = ManualClock(T0)
    session = Session(timeline, clock)
    session.start()
    clock.set(T0 + segment.start_ms + into_ms)
    return session


def test_a_moving_figure_gets_the_animation_rate() -> None:
    session = session_at("foundation", SegmentKind.UP, 300)
    position = session.position()
    assert motion_at(position).moving
    assert next_frame_ms(position, motion_at(position)) == MOVING_FRAME_MS


def test_a_still_figure_waits_for_the_next_whole_second_shown() -> None:
    from calftimer.core.texts import clock_text

    session = session_at("isometric", SegmentKind.HOLD, 2_300)  # a 45 s hold, 2.3 s in
    position = session.position()
    motion = motion_at(position)
    assert not motion.moving
    wait = next_frame_ms(position, motion)
    assert wait is not None and 0 < wait <= 700

    def shown() -> tuple[str, str]:
        now = session.position()
        return clock_text(now.segment_remaining_ms), clock_text(now.total_remaining_ms)

    before = shown()
    clock = session.clock
    assert isinstance(clock, ManualClock)
    clock.advance(wait - 1)
    assert shown() == before  # nothing shown changed: no frame was needed
    clock.advance(1)
    assert shown() != before  # the frame comes exactly when a number changes


def test_a_figure_about_to_move_gets_a_frame_when_it_does() -> None:
    session = session_at("isometric", SegmentKind.HOLD, 2_300)
    position = session.position()
    assert next_frame_ms(position, Motion(False, 120)) == 120


def test_with_the_animation_off_only_the_seconds_bring_frames() -> None:
    session = session_at("foundation", SegmentKind.UP, 300)
    position = session.position()
    wait = next_frame_ms(position, motion_at(position, animate=False))
    assert wait is not None and MOVING_FRAME_MS < wait <= 1000


def test_paused_means_no_frames() -> None:
    session = session_at("foundation", SegmentKind.UP, 300)
    session.pause()
    position = session.position()
    assert next_frame_ms(position, motion_at(position)) is None
    assert next_frame_ms(position, Motion(True)) is None
