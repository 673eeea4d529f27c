"""SessionController: drives the running session; the only subscriber of its driver.

It compiles a program, starts it (after the output has loaded, through the cue conductor),
and runs every operation the user asks for (pause, resume, skip, back, end a set, change a
rest, stop). It passes what the driver reports to the cue conductor, the recorder (every set
saved as it ends) and keep-awake (the screen stays on while the session runs), and publishes
what the views need.

Signals, in the order they come within one wake-up of the driver (a timer, or an operation):

1. ``set_done(SetRecord)``: a set ended (also one redone after Back: it replaces the first);
2. ``position_changed(Position, Timeline)``: where the session is now, after every wake-up of
   the driver (a segment began, a cue is due, an operation ran); ``frame(Position, Timeline)``
   between them (within a segment only the time moves): 25 a second while the exercise
   figure moves, otherwise when a number shown changes (``calftimer.core.frames``);
3. ``state_changed(State)``: when it changed (RUNNING, PAUSED, FINISHED, ABANDONED);
4. ``ended(State)``: the session is over and its summary may be shown (FINISHED or
   ABANDONED). Its last chime was handed to the output ahead and is already in the stream,
   so nothing waits for it, and nothing here silences it.

``started(Timeline)`` comes first of all, when a session starts (before its first position);
``suspended(int)`` when the computer slept through a running session (the session is then
paused: ``state_changed(PAUSED)`` follows); ``waiting(Program)`` when a start waits for the
sounds; ``save_failed(str)`` and ``sets_saved(int)`` when the history writer reports.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import TYPE_CHECKING

from PySide6.QtCore import QObject, Signal

from calftimer.core.clock import Clock
from calftimer.core.figure import motion_at
from calftimer.core.frames import next_frame_ms
from calftimer.core.i18n import _
from calftimer.core.programs import Program
from calftimer.core.session import Position, Session, SetRecord, State
from calftimer.core.timeline import CompileOptions, Cue, Timeline, compile_program
from calftimer.gui.driver import SessionDriver
from calftimer.gui.figure_widget import system_prefers_reduced_motion
from calftimer.gui.notices import NoticeBoard
from calftimer.gui.session.conductor import CueConductor
from calftimer.gui.session.timers import TimerFactory
from calftimer.gui.settings_hub import SettingsHub

if TYPE_CHECKING:
    from calftimer.core.recorder import SessionRecorder
    from calftimer.core.settings import Settings
    from calftimer.core.store import Store
    from calftimer.gui.jobs import Jobs
    from calftimer.gui.keep_awake import KeepAwake, KeepAwakeController


class SessionController(QObject):
    started = Signal(object)  # Timeline
    set_done = Signal(object)  # SetRecord
    position_changed = Signal(object, object)  # Position, Timeline
    frame = Signal(object, object)  # Position, Timeline: only the time moved since the last
    state_changed = Signal(object)  # State
    ended = Signal(object)  # State: FINISHED or ABANDONED
    suspended = Signal(int)  # how long the computer slept, in ms
    waiting = Signal(object)  # Program: it starts once the sounds are ready
    save_failed = Signal(str)  # a save of the history failed: why
    sets_saved = Signal(int)  # sets of this session saved so far
    # From the writer thread (queued onto the window's thread, then re-emitted above).
    _recorder_failed = Signal(str)
    _recorder_saved = Signal(int)

    def __init__(
        self,
        clock: Clock,
        conductor: CueConductor,
        settings: SettingsHub,
        notices: NoticeBoard,
        timers: TimerFactory,
        *,
        options: CompileOptions | None = None,
        sleep_clock: Clock | None = None,
        keep_awake: KeepAwake | Callable[[], KeepAwake] | None = None,
        parent: QObject | None = None,
    ) -> None:
        super().__init__(parent)
        self._clock = clock
        self._sleep_clock = sleep_clock  # counts through suspend (Linux), for the driver
        self._conductor = conductor
        self._settings = settings
        self._notices = notices
        self._explicit_options = options  # tests; otherwise the settings decide
        self._driver: SessionDriver | None = None
        self._program: Program | None = None
        self._waiting_program: Program | None = None
        self._recorder: SessionRecorder | None = None
        # The screen stays on while a session runs (not while paused or idle). A factory is
        # called when the first session starts: D-Bus is not touched at start-up.
        self._keep_awake_source = keep_awake
        self._keep_awake: KeepAwakeController | None = None
        self._recorder_failed.connect(self.save_failed)
        self._recorder_saved.connect(self.sets_saved)
        settings.changed.connect(self._on_settings_changed)
        # Read when the settings change, not on every frame (the desktop's reduced-motion
        # hint is a round of Qt calls).
        self._animate = self.animate_figure

    # ------------------------------------------------------------------ what it is doing

    @property
    def options(self) -> CompileOptions:
        """How programs are compiled now (countdown, get-ready)."""
        return self._explicit_options or self._settings.current.compile_options()

    @property
    def program(self) -> Program | None:
        """The program of the current (or last) session."""
        return self._program

    @property
    def timeline(self) -> Timeline | None:
        return None if self._driver is None else self._driver.session.timeline

    @property
    def state(self) -> State | None:
        """None before the first session."""
        return None if self._driver is None else self._driver.session.state

    @property
    def active(self) -> bool:
        """A session runs or is paused (not over, not none)."""
        return self.state in (State.RUNNING, State.PAUSED)

    @property
    def over(self) -> bool:
        """The last session is over (finished or stopped) and none runs."""
        state = self.state
        return state is not None and state.is_over

    @property
    def records(self) -> list[SetRecord]:
        """The sets done in the current (or last) session, in the program's order; a set
        redone after Back replaces the first."""
        return [] if self._driver is None else self._driver.session.records

    @property
    def started_at(self) -> datetime | None:
        return None if self._driver is None else self._driver.session.started_at

    @property
    def elapsed_ms(self) -> int:
        """The session's time (paused time excluded)."""
        return 0 if self._driver is None else self._driver.session.t_ms()

    def position(self) -> Position | None:
        return None if self._driver is None else self._driver.session.position()

    def mono_at(self, t_ms: int) -> int | None:
        """The monotonic instant of session time ``t_ms`` (None while paused or over)."""
        return None if self._driver is None else self._driver.session.mono_at(t_ms)

    def next_deadline_ms(self) -> int | None:
        """The monotonic instant of the next cue or boundary (None: nothing is due)."""
        return None if self._driver is None else self._driver.session.next_deadline_ms()

    def poll_now(self) -> None:
        """Wake the session now (a timer does this at every deadline; tests on a manual
        clock, and a theme change that must redraw, call it)."""
        if self._driver is not None:
            self._driver.poll_now()

    @property
    def waiting_program(self) -> Program | None:
        """A program whose start waits for the sounds to load."""
        return self._waiting_program if self._conductor.waiting else None

    # ------------------------------------------------------------------ the history

    @property
    def recorder(self) -> SessionRecorder | None:
        return self._recorder

    def attach_history(self, store: Store, jobs: Jobs) -> None:
        """Record every session into ``store`` from now on (sets are saved on the writer
        thread as they end, so an fsync never delays a cue)."""
        from calftimer.core.recorder import SessionRecorder

        self._recorder = SessionRecorder(
            store, jobs.writer, self._recorder_failed.emit, self._recorder_saved.emit
        )

    # ------------------------------------------------------------------ starting

    def start(self, program: Program, *, wait_for_audio: bool = True) -> None:
        """Compile and start ``program``: from here on it runs without any input. While the
        sounds are still loading it starts as soon as they are ready (3 s at most)."""
        if wait_for_audio and self._conductor.when_ready(lambda: self._start_now(program)):
            self._waiting_program = program
            self.waiting.emit(program)
            return
        self._start_now(program)

    def _start_now(self, program: Program) -> None:
        self._waiting_program = None
        old = self._driver
        if old is not None:
            if not old.session.state.is_over:
                old.apply("abandon")
            old.stop_timers()
            old.deleteLater()
        timeline = compile_program(program, self.options)
        self._program = program
        driver = SessionDriver(
            Session(timeline, self._clock), self, self._sleep_clock, self._next_frame_ms
        )
        self._driver = driver
        driver.cues_due.connect(self._on_driver_cues_due)
        driver.set_completed.connect(self._on_driver_set_completed)
        driver.position_changed.connect(self._on_driver_position_changed)
        driver.frame.connect(self._on_driver_frame)
        driver.state_changed.connect(self._on_driver_state_changed)
        driver.suspended.connect(self._on_driver_suspended)
        self._conductor.follow(driver.session)
        self._keep_awake_controller()
        self._notices.withdraw("suspend")  # of the last session
        self.started.emit(timeline)
        driver.start()
        if self._recorder is not None:
            self._recorder.started(program.id, program.name, driver.session.started_at)

    # ------------------------------------------------------------------ operations

    def toggle_pause(self) -> bool | None:
        """Pause a running session or resume a paused one; True when it is paused now, None
        when there is no session to pause."""
        if not self.active:
            return None
        return bool(self._apply("toggle_pause"))

    def pause(self) -> bool:
        """Pause a running session (never resume): media "pause"."""
        return self.state is State.RUNNING and bool(self._apply("pause"))

    def resume(self) -> bool:
        return self.state is State.PAUSED and bool(self._apply("resume"))

    def skip(self) -> bool:
        return self.active and bool(self._apply("skip"))

    def back(self) -> bool:
        return self.active and bool(self._apply("back"))

    def end_set(self) -> bool:
        return self.active and bool(self._apply("end_set"))

    def adjust_rest(self, delta_ms: int) -> int:
        """Lengthen (or shorten) the current rest; returns the change made."""
        if not self.active:
            return 0
        value = self._apply("adjust_rest", delta_ms)
        return value if isinstance(value, int) else 0

    def abandon(self) -> bool:
        """Stop the session; what was done is kept."""
        return self.active and bool(self._apply("abandon"))

    def finish(self) -> bool:
        """End the session now as finished (the set in progress ends here)."""
        return self.active and bool(self._apply("finish"))

    def _apply(self, operation: str, *args: object) -> object:
        driver = self._driver
        if driver is None:
            return None
        self._conductor.before_operation(operation)
        value = driver.apply(operation, *args)
        self._conductor.after_operation()
        return value

    # ------------------------------------------------------------------ the driver

    def _on_driver_cues_due(self, cues: list[Cue]) -> None:
        self._conductor.on_cues(cues)

    def _on_driver_set_completed(self, record: SetRecord) -> None:
        if self._recorder is not None:
            self._recorder.set_completed(record)
        self.set_done.emit(record)

    def _on_driver_position_changed(self, position: Position) -> None:
        if self._driver is None:
            return
        self.position_changed.emit(position, self._driver.session.timeline)
        self._conductor.on_position()

    @property
    def animate_figure(self) -> bool:
        """The exercise figure moves (the setting, unless the desktop asks for less motion)."""
        return self._settings.current.animate_figure and not system_prefers_reduced_motion()

    def _next_frame_ms(self, position: Position) -> int | None:
        """Frames only while the figure moves, else when a number shown changes."""
        return next_frame_ms(position, motion_at(position, animate=self._animate))

    def _on_driver_frame(self, position: Position) -> None:
        if self._driver is None:
            return
        self.frame.emit(position, self._driver.session.timeline)
        self._conductor.on_position()

    def _on_driver_suspended(self, asleep_ms: int) -> None:
        minutes = max(1, round(asleep_ms / 60_000))
        self._notices.post(
            "suspend",
            "info",
            _(
                "The computer was asleep for about {minutes} min, so the session is paused; that "
                "time does not count. Press Space to continue."
            ).format(minutes=minutes),
            summary=_("Paused while the computer slept. Space continues."),
        )
        self.suspended.emit(asleep_ms)

    def _on_driver_state_changed(self, state: State) -> None:
        driver = self._driver
        if driver is None:
            return
        if state is not State.PAUSED:
            self._notices.withdraw("suspend")  # running again, or over: no longer paused
        self._conductor.on_state(state)
        if self._keep_awake is not None:
            self._keep_awake.session_state_changed(state)
        if state.is_over and self._recorder is not None:
            ended = driver.session.ended_at or driver.session.started_at
            self._recorder.ended("finished" if state is State.FINISHED else "abandoned", ended)
        self.state_changed.emit(state)
        if state.is_over:
            self.ended.emit(state)

    # ------------------------------------------------------------------ keep awake

    def _keep_awake_controller(self) -> KeepAwakeController | None:
        if self._keep_awake is None and self._keep_awake_source is not None:
            from calftimer.gui.keep_awake import KeepAwake, KeepAwakeController

            source = self._keep_awake_source
            backend = source if isinstance(source, KeepAwake) else source()
            self._keep_awake = KeepAwakeController(
                backend, enabled=self._settings.current.keep_awake
            )
            self._keep_awake.keep_awake_failed.connect(
                lambda text: self._notices.post("keep-awake", "warning", text)
            )
            self._keep_awake.keep_awake_restored.connect(
                lambda: self._notices.withdraw("keep-awake")
            )
            self._keep_awake.keep_awake_limited.connect(
                lambda text: self._notices.post(
                    "keep-awake", "info", text, summary=_("Screen kept awake by X11 only.")
                )
            )
        return self._keep_awake

    @property
    def keep_awake(self) -> KeepAwakeController | None:
        return self._keep_awake

    def _on_settings_changed(self, settings: Settings) -> None:
        self._animate = self.animate_figure
        if self._keep_awake is not None:
            self._keep_awake.set_enabled(settings.keep_awake)
        if not settings.keep_awake:
            self._notices.withdraw("keep-awake")  # the user lets the screen sleep: moot

    # ------------------------------------------------------------------ the end

    def close(self) -> None:
        """The app quits: a running session is stopped (what was done is kept), timers stop,
        the screen may sleep again."""
        driver = self._driver
        if driver is not None:
            if driver.session.state in (State.RUNNING, State.PAUSED):
                driver.apply("abandon")
            driver.stop_timers()
        self._conductor.cancel_wait()
        if self._keep_awake is not None:
            self._keep_awake.shutdown()
