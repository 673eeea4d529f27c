"""Placing sounds by the sample: the frame clock follows the stream's own position (jitter,
drift, a starved stream), and the mixer puts each voice at its frame, once."""

from __future__ import annotations

import itertools
import random

import numpy as np
import pytest

from calftimer.gui.sound.clock import (
    PROVISIONAL_REPORTS,
    SETTLE_REPORTS,
    SLEW_MS_PER_S,
    FrameClock,
)
from calftimer.gui.sound.mixer import Mixer, Voice

RATE = 48_000


class Stream:
    """What the engine reports: every ~10 ms (jittered) the frames the server has taken, which it
    counts in steps of ``step_frames``; the device runs ``ppm`` fast; at ``gap_at_ms`` the server
    played ``gap_ms`` of silence of its own (a starved stream)."""

    def __init__(
        self,
        clock: FrameClock,
        *,
        start_ms: float,
        step_frames: int = 256,
        ppm: float = 0.0,
        gap_at_ms: float | None = None,
        gap_ms: float = 0.0,
        seed: int = 1,
    ) -> None:
        self.clock, self.start_ms, self.step, self.ppm = clock, start_ms, step_frames, ppm
        self.gap_at_ms, self.gap_ms = gap_at_ms, gap_ms
        self.rng = random.Random(seed)
        self.now = start_ms

    def run_until(self, until_ms: float) -> None:
        while self.now < until_ms:
            elapsed = self.now - self.start_ms
            if self.gap_at_ms is not None and self.now >= self.gap_at_ms:
                elapsed -= self.gap_ms
            taken = int(max(0.0, elapsed) * RATE / 1000 * (1 + self.ppm / 1e6))
            self.clock.observe(self.now, taken // self.step * self.step)
            self.now += 10 + self.rng.uniform(-3, 3)


def error_ms(clock: FrameClock, at: float, truth: float) -> float:
    frame = clock.frame_at(at)
    assert frame is not None
    return (frame - truth) * 1000 / RATE


def truth_frame(mono_ms: float, start_ms: float, ppm: float = 0.0, gap: float = 0.0) -> float:
    return (mono_ms - start_ms - gap) * RATE / 1000 * (1 + ppm / 1e6)


def test_the_clock_is_not_trusted_before_it_has_settled() -> None:
    clock = FrameClock(RATE)
    assert clock.frame_at(1_000) is None
    for i in range(SETTLE_REPORTS - 1):
        clock.observe(1_000 + 10 * i, 480 * (i + 1))
    assert not clock.anchored  # a session does not start on it yet
    clock.observe(1_000 + 10 * SETTLE_REPORTS, 480 * (SETTLE_REPORTS + 1))
    assert clock.anchored


def test_a_stream_that_restarts_mid_session_places_the_next_beat_before_it_has_settled() -> None:
    """Headphones plugged in: the stream starts again on the new device, and a beat due 100 ms
    later is placed a few milliseconds from its instant, not held until the clock has settled
    (it came up to 40 ms late that way, recorded through PulseAudio)."""
    clock = FrameClock(RATE)
    Stream(clock, start_ms=0).run_until(10_000)
    clock.restart()
    assert clock.frame_at(10_100) is None  # nothing heard from the new stream yet
    Stream(clock, start_ms=10_020).run_until(10_020 + 10 * PROVISIONAL_REPORTS + 5)
    assert not clock.anchored
    assert abs(error_ms(clock, 10_100, truth_frame(10_100, 10_020))) < 6.0  # one count step


def test_frames_land_within_a_millisecond_of_the_truth_despite_coarse_jittered_reports() -> None:
    clock = FrameClock(RATE)
    Stream(clock, start_ms=5_000).run_until(15_000)
    for at in (15_000.0, 15_500.0, 16_000.0):
        assert abs(error_ms(clock, at, truth_frame(at, 5_000))) < 1.0


def test_a_device_clock_that_drifts_is_followed_without_moving_sounds_against_each_other() -> None:
    clock = FrameClock(RATE)
    ppm = 15.0  # a sound card's crystal, a little fast
    stream = Stream(clock, start_ms=1_000, ppm=ppm)
    errors = []
    for second in range(1, 121):
        now = 1_000 + 1_000 * second
        stream.run_until(now)
        errors.append(error_ms(clock, now, truth_frame(now, 1_000, ppm)))
    # Over two minutes the device gained 1.8 ms on the monotonic clock; the clock kept up.
    assert abs(errors[-1]) < 0.5
    # Two sounds a second apart never moved against each other by more than the slew allows:
    # the anchor slews, it never jumps.
    steps = [abs(b - a) for a, b in itertools.pairwise(errors)]
    assert max(steps) <= SLEW_MS_PER_S + 0.02 and clock.jumps == 0


def test_a_count_that_lags_for_a_while_moves_sounds_no_faster_than_a_real_clock_could() -> None:
    """Qt's count of frames taken sometimes falls behind what the server really played (by a
    few per cent for many seconds, here); the frames were played on time meanwhile."""
    clock = FrameClock(RATE)
    Stream(clock, start_ms=0).run_until(2_000)
    before = clock.frame_at(30_000)
    lagging = Stream(clock, start_ms=0, ppm=-30_000, seed=2)  # the count, 3 % slow
    lagging.now = 2_000
    lagging.run_until(22_000)
    after = clock.frame_at(30_000)
    assert before is not None and after is not None
    moved_ms = abs(after - before) * 1000 / RATE
    assert moved_ms <= SLEW_MS_PER_S * 20 + 0.1 and clock.jumps == 0


def test_a_starved_stream_is_learnt_again_and_later_sounds_are_placed_right() -> None:
    clock = FrameClock(RATE)
    stream = Stream(clock, start_ms=0, gap_at_ms=10_000, gap_ms=120)
    stream.run_until(10_000)
    assert clock.jumps == 0 and abs(error_ms(clock, 10_500, truth_frame(10_500, 0))) < 1.0
    clock.starved()  # the engine found its buffer empty
    stream.run_until(11_000)
    assert clock.jumps == 1
    assert abs(error_ms(clock, 11_500, truth_frame(11_500, 0, gap=120))) < 1.0


# ------------------------------------------------------------------ the mixer


def settled_clock(start_ms: float = 0.0) -> FrameClock:
    clock = FrameClock(RATE)
    for i in range(SETTLE_REPORTS):
        clock.observe(start_ms + 10 * (i + 1), 480 * (i + 1))
    return clock


def tone(frames: int, value: int = 1000) -> np.ndarray:
    return np.full(frames, value, np.int16)


@pytest.fixture
def started() -> list[str]:
    return []


@pytest.fixture
def mixer(started: list[str]) -> Mixer:
    return Mixer(RATE, late_ms=120, on_started=lambda voice: started.append(voice.name))


def test_a_voice_starts_at_the_frame_of_its_instant_to_the_sample(mixer, started) -> None:
    clock = settled_clock()  # frame 0 was taken at 0 ms
    mixer.add(Voice("tick", tone(100), 1.0, due_ms=1_000.5))  # frame 48,024
    out = np.concatenate([mixer.render(f, 480, clock, 0) for f in range(47_520, 48_960, 480)])
    first = int(np.flatnonzero(out)[0]) + 47_520
    assert first == 48_024 and started == ["tick"]
    assert int(np.count_nonzero(out)) == 100


def test_a_late_voice_sounds_at_once_if_barely_late_and_never_if_too_late(mixer) -> None:
    clock = settled_clock()
    mixer.add(Voice("late", tone(10), 1.0, due_ms=1_000))  # frame 48,000
    mixer.add(Voice("too late", tone(10), 1.0, due_ms=800))  # 200 ms before the block
    out = mixer.render(48_000 + 48 * 100, 480, clock, 1_100)  # 100 ms after "late"
    assert int(np.flatnonzero(out)[0]) == 0  # at the first frame written, not never
    assert mixer.dropped == 1


def test_now_means_the_first_frame_not_yet_written(mixer) -> None:
    clock = settled_clock()
    mixer.add(Voice("go", tone(10), 1.0, due_ms=0, asap=True))
    out = mixer.render(96_000, 480, clock, 2_000)
    assert int(np.flatnonzero(out)[0]) == 0 and mixer.dropped == 0


def test_a_phrase_cuts_off_the_one_before_at_its_first_frame(mixer) -> None:
    clock = settled_clock()
    mixer.add(Voice("speech", tone(4_800, 100), 1.0, due_ms=1_000, speech=True))
    mixer.add(Voice("speech", tone(4_800, 300), 1.0, due_ms=1_050, speech=True))  # +2,400
    out = mixer.render(48_000, 9_600, clock, 1_000)
    assert set(out[:2_400].tolist()) == {100}
    assert set(out[2_400:7_200].tolist()) == {300}  # no sum of the two: one voice speaks


def test_taking_back_keeps_what_has_begun_and_stop_silences_everything(mixer) -> None:
    clock = settled_clock()
    mixer.add(Voice("begun", tone(4_800), 1.0, due_ms=1_000))
    mixer.add(Voice("waiting", tone(480, 2_000), 1.0, due_ms=1_080))
    mixer.render(48_000, 480, clock, 1_000)  # "begun" starts
    mixer.cancel_pending()
    out = mixer.render(48_480, 4_800, clock, 1_010)
    assert set(out[:4_320].tolist()) == {1_000}  # the rest of "begun", without "waiting"
    mixer.stop_all()
    assert not mixer.busy
    assert not mixer.render(53_280, 480, clock, 1_110).any()


def test_loud_voices_together_are_clipped_not_wrapped(mixer) -> None:
    clock = settled_clock()
    mixer.add(Voice("a", tone(100, 30_000), 1.0, due_ms=1_000))
    mixer.add(Voice("b", tone(100, 30_000), 1.0, due_ms=1_000))
    out = mixer.render(48_000, 100, clock, 1_000)
    assert int(out.min()) == 32_767
