"""Choosing the sound output, the silent one, and threads that must never abort the exit.

``create_sound_output`` never raises: without Qt's sound module (no libpulse), without an audio
device, or with missing sound files it returns a ``SilentOutput`` whose ``problem`` says what is
missing and how to fix it, and the window shows the cues as a screen flash instead. Otherwise it
returns the ``SoundEngine`` (calftimer.gui.sound.engine): one output stream, every cue and word
placed by the sample.

Nothing may abort the process as it exits: Qt aborts it (SIGABRT, "QThread: Destroyed while
thread is still running") when a running ``QThread`` is deleted, and PySide deletes every object
it owns as Python ends. So the engine's threads always end, whatever fails on the way, and a
thread that still will not stop is dealt with before that deletion (``abandon_thread``).
"""

from __future__ import annotations

import atexit
import heapq
import itertools
import os
import sys
from typing import Any

from PySide6.QtCore import QObject, Qt, QThread, QTimer, Signal

from calftimer.core.clock import Clock, monotonic_ms
from calftimer.core.cues import SOUND_NAMES as CUE_SOUNDS
from calftimer.core.cues import Measure, Phrase
from calftimer.core.i18n import N_, _
from calftimer.resources import sounds_folder

# The files to load are the sounds the cue player uses (calftimer.core.cues), each once.
SOUND_NAMES = tuple(dict.fromkeys(CUE_SOUNDS.values()))
_ABANDONED_THREADS: list[QThread] = []  # threads that would not stop (see abandon_thread)
EXIT_THREAD_WAIT_MS = 3_000  # at exit, a last wait for them (speech-dispatcher can be slow)
EXIT_STATUS_THREAD_STUCK = 1
NO_DEVICE = N_(
    "Sound is off: no audio output device was found. Connect speakers or headphones and "
    "restart. Cues are shown as a flash of the screen."
)


class SoundUnavailableError(RuntimeError):
    """Qt's sound module cannot load here; the message says what is missing and what to do."""


def sound_module_problem() -> str | None:
    """Why Qt's sound module (QtMultimedia) cannot load here, or None when it can.

    It fails without the system's libpulse ("libpulse.so.0: cannot open shared object file"),
    and Qt's speech module with it: both load that library."""
    try:
        from PySide6.QtMultimedia import QAudioSink  # noqa: F401  (the import is the check)
    except ImportError as exc:
        missing = str(exc)
        hint = _(" Install libpulse0 (Debian/Ubuntu) and restart.") if "libpulse" in missing else ""
        return _(
            "Sound is off: Qt's sound module could not load ({error}).{hint} "
            "Cues are shown as a flash of the screen."
        ).format(error=missing, hint=hint)
    return None


def abandon_thread(thread: QThread) -> None:
    """Keep a thread that did not stop when asked from ever being deleted while it runs.

    Deleting it then (its parent going, or Python ending) aborts the process. So it loses its
    parent and is kept here; at exit it gets a last ``EXIT_THREAD_WAIT_MS`` to stop, and if it
    still runs, the process ends there, before PySide's own clean-up would delete it
    (``_end_abandoned_threads``)."""
    thread.setParent(None)
    if not _ABANDONED_THREADS:
        # Registered after PySide's clean-up (made when QtCore was imported), so run before it.
        atexit.register(_end_abandoned_threads)
    _ABANDONED_THREADS.append(thread)


def _end_abandoned_threads() -> None:
    still_running = []
    for thread in _ABANDONED_THREADS:
        thread.quit()
        if not thread.wait(EXIT_THREAD_WAIT_MS):
            still_running.append(thread.objectName() or "worker")
    if still_running:
        print(
            f"calftimer: the {', '.join(still_running)} thread did not stop; exiting without it",
            file=sys.stderr,
        )
        sys.stdout.flush()
        sys.stderr.flush()
        # Every file calftimer writes was closed before Python began to exit; what is skipped
        # here is only the deletion that would abort.
        os._exit(EXIT_STATUS_THREAD_STUCK)


class SilentOutput(QObject):
    """Plays nothing; says why. The window flashes instead of beeping, at the cue's moment.

    An ``AudioOutput`` (calftimer.gui.session.output) like the speakers: it never becomes
    ready, fails or changes voice."""

    played = Signal(str)  # the sound that would have played (the screen flash listens)
    became_ready = Signal()
    failed = Signal(str)
    notice = Signal(str)
    voice_changed = Signal()

    def __init__(self, problem: str, parent: QObject | None = None, clock: Clock | None = None):
        super().__init__(parent)
        self._problem = problem
        self._clock = clock or monotonic_ms
        self._pending: list[tuple[int, int, str]] = []
        self._order = itertools.count()
        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.setTimerType(Qt.TimerType.PreciseTimer)
        self._timer.timeout.connect(self._flash_due)

    @property
    def audible(self) -> bool:
        return False

    @property
    def problem(self) -> str:
        return self._problem

    @property
    def loading(self) -> bool:
        return False

    @property
    def measure(self) -> Measure | None:
        return None

    @property
    def system_voices(self) -> list[str] | None:
        return None

    @property
    def waiting(self) -> int:
        """Flashes handed out ahead and not yet shown."""
        return len(self._pending)

    def play_sound(self, name: str, volume: float) -> None:
        self.played.emit(name)

    def play_at(self, name: str, volume: float, due_mono_ms: int) -> None:
        heapq.heappush(self._pending, (due_mono_ms, next(self._order), name))
        self._rearm()

    def cancel_pending(self) -> None:
        self._pending.clear()
        self._timer.stop()

    def speak(self, phrase: Phrase, volume: float) -> None:
        """No voice without sound."""

    def say_at(self, phrase: Phrase, volume: float, start_mono_ms: int) -> None:
        """No voice without sound."""

    def stop_all(self) -> None:
        self.cancel_pending()

    def set_theme(self, theme: str) -> None:
        """Every theme flashes alike."""

    def set_voice(self, engine: str, rate: float, voice_name: str) -> None:
        """No voice without sound."""

    def close(self) -> None:
        self.cancel_pending()

    def _flash_due(self) -> None:
        now = self._clock()
        while self._pending and self._pending[0][0] <= now:
            self.played.emit(heapq.heappop(self._pending)[2])
        self._rearm()

    def _rearm(self) -> None:
        if self._pending:
            self._timer.start(max(0, self._pending[0][0] - self._clock()))


def create_sound_output(theme: str, parent: QObject | None = None, **options: Any) -> Any:
    """The sound output for ``theme``, or a silent one saying what is missing and how to fix it.

    ``options`` go to ``SoundEngine`` (a clock, a device id, a speech engine)."""
    problem = sound_module_problem()
    if problem is not None:
        return SilentOutput(problem, parent)
    from PySide6.QtMultimedia import QMediaDevices

    if QMediaDevices.defaultAudioOutput().isNull():
        return SilentOutput(_(NO_DEVICE), parent)
    folder = sounds_folder(theme if theme in ("standard", "low") else "standard")
    if not (folder / "go.wav").exists():
        return SilentOutput(
            _("Sound is off: the sound files are missing from {folder}.").format(folder=folder),
            parent,
        )
    from calftimer.gui.sound.engine import SoundEngine

    return SoundEngine(folder, parent, **options)
