"""The system voice: the computer's own text-to-speech (QTextToSpeech), on a thread of its own.

A system voice cannot be placed by the sample: it speaks through its own service
(speech-dispatcher on Linux), some time after it is asked, for a length nobody knows before it
has spoken. So this part measures both as it speaks (``SpeechTiming``) and asks each phrase early
enough that it ends at the moment it announces, as the built-in voice does:

- **Start-up**: from ``say()`` to the engine reporting that it speaks (its ``Speaking`` state).
  Measured here: 1-10 ms with speech-dispatcher and espeak-ng, and heard within a few ms of that
  (the old plan assumed a second, and counts came 1.2-1.5 s early). The lead is the median of the
  last five measurements: one slow start (a module loading a voice) moves it by nothing.
- **Length**: ``Ready`` comes when the service has played the phrase and the engine's trailing
  pause, so a phrase's heard length is its ``Speaking``-to-``Ready`` time less that pause. With
  espeak-ng the pause is the same whatever the phrase but not whatever the rate (measured here:
  322 ms at rate 0, 73 ms at 0.5, 521 ms at -0.5, 904 ms at -1), so it is measured when the voice
  starts and whenever the rate or voice changes, by saying "..." at volume 0 (nothing is heard);
  a word is said silently too, so the first count of a session is already timed. Each text's
  length is learnt as it is said (counts repeat); a text not said yet is its planned length
  scaled by how the measured lengths compared with their plans.

A phrase asked for at ``at_ms`` with a planned length ``planned_ms`` starts at
``at_ms + planned_ms - length - lead``: it ends at its moment. When a phrase's turn comes while
another is still speaking (a voice slower than the room the plan gave it), the older one is
**cut**: the newer one announces what comes next, and the older one, run on, would be heard over
it. A phrase whose room has passed before it could start (the thread held up, a slow engine) is
**skipped**: heard after what it announces, it would mislead.

The voice speaks the language in use: the engine's locale is set to the closest it has
(``matching_locale``: "de" takes de_DE, "pt_BR" pt_BR before pt_PT; speech-dispatcher with
espeak-ng has all six, checked here); an engine with none says so
(``no_language``) and keeps its default voice, and the sound engine decides what speaks then.

Constructing the engine can block for seconds (speech-dispatcher starting), so everything runs
on the speech thread. And it blocks holding Python's lock, so a speech-dispatcher that has
stopped answering (seen here: one whose voice module died, on a PipeWire without its PulseAudio
service) froze the whole app, window and sound. So a running speech-dispatcher is first asked
a question from Python, with a time limit (``speech_dispatcher_problem``), and the engine is
loaded through the speech thread's event queue, where only that thread waits (the window side
gives the voice up after ``START_TIMEOUT_MS``). Once it runs, what it is asked to do (say,
stop, rate, volume) goes through that queue too (``_ask``); only reading its locales and voices
and choosing a voice other than the default are still called from Python. When it cannot
start, ``failed`` says what is really missing (``speech_advice``).
"""

from __future__ import annotations

import contextlib
import ctypes.util
import os
import shutil
import socket
import statistics
import sys
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from PySide6.QtCore import Q_ARG, QMetaObject, QObject, Qt, QThread, QTimer, Signal, Slot

from calftimer.core.clock import Clock, monotonic_ms
from calftimer.core.cues import estimate_ms
from calftimer.core.i18n import _

NOT_REAL_ENGINES = frozenset({"mock"})  # Qt's test engine says nothing
LATENCY_SAMPLES = 5  # the lead is the median of the last five phrases' start-up times
LENGTH_SAMPLES = 3  # a text's length: the median of its last three sayings
RATIO_SAMPLES = 9  # measured length / planned length, for texts not said yet
MAX_LATENCY_MS = 3_000  # a start-up above this is a hiccup, not the engine's pace
SPEECHD_ANSWER_S = 2.0  # a running speech-dispatcher answers a question within this, or is not used
NO_ENGINE = "none"  # an engine name Qt does not have: the engine is made empty, loaded later
# The system voice has started (answered, warmed up) within this, or the built-in voice goes on
# speaking and the advice says why (speech-dispatcher starting itself took 1.7 s here).
START_TIMEOUT_MS = 15_000
PAUSE_PROBE = "..."  # said silently at start: nothing but the engine's trailing pause
WORD_PROBE = "one"  # said silently at start: the length of a count
WARM_UP_TIMEOUT_MS = 5_000  # an engine that never reports Ready is used untimed after this
# Where speech-dispatcher keeps its output modules (Debian, newer multiarch, Fedora/Arch).
SPEECHD_MODULE_DIRS = (
    "/usr/lib/speech-dispatcher-modules",
    "/usr/lib/x86_64-linux-gnu/speech-dispatcher-modules",
    "/usr/lib/aarch64-linux-gnu/speech-dispatcher-modules",
    "/usr/libexec/speech-dispatcher-modules",
)
NOT_VOICES = frozenset({"sd_dummy", "sd_generic"})  # a recorded apology; a shell-script frame


# ------------------------------------------------------------------------------ advice


@dataclass(frozen=True)
class SpeechSystem:
    """What of the speech stack is on this machine (``SpeechSystem.probe()``); tests build one."""

    linux: bool
    engines: tuple[str, ...]  # Qt's text-to-speech plugins (None of them: Qt's module is absent)
    libspeechd: bool  # the library Qt's speech-dispatcher plugin loads
    dispatcher: bool  # the speech-dispatcher service
    modules: tuple[str, ...]  # its output modules that speak (sd_espeak-ng, ...)

    @staticmethod
    def probe(engines: tuple[str, ...] | None = None) -> SpeechSystem:
        if engines is None:
            try:
                from PySide6.QtTextToSpeech import QTextToSpeech

                engines = tuple(QTextToSpeech.availableEngines())
            except ImportError:
                engines = ()
        modules: list[str] = []
        for folder in SPEECHD_MODULE_DIRS:
            path = Path(folder)
            if path.is_dir():
                modules += [p.name for p in path.glob("sd_*") if p.name not in NOT_VOICES]
        return SpeechSystem(
            linux=sys.platform.startswith("linux"),
            engines=engines,
            libspeechd=ctypes.util.find_library("speechd") is not None,
            dispatcher=shutil.which("speech-dispatcher") is not None,
            modules=tuple(sorted(set(modules))),
        )


def speech_advice(reason: str, system: SpeechSystem | None = None) -> str:
    """What to do about a system voice that does not start, from what is really missing on this
    machine (each case checked on Debian 12 with PySide6 6.11)."""
    system = system or SpeechSystem.probe()
    fallback = _("the built-in voice speaks until then.")
    if not system.linux:
        return _("The built-in voice speaks instead.")
    real = [e for e in system.engines if e not in NOT_REAL_ENGINES]
    if not real:
        # PySide6-Essentials alone, or an Addons wheel without its text-to-speech plugins.
        return _(
            "Qt's text-to-speech plugins are missing from this installation (they come with "
            "PySide6-Addons: pip install PySide6-Addons); {fallback}"
        ).format(fallback=fallback)
    if "speechd" in real:
        if not system.dispatcher:
            return _(
                "Install speech-dispatcher and its espeak-ng voice for the system voice (sudo apt "
                "install speech-dispatcher speech-dispatcher-espeak-ng); {fallback}"
            ).format(fallback=fallback)
        if not system.libspeechd:
            return _(
                "speech-dispatcher is installed but not its client library: install libspeechd2 "
                "(sudo apt install libspeechd2); {fallback}"
            ).format(fallback=fallback)
        if not system.modules:
            return _(
                "speech-dispatcher has no voice to speak with: install one (sudo apt install "
                "speech-dispatcher-espeak-ng); {fallback}"
            ).format(fallback=fallback)
    if "speechd" in real:
        return _(
            "speech-dispatcher and its voices ({voices}) are installed, but it did not answer "
            "({reason}); the built-in voice speaks. Check it with: spd-say hello"
        ).format(voices=", ".join(m[3:] for m in system.modules), reason=reason)
    return _(
        "The speech engine ({engines}) did not start ({reason}); the built-in voice speaks."
    ).format(engines=", ".join(real), reason=reason)


def speech_dispatcher_socket(environ: dict[str, str] | None = None) -> Path | None:
    """The socket libspeechd connects to (its own rule: ``SPEECHD_ADDRESS`` with a unix socket,
    else the runtime folder's), or None when it would use another kind of address."""
    environ = dict(os.environ) if environ is None else environ
    address = environ.get("SPEECHD_ADDRESS", "")
    if address:
        method, _sep, path = address.partition(":")
        return Path(path) if method == "unix_socket" and path else None
    runtime = environ.get("XDG_RUNTIME_DIR")
    return Path(runtime, "speech-dispatcher", "speechd.sock") if runtime else None


def speech_dispatcher_problem(
    path: Path | None = None, timeout_s: float = SPEECHD_ANSWER_S
) -> str | None:
    """Why a running speech-dispatcher cannot be used (it does not answer), or None: it answers,
    or none runs yet (libspeechd then starts one). Python waits here without holding its lock,
    which Qt's engine would hold while it waited."""
    path = path if path is not None else speech_dispatcher_socket()
    if path is None or not path.exists():
        return None
    try:
        with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as connection:
            connection.settimeout(timeout_s)
            connection.connect(str(path))
            connection.sendall(b"SET SELF CLIENT_NAME user:calftimer:check\r\n")
            reply = connection.recv(256)
            with contextlib.suppress(OSError):  # it answered: how it hangs up does not matter
                connection.sendall(b"QUIT\r\n")
    except (ConnectionRefusedError, FileNotFoundError):
        return None  # a socket left by one that has ended: libspeechd starts a new one
    except TimeoutError:
        return _("waited {seconds:g} s").format(seconds=timeout_s)
    except OSError as exc:
        return str(exc)
    if not reply.startswith(b"2"):
        return reply.decode("utf-8", "replace").strip() or "-"  # its own words (SSIP)
    return None


def _engine_libraries_present(engine: str) -> bool:
    """Qt lists speech-dispatcher's engine even without libspeechd, then fails to load it with a
    critical error message; look for the library first."""
    if engine != "speechd" or not sys.platform.startswith("linux"):
        return True
    return ctypes.util.find_library("speechd") is not None


# ------------------------------------------------------------------------------ language


def matching_locale(language: str, names: list[str], current: str = "") -> str | None:
    """The one of ``names`` (Qt's locale names: "de_DE", "pt_BR", "en_US") to speak
    ``language`` (a catalog code: "de", "pt_BR") with: ``current`` if it speaks it already, the
    exact code, the language in its own country ("de_DE", "fr_FR"), then any region of it; None
    when the engine has none."""
    base = language.split("_", 1)[0].lower()

    def base_of(name: str) -> str:
        return name.replace("-", "_").split("_", 1)[0].lower()

    def same(name: str, code: str) -> bool:
        return name.replace("-", "_").lower() == code.lower()

    if current and (same(current, language) or ("_" not in language and base_of(current) == base)):
        return current
    for wanted in (language, f"{base}_{base.upper()}"):
        found = next((n for n in names if same(n, wanted)), None)
        if found is not None:
            return found
    return next((n for n in sorted(names) if base_of(n) == base), None)


# ------------------------------------------------------------------------------ timing


class SpeechTiming:
    """What the voice has been measured to do, and when to ask for a phrase because of it."""

    def __init__(self) -> None:
        self._latencies: deque[int] = deque(maxlen=LATENCY_SAMPLES)
        self._lengths: dict[str, deque[int]] = {}
        self._ratios: deque[float] = deque(maxlen=RATIO_SAMPLES)
        self.pause_ms: int | None = None  # Ready's lag after the last sound; None: not measured

    @property
    def lead_ms(self) -> int:
        """How long before its start a phrase is asked: 0 until measured (late, never early)."""
        return int(statistics.median(self._latencies)) if self._latencies else 0

    def started(self, latency_ms: int) -> None:
        if 0 <= latency_ms <= MAX_LATENCY_MS:
            self._latencies.append(latency_ms)

    def ended(self, text: str, planned_ms: int, speaking_ms: int) -> None:
        """A phrase planned to last ``planned_ms`` went from Speaking to Ready in
        ``speaking_ms``, uncut."""
        if self.pause_ms is None:
            return
        length = speaking_ms - self.pause_ms
        if length <= 0:
            return  # nothing heard (text the engine does not speak)
        self._lengths.setdefault(text, deque(maxlen=LENGTH_SAMPLES)).append(length)
        if planned_ms > 0:
            self._ratios.append(length / planned_ms)

    def new_voice(self) -> None:
        """Another rate or voice is measured afresh: its pause and lengths are its own (the
        start-up is the service's and stays)."""
        self.pause_ms = None
        self._lengths.clear()
        self._ratios.clear()

    def forget_lengths(self) -> None:
        """The rate or the voice changed: what each text took no longer holds (their ratio to
        the plan, which scales with the rate, still does)."""
        self._lengths.clear()

    def length_ms(self, text: str, planned_ms: int) -> int:
        """How long ``text`` will be heard: measured, or scaled from the plan, or the plan."""
        known = self._lengths.get(text)
        if known:
            return int(statistics.median(known))
        if self._ratios:
            return round(planned_ms * statistics.median(self._ratios))
        return planned_ms

    def ask_at(self, text: str, at_ms: int, planned_ms: int) -> int:
        """When to call ``say()`` so that ``text`` ends at ``at_ms + planned_ms``."""
        if planned_ms <= 0:
            return at_ms - self.lead_ms  # no moment to end at: start at its instant
        return at_ms + planned_ms - self.length_ms(text, planned_ms) - self.lead_ms


@dataclass
class _Request:
    text: str
    volume: float
    rate: float
    voice_name: str
    at_ms: int  # its planned start
    planned_ms: int  # its planned length: it ends at at_ms + planned_ms
    room_ms: int  # how long after at_ms it may still start (its length and slack)
    ask_ms: int = 0
    asked_ms: int | None = None
    speaking_ms: int | None = None
    cut: bool = False
    learn: bool = True  # False when it cut another: that one's late Ready could end it early
    probe: str = ""  # "pause" or "word" for the silent measurements at start


class _SpeechWorker(QObject):
    """Lives on the speech thread: creates the engine there, where blocking is harmless."""

    ready = Signal(str, list)  # engine name, voice names
    failed = Signal(str)  # why it cannot speak
    measured = Signal(int, int)  # the lead and the trailing pause now used, in ms (-1: unknown)
    skipped = Signal(str)  # a phrase whose room had passed
    no_language = Signal()  # the engine has no voice for the language asked for

    def __init__(
        self,
        clock: Clock,
        factory: Callable[[str, QObject], Any] | None = None,
        language: str = "",
    ) -> None:
        super().__init__()
        self._clock = clock
        self._language = language
        self._factory = factory  # tests: a fake engine instead of QTextToSpeech
        self._speech: Any = None
        self._engine_name = ""
        self._timer: QTimer | None = None
        self._warm_timer: QTimer | None = None
        self._queue: list[_Request] = []
        self._current: _Request | None = None
        self._warm_up: list[_Request] = []
        self._said_with: tuple[float, str] | None = None
        self._configured: tuple[float, str] = (0.0, "")  # the rate and voice chosen
        self._measured_with: tuple[float, str] | None = None  # those of the last warm-up
        self._announced = False  # ready was sent
        self._through_queue = False  # Qt's engine: called through the event queue (_ask)
        self.timing = SpeechTiming()

    @Slot(str, float, str)
    def start_engine(self, engine: str, rate: float = 0.0, voice_name: str = "") -> None:
        self._configured = (rate, voice_name)
        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.setTimerType(Qt.TimerType.PreciseTimer)
        self._timer.timeout.connect(self.say_due)
        if self._factory is not None:
            speech = self._factory(engine, self)
            name = engine
        else:
            try:
                from PySide6.QtTextToSpeech import QTextToSpeech
            except ImportError as exc:
                self.failed.emit(_("Qt's speech module could not load ({exc})").format(exc=exc))
                return
            available = QTextToSpeech.availableEngines()
            engines = [
                e for e in available if e not in NOT_REAL_ENGINES and _engine_libraries_present(e)
            ]
            if engine:
                engines = [engine] if engine in available else []
            if not engines:
                self.failed.emit(_("no speech engine was found"))
                return
            name = engines[0]
            problem = speech_dispatcher_problem() if name == "speechd" else None
            if problem is not None:
                self.failed.emit(problem)
                return
            # Made without an engine, then given one through this thread's event queue: loading
            # it can wait on speech-dispatcher, and called from here it would wait holding
            # Python's lock (the whole app frozen while it does). From the queue, only this
            # thread waits; the window side gives up after START_TIMEOUT_MS.
            speech = QTextToSpeech(NO_ENGINE, self)
            speech.engineChanged.connect(lambda _name: self._qt_engine_loaded(speech, name))
            QMetaObject.invokeMethod(
                speech, "setEngine", Qt.ConnectionType.QueuedConnection, Q_ARG(str, name)
            )
            return
        self._engine_loaded(speech, name)

    def _qt_engine_loaded(self, speech: Any, name: str) -> None:
        from PySide6.QtTextToSpeech import QTextToSpeech

        if self._speech is not None:
            return  # already going (a second engineChanged)
        if speech.state() == QTextToSpeech.State.Error:
            self.failed.emit(
                _("{engine}: {error}").format(
                    engine=name, error=speech.errorString() or _("it reported an error")
                )
            )
            return
        self._through_queue = True
        self._engine_loaded(speech, name)

    def _engine_loaded(self, speech: Any, name: str) -> None:
        speech.stateChanged.connect(self._on_state_changed)
        self._speech, self._engine_name = speech, name
        self._use_language(speech)
        self._start_warm_up()

    def _use_language(self, speech: Any) -> None:
        """Speak the language asked for, in the engine's closest locale (before the voices are
        listed: they are the locale's)."""
        if self._language in ("", "en") or not hasattr(speech, "availableLocales"):
            # English: the engine's own default, as always (speech-dispatcher reports the
            # locale "C" and speaks English with it; its timing was measured so).
            return
        locales = {locale.name(): locale for locale in speech.availableLocales()}
        current = speech.locale().name() if hasattr(speech, "locale") else ""
        chosen = matching_locale(self._language, list(locales), current)
        if chosen is None:
            self.no_language.emit()
        elif chosen != current:
            speech.setLocale(locales[chosen])

    @Slot(float, str)
    def configure(self, rate: float, voice_name: str) -> None:
        """The rate or voice chosen in the settings: measured again, silently, before it speaks
        (the trailing pause and the lengths depend on both)."""
        self._configured = (rate, voice_name)
        idle = self._speech is not None and self._warm_timer is None
        if idle and self._measured_with != self._configured:
            self._start_warm_up()

    def _start_warm_up(self) -> None:
        """Say the pause and a word silently at the chosen rate and voice, then tell the window
        the voice is ready (the first time)."""
        now = self._clock()
        rate, voice = self._measured_with = self._configured
        self.timing.new_voice()
        planned = round(estimate_ms(WORD_PROBE) / 2**rate)  # as the engine plans it
        self._warm_up = [
            _Request(PAUSE_PROBE, 0.0, rate, voice, now, 0, 0, probe="pause"),
            _Request(WORD_PROBE, 0.0, rate, voice, now, planned, 0, probe="word"),
        ]
        self._warm_timer = QTimer(self)
        self._warm_timer.setSingleShot(True)
        self._warm_timer.timeout.connect(self._end_warm_up)
        self._warm_timer.start(WARM_UP_TIMEOUT_MS)
        self._next_warm_up()

    def _next_warm_up(self) -> None:
        if not self._warm_up:
            self._end_warm_up()
            return
        self._speak(self._warm_up.pop(0))

    def _end_warm_up(self) -> None:
        if self._warm_timer is None:
            return  # already ended
        self._warm_timer.stop()
        self._warm_timer = None
        self._warm_up = []
        if self._current is not None and self._current.probe:
            self._current.cut = True  # an engine that never reported Ready: measure nothing
        speech = self._speech
        pause = self.timing.pause_ms
        self.measured.emit(self.timing.lead_ms, -1 if pause is None else pause)
        if not self._announced:
            self._announced = True
            self.ready.emit(self._engine_name, [v.name() for v in speech.availableVoices()])
        if self._measured_with != self._configured:
            self._start_warm_up()  # chosen while this warm-up ran
            return
        self.say_due()

    @Slot(str, float, float, str, int, int, int)
    def say_at(
        self,
        text: str,
        volume: float,
        rate: float,
        voice_name: str,
        at_ms: int,
        planned_ms: int,
        room_ms: int,
    ) -> None:
        """Say ``text`` so that it ends at ``at_ms + planned_ms`` (monotonic); it may start up to
        ``room_ms`` after ``at_ms``, never later."""
        if self._speech is None or self._timer is None:
            return
        request = _Request(text, volume, rate, voice_name, at_ms, planned_ms, room_ms)
        self._queue.append(request)
        self.say_due()

    @Slot()
    def cancel_pending(self) -> None:
        self._queue = []
        if self._timer is not None:
            self._timer.stop()

    @Slot()
    def stop(self) -> None:
        self.cancel_pending()
        self._cut()

    @Slot()
    def shut_down(self) -> None:
        try:
            self.cancel_pending()
            if self._warm_timer is not None:
                self._warm_timer.stop()
            if self._speech is not None:
                self._ask("stop")
                self._speech.deleteLater()
                self._speech = None
        finally:
            QThread.currentThread().quit()  # whatever failed: see SoundEngine.close

    @Slot()
    def say_due(self) -> None:
        """Say the latest phrase whose turn has come (earlier ones it supersedes are skipped),
        skip those whose room has passed, and set the timer for the next."""
        if self._speech is None or self._timer is None or self._warm_timer is not None:
            return
        now = self._clock()
        for request in self._queue:
            request.ask_ms = self.timing.ask_at(request.text, request.at_ms, request.planned_ms)
        self._queue.sort(key=lambda r: r.ask_ms)
        due = [r for r in self._queue if r.ask_ms <= now]
        self._queue = [r for r in self._queue if r.ask_ms > now]
        for request in due[:-1]:
            self.skipped.emit(request.text)  # a later phrase's turn has come too
        if due:
            request = due[-1]
            late = now - self.timing.lead_ms > request.at_ms + request.room_ms
            if late and request.planned_ms > 0:  # one said at once has no moment to miss
                self.skipped.emit(request.text)
            else:
                self._speak(request)
        if self._queue:
            self._timer.start(max(0, self._queue[0].ask_ms - self._clock()))

    def _cut(self) -> None:
        current = self._current
        if current is not None and self._speech is not None:
            current.cut = True
            self._ask("stop")

    def _speak(self, request: _Request) -> None:
        speech = self._speech
        request.learn = self._current is None
        self._cut()  # whatever is still speaking: the newer phrase comes first
        self._ask("setVolume", max(0.0, min(1.0, request.volume)))
        self._ask("setRate", max(-1.0, min(1.0, request.rate)))
        if request.voice_name:
            for voice in speech.availableVoices():
                if voice.name() == request.voice_name and voice != speech.voice():
                    speech.setVoice(voice)
                    break
        if not request.probe:
            said_with = (request.rate, request.voice_name)
            if self._said_with is not None and said_with != self._said_with:
                self.timing.forget_lengths()
            self._said_with = said_with
        request.asked_ms = self._clock()
        self._current = request
        self._ask("say", request.text)

    def _ask(self, method: str, *args: float | str) -> None:
        """Call the engine's slot ``method``: Qt's through this thread's event queue (libspeechd
        waits there for speech-dispatcher's answer, and called from Python it would wait holding
        Python's lock: the whole app frozen if it never answers), a factory's directly."""
        speech = self._speech
        if speech is None:
            return
        if self._through_queue:
            arguments = [Q_ARG(type(arg), arg) for arg in args]
            QMetaObject.invokeMethod(speech, method, Qt.ConnectionType.QueuedConnection, *arguments)
        else:
            getattr(speech, method)(*args)

    def _on_state_changed(self, state: object) -> None:
        name = getattr(state, "name", str(state))
        current, now = self._current, self._clock()
        if current is None or current.asked_ms is None:
            return
        if name == "Speaking" and current.speaking_ms is None and not current.cut:
            current.speaking_ms = now
            self.timing.started(now - current.asked_ms)
        elif name in ("Ready", "Error") and current.speaking_ms is not None:
            self._current = None
            if name == "Ready" and not current.cut and current.learn:
                spoken = now - current.speaking_ms
                if current.probe == "pause":
                    self.timing.pause_ms = spoken
                else:
                    self.timing.ended(current.text, current.planned_ms, spoken)
            pause = self.timing.pause_ms
            self.measured.emit(self.timing.lead_ms, -1 if pause is None else pause)
            if current.probe and self._warm_timer is not None:
                self._next_warm_up()


class SystemVoice(QObject):
    """The window's side of the speech thread; every call returns at once."""

    ready = Signal(list)  # voice names
    failed = Signal(str)  # the advice for the user
    skipped = Signal(str)  # a phrase left out: its room had passed before it could start
    no_language = Signal()  # the engine has no voice for the language: it speaks its default
    _start = Signal(str, float, str)
    _configure = Signal(float, str)
    _say_at = Signal(str, float, float, str, int, int, int)
    _cancel = Signal()
    _stop = Signal()
    _shut_down = Signal()

    def __init__(
        self,
        engine: str = "",
        clock: Clock = monotonic_ms,
        parent: QObject | None = None,
        *,
        rate: float = 0.0,
        voice_name: str = "",
        factory: Callable[[str, QObject], Any] | None = None,
        language: str = "",
        start_timeout_ms: int = START_TIMEOUT_MS,
    ):
        super().__init__(parent)
        self._start_timeout_ms = start_timeout_ms
        self.state = "starting"  # "ready" or "failed" later
        self.voices: list[str] = []
        self.lead_ms = 0  # as measured on the speech thread (for the log and tests)
        self.pause_ms = -1
        self._thread = QThread(self)
        self._thread.setObjectName("calftimer-speech")
        self._worker = _SpeechWorker(clock, factory, language)
        self._worker.moveToThread(self._thread)
        self._start.connect(self._worker.start_engine)
        self._configure.connect(self._worker.configure)
        self._say_at.connect(self._worker.say_at)
        self._cancel.connect(self._worker.cancel_pending)
        self._stop.connect(self._worker.stop)
        self._shut_down.connect(self._worker.shut_down)
        self._worker.ready.connect(self._on_ready)
        self._worker.failed.connect(self._on_failed)
        self._worker.measured.connect(self._on_measured)
        self._worker.skipped.connect(self.skipped)
        self._worker.no_language.connect(self.no_language)
        self._thread.start()
        self._start.emit(engine, rate, voice_name)
        self._start_timer = QTimer(self)
        self._start_timer.setSingleShot(True)
        self._start_timer.timeout.connect(self._on_start_timeout)
        self._start_timer.start(start_timeout_ms)

    def configure(self, rate: float, voice_name: str) -> None:
        """The rate and voice to speak with: a new one is measured before it speaks."""
        self._configure.emit(rate, voice_name)

    def say_at(
        self,
        text: str,
        volume: float,
        rate: float,
        voice_name: str,
        at_ms: int,
        planned_ms: int = 0,
        room_ms: int = 0,
    ) -> None:
        """Say ``text`` to end at ``at_ms + planned_ms`` (see the module's docstring)."""
        self._say_at.emit(
            text, volume, rate, voice_name, at_ms, planned_ms, max(room_ms, planned_ms)
        )

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

    def _on_start_timeout(self) -> None:
        if self.state == "starting":
            seconds = self._start_timeout_ms / 1000
            self._on_failed(_("waited {seconds:g} s").format(seconds=seconds))

    def _on_ready(self, _engine: str, voices: list[str]) -> None:
        self._start_timer.stop()
        self.state = "ready"
        self.voices = list(voices)
        self.ready.emit(self.voices)

    def _on_failed(self, reason: str) -> None:
        self._start_timer.stop()
        if self.state == "failed":
            return  # said once
        self.state = "failed"
        self.failed.emit(
            _("The system voice is not available ({reason}). {speech_advice}").format(
                reason=reason, speech_advice=speech_advice(reason)
            )
        )

    def _on_measured(self, lead_ms: int, pause_ms: int) -> None:
        self.lead_ms, self.pause_ms = lead_ms, pause_ms
