"""Baseline for benchmarks/cue_timing.py: calftimer's sound output before issue 14, kept as it
was (twelve preloaded QSoundEffects started from deadlines by a precise timer on an audio
thread, the built-in voice as word effects, a warm-up and a fault watch), so the new engine is
measured against it side by side in one run. Not part of the app; nothing imports it but the
benchmark.

The original module docstring follows.

Sound output: cue sounds on an audio thread of their own, and the voice.

``SoundOutput`` is what the window talks to (the ``CueSink`` of ``calftimer.core.cues``). Behind
it:

- **The audio thread** (``_AudioWorker``) owns one preloaded ``QSoundEffect`` per cue sound, the
  clips of the built-in voice (read there, off the window's thread), and a precise timer armed
  for the next sound handed out ahead (``play_at``). Sounds are therefore started from deadlines
  on the monotonic clock by a thread that a busy window (a chart redrawing, a slow paint) never
  holds up. A sound whose moment passed more than ``late_ms`` ago is dropped, not played late.
- **The voice**: the built-in clips (``calftimer.core.voice_clips``, always there, played on the
  audio thread like the cues, see ``_AudioWorker.say``) or the system voice (``QTextToSpeech``),
  which is created on a thread of its own because creating the speech-dispatcher engine blocks
  for seconds. Until the system voice is ready, or when it
  cannot start, the built-in clips speak and ``notice`` says why once.

``configure_audio_process`` must run once before the first output: it contains a fault of Qt's
PulseAudio backend (see ``QtAudioGlitchWatch``), and the window restarts its output when the
watch sees it.

``create_sound_output`` never raises: without QtMultimedia (no libpulse), without an audio
device, or with missing sound files it returns a ``SilentOutput`` whose ``problem`` says what
is missing and how to fix it, and the window shows the cues as a screen flash instead.
``SoundOutput`` itself refuses to start without QtMultimedia (``SoundUnavailableError``): its
threads would fail on their first sound and could not be stopped.

Nothing here may abort the process as it exits: Qt aborts it (SIGABRT, "QThread: Destroyed
while thread is still running") when a running ``QThread`` is deleted, and PySide deletes every
object it owns as Python ends. So the workers always end their thread, whatever fails on the
way, and a thread that still will not stop is dealt with before that deletion
(``_abandon_thread``).
"""

from __future__ import annotations

import heapq
import itertools
import os
import sys
from pathlib import Path
from typing import Any

from PySide6.QtCore import (
    QCoreApplication,
    QObject,
    Qt,
    QThread,
    QTimer,
    QUrl,
    Signal,
    Slot,
)

from calftimer.core.clock import Clock, monotonic_ms
from calftimer.core.cues import DEFAULT_LATE_MS, Measure, estimate_ms
from calftimer.core.cues import SOUND_NAMES as CUE_SOUNDS
from calftimer.core.voice_clips import JOIN_MS, ClipError, ClipVoice
from calftimer.resources import sounds_folder, voice_folder

# The files to load are the sounds the cue player uses (calftimer.core.cues), each once.
SOUND_NAMES = tuple(dict.fromkeys(CUE_SOUNDS.values()))
_ABANDONED_THREADS: list[QThread] = []  # threads that would not stop (see _abandon_thread)
EXIT_THREAD_WAIT_MS = 3_000  # at exit, a last wait for them (speech-dispatcher can be slow)
EXIT_STATUS_THREAD_STUCK = 1

SYSTEM_VOICE_START_MS = 1_000  # speech-dispatcher took 0.45-0.96 s to start speaking
NO_DEVICE = (
    "Sound is off: no audio output device was found. Connect speakers or headphones and "
    "restart. Cues are shown as a flash of the screen."
)
AUDIO_SWITCH_INTERVAL_S = 0.001
SHUTDOWN_LOAD_WAIT_MS = 2_000
WARM_UP_VOLUME = 1e-4  # -80 dB: inaudible, yet not skipped as silence
WARM_UP_ROUNDS, WARM_UP_GAP_MS = 1, 300
NOT_REAL_ENGINES = frozenset({"mock"})  # Qt's test engine says nothing


def system_voice_measure(rate: float) -> Measure:
    """Phrase lengths for the system voice at ``rate`` (-1 slower ... 1 faster): the estimate
    scaled by the rate (speech-dispatcher halves or doubles its speed at the ends) plus its
    start-up delay."""

    def measure(text: str, words: tuple[str, ...]) -> int:
        return SYSTEM_VOICE_START_MS + round(estimate_ms(text) / 2**rate)

    return measure


# What the engine that replaced it still shares with it, from the same place (not copies).
from calftimer.gui.audio import (  # noqa: E402
    SilentOutput,
    SoundUnavailableError,
    sound_module_problem,
)
from calftimer.gui.audio import abandon_thread as _abandon_thread  # noqa: E402


class _AudioWorker(QObject):
    """Lives on the audio thread; every slot runs there, in the order it was asked."""

    loaded = Signal(str)  # "" when every sound is Ready, else what went wrong
    sounded = Signal(str, int, int)  # name, due instant (-1: played at once), started at
    dropped = Signal(str, int)  # name, how late it would have been
    voice_loaded = Signal(object, str)  # the ClipVoice (None on failure) and the problem

    def __init__(self, clock: Clock, late_ms: int, device_id: bytes | None) -> None:
        super().__init__()
        self._clock = clock
        self._late_ms = late_ms
        self._device_id = device_id
        self._effects: dict[str, Any] = {}
        self._pending: list[tuple[int, int, str, float]] = []
        self._order = itertools.count()
        self._timer: QTimer | None = None
        self._word_effects: dict[str, Any] = {}
        self._word_ms: dict[str, int] = {}
        self._words: list[tuple[int, str, float]] = []  # (instant, word, volume) to say
        self._word_timer: QTimer | None = None
        self._speaking: Any = None
        self._reported = False

    def _device(self) -> Any:
        from PySide6.QtMultimedia import QMediaDevices

        if self._device_id is not None:
            for device in QMediaDevices.audioOutputs():
                if bytes(device.id().data()) == self._device_id:
                    return device
        return QMediaDevices.defaultAudioOutput()

    @Slot(str)
    def load_sounds(self, folder: str) -> None:
        from PySide6.QtMultimedia import QSoundEffect

        if self._timer is None:
            self._timer = QTimer(self)
            self._timer.setSingleShot(True)
            self._timer.setTimerType(Qt.TimerType.PreciseTimer)
            self._timer.timeout.connect(self._play_due)
        self._wait_for_loads(list(self._effects.values()))  # a theme switch right after another
        for effect in self._effects.values():
            effect.stop()
            effect.deleteLater()
        self._effects = {}
        self._reported = False
        device = self._device()
        if device.isNull():
            # No output (it went away since start-up, or none was found): load nothing. Effects
            # without a device only fail, and deleting them while they fail crashed Qt.
            self._reported = True
            self.loaded.emit(NO_DEVICE)
            return
        for name in SOUND_NAMES:
            effect = QSoundEffect(device, self)
            effect.statusChanged.connect(self._on_status_changed)
            effect.setSource(QUrl.fromLocalFile(str(Path(folder) / f"{name}.wav")))
            self._effects[name] = effect
        self._on_status_changed()

    @Slot(str)
    def load_voice(self, folder: str) -> None:
        try:
            voice = ClipVoice.load(Path(folder))
        except ClipError as exc:
            self.voice_loaded.emit(None, str(exc))
            return
        from PySide6.QtMultimedia import QSoundEffect

        # Loaded now, like the cues: a phrase never waits for a file. The files are read again
        # by QSoundEffect (2.8 MB); the ClipVoice copy goes to the window for phrase lengths.
        device = self._device()
        if device.isNull():
            self.voice_loaded.emit(voice, "")  # its lengths still plan the phrases
            return
        self._word_timer = QTimer(self)
        self._word_timer.setSingleShot(True)
        self._word_timer.setTimerType(Qt.TimerType.PreciseTimer)
        self._word_timer.timeout.connect(self._play_words)
        for key in voice.words():
            effect = QSoundEffect(device, self)
            effect.setSource(QUrl.fromLocalFile(str(Path(folder) / f"{key}.wav")))
            self._word_effects[key] = effect
            self._word_ms[key] = voice.clip_ms(key)  # what is heard, without the silent tail
        self.voice_loaded.emit(voice, "")

    @Slot(str, float)
    def play_now(self, name: str, volume: float) -> None:
        if self._start(name, volume):
            self.sounded.emit(name, -1, self._clock())

    @Slot(object)
    def schedule(self, items: list[tuple[int, str, float]]) -> None:
        for due, name, volume in items:
            heapq.heappush(self._pending, (due, next(self._order), name, volume))
            effect = self._effects.get(name)
            if effect is not None and effect.volume() != volume:
                # The sound server applies a new volume some milliseconds late, which would
                # clip the start of the sound: set it now, well before the sound is due.
                effect.setVolume(max(0.0, min(1.0, volume)))
        self._rearm()

    @Slot()
    def cancel(self) -> None:
        self._pending.clear()
        if self._timer is not None:
            self._timer.stop()

    @Slot()
    def stop_all(self) -> None:
        self.cancel()
        for effect in self._effects.values():
            if effect.isPlaying():
                effect.stop()
        self.stop_voice()

    @Slot(object, float)
    def say(self, words: tuple[str, ...], volume: float) -> None:
        """Say a phrase of the built-in voice: its words are preloaded QSoundEffects, started
        one after another by a precise timer (each when the one before has ended, plus a
        short join), the path the cues take.

        (Two other ways were tried and dropped: a QAudioSink fed the joined phrase from
        memory, and a QSoundEffect made per phrase from a WAV file. With cue effects playing,
        both made Qt's PulseAudio backend print "QSocketNotifier: Socket notifiers cannot be
        enabled or disabled from another thread" and hang or abort, one session in four for
        the first and every time for the second.)"""
        self.stop_voice()
        now = self._clock()
        at = now
        for word in words:
            if word not in self._word_effects:
                continue  # a word the voice lacks is skipped, as ClipVoice.assemble does
            self._words.append((at, word, volume))
            at += self._word_ms[word] + JOIN_MS
        self._play_words()

    def _play_words(self) -> None:
        now = self._clock()
        while self._words and self._words[0][0] <= now:
            _, word, volume = self._words.pop(0)
            effect = self._word_effects[word]
            effect.setVolume(max(0.0, min(1.0, volume)))
            effect.play()
            self._speaking = effect
        if self._words and self._word_timer is not None:
            self._word_timer.start(max(0, self._words[0][0] - now))

    @Slot()
    def stop_voice(self) -> None:
        self._words.clear()
        if self._word_timer is not None:
            self._word_timer.stop()
        if self._speaking is not None:
            self._speaking.stop()
            self._speaking = None

    @Slot()
    def shut_down(self) -> None:
        """Release every device before the thread ends (Qt objects die on their own thread).

        An effect deleted while its file was still loading crashed Qt (a segmentation fault in
        the loader) when the output was closed right after it was made: wait for the loads
        first, two seconds at most. The thread ends whatever fails here: a thread left running
        aborts the process when it is deleted."""
        try:
            self.stop_all()
            self._wait_for_loads([*self._effects.values(), *self._word_effects.values()])
            for effect in self._effects.values():
                effect.deleteLater()
            self._effects = {}
            for effect in self._word_effects.values():
                effect.deleteLater()
            self._word_effects = {}
        finally:
            QThread.currentThread().quit()

    def _wait_for_loads(self, effects: list[Any]) -> None:
        """Deleting an effect whose file is still loading crashed Qt: let them finish first
        (``SHUTDOWN_LOAD_WAIT_MS`` at most)."""
        from PySide6.QtCore import QCoreApplication
        from PySide6.QtMultimedia import QSoundEffect

        deadline = self._clock() + SHUTDOWN_LOAD_WAIT_MS
        while self._clock() < deadline and any(
            e.status() == QSoundEffect.Status.Loading for e in effects
        ):
            QCoreApplication.processEvents()
            QThread.msleep(5)

    def _start(self, name: str, volume: float) -> bool:
        from PySide6.QtMultimedia import QSoundEffect

        effect = self._effects.get(name)
        if effect is None or effect.status() != QSoundEffect.Status.Ready:
            return False
        if effect.volume() != volume:
            effect.setVolume(max(0.0, min(1.0, volume)))
        effect.play()
        return True

    def _play_due(self) -> None:
        now = self._clock()
        while self._pending and self._pending[0][0] <= now:
            due, _, name, volume = heapq.heappop(self._pending)
            if now - due > self._late_ms:
                self.dropped.emit(name, now - due)  # a late cue misleads more than none
            elif self._start(name, volume):
                self.sounded.emit(name, due, now)
        self._rearm()

    def _rearm(self) -> None:
        if self._timer is not None and self._pending:
            self._timer.start(max(0, self._pending[0][0] - self._clock()))

    def _warm_up(self, rounds_left: int) -> None:
        """Play every sound inaudibly, a few times, before saying the sounds are ready.

        On PulseAudio each effect's stream started late and clipped (10-20 ms) on its first
        plays, then settled: the server sizes a new stream's buffer from its first underruns.
        Warming up here, after the first paint and seconds before the first cue, keeps that out
        of the session."""
        if rounds_left == 0:
            self.loaded.emit("")
            return
        for effect in self._effects.values():
            effect.setVolume(WARM_UP_VOLUME)
            effect.play()
        QTimer.singleShot(WARM_UP_GAP_MS, lambda: self._warm_up(rounds_left - 1))

    def _on_status_changed(self) -> None:
        if self._reported or not self._effects:
            return
        from PySide6.QtMultimedia import QSoundEffect

        status = QSoundEffect.Status
        for name, effect in self._effects.items():
            if effect.status() == status.Error:
                self._reported = True
                self.loaded.emit(f"The sound {name!r} could not be loaded; cues will be silent.")
                return
        if all(e.status() == status.Ready for e in self._effects.values()):
            self._reported = True
            self._warm_up(WARM_UP_ROUNDS)


def _engine_libraries_present(engine: str) -> bool:
    """Qt lists speech-dispatcher's engine even without libspeechd, then fails to load it with a
    critical error message; look for the library first."""
    if engine != "speechd" or not sys.platform.startswith("linux"):
        return True
    import ctypes.util

    return ctypes.util.find_library("speechd") is not None


class _SpeechWorker(QObject):
    """Lives on the speech thread: creates the system voice there, where blocking is harmless."""

    ready = Signal(str, list)  # engine name, voice names
    failed = Signal(str)

    def __init__(self) -> None:
        super().__init__()
        self._speech: Any = None

    @Slot(str)
    def start_engine(self, engine: str) -> None:
        try:
            from PySide6.QtTextToSpeech import QTextToSpeech
        except ImportError as exc:
            self.failed.emit(f"Qt's speech module could not load ({exc})")
            return
        engines = [
            e
            for e in QTextToSpeech.availableEngines()
            if e not in NOT_REAL_ENGINES and _engine_libraries_present(e)
        ]
        if engine:
            engines = [engine] if engine in QTextToSpeech.availableEngines() else []
        if not engines:
            self.failed.emit("no speech engine is installed")
            return
        speech = QTextToSpeech(engines[0], self)
        if speech.state() == QTextToSpeech.State.Error:
            reason = speech.errorString() or "it reported an error"
            self.failed.emit(f"{engines[0]}: {reason}")
            return
        self._speech = speech
        self.ready.emit(engines[0], [v.name() for v in speech.availableVoices()])

    @Slot(str, float, float, str)
    def say(self, text: str, volume: float, rate: float, voice_name: str) -> None:
        speech = self._speech
        if speech is None:
            return
        speech.stop()
        speech.setVolume(max(0.0, min(1.0, volume)))
        speech.setRate(max(-1.0, min(1.0, rate)))
        if voice_name:
            for voice in speech.availableVoices():
                if voice.name() == voice_name and voice != speech.voice():
                    speech.setVoice(voice)
                    break
        speech.say(text)

    @Slot()
    def stop(self) -> None:
        if self._speech is not None:
            self._speech.stop()

    @Slot()
    def shut_down(self) -> None:
        try:
            if self._speech is not None:
                self._speech.stop()
                self._speech.deleteLater()
                self._speech = None
        finally:
            QThread.currentThread().quit()  # whatever failed: see SoundOutput.close


class SoundOutput(QObject):
    """The window's side of the audio and speech threads; every call returns at once."""

    played = Signal(str)  # a sound started (on the audio thread)
    dropped = Signal(str, int)  # a sound handed out ahead was too late to play
    became_ready = Signal()
    failed = Signal(str)  # a sound file that would not load, with the reason
    notice = Signal(str)  # something the user should know once, e.g. the system voice is out
    voice_changed = Signal()  # ``measure`` changed: the cue player must re-plan its phrases

    _load_sounds = Signal(str)
    _load_voice = Signal(str)
    _play_now = Signal(str, float)
    _schedule = Signal(object)
    _cancel = Signal()
    _stop_all = Signal()
    _say_clips = Signal(object, float)
    _start_speech = Signal(str)
    _say_text = Signal(str, float, float, str)
    _stop_speech = Signal()
    _shut_down = Signal()
    _shut_down_speech = Signal()

    def __init__(
        self,
        folder: Path,
        parent: QObject | None = None,
        *,
        clock: Clock | None = None,
        late_ms: int = DEFAULT_LATE_MS,
        device_id: bytes | None = None,
        voice_dir: Path | None = None,
        speech_engine: str = "",
    ) -> None:
        # Checked here, on the caller's thread, before any thread starts: the audio thread's
        # first sound would fail on the import, and nothing it started could be stopped.
        problem = sound_module_problem()
        if problem is not None:
            raise SoundUnavailableError(problem)
        super().__init__(parent)
        # What fresh_copy needs to make the same output again.
        self._recipe = (folder, parent, clock, late_ms, device_id, voice_dir, speech_engine)
        self.problem = ""  # why it plays nothing ("" while it works)
        self.sounds_ready = False
        self.dropped_count = 0
        self.system_voices: list[str] = []
        self._speech_engine = speech_engine  # "" picks the first real engine
        self._clips: ClipVoice | None = None
        self._clip_problem = ""
        self._speech_state = "off"  # off, starting, ready, failed
        self._engine = "clips"
        self._rate = 0.0
        self._voice_name = ""
        self._device_id = device_id
        self._thread = QThread(self)
        self._thread.setObjectName("calftimer-audio")
        self._worker = _AudioWorker(clock or monotonic_ms, late_ms, device_id)
        self._worker.moveToThread(self._thread)
        for signal, slot in (
            (self._load_sounds, self._worker.load_sounds),
            (self._load_voice, self._worker.load_voice),
            (self._play_now, self._worker.play_now),
            (self._schedule, self._worker.schedule),
            (self._cancel, self._worker.cancel),
            (self._stop_all, self._worker.stop_all),
            (self._say_clips, self._worker.say),
            (self._shut_down, self._worker.shut_down),
        ):
            signal.connect(slot)
        self._worker.loaded.connect(self._on_loaded)
        self._worker.voice_loaded.connect(self._on_voice_loaded)
        self._worker.sounded.connect(lambda name, _due, _at: self.played.emit(name))
        self._worker.dropped.connect(self._on_dropped)
        self._speech_thread: QThread | None = None
        self._speech_worker: _SpeechWorker | None = None
        app = QCoreApplication.instance()
        if app is not None:
            app.aboutToQuit.connect(self.close)
        # The audio thread needs Python's lock to start a sound; by default a busy window keeps
        # it for up to 5 ms at a time, which made cues 10-30 ms late while the window was busy
        # (the summary at the end of a session). A 1 ms switch interval bounds that wait.
        sys.setswitchinterval(min(sys.getswitchinterval(), AUDIO_SWITCH_INTERVAL_S))
        self._thread.start(QThread.Priority.TimeCriticalPriority)
        self._load_sounds.emit(str(folder))
        # The clips (3 MB) are read on the audio thread, never on the window's.
        self._load_voice.emit(str(voice_dir or voice_folder()))

    def fresh_copy(self) -> SoundOutput:
        """The same output on a new audio thread (see ``QtAudioGlitchWatch``)."""
        folder, parent, clock, late_ms, device_id, voice_dir, speech_engine = self._recipe
        return SoundOutput(
            folder,
            parent,
            clock=clock,
            late_ms=late_ms,
            device_id=device_id,
            voice_dir=voice_dir,
            speech_engine=speech_engine,
        )

    # ------------------------------------------------------------------ state

    @property
    def audible(self) -> bool:
        return True

    @property
    def ready(self) -> bool:
        return self.sounds_ready

    @property
    def loading(self) -> bool:
        """The sounds or the built-in voice are still being loaded (not failed)."""
        sounds = not self.sounds_ready and not self.problem
        return sounds or (self._clips is None and not self._clip_problem)

    @property
    def voice(self) -> str:
        """The voice speaking now: "system", "clips" or "none"."""
        if self._engine == "beeps":
            return "none"
        if self._engine == "system" and self._speech_state == "ready":
            return "system"
        return "clips" if self._clips is not None else "none"

    @property
    def measure(self) -> Measure | None:
        """Phrase lengths of the voice speaking now (None: no voice)."""
        voice = self.voice
        if voice == "system":
            return system_voice_measure(self._rate)
        if voice == "clips" and self._clips is not None:
            return self._clips.measure
        return None

    # ------------------------------------------------------------------ CueSink

    def play_sound(self, name: str, volume: float) -> None:
        self._play_now.emit(name, volume)

    def play_at(self, name: str, volume: float, due_mono_ms: int) -> None:
        self._schedule.emit([(due_mono_ms, name, volume)])

    def cancel_pending(self) -> None:
        self._cancel.emit()

    def speak(self, phrase: Any, volume: float) -> None:
        voice = self.voice
        if voice == "system":
            self._say_text.emit(phrase.text, volume, self._rate, self._voice_name)
        elif voice == "clips" and self._clips is not None:
            self._say_clips.emit(tuple(phrase.words), volume)

    def stop_all(self) -> None:
        """Pausing silences whatever is sounding, and what was handed out ahead."""
        self._stop_all.emit()
        if self._speech_worker is not None:
            self._stop_speech.emit()

    # ------------------------------------------------------------------ settings

    def set_theme(self, theme: str) -> None:
        self.sounds_ready = False
        known = theme if theme in ("standard", "low") else "standard"
        self._recipe = (sounds_folder(known), *self._recipe[1:])
        self._load_sounds.emit(str(sounds_folder(known)))

    def set_voice(self, engine: str, rate: float, voice_name: str) -> None:
        """Speak with ``engine`` ("system", "clips" or "beeps"), at ``rate``, in ``voice_name``
        (system voice only; "" is the engine's default). The system voice starts in the
        background; the clips speak until it is ready."""
        before = (self.voice, self._rate)
        self._engine, self._rate, self._voice_name = engine, rate, voice_name
        if engine == "system" and self._speech_state == "off":
            self._start_system_voice()
        if (self.voice, self._rate) != before:
            self.voice_changed.emit()

    def close(self) -> None:
        """Stop both threads (the app is quitting, or this output is being replaced)."""
        if self._thread.isRunning():
            self._shut_down.emit()
            # Longer than shut_down's own wait for loading effects: a QThread destroyed while
            # running aborts the process.
            if not self._thread.wait(SHUTDOWN_LOAD_WAIT_MS + 3_000):
                _abandon_thread(self._thread)  # never deleted running: that aborts
        if self._speech_thread is not None and self._speech_thread.isRunning():
            self._shut_down_speech.emit()
            # speech-dispatcher may take seconds to let go; never block the quit for it.
            if not self._speech_thread.wait(500):
                _abandon_thread(self._speech_thread)

    # ------------------------------------------------------------------ internals

    def _start_system_voice(self) -> None:
        self._speech_state = "starting"
        self._speech_thread = QThread(self)
        self._speech_thread.setObjectName("calftimer-speech")
        self._speech_worker = _SpeechWorker()
        self._speech_worker.moveToThread(self._speech_thread)
        self._start_speech.connect(self._speech_worker.start_engine)
        self._say_text.connect(self._speech_worker.say)
        self._stop_speech.connect(self._speech_worker.stop)
        self._shut_down_speech.connect(self._speech_worker.shut_down)
        self._speech_worker.ready.connect(self._on_speech_ready)
        self._speech_worker.failed.connect(self._on_speech_failed)
        self._speech_thread.start()
        self._start_speech.emit(self._speech_engine)

    def _on_speech_ready(self, engine: str, voices: list[str]) -> None:
        before = self.voice
        self._speech_state = "ready"
        self.system_voices = list(voices)
        if self.voice != before:
            self.voice_changed.emit()

    def _on_speech_failed(self, reason: str) -> None:
        self._speech_state = "failed"
        if self._engine == "system":
            self.notice.emit(
                f"The system voice is not available ({reason}): the built-in voice speaks. "
                "For the system voice: sudo apt install speech-dispatcher espeak-ng."
            )

    def _on_loaded(self, problem: str) -> None:
        if problem:
            self.problem = problem
            self.failed.emit(problem)
            return
        self.sounds_ready = True
        self.became_ready.emit()

    def _on_voice_loaded(self, voice: ClipVoice | None, problem: str) -> None:
        before = self.voice
        if voice is None:
            self._clip_problem = problem
            self.notice.emit(f"The built-in voice could not be loaded: {problem}")
        else:
            self._clips = voice  # read-only from here on: phrases are assembled on this thread
        if self.voice != before:
            self.voice_changed.emit()

    def _on_dropped(self, name: str, late_ms: int) -> None:
        self.dropped_count += 1
        self.dropped.emit(name, late_ms)


class QtAudioGlitchWatch(QObject):
    """Watches Qt's messages for a known fault of its PulseAudio backend, and contains it.

    Now and then (about one session in ten with the built-in voice, here; Qt 6.10 and 6.11,
    outside calftimer too) a stream starting on the pulse thread touches a socket notifier of
    the audio thread: Qt says "QSocketNotifier: Socket notifiers cannot be enabled or disabled
    from another thread", and from then on the audio thread's event loop finds a closed socket
    on every turn. With the GLib event loop that thread spins forever and the app hangs when it
    quits; with Qt's own loop (``QT_NO_THREADED_GLIB``, set by ``configure_audio_process``) it
    still spins a core and writes the same warning thousands of times a second.

    This watch passes every other message on, prints the first of those warnings only, and
    emits ``glitched`` (on the window's thread) so the window replaces the sound output: a new
    audio thread with new effects, which stops the spinning one.
    """

    glitched = Signal()
    CROSS_THREAD = "Socket notifiers cannot be enabled or disabled from another thread"
    INVALID_SOCKET = "QSocketNotifier: Invalid socket"

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.glitches = 0
        self.suppressed = 0
        self._invalid_since_glitch = 0
        self._previous: Any = None
        self._installed = False

    def install(self) -> None:
        """Handle Qt's messages from now until the application quits."""
        from PySide6.QtCore import qInstallMessageHandler

        self._previous = qInstallMessageHandler(self.handle)
        self._installed = True
        app = QCoreApplication.instance()
        if app is not None:
            app.aboutToQuit.connect(self.uninstall)

    def uninstall(self) -> None:
        """Give Qt's messages back to the handler that was there (a thread that outlives the
        window must not reach this object once it is gone)."""
        from PySide6.QtCore import qInstallMessageHandler

        if self._installed:
            qInstallMessageHandler(self._previous)
            self._installed = False

    def handle(self, kind: Any, context: Any, message: str) -> None:
        if self.CROSS_THREAD in message:
            self.glitches += 1
            self._invalid_since_glitch = 0
            self._forward(kind, context, message + " (calftimer restarts its sound output)")
            self.glitched.emit()  # queued to the window's thread: emitted from the pulse thread
            return
        if message.startswith(self.INVALID_SOCKET):
            self._invalid_since_glitch += 1
            if self._invalid_since_glitch > 1:
                self.suppressed += 1
                return
        self._forward(kind, context, message)

    def _forward(self, kind: Any, context: Any, message: str) -> None:
        if self._previous is not None:
            self._previous(kind, context, message)
            return
        from PySide6.QtCore import qFormatLogMessage

        print(qFormatLogMessage(kind, context, message), file=sys.stderr, flush=True)


def configure_audio_process(parent: QObject | None = None) -> QtAudioGlitchWatch:
    """Process-wide settings for the sound output; call before the first one is made.

    ``QT_NO_THREADED_GLIB`` gives every thread but the window's Qt's own event loop instead of
    GLib's: with it, the fault that ``QtAudioGlitchWatch`` contains no longer hangs the app
    (0 hangs in 50 sessions, against 1 in 10 with GLib). The window's thread keeps GLib, which
    desktop themes and native dialogs rely on. Linux and BSD only."""
    watch = QtAudioGlitchWatch(parent)
    if sys.platform.startswith(("linux", "freebsd", "openbsd", "netbsd")):
        # The fault is PulseAudio's; elsewhere Qt's own message output (the Windows debug log,
        # macOS's unified log) stays untouched.
        os.environ.setdefault("QT_NO_THREADED_GLIB", "1")
        watch.install()
    return watch


def create_sound_output(
    theme: str, parent: QObject | None = None, **options: Any
) -> SoundOutput | SilentOutput:
    """The sound output for ``theme``, or a silent one saying what is missing and how to fix it.

    ``options`` go to ``SoundOutput`` (a clock, a device id, a speech engine)."""
    problem = sound_module_problem()
    if problem is not None:
        return SilentOutput(problem, parent)
    from PySide6.QtMultimedia import QMediaDevices

    if QMediaDevices.defaultAudioOutput().isNull():
        return SilentOutput(NO_DEVICE, parent)
    folder = sounds_folder(theme if theme in ("standard", "low") else "standard")
    if not (folder / "go.wav").exists():
        return SilentOutput(f"Sound is off: the sound files are missing from {folder}.", parent)
    return SoundOutput(folder, parent, **options)
