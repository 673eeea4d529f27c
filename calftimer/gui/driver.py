"""SessionDriver: wakes a core Session at its next deadline and republishes what happened.

One precise single-shot timer is re-armed for the session's next cue or segment boundary,
computed from the injected monotonic clock, so a late wake-up delays at most that wake-up and
never shifts the session (the session derives its position from the clock). A second, coarse
frame timer only repaints; it never decides anything. A wake-up publishes ``position_changed``
(anything may have changed: the segment, the set, the state); a frame publishes ``frame``
(within one segment only the clock moved), so a view can redraw just what moves.
"""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import QObject, Qt, QTimer, Signal

from calftimer.core.clock import Clock
from calftimer.core.session import Position, Session, State

# Without a frame policy: 20 repaints a second while running (a smooth enough phase bar; each
# frame only touches what changed; benchmarks/session_cpu.py measures the cost).
FRAME_INTERVAL_MS = 50
# The window's policy (calftimer.core.frames) says when the next frame is due after a position
# (ms), or None for no frame until the session wakes up again.
FramePolicy = Callable[[Position], int | None]
# While a session runs the driver wakes at least every frame. A much longer gap on the monotonic
# clock, or a wall clock that moved much further than it, means the machine slept (Linux and
# macOS stop the monotonic clock in suspend; Windows does not).
SUSPEND_GAP_MS = 15_000
SUSPEND_CHECK_MS = 1_000  # how often frames look for a sleep (every wake-up looks too)


class SessionDriver(QObject):
    # Every cue one wake-up handed out, in timeline order; a wake-up with none emits nothing.
    cues_due = Signal(list)  # list[calftimer.core.timeline.Cue]
    set_completed = Signal(object)  # calftimer.core.session.SetRecord
    position_changed = Signal(object)  # calftimer.core.session.Position
    frame = Signal(object)  # Position: a frame between two wake-ups (only the time moved)
    state_changed = Signal(object)  # calftimer.core.session.State
    suspended = Signal(int)  # how long the machine slept, in ms; the session is now paused

    def __init__(
        self,
        session: Session,
        parent: QObject | None = None,
        sleep_clock: Clock | None = None,
        frame_policy: FramePolicy | None = None,
    ) -> None:
        super().__init__(parent)
        self._frame_policy = frame_policy or _every_frame
        self._session = session
        # With a clock that counts through suspend (Linux), a wall-clock change is no suspend.
        self._sleep_clock = sleep_clock
        self._clock = session.clock  # the one clock deadlines are computed from
        self._wall_clock = session.wall_clock
        self._last_mono = self._clock()
        self._last_wall = self._wall_clock()
        self._last_sleep = sleep_clock() if sleep_clock is not None else 0
        self._was_running = False
        self._last_state = session.state
        self._deadline_timer = QTimer(self)
        self._deadline_timer.setSingleShot(True)
        self._deadline_timer.setTimerType(Qt.TimerType.PreciseTimer)
        self._deadline_timer.timeout.connect(self.poll_now)
        self._frame_timer = QTimer(self)
        self._frame_timer.setSingleShot(True)  # re-armed by the policy after every frame
        self._frame_timer.timeout.connect(self._on_frame_timer_timeout)

    @property
    def session(self) -> Session:
        return self._session

    def start(self) -> None:
        self._session.start()
        self.poll_now()

    def poll_now(self) -> None:
        """Hand out due cues and records, publish the position and re-arm the deadline timer."""
        self._check_suspend()
        result = self._session.poll()
        if result.cues:
            self.cues_due.emit(list(result.cues))
        for record in result.records:
            self.set_completed.emit(record)
        self._publish()

    def apply(self, operation: str, *args: object) -> object:
        """Run a session operation (``"skip"``, ``"pause"``, ...) then publish its effects."""
        value = getattr(self._session, operation)(*args)
        self.poll_now()
        return value

    def position(self) -> Position:
        return self._session.position()

    def next_deadline_ms(self) -> int | None:
        """The monotonic instant it next wakes at (None: nothing is due)."""
        return self._session.next_deadline_ms()

    def stop_timers(self) -> None:
        self._deadline_timer.stop()
        self._frame_timer.stop()

    def _check_suspend(self) -> None:
        """Called on every wake-up; only a gap during which the session was running counts."""
        mono, wall = self._clock(), self._wall_clock()
        mono_gap = mono - self._last_mono
        if self._sleep_clock is not None:
            asleep_now = self._sleep_clock()
            wall_gap = asleep_now - self._last_sleep
            self._last_sleep = asleep_now
        else:
            wall_gap = round((wall - self._last_wall).total_seconds() * 1000)
        last_mono = self._last_mono
        self._last_mono, self._last_wall = mono, wall
        if not self._was_running or self._session.state is not State.RUNNING:
            return
        asleep = max(mono_gap, wall_gap) if mono_gap > SUSPEND_GAP_MS else wall_gap - mono_gap
        if mono_gap > SUSPEND_GAP_MS or wall_gap - mono_gap > SUSPEND_GAP_MS:
            # Pause where the machine went to sleep: that time is not training.
            self._session.pause(at=last_mono)
            self.suspended.emit(asleep)

    def _publish(self) -> None:
        state = self._session.state
        # The next gap is measured from now, and only if the session is running now.
        self._was_running = state is State.RUNNING
        self._last_mono, self._last_wall = self._clock(), self._wall_clock()
        if self._sleep_clock is not None:
            self._last_sleep = self._sleep_clock()
        # Position first: a listener that swaps the live view for the summary on a state change
        # must see the last position before that, never after it.
        self.position_changed.emit(self._session.position())
        if state is not self._last_state:
            self._last_state = state
            self.state_changed.emit(state)
        self._rearm()

    def _rearm(self) -> None:
        deadline = self._session.next_deadline_ms()
        if deadline is None:
            self._deadline_timer.stop()
        else:
            self._deadline_timer.start(max(0, deadline - self._clock()))
        self._arm_frame(self._session.position())

    def _arm_frame(self, position: Position) -> None:
        wait = self._frame_policy(position) if position.state is State.RUNNING else None
        if wait is None:
            self._frame_timer.stop()
        else:
            self._frame_timer.start(max(1, wait))

    def _on_frame_timer_timeout(self) -> None:
        # A sleep is looked for about once a second, not every frame (reading two clocks and
        # the wall time every frame was a tenth of the frame's cost); every wake-up looks too.
        if self._clock() - self._last_mono >= SUSPEND_CHECK_MS:
            self._check_suspend()
        if self._session.state is not State.RUNNING:
            self._publish()  # the suspend check paused it
            return
        position = self._session.position()
        self.frame.emit(position)
        self._arm_frame(position)


def _every_frame(position: Position) -> int:
    return FRAME_INTERVAL_MS
