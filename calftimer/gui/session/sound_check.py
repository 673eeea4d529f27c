"""SoundCheck: the Settings dialog's test of the sound, through the output the app plays with.

"Play test" plays what starts every set, the 3-2-1 countdown ticks and the "go", a second apart,
then one phrase of the coach, with the sound theme, voice and volumes the dialog shows (not yet
saved), through the running ``AudioOutput``, placed ahead like a session's cues (``play_at``,
``say_at``). So what the user hears is what a session will sound like, on the same device.

It is a part of the cue conductor (which owns the output and knows whether a session runs):

- available only with an output that makes sound, has loaded, and while no session runs or waits
  to start (a test would talk over it); ``problem`` says why not, for the dialog's tooltip;
- the output is switched to the dialog's theme and voice for the test and back to the saved ones
  when it ends, is stopped (pressed again, the dialog closed) or a session starts; a theme's
  sounds load on the output's thread, so the countdown is handed out once they have
  (``became_ready``), 1 s at most;
- mute is not applied: the user asked to hear it.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from PySide6.QtCore import QObject, Signal

from calftimer.core.clock import Clock
from calftimer.core.cues import Phrase, estimate, set_words
from calftimer.core.exercise import Mode
from calftimer.core.i18n import N_, _
from calftimer.core.programs import Side
from calftimer.core.settings import Settings
from calftimer.gui.session.output import AudioOutput
from calftimer.gui.session.timers import TimerFactory
from calftimer.gui.settings_hub import SettingsHub

# The first tick sounds this long after the press: enough to hand everything to the output
# ahead of its moment (the engine places each sound by its deadline).
START_DELAY_MS = 250
TICK_INTERVAL_MS = 1_000  # the countdown's pace in a session
COUNTDOWN = ("tick", "tick", "tick", "go")
PHRASE_AFTER_GO_MS = 1_000  # the phrase starts a second after the "go"
END_MARGIN_MS = 300  # the test counts as over this long after the phrase's end
THEME_LOAD_WAIT_MS = 1_000  # a theme's sounds load in milliseconds; do not wait for ever


def check_phrase() -> Phrase:
    """What the test says: "Seated calf raise. Set 1 of 3. 12 reps.", built as a session's
    phrases are, so every language's voice has its clips."""
    spoken = set_words("seated_calf_raise", 1, 3, Side.BOTH, Mode.REPS, 12)
    return Phrase(spoken.text, spoken.words)


NO_OUTPUT = N_("There is no sound output to test.")
LOADING = N_("The sounds are still loading; the test is ready in a moment.")
SESSION_RUNS = N_("A session is running: the test would talk over it. Stop the session to test.")


@dataclass(frozen=True)
class _Planned:
    """One thing the test plays: a sound or the phrase, at a monotonic instant."""

    at_ms: int
    sound: str = ""
    phrase: Phrase | None = None


class SoundCheck(QObject):
    changed = Signal()  # ``problem`` or ``playing`` may have changed

    def __init__(
        self,
        output: Callable[[], AudioOutput | None],
        session_busy: Callable[[], bool],
        settings: SettingsHub,
        clock: Clock,
        timers: TimerFactory,
        parent: QObject | None = None,
    ) -> None:
        super().__init__(parent)
        self._output = output
        self._session_busy = session_busy
        self._settings = settings
        self._clock = clock
        self._plan: list[_Planned] = []
        self._test: Settings | None = None  # the settings of the test playing (or loading)
        self._on: AudioOutput | None = None  # the output it plays on
        self._loading_theme = False
        self._theme_switched = False  # the output plays the test's theme, not the saved one
        self._end_timer = timers(self._on_end)
        self._load_timer = timers(self._hand_over)

    # ------------------------------------------------------------------ state

    @property
    def problem(self) -> str:
        """Why there is nothing to test now; "" when the test can play."""
        output = self._output()
        if output is None:
            return _(NO_OUTPUT)
        if not output.audible:
            return output.problem or _(NO_OUTPUT)
        if output.problem:
            return output.problem
        if output.loading:
            return _(LOADING)
        if self._session_busy():
            return _(SESSION_RUNS)
        return ""

    @property
    def playing(self) -> bool:
        return self._test is not None

    # ------------------------------------------------------------------ playing

    def play(self, settings: Settings) -> None:
        """Play the countdown and the phrase with ``settings`` (the dialog's); a test already
        playing is stopped first. Nothing happens when ``problem`` says why not."""
        self.stop()
        output = self._output()
        if output is None or self.problem:
            return
        self._test, self._on = settings, output
        output.became_ready.connect(self._on_output_ready)
        output.voice_changed.connect(self._on_voice_changed)
        output.set_voice(settings.voice_engine, settings.voice_rate, settings.voice_name)
        if settings.sound_theme != self._settings.current.sound_theme:
            # The output reads the theme's files on its own thread and says when it has.
            self._loading_theme = self._theme_switched = True
            self._load_timer.start(THEME_LOAD_WAIT_MS)
            output.set_theme(settings.sound_theme)
            self.changed.emit()
            return
        self._hand_over()
        self.changed.emit()

    def stop(self) -> None:
        """Silence the test and take back what it handed out; the saved theme and voice again."""
        if self._test is None:
            return
        output = self._on
        self._end_timer.stop()
        self._load_timer.stop()
        self._plan = []
        if output is not None:
            output.stop_all()
        self._finish()

    # ------------------------------------------------------------------ internals

    def _hand_over(self) -> None:
        """Hand the whole test to the output, placed from now."""
        self._load_timer.stop()
        self._loading_theme = False
        output, settings = self._on, self._test
        if output is None or settings is None:
            return
        start = self._clock() + START_DELAY_MS
        cue_volume = settings.cue_volume / 100
        plan = [
            _Planned(start + i * TICK_INTERVAL_MS, sound=name)
            for i, name in enumerate(COUNTDOWN)
            if cue_volume > 0
        ]
        end = start + (len(COUNTDOWN) - 1) * TICK_INTERVAL_MS
        if settings.voice_enabled and settings.voice_engine != "beeps" and settings.voice_volume:
            at = end + PHRASE_AFTER_GO_MS
            phrase = check_phrase()
            plan.append(_Planned(at, phrase=phrase))
            measure = output.measure or estimate
            end = at + measure(phrase.text, phrase.words)
        self._plan = plan
        self._give(plan)
        self._end_timer.start(end + END_MARGIN_MS - self._clock())
        self.changed.emit()

    def _give(self, plan: list[_Planned]) -> None:
        output, settings = self._on, self._test
        if output is None or settings is None:
            return
        for item in plan:
            if item.phrase is not None:
                output.say_at(item.phrase, settings.voice_volume / 100, item.at_ms)
            else:
                output.play_at(item.sound, settings.cue_volume / 100, item.at_ms)

    def _on_output_ready(self) -> None:
        if self._loading_theme:
            self._hand_over()  # the test's theme has loaded

    def _on_voice_changed(self) -> None:
        """The voice in use changed during the test (the system voice became ready): the
        conductor has taken back what was pending (it is connected first), so hand out again
        what is still to come."""
        if self._loading_theme or self._on is None:
            return
        now = self._clock()
        self._on.cancel_pending()
        self._give([item for item in self._plan if item.at_ms > now])

    def _on_end(self) -> None:
        self._plan = []
        self._finish()

    def _finish(self) -> None:
        """Back to the saved theme and voice (Settings' OK applies new ones after this)."""
        output, self._on, self._test = self._on, None, None
        switched, self._theme_switched = self._theme_switched, False
        self._loading_theme = False
        if output is not None:
            output.became_ready.disconnect(self._on_output_ready)
            output.voice_changed.disconnect(self._on_voice_changed)
            saved = self._settings.current
            output.set_voice(saved.voice_engine, saved.voice_rate, saved.voice_name)
            if switched:
                output.set_theme(saved.sound_theme)
        self.changed.emit()

    def refresh(self) -> None:
        """Something that decides ``problem`` changed (the output, a session's state)."""
        if self._test is not None:
            if self._output() is not self._on:
                self._on = None  # replaced, and closed already: nothing to silence or restore
                self.stop()
            elif self._session_busy():
                self.stop()
        self.changed.emit()
