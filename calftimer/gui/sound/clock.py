"""FrameClock: which frame of the output stream sounds at which instant of the monotonic clock.

The mixer writes the stream frame after frame; the sound server takes them at its own pace,
which is the pace of the output device. To place a sound at an instant of the monotonic clock
(a cue's deadline) the engine needs the frame that will be taken at that instant.

The engine reports, every few milliseconds, the monotonic time and how many frames the server
has taken so far (``observe``). Each report gives an estimate of when frame 0 was taken:
``now - taken / rate``. A report is never early (the count is updated in steps, after the fact),
only late by up to one step, so the lowest estimates are the true ones: the clock's *anchor*
follows the lower envelope of the estimates over the last ``WINDOW_MS``.

Frames placed with one anchor keep their spacing to the sample, so the anchor must not wander:

- it is set once, from the first ``SETTLE_REPORTS`` reports;
- afterwards it only slews toward the envelope, at most ``SLEW_MS_PER_S`` per second (enough
  for a device clock that runs up to 100 ppm off the monotonic one, small enough that no two
  sounds a second apart move by more than a tenth of a millisecond against each other);
- a jump of the recent envelope (the lowest estimate of the last ``RECENT_MS``) of more than
  ``JUMP_MS`` (the server played silence while the stream was starved, or it went on on
  another device) re-anchors at once: what is placed from then on is placed right again, and
  ``jumps`` counts it for the tests and the log.

Qt-free and numpy-free: tested with made-up reports.
"""

from __future__ import annotations

from collections import deque

WINDOW_MS = 3_000  # the envelope is the lowest estimate of the last three seconds
RECENT_MS = 300  # a jump is seen in this much (PipeWire takes frames in 21 ms steps)
SETTLE_REPORTS = 40  # reports (about 0.4 s) before the first anchor is trusted
SLEW_MS_PER_S = 0.1  # the most the anchor moves per second of stream, once set
JUMP_MS = 15.0  # a larger change of the envelope is a discontinuity: re-anchor at once


class FrameClock:
    def __init__(self, rate: int) -> None:
        self.rate = rate
        self._estimates: deque[tuple[float, float]] = deque()  # (report time, estimate)
        self._recent: deque[tuple[float, float]] = deque()
        self._reports = 0
        self._anchor: float | None = None  # monotonic ms at which frame 0 was taken
        self._last_slew_at: float | None = None
        self.jumps = 0

    @property
    def anchored(self) -> bool:
        return self._anchor is not None

    @property
    def anchor_ms(self) -> float | None:
        return self._anchor

    def observe(self, now_ms: float, taken_frames: int) -> None:
        """A report: at ``now_ms`` the server had taken ``taken_frames`` frames in all."""
        if taken_frames <= 0:
            return  # the stream has not started yet: nothing to learn
        estimate = now_ms - taken_frames * 1000 / self.rate
        envelope = _push(self._estimates, now_ms, estimate, WINDOW_MS)
        recent = _push(self._recent, now_ms, estimate, RECENT_MS)
        self._reports += 1
        if self._anchor is None:
            if self._reports >= SETTLE_REPORTS:
                self._anchor = envelope
                self._last_slew_at = now_ms
            return
        if abs(recent - self._anchor) > JUMP_MS:
            self._anchor = recent
            self._estimates = deque(self._recent)  # what came before the jump is history
            self.jumps += 1
        else:
            elapsed = now_ms - (self._last_slew_at or now_ms)
            step = SLEW_MS_PER_S * elapsed / 1000
            self._anchor += max(-step, min(step, envelope - self._anchor))
        self._last_slew_at = now_ms

    def restart(self) -> None:
        """The stream starts over (a new device, a flush): learn its clock again."""
        self._estimates.clear()
        self._recent.clear()
        self._reports = 0
        self._anchor = None
        self._last_slew_at = None

    def frame_at(self, mono_ms: float) -> int | None:
        """The frame that will be taken at ``mono_ms`` (None until anchored)."""
        if self._anchor is None:
            return None
        return round((mono_ms - self._anchor) * self.rate / 1000)

    def mono_at(self, frame: int) -> float | None:
        """When ``frame`` will be taken, on the monotonic clock (None until anchored)."""
        if self._anchor is None:
            return None
        return self._anchor + frame * 1000 / self.rate


def _push(window: deque[tuple[float, float]], now_ms: float, estimate: float, span: float) -> float:
    """Add a report to a window kept as a monotonic deque (only an estimate lower than every
    later one can ever be the minimum) and return the window's minimum."""
    while window and window[-1][1] >= estimate:
        window.pop()
    window.append((now_ms, estimate))
    while window[0][0] < now_ms - span:
        window.popleft()
    return window[0][1]
