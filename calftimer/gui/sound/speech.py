"""The system voice: the computer's own text-to-speech (QTextToSpeech), on a thread of its own.

A system voice cannot be placed by the sample: it speaks through its own service
(speech-dispatcher on Linux) some time after it is asked. So this part measures that time as
it speaks (from ``say()`` to the engine saying it speaks) and asks that much earlier next time:
a phrase handed with the instant it must start (``say_at``) starts then, within a few
milliseconds once the first phrases have been measured, and never early by more than the
difference between two measurements. Until it has measured, it asks at the instant itself: late
rather than early (a rep count said before its rep misleads).

Constructing the engine can block for seconds (speech-dispatcher starting), so everything runs
on the speech thread. When it cannot start, ``failed`` says what is really missing.
"""

from __future__ import annotations

import ctypes.util
import shutil
import statistics
import sys
from collections import deque
from typing import Any

from PySide6.QtCore import QObject, Qt, QThread, QTimer, Signal, Slot

from calftimer.core.clock import Clock, monotonic_ms

NOT_REAL_ENGINES = frozenset({"mock"})  # Qt's test engine says nothing
LATENCY_SAMPLES = 5  # the median of the last five phrases' start-up times is the lead
MAX_LATENCY_MS = 3_000  # a measurement above this is a hiccup, not the engine's pace


def speech_advice(reason: str) -> str:
    """What to do about a system voice that does not start, from what is really missing."""
    if not sys.platform.startswith("linux"):
        return "The built-in voice speaks instead."
    missing = []
    if ctypes.util.find_library("speechd") is None or shutil.which("speech-dispatcher") is None:
        missing.append("speech-dispatcher")
    if shutil.which("espeak-ng") is None:
        missing.append("espeak-ng")
    if missing:
        return f"Install {' and '.join(missing)} for the system voice (sudo apt install " + (
            f"{' '.join(missing)}); the built-in voice speaks until then."
        )
    return (
        "speech-dispatcher and espeak-ng are installed, but the speech service did not answer "
        f"({reason}); the built-in voice speaks. Check it with: spd-say hello"
    )


def _engine_libraries_present(engine: str) -> bool:
    """Qt lists speech-dispatcher's engine even without libspeechd, then fails to load it with a
    critical error message; look for the library first."""
    if engine != "speechd" or not sys.platform.startswith("linux"):
        return True
    return ctypes.util.find_library("speechd") is not None


class _SpeechWorker(QObject):
    """Lives on the speech thread: creates the engine there, where blocking is harmless."""

    ready = Signal(str, list)  # engine name, voice names
    failed = Signal(str)  # why it cannot speak
    latency_measured = Signal(int)  # the lead it uses now, in ms

    def __init__(self, clock: Clock) -> None:
        super().__init__()
        self._clock = clock
        self._speech: Any = None
        self._timer: QTimer | None = None
        self._pending: tuple[str, float, float, str, int] | None = None
        self._asked_at: int | None = None
        self._latencies: deque[int] = deque(maxlen=LATENCY_SAMPLES)
        self.lead_ms = 0

    @Slot(str)
    def start_engine(self, engine: str) -> None:
        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.setTimerType(Qt.TimerType.PreciseTimer)
        self._timer.timeout.connect(self._say_pending)
        try:
            from PySide6.QtTextToSpeech import QTextToSpeech
        except ImportError as exc:
            self.failed.emit(f"Qt's speech module could not load ({exc})")
            return
        available = QTextToSpeech.availableEngines()
        engines = [
            e for e in available if e not in NOT_REAL_ENGINES and _engine_libraries_present(e)
        ]
        if engine:
            engines = [engine] if engine in available else []
        if not engines:
            self.failed.emit("no speech engine was found")
            return
        speech = QTextToSpeech(engines[0], self)
        if speech.state() == QTextToSpeech.State.Error:
            self.failed.emit(f"{engines[0]}: {speech.errorString() or 'it reported an error'}")
            return
        speech.stateChanged.connect(self._on_state_changed)
        self._speech = speech
        self.ready.emit(engines[0], [v.name() for v in speech.availableVoices()])

    @Slot(str, float, float, str, int)
    def say_at(self, text: str, volume: float, rate: float, voice_name: str, at_ms: int) -> None:
        """Start saying ``text`` at ``at_ms`` (monotonic), cutting off what is being said."""
        if self._speech is None or self._timer is None:
            return
        self._pending = (text, volume, rate, voice_name, at_ms)
        self._timer.start(max(0, at_ms - self.lead_ms - self._clock()))

    @Slot()
    def cancel_pending(self) -> None:
        self._pending = None
        if self._timer is not None:
            self._timer.stop()

    @Slot()
    def stop(self) -> None:
        self.cancel_pending()
        if self._speech is not None:
            self._speech.stop()

    @Slot()
    def shut_down(self) -> None:
        try:
            self.cancel_pending()
            if self._speech is not None:
                self._speech.stop()
                self._speech.deleteLater()
                self._speech = None
        finally:
            QThread.currentThread().quit()  # whatever failed: see SoundEngine.close

    def _say_pending(self) -> None:
        speech, pending = self._speech, self._pending
        self._pending = None
        if speech is None or pending is None:
            return
        text, volume, rate, voice_name, _at = pending
        speech.stop()
        speech.setVolume(max(0.0, min(1.0, volume)))
        speech.setRate(max(-1.0, min(1.0, rate)))
        if voice_name:
            for voice in speech.availableVoices():
                if voice.name() == voice_name and voice != speech.voice():
                    speech.setVoice(voice)
                    break
        self._asked_at = self._clock()
        speech.say(text)

    def _on_state_changed(self, state: object) -> None:
        from PySide6.QtTextToSpeech import QTextToSpeech

        if state == QTextToSpeech.State.Speaking and self._asked_at is not None:
            latency = self._clock() - self._asked_at
            self._asked_at = None
            if 0 <= latency <= MAX_LATENCY_MS:
                self._latencies.append(latency)
                self.lead_ms = int(statistics.median(self._latencies))
                self.latency_measured.emit(self.lead_ms)


class SystemVoice(QObject):
    """The window's side of the speech thread; every call returns at once."""

    ready = Signal(list)  # voice names
    failed = Signal(str)  # the advice for the user
    _start = Signal(str)
    _say_at = Signal(str, float, float, str, int)
    _cancel = Signal()
    _stop = Signal()
    _shut_down = Signal()

    def __init__(
        self, engine: str = "", clock: Clock = monotonic_ms, parent: QObject | None = None
    ):
        super().__init__(parent)
        self.state = "starting"  # "ready" or "failed" later
        self.voices: list[str] = []
        self.lead_ms = 0
        self._thread = QThread(self)
        self._thread.setObjectName("calftimer-speech")
        self._worker = _SpeechWorker(clock)
        self._worker.moveToThread(self._thread)
        self._start.connect(self._worker.start_engine)
        self._say_at.connect(self._worker.say_at)
        self._cancel.connect(self._worker.cancel_pending)
        self._stop.connect(self._worker.stop)
        self._shut_down.connect(self._worker.shut_down)
        self._worker.ready.connect(self._on_ready)
        self._worker.failed.connect(self._on_failed)
        self._worker.latency_measured.connect(self._on_latency)
        self._thread.start()
        self._start.emit(engine)

    def say_at(self, text: str, volume: float, rate: float, voice_name: str, at_ms: int) -> None:
        self._say_at.emit(text, volume, rate, voice_name, at_ms)

    def cancel_pending(self) -> None:
        self._cancel.emit()

    def stop(self) -> None:
        self._stop.emit()

    def close(self, wait_ms: int) -> bool:
        """Stop the thread; False if it would not stop in ``wait_ms`` (left to end at exit)."""
        if not self._thread.isRunning():
            return True
        self._shut_down.emit()
        return self._thread.wait(wait_ms)

    @property
    def speech_thread(self) -> QThread:
        return self._thread

    def _on_ready(self, _engine: str, voices: list[str]) -> None:
        self.state = "ready"
        self.voices = list(voices)
        self.ready.emit(self.voices)

    def _on_failed(self, reason: str) -> None:
        self.state = "failed"
        self.failed.emit(f"The system voice is not available ({reason}). {speech_advice(reason)}")

    def _on_latency(self, lead_ms: int) -> None:
        self.lead_ms = lead_ms
