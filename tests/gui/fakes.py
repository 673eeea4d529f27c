"""Fakes for the window's injected parts: an audio output that records what it is asked to play,
and a keep-awake backend that records what it is asked to do.

``RecordingOutput`` implements the whole ``AudioOutput`` protocol (calftimer.gui.session.output),
as the speakers and the silent output do, so the window drives it like any other output.
``FakeKeepAwake`` is a ``KeepAwake`` backend (it implements the base class's two hooks), as the
D-Bus, Windows and macOS ones are.
"""

from __future__ import annotations

from PySide6.QtCore import QObject, Signal

from calftimer.core.clock import ManualClock
from calftimer.core.cues import Measure, Phrase
from calftimer.gui.keep_awake import KeepAwake, KeepAwakeError

T0 = 4_000_000


class RecordingOutput(QObject):
    """A sound output that records what it was asked to play, and when.

    Like the audio thread, it plays a sound handed out ahead (``play_at``) when the clock
    reaches its instant, unless it is cancelled first. Times are recorded from ``t0``.
    ``handed`` keeps every sound and phrase handed out ahead with its volume and the sound theme
    in use then; like the engine, it says it is ready (``became_ready``) once a theme is set."""

    played = Signal(str)
    became_ready = Signal()
    failed = Signal(str)
    notice = Signal(str)
    voice_changed = Signal()

    def __init__(self, clock: ManualClock, t0: int = T0) -> None:
        super().__init__()
        self.clock = clock
        self.t0 = t0
        self.audible = True
        self.problem = ""
        self.loading = False
        self.measure: Measure | None = None
        self.system_voices: list[str] | None = None
        self.closed = False
        self._played: list[tuple[int, str]] = []
        self._pending: list[tuple[int, str]] = []
        self.stops = 0
        self._said: list[tuple[int, str]] = []
        self._phrases: list[tuple[int, str]] = []  # say_at calls not yet begun
        self.voices: list[tuple[str, float, str]] = []
        self.themes: list[str] = []
        self.theme = "standard"
        # (instant from t0, sound name or phrase text, volume, theme), as handed out ahead
        self.handed: list[tuple[int, str, float, str]] = []

    @property
    def sounds(self) -> list[tuple[int, str]]:
        now = self.clock()
        due = [(t - self.t0, name) for t, name in self._pending if t <= now]
        return sorted(self._played + due)

    @property
    def spoken(self) -> list[tuple[int, str]]:
        """Every phrase begun by now: (its start from ``t0``, its text), in order."""
        now = self.clock()
        due = [(t - self.t0, text) for t, text in self._phrases if t <= now]
        return sorted(self._said + due, key=lambda item: item[0])

    @property
    def pending(self) -> list[tuple[int, str]]:
        """Handed out ahead and not yet due (monotonic instant, name)."""
        now = self.clock()
        return [(t, name) for t, name in self._pending if t > now]

    def play_sound(self, name: str, volume: float) -> None:
        self._played.append((self.clock() - self.t0, name))

    def play_at(self, name: str, volume: float, due_mono_ms: int) -> None:
        self._pending.append((due_mono_ms, name))
        self.handed.append((due_mono_ms - self.t0, name, volume, self.theme))

    def cancel_pending(self) -> None:
        now = self.clock()
        self._played += [(t - self.t0, name) for t, name in self._pending if t <= now]
        self._pending = []
        self._said += [(t - self.t0, text) for t, text in self._phrases if t <= now]
        self._phrases = []

    def speak(self, phrase: Phrase, volume: float) -> None:
        self._said.append((self.clock() - self.t0, phrase.text))

    def say_at(self, phrase: Phrase, volume: float, start_mono_ms: int) -> None:
        self._phrases.append((start_mono_ms, phrase.text))
        self.handed.append((start_mono_ms - self.t0, phrase.text, volume, self.theme))

    def stop_all(self) -> None:
        self.cancel_pending()
        self.stops += 1

    def set_theme(self, theme: str) -> None:
        self.themes.append(theme)
        self.theme = theme
        self.became_ready.emit()  # the engine, once it has read the theme's files

    def set_voice(self, engine: str, rate: float, voice_name: str) -> None:
        self.voices.append((engine, rate, voice_name))

    def close(self) -> None:
        self.closed = True


class FakeKeepAwake(KeepAwake):
    """Records what it is asked for; ``works=False`` fails like a missing screensaver service
    (and ``works`` can be set later, as when the service comes back)."""

    method = "fake"

    def __init__(self, works: bool = True) -> None:
        super().__init__()
        self.works = works
        self.calls: list[str] = []

    def _start(self, reason: str) -> None:
        self.calls.append("inhibit")
        if not self.works:
            raise KeepAwakeError("org.freedesktop.ScreenSaver is not running on the session bus")

    def _stop(self) -> None:
        self.calls.append("release")
