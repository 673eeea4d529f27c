"""Mixer: the sounds and phrases handed to the engine, summed into the frames of one stream.

Each ``Voice`` is a block of samples with the monotonic instant its first sample must sound
(``due_ms``). When the engine writes frames ``[first, first + count)`` the mixer places every
voice that falls into them at the frame the ``FrameClock`` gives for its instant, once: from its
first written sample on, a voice keeps that frame, so a later correction of the clock never
moves a sound that has begun.

- A voice due before the frames being written is late: it starts at the first of them if it is
  at most ``late_ms`` late (``asap`` voices, asked for "now", always start there), else it is
  dropped and counted; nothing ever sounds later than that.
- Speech is one voice at a time: a phrase that starts cuts off the one before, at its first
  frame.
- ``cancel_pending`` takes back every voice that has not begun; ``stop_all`` silences
  everything at once (what the device already holds still plays: at most one buffer).

Qt-free; numpy does the sums. Thread-safe: the window's thread adds and cancels while the
engine's thread renders.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from dataclasses import dataclass, field

import numpy as np
import numpy.typing as npt

from calftimer.gui.sound.clock import FrameClock

Samples = npt.NDArray[np.int16]
FULL_SCALE = 32767


@dataclass(eq=False)
class Voice:
    name: str  # a sound's name, or "speech"
    samples: Samples
    gain: float
    due_ms: float
    speech: bool = False
    asap: bool = False  # "play now": starts at the first frame not yet written
    start: int | None = None  # the frame of its first sample, once placed
    end: int | None = field(default=None)  # cut off here (a later phrase began)

    @property
    def last(self) -> int:
        """The frame after its last sample (placed voices only)."""
        if self.start is None:
            raise ValueError("the voice is not placed yet")
        full = self.start + len(self.samples)
        return full if self.end is None else min(full, self.end)


class Mixer:
    def __init__(self, rate: int, late_ms: int, on_started: Callable[[Voice], None]) -> None:
        self.rate = rate
        self.late_frames = late_ms * rate // 1000
        self._on_started = on_started  # told (on the engine's thread) as each voice begins
        self._voices: list[Voice] = []
        self._lock = threading.Lock()
        self.dropped = 0
        self.sounded = False  # the last render wrote some voice (the engine's thread reads it)

    def add(self, voice: Voice) -> None:
        with self._lock:
            self._voices.append(voice)

    def cancel_pending(self) -> None:
        """Take back every voice that has not begun (the session's course changed)."""
        with self._lock:
            self._voices = [v for v in self._voices if v.start is not None]

    def stop_all(self) -> None:
        """Silence everything, begun or not (a pause, a stop, mute)."""
        with self._lock:
            self._voices = []

    def stop_speech(self) -> None:
        with self._lock:
            self._voices = [v for v in self._voices if not v.speech]

    def new_stream(self) -> None:
        """The engine starts a new stream (another device): what had begun on the old one is
        gone with it; what waits is placed on the new stream's clock."""
        with self._lock:
            self._voices = [v for v in self._voices if v.start is None]

    @property
    def busy(self) -> bool:
        """Anything placed or waiting."""
        with self._lock:
            return bool(self._voices)

    def render(self, first: int, count: int, clock: FrameClock, now_ms: float) -> Samples:
        """The frames ``[first, first + count)`` with every voice that falls into them."""
        with self._lock:
            self._place(first, count, clock, now_ms)
            placed = [v for v in self._voices if v.start is not None and v.start < first + count]
            self.sounded = bool(placed)
            if not placed:
                self._forget(first)
                return np.zeros(count, np.int16)
            mix = np.zeros(count, np.float32)
            for voice in placed:
                begin = max(voice.start or 0, first)
                end = min(voice.last, first + count)
                if end <= begin:
                    continue
                offset = begin - (voice.start or 0)
                part = voice.samples[offset : offset + end - begin]
                mix[begin - first : end - first] += part.astype(np.float32) * voice.gain
            self._forget(first + count)
        np.clip(mix, -FULL_SCALE, FULL_SCALE, out=mix)
        return mix.astype(np.int16)

    def _place(self, first: int, count: int, clock: FrameClock, now_ms: float) -> None:
        """Give a start frame to every voice that begins in this block (or is late)."""
        kept: list[Voice] = []
        for voice in sorted(self._voices, key=lambda v: v.due_ms):
            if voice.start is None:
                frame = clock.frame_at(voice.due_ms)
                if frame is None:  # the stream has not started: wait, unless far too late
                    if now_ms - voice.due_ms > self.late_frames * 1000 / self.rate:
                        self.dropped += 1
                        continue
                    kept.append(voice)
                    continue
                if voice.asap or frame < first:
                    if not voice.asap and first - frame > self.late_frames:
                        self.dropped += 1
                        continue  # a late beep misleads more than none
                    frame = first
                if frame >= first + count:
                    kept.append(voice)  # not yet
                    continue
                voice.start = frame
                if voice.speech:
                    for other in kept:
                        if other.speech and other.start is not None and other.end is None:
                            other.end = max(frame, other.start)
                self._on_started(voice)
            kept.append(voice)
        self._voices = kept

    def _forget(self, upto: int) -> None:
        """Voices whose last sample is before ``upto`` are done."""
        self._voices = [v for v in self._voices if v.start is None or v.last > upto]
