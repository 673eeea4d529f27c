"""CueConductor: everything about what is heard when, between the session and the speakers.

It owns the ``CuePlayer`` (calftimer.core.cues: which cue sounds, which phrase is said, once,
never late) and the ``AudioOutput`` it plays through (output.py), and adds the timing the player
cannot know on its own:

- the look-ahead: the sounds and phrases of the next ``SOUND_LOOKAHEAD_MS`` are handed to the
  output ahead of their instants (a phrase at the instant its speaking must start, so "Next:
  ..." ends as the set starts and a rep count ends on its rep), refilled in batches, so a busy
  window never makes a cue late;
- the wait at start: a session started while the output still loads waits for it, 3 s at most,
  so its first words are not lost (``when_ready``);
- the output's life: attaching one, replacing one that failed by a silent one, closing it;
- the settings that touch sound (mute, volumes, voice, sound theme), heard from the
  ``SettingsHub``;
- the Settings dialog's sound test (``sound_check``, sound_check.py), which plays through the
  same output and only while no session runs.

The session controller tells it what the session did (``follow``, ``on_cues``, ``on_position``,
``on_state``, ``before_operation``/``after_operation``); it never reads the driver itself.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

from PySide6.QtCore import QObject, Signal

from calftimer.core.clock import Clock
from calftimer.core.cues import DEFAULT_LATE_MS, CuePlayer, Measure, estimate
from calftimer.core.session import Session, State
from calftimer.core.settings import Settings
from calftimer.core.timeline import Cue
from calftimer.gui.notices import NoticeBoard
from calftimer.gui.session.output import AudioOutput
from calftimer.gui.session.sound_check import SoundCheck
from calftimer.gui.session.timers import TimerFactory
from calftimer.gui.settings_hub import SettingsHub

# Sounds are handed to the output this far ahead of their moments: a window kept busy for up to
# this long (a chart redraw, a slow paint) still sounds every cue on time.
SOUND_LOOKAHEAD_MS = 1_000
# A session started while the sounds and the voice are still loading (a --start at launch, a
# quick click) waits for them this long at most, so its first words are not lost.
AUDIO_READY_WAIT_MS = 3_000


class CueConductor(QObject):
    flash_requested = Signal()  # a cue sounds now, but there is no sound: flash the screen

    def __init__(
        self,
        clock: Clock,
        settings: SettingsHub,
        notices: NoticeBoard,
        timers: TimerFactory,
        parent: QObject | None = None,
    ) -> None:
        super().__init__(parent)
        self._clock = clock
        self._settings = settings
        self._notices = notices
        self._output: AudioOutput | None = None
        self._player: CuePlayer | None = None
        self._session: Session | None = None
        self._held: list[Cue] = []  # cues handed out while paused (a skip): sound on resume
        # What was handed out ahead, in timeline time: sounds up to here, phrases up to here.
        self._sounds_until = -1
        self._phrases_until = -1
        self._waiting: Callable[[], None] | None = None
        self._wait_timer = timers(self._on_wait_over)
        settings.changed.connect(self._on_settings_changed)
        self.sound_check = SoundCheck(
            lambda: self._output, self._session_busy, settings, clock, timers, self
        )

    # ------------------------------------------------------------------ the output

    @property
    def output(self) -> AudioOutput | None:
        return self._output

    @property
    def loading(self) -> bool:
        return self._output is not None and self._output.loading

    def attach_output(self, output: AudioOutput) -> None:
        """Play through ``output`` from now on; the one before is closed. Its problem, if it
        has one (no sound here), goes to the notice area; a working output withdraws it."""
        old = self._output
        if old is not None and old is not output:
            old.stop_all()
            old.close()
            if isinstance(old, QObject):
                old.deleteLater()
        self._output = output
        settings = self._settings.current
        self._player = CuePlayer(output, self._clock, self._due_at, settings)
        output.played.connect(self._on_output_played)
        output.became_ready.connect(self._start_if_waiting)
        output.failed.connect(self._on_output_failed)
        output.voice_changed.connect(self._on_voice_changed)
        output.notice.connect(lambda text: self._notices.post("voice", "warning", text))
        output.set_voice(settings.voice_engine, settings.voice_rate, settings.voice_name)
        self._on_voice_changed()
        if output.problem:
            self._notices.post("sound", "warning", output.problem)
        else:
            self._notices.withdraw("sound")  # a working output again (a new device)
        output.became_ready.connect(self.sound_check.refresh)
        self.sound_check.refresh()

    def _on_output_failed(self, problem: str) -> None:
        """The sounds could not load (the device went away): flash the screen instead."""
        from calftimer.gui.audio import SilentOutput

        self.attach_output(SilentOutput(problem, self.parent()))  # which posts the problem
        self._start_if_waiting()

    def _on_output_played(self, _name: str) -> None:
        if self._output is not None and not self._output.audible:
            self.flash_requested.emit()

    def _on_voice_changed(self) -> None:
        """The voice speaking now changed (the system voice became ready, say): phrases are
        planned with its lengths from now on."""
        if self._player is None or self._output is None:
            return
        self._player.set_measure(self._output.measure or estimate)
        self._take_back()
        self._start_if_waiting()

    def close(self) -> None:
        """The app quits: stop the timers and the output."""
        self._wait_timer.stop()
        self.sound_check.stop()
        if self._output is not None:
            self._output.close()

    # ------------------------------------------------------------ the wait at start

    def when_ready(self, go: Callable[[], None]) -> bool:
        """Call ``go`` once the output has loaded (3 s at most); True if it waits, False if
        the output is ready (then the caller goes on at once and ``go`` is not called)."""
        if not self.loading:
            self.cancel_wait()
            return False
        self._waiting = go
        self._wait_timer.start(AUDIO_READY_WAIT_MS)
        self.sound_check.refresh()  # a session about to start: no test now
        return True

    @property
    def waiting(self) -> bool:
        return self._waiting is not None

    def cancel_wait(self) -> None:
        waited, self._waiting = self._waiting is not None, None
        self._wait_timer.stop()
        if waited:
            self.sound_check.refresh()

    def _start_if_waiting(self, *_args: object) -> None:
        if self._waiting is not None and not self.loading:
            self._on_wait_over()

    def _on_wait_over(self) -> None:
        go, self._waiting = self._waiting, None
        self._wait_timer.stop()
        if go is not None:
            go()

    # ------------------------------------------------------------------ the session

    def follow(self, session: Session) -> None:
        """A new session: nothing of the last one is played or held any more."""
        self._session = session
        self._held = []
        self.sound_check.refresh()  # a test still playing stops: the session speaks now
        if self._player is not None:
            self._player.reset()
        self._take_back()

    def on_cues(self, cues: Sequence[Cue]) -> None:
        """The cues the session handed out in one wake-up, in order."""
        session = self._session
        if self._player is None or session is None:
            return
        if session.state is State.PAUSED:
            self._held.extend(cues)  # e.g. the "go" of a set reached by skip while paused
            return
        self._player.on_cues(
            cues, session.timeline, records=session.records, duration_ms=session.t_ms()
        )

    def on_position(self) -> None:
        """The session moved on: keep the look-ahead full."""
        self._schedule_ahead()

    def on_state(self, state: State) -> None:
        self.sound_check.refresh()  # first: a test still playing is silenced before the session
        if state in (State.PAUSED, State.ABANDONED) and self._player is not None:
            self._player.on_pause()  # pausing or stopping silences what is sounding
        if state is State.FINISHED:
            pass  # nothing comes after; what was handed out (the last "session done") sounds
        elif state is not State.RUNNING:
            self._take_back()
        else:
            self._schedule_ahead()
        if state is State.RUNNING and self._held:
            # Cues handed out by a skip or back while paused sound when the session resumes.
            held, self._held = self._held, []
            self.on_cues(held)

    def before_operation(self, operation: str) -> None:
        """A skip, back, pause, rest change... is about to change the session's course: take
        back what was handed out for the old one."""
        if operation == "back" and self._player is not None:
            # Back replays a stretch: its cues may sound again (the player otherwise never
            # repeats one). Everything from the start of the timeline is allowed once more;
            # only what the session re-emits will actually play.
            self._player.rewound(0)
        self._take_back()

    def after_operation(self) -> None:
        """... and hand out again from where the session is now (Back moved it earlier: the
        phrases of the replayed stretch must be offered again, ahead of their cues)."""
        self._take_back()
        self._schedule_ahead()

    # ------------------------------------------------------------------ mute

    @property
    def muted(self) -> bool:
        return self._settings.current.muted

    @property
    def measure(self) -> Measure:
        """How phrases are timed now: the voice that speaks, or the estimate without one."""
        return self._player.measure if self._player is not None else estimate

    # ------------------------------------------------------------------ internals

    def _session_busy(self) -> bool:
        """A session runs, is paused, or waits for the output to start: no sound test."""
        session = self._session
        active = session is not None and session.state in (State.RUNNING, State.PAUSED)
        return active or self.waiting

    def _on_settings_changed(self, settings: Settings) -> None:
        if self._player is None or self._output is None:
            return
        theme_changed = settings.sound_theme != self._player.settings.sound_theme
        self._player.set_settings(settings)  # takes back sounds at the old volume
        self._take_back()
        if theme_changed:
            self._output.set_theme(settings.sound_theme)
        self._output.set_voice(settings.voice_engine, settings.voice_rate, settings.voice_name)
        self._schedule_ahead()

    def _due_at(self, cue: Cue) -> int | None:
        return None if self._session is None else self._session.mono_at(cue.offset_ms)

    def _take_back(self) -> None:
        """Take back what was handed out ahead: the session's course may have changed (an
        operation, a pause, a new voice); it is handed out again from the new position."""
        if self._player is not None:
            self._player.cancel_ahead()
        t = self._session.t_ms() if self._session is not None else 0
        self._sounds_until = -1
        self._phrases_until = t - DEFAULT_LATE_MS  # a phrase just due may still start in time

    def _schedule_ahead(self) -> None:
        """Hand the output the sounds and phrases of the next ``SOUND_LOOKAHEAD_MS``."""
        session, player = self._session, self._player
        if player is None or session is None or session.state is not State.RUNNING:
            return
        t = session.t_ms()
        if t + SOUND_LOOKAHEAD_MS // 2 < self._sounds_until:
            return  # at least half a second is handed out still: refill in batches
        upto = t + SOUND_LOOKAHEAD_MS
        player.schedule_sounds(session.timeline, max(t, self._sounds_until), upto)
        player.schedule_phrases(session.timeline, self._phrases_until, upto)
        self._sounds_until = self._phrases_until = upto
