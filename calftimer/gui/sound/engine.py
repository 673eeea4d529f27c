"""SoundEngine: every cue and every word of the built-in voice in one output stream, each placed
at the frame that sounds at its deadline.

One ``QAudioSink`` per device, on a thread of its own (``calftimer-sound``, a ``PacedThread``:
it sleeps between its steps instead of waiting in an event loop). Every ``TICK_MS`` that thread
tops the sink's buffer (``BUFFER_MS``) up with frames from the ``Mixer``, and tells the
``FrameClock`` how many frames the sound server has taken so far. The window's thread only adds
voices (a sound or a phrase, its volume and the monotonic instant it must sound) and takes back
the ones not begun: the look-ahead of the cue conductor hands them over about a second early,
so a stall of the window, a chart repaint or a garbage collection cannot delay a cue that was
handed over.

Push mode (``QAudioSink.start()`` and writes) rather than pull mode: a ``QIODevice`` written in
Python was read once and then never again by Qt 6.11's PulseAudio sink; the writes from the
sound thread's steps are the same design with the pace kept here. The stream asks the server
for few, large requests (``stream_requests``).

The sink follows the system's default output: when it changes (headphones plugged in or out),
the stream moves there and what is waiting is placed again on the new stream's clock. The
``QMediaDevices`` that reports those changes lives on the window's thread: one living on the
sound thread slowed the stream down by 3-5 % here (the server took frames late, 284 ms behind
after 6 s), the stream's clock slid and sounds came late.

The system voice (``speech.SystemVoice``), when chosen, speaks through its own service; this
engine asks it to start each phrase at its instant and keeps the built-in voice for when it
cannot.

The built-in voice speaks the language in use (``voice/<lang>``). A language without its clips
is not spoken with the English ones (words in another language than the screen's, and a user
who chose German may not follow English counts): the system voice speaks it instead, in that
language, and if there is none the cues are sounds only; a note says which, once.
"""

from __future__ import annotations

import contextlib
import sys
import threading
import time
import wave
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt
import shiboken6
from PySide6.QtCore import QCoreApplication, QEventLoop, QObject, Qt, QThread, Signal, Slot

from calftimer.core.clock import Clock, monotonic_ms
from calftimer.core.cues import DEFAULT_LATE_MS, Measure, Phrase, estimate_ms
from calftimer.core.i18n import _
from calftimer.core.voice_clips import JOIN_MS, ClipError, ClipVoice
from calftimer.gui.sound.clock import FrameClock
from calftimer.gui.sound.mixer import Mixer, Samples, Voice
from calftimer.gui.sound.speech import SystemVoice
from calftimer.gui.sound.stream_requests import calm_stream_requests, opening_stream

RATE = 48_000
BUFFER_MS = 170  # what the sink holds ahead (a pause drops it: see _SoundWorker.flush)
# How often the sound thread tops it up (BUFFER_MS - TICK_MS: its margin, 70 ms, the same as
# 110/40 had). A step costs 250-350 us of a core here, most of it the wake-up itself (the
# thread's caches are cold each time), so the pace is what the sound costs: a step every 40 ms
# took 0.8 % of a core, 80 ms 0.35-0.45 %, 100 ms 0.30-0.33 % (issue 14's note; placement
# measured the same).
TICK_MS = 100
# Until a new stream's clock is anchored the thread reports every LEARN_TICK_MS: the clock needs
# a few reports before it places anything, and a beat due meanwhile must not wait (at 60 ms the
# first after a device change came later than it may and was dropped).
LEARN_TICK_MS = 20
# With no stream (no device), how often the thread looks at Qt's events of its own; a device
# change or a command wakes it at once.
IDLE_TICK_MS = 1_000
# How often the thread lets Qt's own notifications on it through (the sink's "buffer has room"
# and "idle" events, which nothing here waits for: see PacedThread).
QT_EVENTS_MS = 1_000
SHUTDOWN_WAIT_MS = 3_000
# A stop_all within this long of the last sound written flushes the stream: that sound may still
# be in the sink's or the server's buffer (BUFFER_MS, plus up to PULSE_LATENCY_MS), and would
# be heard after a pause.
FLUSH_WINDOW_MS = 500
THEMES = ("standard", "low")


def read_wav(path: Path, rate: int = RATE) -> Samples:
    """A 16-bit mono WAV as samples at ``rate`` (resampled if it was made at another)."""
    with wave.open(str(path), "rb") as wav:
        if wav.getnchannels() != 1 or wav.getsampwidth() != 2:
            raise ValueError(f"{path}: must be 16-bit mono")
        source_rate = wav.getframerate()
        data = np.frombuffer(wav.readframes(wav.getnframes()), dtype="<i2")
    return resample(data, source_rate, rate)


def resample(data: npt.NDArray[np.int16], source_rate: int, rate: int) -> Samples:
    """``data`` (made at ``source_rate``) at ``rate``, by linear interpolation: the built-in
    voice is rendered at espeak-ng's 22,050 Hz, the stream runs at 48 kHz."""
    if source_rate == rate or len(data) == 0:
        return data.astype(np.int16)
    count = round(len(data) * rate / source_rate)
    positions = np.arange(count) * (source_rate / rate)
    resampled: Samples = np.interp(positions, np.arange(len(data)), data).astype(np.int16)
    return resampled


class PacedThread(QThread):
    """The sound thread: a loop that runs ``step`` and sleeps until the interval it returns,
    rather than an event loop.

    Why: Qt 6.11's sink wakes the thread that started it each time the sound server takes
    frames from its ring buffer (a "buffer has room" notification, through an eventfd), 250
    times a second through PulseAudio, so that a sink fed by a QIODevice can pull more. This
    engine writes what the buffer has room for on its own pace and never needs that pull, yet
    an event loop was woken for each: most of the sound's share of a core (issue 14). Here the
    thread sleeps until its next step; the commands sent to it (queued signals: loads, the
    stream opening, device changes, the shut-down) are delivered at each step, and ``wake``
    makes the next step come at once when one is sent. Qt's own notifications are let through
    once every ``QT_EVENTS_MS``."""

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.step: Callable[[], int] = lambda: IDLE_TICK_MS
        self._bell = threading.Lock()  # held while asleep; released to wake the loop early
        self._bell.acquire()
        self._finishing = False
        self.native_id = 0

    def run(self) -> None:
        self.native_id = threading.get_native_id()  # for a test that counts its wake-ups
        dispatcher = self.eventDispatcher()
        qt_events_due = 0.0
        rung = True
        while True:
            if rung:
                QCoreApplication.sendPostedEvents(None, 0)  # the commands sent meanwhile
            if self._finishing:
                return
            now = time.monotonic()
            if dispatcher is not None and now >= qt_events_due:
                dispatcher.processEvents(QEventLoop.ProcessEventsFlag.AllEvents)
                qt_events_due = now + QT_EVENTS_MS / 1000
            try:
                interval_ms = self.step()
            except Exception:  # reported as an exception in a slot would be
                # One failing step must not end the sound for the rest of the run, as an
                # exception in the thread's loop itself would.
                sys.excepthook(*sys.exc_info())
                interval_ms = TICK_MS
            wait_s = max(0.0, interval_ms / 1000 - (time.monotonic() - now))
            rung = self._bell.acquire(timeout=wait_s)

    def wake(self) -> None:
        """Run the next step now (a command was sent). Any thread."""
        with contextlib.suppress(RuntimeError):  # already rung: one step will come
            self._bell.release()

    def finish(self) -> None:
        """End the loop after this step (on the thread itself, from a command)."""
        self._finishing = True


class _SoundWorker(QObject):
    """Lives on the sound thread: the sink, the clock and the writing."""

    loaded = Signal(object, str)  # {name: samples} or None, and the problem
    clips_loaded = Signal(object, object, str)  # ClipVoice or None, {key: samples}, problem
    voice_started = Signal(str)  # a voice's first frame was written: its name
    stream_problem = Signal(str)  # "" when the stream runs again
    clock_ready = Signal()  # the stream's clock is anchored: sounds can be placed

    def __init__(
        self, mixer: Mixer, clock: FrameClock, device_id: bytes | None, mono: Clock
    ) -> None:
        super().__init__()
        self._mixer = mixer
        self._clock = clock
        self._mono = mono  # the clock deadlines are on (the session's)
        self._device_id = device_id  # None: follow the system's default output
        self._sink: Any = None
        self._io: Any = None
        self.finish: Callable[[], None] = lambda: None  # ends the thread's loop (PacedThread)
        self._sound_written_at: float | None = None  # when a voice was last written (mono ms)
        self._written = 0
        self._buffer_bytes = 0
        self._device_key = b""

    # ------------------------------------------------------------------ loading

    @Slot(str)
    def load_sounds(self, folder: str) -> None:
        sounds: dict[str, Samples] = {}
        try:
            for path in sorted(Path(folder).glob("*.wav")):
                sounds[path.stem] = read_wav(path)
        except (OSError, EOFError, ValueError, wave.Error) as exc:
            self.loaded.emit(
                None, _("Sound is off: the sound files could not be read ({exc}).").format(exc=exc)
            )
            return
        if not sounds:
            self.loaded.emit(
                None,
                _("Sound is off: the sound files are missing from {folder}.").format(folder=folder),
            )
            return
        self.loaded.emit(sounds, "")

    @Slot(str)
    def load_clips(self, folder: str) -> None:
        try:
            voice = ClipVoice.load(Path(folder))
        except ClipError as exc:
            self.clips_loaded.emit(None, None, str(exc))
            return
        samples = {
            key: resample(np.frombuffer(voice.clip_bytes(key), dtype=np.int16), voice.rate, RATE)
            for key in voice.words()
        }
        self.clips_loaded.emit(voice, samples, "")

    # ------------------------------------------------------------------ the stream

    @Slot()
    def open(self) -> None:
        self._start_stream()

    def step(self) -> int:
        """One step of the sound thread (``PacedThread``): top the stream up; the interval
        until the next step, in ms."""
        if self._sink is None:
            return IDLE_TICK_MS
        self._tick()
        return TICK_MS if self._clock.anchored else LEARN_TICK_MS

    def _device(self) -> Any:
        from PySide6.QtMultimedia import QMediaDevices

        if self._device_id is not None:
            for device in QMediaDevices.audioOutputs():
                if bytes(device.id().data()) == self._device_id:
                    return device
        return QMediaDevices.defaultAudioOutput()

    def _start_stream(self, *, discard: bool = False) -> None:
        from PySide6.QtMultimedia import QAudioFormat, QAudioSink

        self._stop_stream(discard=discard)
        device = self._device()
        if device.isNull():
            self.stream_problem.emit(
                _(
                    "Sound is off: no audio output device was found. Connect speakers or "
                    "headphones; "
                    "cues are shown as a flash of the screen until then."
                )
            )
            return
        audio_format = QAudioFormat()
        audio_format.setSampleRate(RATE)
        audio_format.setChannelCount(1)
        audio_format.setSampleFormat(QAudioFormat.SampleFormat.Int16)
        self._device_key = bytes(device.id().data())
        self._sink = QAudioSink(device, audio_format, self)
        self._sink.setBufferSize(RATE * 2 * BUFFER_MS // 1000)
        with opening_stream():
            self._io = self._sink.start()
        self._buffer_bytes = self._sink.bufferSize()
        self._written = 0
        self._clock.restart()
        self._mixer.new_stream()
        self.stream_problem.emit("")

    def _stop_stream(self, *, discard: bool = False) -> None:
        sink = self._sink
        self._sink = self._io = None
        if sink is not None:
            if discard:
                sink.reset()  # what it holds is dropped, not played out
            else:
                sink.stop()
            # Deleted now: a deferred delete waits for an event loop, which this thread has not.
            sink.setParent(None)
            shiboken6.delete(sink)

    def _tick(self) -> None:
        sink, io = self._sink, self._io
        if sink is None or io is None:
            return
        now = self._mono()
        taken = sink.processedUSecs() * RATE // 1_000_000
        anchored = self._clock.anchored
        self._clock.observe(now, taken)
        if not anchored and self._clock.anchored:
            self.clock_ready.emit()
        free = sink.bytesFree() // 2
        if free <= 0:
            return
        if taken > 0 and free * 2 >= self._buffer_bytes:
            # Nothing left in the buffer: the server has been playing silence of its own (the
            # sound thread was held up longer than the buffer lasts), so every frame from here
            # sounds later than the clock says.
            self._clock.starved()
        if self._mixer.busy:
            data = self._mixer.render(self._written, free, self._clock, now).tobytes()
            if self._mixer.sounded:
                self._sound_written_at = now
        else:
            data = bytes(free * 2)  # nothing placed or waiting: silence, without the mixer
        written = io.write(data) // 2
        self._written += written

    @Slot()
    def outputs_changed(self) -> None:
        """Headphones in or out: go on with the new default device. A chosen device (a test's
        sink) is kept while it is there; a list that is being rebuilt (the device missing for
        a moment) changes nothing."""
        from PySide6.QtMultimedia import QMediaDevices

        if self._device_id is not None:
            if self._sink is None and not self._device().isNull():
                self._start_stream()
            return
        default = QMediaDevices.defaultAudioOutput()
        if default.isNull():
            return  # between two devices, or none left: the next change says which
        if bytes(default.id().data()) != self._device_key or self._sink is None:
            self._start_stream()

    @Slot()
    def flush(self) -> None:
        """Everything was silenced (a pause, a stop, mute): what the sink and the server still
        hold is dropped too, by opening the stream again, if a sound went into it lately
        (otherwise they hold silence and the stream goes on)."""
        written_at = self._sound_written_at
        if self._sink is None or written_at is None:
            return
        if self._mono() - written_at > FLUSH_WINDOW_MS:
            return
        self._sound_written_at = None
        self._start_stream(discard=True)

    @Slot()
    def shut_down(self) -> None:
        try:
            self._stop_stream()
        finally:
            self.finish()  # whatever failed: see SoundEngine.close


class SoundEngine(QObject):
    """An ``AudioOutput`` (calftimer.gui.session.output): the speakers."""

    played = Signal(str)  # a sound's first frame went to the device (the screen may flash)
    became_ready = Signal()
    failed = Signal(str)
    notice = Signal(str)
    voice_changed = Signal()
    _load_sounds = Signal(str)
    _load_clips = Signal(str)
    _open = Signal()
    _outputs_changed = Signal()
    _flush = Signal()
    _shut_down = Signal()

    def __init__(
        self,
        sounds_dir: Path,
        parent: QObject | None = None,
        *,
        clock: Clock = monotonic_ms,
        late_ms: int = DEFAULT_LATE_MS,
        device_id: bytes | None = None,
        voice_dir: Path | None = None,
        speech_engine: str = "",
    ) -> None:
        # Checked here, on the caller's thread, before any thread starts: the sound thread could
        # not open a stream, and nothing it started could be stopped.
        from calftimer.gui.audio import SoundUnavailableError, sound_module_problem

        problem = sound_module_problem()
        if problem is not None:
            raise SoundUnavailableError(problem)
        calm_stream_requests()  # the app made them already; a test's engine makes them here
        super().__init__(parent)
        from calftimer.core import i18n
        from calftimer.resources import voice_folder

        language = i18n.current_language()
        self._language = language
        clips_folder = voice_dir or voice_folder(language.code)
        # No clips in this language (checked here: one stat, and the choice of voice needs it).
        self._clips_absent = voice_dir is None and not (clips_folder / "index.json").is_file()
        self._fallback_noted = False
        self._system_lacks_language = False
        self._clock = clock
        self._problem = ""
        self._sounds: dict[str, Samples] | None = None
        self._clips: ClipVoice | None = None
        self._clip_samples: dict[str, Samples] = {}
        self._clip_problem = "absent" if self._clips_absent else ""
        self._engine = "clips"  # the voice asked for: "system", "clips" or "beeps"
        self._rate = 0.0
        self._voice_name = ""
        self._speech_engine = speech_engine
        self._system: SystemVoice | None = None
        self.frame_clock = FrameClock(RATE)
        self.mixer = Mixer(RATE, late_ms, lambda voice: self._worker.voice_started.emit(voice.name))
        self._thread = PacedThread(self)
        self._thread.setObjectName("calftimer-sound")
        self._worker = _SoundWorker(self.mixer, self.frame_clock, device_id, clock)
        self._worker.moveToThread(self._thread)
        self._thread.step = self._worker.step
        self._worker.finish = self._thread.finish
        self._load_sounds.connect(self._worker.load_sounds)
        self._load_clips.connect(self._worker.load_clips)
        self._open.connect(self._worker.open)
        self._outputs_changed.connect(self._worker.outputs_changed)
        self._flush.connect(self._worker.flush)
        self._shut_down.connect(self._worker.shut_down)
        for command in (
            self._load_sounds,
            self._load_clips,
            self._open,
            self._outputs_changed,
            self._flush,
            self._shut_down,
        ):
            # Connected after the worker's slot: the step that delivers it comes at once.
            command.connect(self._thread.wake, Qt.ConnectionType.DirectConnection)
        from PySide6.QtMultimedia import QMediaDevices

        # On this thread, not the sound thread's (see the module's docstring).
        self._devices = QMediaDevices(self)
        self._devices.audioOutputsChanged.connect(self._outputs_changed)
        self._worker.loaded.connect(self._on_sounds_loaded)
        self._worker.clips_loaded.connect(self._on_clips_loaded)
        self._worker.voice_started.connect(self._on_voice_started)
        self._worker.stream_problem.connect(self._on_stream_problem)
        self._worker.clock_ready.connect(self._ready_if_loaded)
        self._closed = False
        app = QCoreApplication.instance()
        if app is not None:
            # An application that quits without closing the window (a second Ctrl+C) must
            # still stop the sound thread before Python deletes it: deleting it running aborts.
            app.aboutToQuit.connect(self.close)
        self._thread.start(QThread.Priority.TimeCriticalPriority)
        self._load_sounds.emit(str(sounds_dir))
        # The clips (3 MB) are read on the sound thread, never on the window's.
        if not self._clips_absent:
            self._load_clips.emit(str(clips_folder))
        self._open.emit()

    # ------------------------------------------------------------------ state

    @property
    def audible(self) -> bool:
        return True

    @property
    def problem(self) -> str:
        return self._problem

    @property
    def loading(self) -> bool:
        """The sounds, the built-in voice or the stream's clock are not ready yet (a session
        that starts now waits for them: a sound due before the clock is known cannot be
        placed, and the first stream of a run takes up to two seconds to start here)."""
        if self._problem:
            return False
        sounds = self._sounds is None
        clips = self._clips is None and not self._clip_problem
        return sounds or clips or not self.frame_clock.anchored

    @property
    def voice(self) -> str:
        """The voice speaking now: "system", "clips" or "none"."""
        if self._engine == "beeps":
            return "none"
        system_ready = self._system is not None and self._system.state == "ready"
        # A system voice without this language would read it with another's sounds: the
        # built-in clips of the language speak instead when there are some.
        unfit = self._system_lacks_language and self._clips is not None
        if self._engine == "system" and system_ready and not unfit:
            return "system"
        if self._clips is not None:
            return "clips"
        if self._speaks_for_missing_clips and system_ready:
            return "system"
        return "none"

    @property
    def _speaks_for_missing_clips(self) -> bool:
        """The built-in voice was chosen, but has no clips in this language."""
        return self._engine == "clips" and self._clips_absent

    @property
    def measure(self) -> Measure | None:
        """How long a phrase of the voice speaking now sounds (placed by the sample: no
        start-up time; the system voice's start-up is taken care of when it is asked)."""
        voice, clips, rate = self.voice, self._clips, self._rate
        if voice == "system":
            return lambda text, words: round(estimate_ms(text) / 2**rate)
        if voice == "clips" and clips is not None:
            return lambda text, words: clips.measure(text, words, start_ms=0)
        return None

    @property
    def system_voices(self) -> list[str] | None:
        return None if self._system is None else list(self._system.voices)

    @property
    def dropped(self) -> int:
        """Sounds and phrases left out because they came too late."""
        return self.mixer.dropped

    @property
    def sound_thread(self) -> PacedThread:
        return self._thread

    # ------------------------------------------------------------------ playing

    def play_sound(self, name: str, volume: float) -> None:
        self._add(name, volume, self._clock(), asap=True)

    def play_at(self, name: str, volume: float, due_mono_ms: int) -> None:
        self._add(name, volume, due_mono_ms)

    def speak(self, phrase: Phrase, volume: float) -> None:
        self._say(phrase, volume, self._clock(), asap=True)

    def say_at(self, phrase: Phrase, volume: float, start_mono_ms: int) -> None:
        self._say(phrase, volume, start_mono_ms, asap=False)

    def cancel_pending(self) -> None:
        self.mixer.cancel_pending()
        if self._system is not None:
            self._system.cancel_pending()

    def stop_all(self) -> None:
        """Pausing silences whatever is sounding, and what was handed out ahead: at once, not
        after what the sink and the server hold (up to a quarter of a second)."""
        self.mixer.stop_all()
        if not self._closed:
            self._flush.emit()
        if self._system is not None:
            self._system.stop()

    # ------------------------------------------------------------------ settings

    def set_theme(self, theme: str) -> None:
        from calftimer.resources import sounds_folder

        self._load_sounds.emit(str(sounds_folder(theme if theme in THEMES else "standard")))

    def set_voice(self, engine: str, rate: float, voice_name: str) -> None:
        """Speak with ``engine`` ("system", "clips" or "beeps"), at ``rate``, in ``voice_name``
        (system voice only; "" is the engine's default). The system voice starts in the
        background; the clips speak until it is ready."""
        before = (self.voice, self._rate)
        self._engine, self._rate, self._voice_name = engine, rate, voice_name
        speaks = engine == "system" or self._speaks_for_missing_clips
        if speaks and self._system is None:
            self._system = SystemVoice(
                self._speech_engine,
                self._clock,
                self,
                rate=rate,
                voice_name=voice_name,
                language=self._language.code,
            )
            self._system.ready.connect(self._on_system_ready)
            self._system.failed.connect(self._on_system_failed)
            self._system.no_language.connect(self._on_system_without_language)
        elif speaks and self._system is not None:
            self._system.configure(rate, voice_name)  # measured again if it changed
        if self._speaks_for_missing_clips and self._system is not None:
            self._note_missing_clips()
        if (self.voice, self._rate) != before:
            self.voice_changed.emit()

    def close(self) -> None:
        """Stop both threads (the app is quitting). A thread that will not stop is left to
        end with the process, never deleted while it runs (that aborts)."""
        from calftimer.gui.audio import abandon_thread

        if self._closed:
            return
        self._closed = True
        if self._thread.isRunning():
            self._shut_down.emit()
            if not self._thread.wait(SHUTDOWN_WAIT_MS):
                abandon_thread(self._thread)
        if self._system is not None and not self._system.close(500):
            abandon_thread(self._system.speech_thread)  # speech-dispatcher may take seconds

    # ------------------------------------------------------------------ internals

    def _add(self, name: str, volume: float, due_ms: float, *, asap: bool = False) -> None:
        sounds = self._sounds
        if sounds is None or name not in sounds or volume <= 0:
            return
        self.mixer.add(Voice(name, sounds[name], min(1.0, volume), due_ms, asap=asap))

    def _say(self, phrase: Phrase, volume: float, start_ms: float, *, asap: bool) -> None:
        voice = self.voice
        if voice == "system" and self._system is not None:
            # Timed by the voice itself to end at the phrase's moment (speech.SpeechTiming);
            # a phrase said at once is said at once.
            planned = 0 if asap else phrase.duration_ms
            self._system.say_at(
                phrase.text,
                volume,
                self._rate,
                self._voice_name,
                round(start_ms),
                planned,
                planned + phrase.slack_ms,
            )
        elif voice == "clips" and self._clips is not None:
            samples = self._assemble(phrase.words)
            if len(samples):
                self.mixer.add(
                    Voice("speech", samples, min(1.0, volume), start_ms, speech=True, asap=asap)
                )

    def _assemble(self, words: tuple[str, ...]) -> Samples:
        """The phrase's clips one after another, ``JOIN_MS`` of silence between them."""
        parts = [self._clip_samples[w] for w in words if w in self._clip_samples]
        if not parts:
            return np.zeros(0, np.int16)
        join = np.zeros(RATE * JOIN_MS // 1000, np.int16)
        joined: list[Samples] = []
        for part in parts:
            if joined:
                joined.append(join)
            joined.append(part)
        return np.concatenate(joined)

    def _on_sounds_loaded(self, sounds: dict[str, Samples] | None, problem: str) -> None:
        if sounds is None:
            self._problem = problem
            self.failed.emit(problem)
            return
        self._sounds = sounds
        self._ready_if_loaded()

    def _on_clips_loaded(
        self, voice: ClipVoice | None, samples: dict[str, Samples] | None, problem: str
    ) -> None:
        before = self.voice
        if voice is None or samples is None:
            self._clip_problem = problem or "unknown"
            self.notice.emit(
                _("The built-in voice could not be loaded: {problem}").format(problem=problem)
            )
        else:
            self._clips, self._clip_samples = voice, samples
        if self.voice != before:
            self.voice_changed.emit()
        self._ready_if_loaded()

    def _ready_if_loaded(self) -> None:
        if not self.loading:
            self.became_ready.emit()

    def _on_voice_started(self, name: str) -> None:
        if name != "speech":
            self.played.emit(name)

    def _on_stream_problem(self, problem: str) -> None:
        self._problem = problem
        if problem:
            self.failed.emit(problem)

    def _on_system_ready(self, _voices: list[str]) -> None:
        self._note_missing_clips()
        self.voice_changed.emit()

    def _on_system_failed(self, advice: str) -> None:
        if self._engine == "system" and self._clips_absent:
            # The advice ends "the built-in voice speaks instead": not in this language.
            self._note_missing_clips(force=True)
        elif self._engine == "system":
            self.notice.emit(advice)
        self._note_missing_clips()

    def _on_system_without_language(self) -> None:
        before = self.voice
        self._system_lacks_language = True
        if self._clips_absent:
            note = _(
                "The system voice has no {language} voice: it reads the phrases with its default "
                "voice. Install one (for example speech-dispatcher-espeak-ng) or choose "
                "\u201cBeeps instead of words\u201d in Settings."
            )
        else:
            note = _("The system voice has no {language} voice: the built-in voice speaks instead.")
        self.notice.emit(note.format(language=self._language.native_name))
        if self.voice != before:
            self.voice_changed.emit()

    def _note_missing_clips(self, *, force: bool = False) -> None:
        """Say once what speaks instead of built-in clips this language does not have, when the
        system voice has started or failed (``force``: the system voice was chosen and failed)."""
        system = self._system
        missing = self._speaks_for_missing_clips or force
        if not missing or system is None or self._fallback_noted:
            return
        if system.state == "ready":
            note = _(
                "The built-in voice does not speak {language} yet: the system voice speaks instead."
            )
        elif system.state == "failed":
            note = _(
                "The built-in voice does not speak {language} yet, and there is no system voice: "
                "the cues are sounds only (the screen shows every step)."
            )
        else:
            return
        self._fallback_noted = True
        self.notice.emit(note.format(language=self._language.native_name))
