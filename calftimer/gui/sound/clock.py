"""FrameClock: which frame of the output stream sounds at which instant of the monotonic clock.

The engine writes the stream frame after frame and the sound server plays them one after
another at the device's pace, so frame ``f`` sounds ``f / rate`` after frame 0: the frames
written are the clock, to the sample. What is not known is when frame 0 sounded on the
monotonic clock (the *anchor*), and whether the device's pace differs a little from the
monotonic clock's.

Both are learnt from what Qt reports: how many frames the server has taken (``observe``). A
report gives an estimate of the anchor, ``now - taken / rate``; a report is never early (the
count is updated in steps, after the fact), only late, so the lowest estimates are the truest:

- the anchor is set from the lowest estimate of the first ``SETTLE_REPORTS`` reports;
- it then only slews toward the lowest estimate of the last ``WINDOW_MS``, at most
  ``SLEW_MS_PER_S`` per second. Measured here through PulseAudio, Qt's count sometimes lags
  behind what was really played by several per cent for many seconds (a recording of the
  stream showed every frame played on time meanwhile), so the count is trusted only as far as
  a real device's clock can differ from the monotonic one, and sounds a second apart never
  move against each other by more than a fiftieth of a millisecond;
- when the engine finds its buffer run dry (``starved``), the server played silence of its own
  and frame ``f`` now sounds later than before: the anchor is learnt again from the next
  reports, and ``jumps`` counts it.

Qt-free and numpy-free: tested with made-up reports.
"""

from __future__ import annotations

from collections import deque

WINDOW_MS = 10_000  # the envelope is the lowest estimate of the last ten seconds
SETTLE_REPORTS = 10  # reports (0.2 s at the engine's LEARN_TICK_MS) before an anchor is trusted
# Reports before a provisional anchor places sounds on a stream that has just (re)started
# (headphones plugged in during a session): a beat due then is placed a few milliseconds off
# instead of waiting for the settled clock and coming up to 40 ms late.
PROVISIONAL_REPORTS = 2
SLEW_MS_PER_S = 0.02  # the most the anchor moves per second (20 ppm), once set


class FrameClock:
    def __init__(self, rate: int) -> None:
        self.rate = rate
        self._estimates: deque[tuple[float, float]] = deque()  # (report time, estimate)
        self._reports = 0
        self._anchor: float | None = None  # monotonic ms at which frame 0 was taken
        self._provisional: float | None = None  # the envelope so far, before it has settled
        self._relearning = False
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
        self._reports += 1
        if self._reports < SETTLE_REPORTS:
            if self._reports >= PROVISIONAL_REPORTS and self._anchor is None:
                self._provisional = envelope
            return
        if self._anchor is None or self._relearning:
            if self._anchor is not None:
                self.jumps += 1
            self._anchor = envelope
            self._relearning = False
        else:
            elapsed = now_ms - (self._last_slew_at or now_ms)
            step = SLEW_MS_PER_S * elapsed / 1000
            self._anchor += max(-step, min(step, envelope - self._anchor))
        self._last_slew_at = now_ms

    def starved(self) -> None:
        """The stream ran dry: frames now sound later than the anchor says. Learn it again
        (what is placed meanwhile uses the old anchor: better late than never)."""
        if self._anchor is None:
            return
        self._estimates.clear()
        self._reports = 0
        self._relearning = True

    def restart(self) -> None:
        """The stream starts over (a new device, a flush): learn its clock again."""
        self._estimates.clear()
        self._reports = 0
        self._anchor = None
        self._provisional = None
        self._relearning = False
        self._last_slew_at = None

    def frame_at(self, mono_ms: float) -> int | None:
        """The frame that will be taken at ``mono_ms``: by the settled anchor, or before it has
        settled by the provisional one; None until the stream has been heard from."""
        anchor = self._anchor if self._anchor is not None else self._provisional
        if anchor is None:
            return None
        return round((mono_ms - anchor) * self.rate / 1000)

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
