"""SessionDriver: wakes a core Session at its next deadline and republishes what happened.

One precise single-shot timer is re-armed for the session's next cue or segment boundary,
computed from the injected monotonic clock, so a late wake-up delays at most that wake-up and
never shifts the session (the session derives its position from the clock). A second, coarse
frame timer only repaints; it never decides anything.
"""

from __future__ import annotations

from PySide6.QtCore import QObject, Qt, QTimer, Signal

from calftimer.core.session import Position, Session, State

FRAME_INTERVAL_MS = 40  # 25 repaints a second while running: smooth tempo bars, little CPU


class SessionDriver(QObject):
    cue_due = Signal(object)  # calftimer.core.timeline.Cue
    set_completed = Signal(object)  # calftimer.core.session.SetRecord
    position_changed = Signal(object)  # calftimer.core.session.Position
    state_changed = Signal(object)  # calftimer.core.session.State

    def __init__(self, session: Session, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._session = session
        self._clock = session.clock  # the one clock deadlines are computed from
        self._last_state = session.state
        self._deadline_timer = QTimer(self)
        self._deadline_timer.setSingleShot(True)
        self._deadline_timer.setTimerType(Qt.TimerType.PreciseTimer)
        self._deadline_timer.timeout.connect(self.poll_now)
        self._frame_timer = QTimer(self)
        self._frame_timer.setInterval(FRAME_INTERVAL_MS)
        self._frame_timer.timeout.connect(self._on_frame_timer_timeout)

    @property
    def session(self) -> Session:
        return self._session

    def start(self) -> None:
        self._session.start()
        self.poll_now()

    def poll_now(self) -> None:
        """Hand out due cues and records, publish the position and re-arm the deadline timer."""
        result = self._session.poll()
        for cue in result.cues:
            self.cue_due.emit(cue)
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

    def stop_timers(self) -> None:
        self._deadline_timer.stop()
        self._frame_timer.stop()

    def _publish(self) -> None:
        state = self._session.state
        if state is not self._last_state:
            self._last_state = state
            self.state_changed.emit(state)
        self.position_changed.emit(self._session.position())
        self._rearm()

    def _rearm(self) -> None:
        deadline = self._session.next_deadline_ms()
        if deadline is None:
            self._deadline_timer.stop()
        else:
            self._deadline_timer.start(max(0, deadline - self._clock()))
        running = self._session.state is State.RUNNING
        if running and not self._frame_timer.isActive():
            self._frame_timer.start()
        elif not running:
            self._frame_timer.stop()

    def _on_frame_timer_timeout(self) -> None:
        self.position_changed.emit(self._session.position())
