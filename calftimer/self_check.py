"""``calftimer --self-check``: prove that an installed calftimer works, headless, in seconds.

The packaging script runs it on every fresh bundle, so a library, Qt plugin or data file that the
bundler left out shows up there and not on a user's machine; a user can run it to ask "does my
install work?". It runs offscreen in a temporary data folder and touches nothing of the user's.

Each step uses the app's own code paths:

1. catalog and programs: every built-in program compiles to a timeline;
2. history: a real session (fake clock) produces a set, the store writes it (fsync), and a
   second store opened on the same folder reads it back unchanged;
3. sounds: every cue sound of both themes and every clip of the built-in voice is read; with a
   sound device, the audio thread loads them into Qt exactly as the app does;
4. window: the main window, the app icon and the history chart (pyqtgraph) are drawn.

It prints one line and exits 0 (``calftimer 0.1.0 self-check passed: ...``), or names the step
that failed and why and exits 1. The speech engines are listed but never required: a machine
without speech-dispatcher still has the built-in voice.
"""

from __future__ import annotations

import os
import sys
import tempfile
import time
import wave
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

from calftimer import __version__
from calftimer.core.i18n import N_, _, format_number, n_

if TYPE_CHECKING:
    from calftimer.core.library import ProgramLibrary

SOUND_LOAD_TIMEOUT_MS = 15_000  # the sounds, the clips and the stream's clock: ~1 s here
CHART_LOAD_TIMEOUT_MS = 30_000  # the chart library imports in under a second here


class CheckFailedError(Exception):
    """A step failed; the message says what is wrong."""


def run_self_check(emit: Callable[[str], None] = print) -> int:
    """Run every step; emit one summary line; 0 when all passed, else 1."""
    # Offscreen even when a display exists: the check must behave the same in CI and at a desk.
    os.environ["QT_QPA_PLATFORM"] = "offscreen"
    started = time.monotonic()
    found: list[str] = []
    qt_messages: list[str] = []
    step = N_("start")
    try:
        with tempfile.TemporaryDirectory(prefix="calftimer-self-check-") as folder:
            data_dir = Path(folder)
            step = N_("catalog and programs")
            library, summary = _check_programs(data_dir)
            found.append(summary)
            step = N_("history store")
            found.append(_check_store(data_dir, library))
            step = N_("sound files")
            found.append(_check_sound_files())
            step = N_("Qt")
            app = _application(qt_messages)
            step = N_("sound output")
            found.append(_check_sound_output())
            step = N_("window")
            found.append(_check_window(app, data_dir))
            step = N_("speech engines")
            found.append(_speech_engines())
    except Exception as exc:  # every failure must become the one line, not a traceback
        # One line: the first line of the error and, for long ones (numpy's import error is a
        # page of advice), the last, which names the cause.
        lines = [line.strip() for line in str(exc).splitlines() if line.strip()]
        reason = " ... ".join(lines[:1] + lines[-1:] if len(lines) > 1 else lines)
        reason = reason or type(exc).__name__
        if not isinstance(exc, CheckFailedError):
            reason = f"{type(exc).__name__}: {reason}"
        emit(
            _("calftimer {version} self-check FAILED at {step}: {reason}").format(
                version=__version__, step=_(step), reason=reason
            )
        )
        for message in qt_messages:  # Qt's own words on what it could not load
            print(f"  qt: {message}", file=sys.stderr)
        return 1
    seconds = time.monotonic() - started
    emit(
        _("calftimer {version} self-check passed in {seconds} s: {found}").format(
            version=__version__, seconds=format_number(seconds, 1), found="; ".join(found)
        )
    )
    return 0


def _check_programs(data_dir: Path) -> tuple[ProgramLibrary, str]:
    from calftimer.core.catalog import EXERCISES
    from calftimer.core.library import ProgramLibrary
    from calftimer.core.timeline import compile_program

    library = ProgramLibrary.load(data_dir / "programs")
    if not library.programs:
        raise CheckFailedError(_("no built-in programs"))
    for program in library.programs:
        if compile_program(program).duration_ms <= 0:
            raise CheckFailedError(
                _("program {id} compiles to an empty timeline").format(id=repr(program.id))
            )
    exercises = n_("{n} exercise", "{n} exercises", len(EXERCISES)).format(n=len(EXERCISES))
    programs = n_("{n} program", "{n} programs", len(library.programs)).format(
        n=len(library.programs)
    )
    return library, _("{exercises}, {programs}").format(exercises=exercises, programs=programs)


def _check_store(data_dir: Path, library: ProgramLibrary) -> str:
    from calftimer.core.session import Session
    from calftimer.core.store import Store
    from calftimer.core.timeline import compile_program

    program = library.resolve("foundation")
    timeline = compile_program(program)
    now = [0]
    session = Session(timeline, lambda: now[0])
    session.start()
    now[0] = timeline.work_sets[0].end_ms + 1  # the clock started at 0: timeline time is mono
    records = session.poll().records
    if not records:
        raise CheckFailedError(_("the session recorded no set at the end of its first set"))
    record = records[0]
    store = Store.open(data_dir)
    session_id = store.begin_session(program.id, program.name, session.started_at)
    store.add_set(session_id, record)
    reread = Store.open(data_dir).session(session_id)["sets"]
    wanted = (record.work.exercise_id, record.done, record.work.side.value)
    got = [(s["exercise"], s["done"], s["side"]) for s in reread]
    if got != [wanted]:
        raise CheckFailedError(
            _("wrote the set {wanted} and read back {got}").format(wanted=wanted, got=got)
        )
    return _("a set written and read back")


def _check_sound_files() -> str:
    from calftimer.core.voice_clips import ClipError, ClipVoice
    from calftimer.gui.audio import SOUND_NAMES
    from calftimer.resources import sounds_folder, voice_folder

    count = 0
    for theme in ("standard", "low"):
        for name in SOUND_NAMES:
            path = sounds_folder(theme) / f"{name}.wav"
            try:
                with wave.open(str(path), "rb") as wav:
                    shape = (wav.getnchannels(), wav.getsampwidth(), wav.getframerate())
                    frames = wav.getnframes()
            except (OSError, EOFError, wave.Error) as exc:
                raise CheckFailedError(
                    _("{path}: cannot be read ({reason})").format(path=path, reason=exc)
                ) from exc
            if shape != (1, 2, 48_000) or frames == 0:
                raise CheckFailedError(
                    _("{path}: must be 16-bit mono 48 kHz audio").format(path=path)
                )
            count += 1
    try:
        clips = ClipVoice.load(voice_folder())
    except ClipError as exc:
        raise CheckFailedError(str(exc)) from exc
    clip_count = len(clips.words())
    return _("{sounds} and {clips} read").format(
        sounds=n_("{n} sound", "{n} sounds", count).format(n=count),
        clips=n_("{n} voice clip", "{n} voice clips", clip_count).format(n=clip_count),
    )


def _application(qt_messages: list[str]) -> Any:
    """The QApplication, with Qt's console chatter (plugins it probed, the offscreen platform's
    limits) kept for the failure report instead of printed: success is one line."""
    from PySide6.QtCore import qInstallMessageHandler
    from PySide6.QtWidgets import QApplication

    qInstallMessageHandler(lambda _kind, _context, text: qt_messages.append(text))
    return QApplication.instance() or QApplication(["calftimer"])


def _check_sound_output() -> str:
    """With a device, load every sound through the app's audio thread; without one, import the
    multimedia module only (a bundle that lost it would be silent for everyone)."""
    try:
        from PySide6.QtMultimedia import QMediaDevices
    except ImportError as exc:
        if "libpulse" in str(exc):
            message = _(
                "Qt's multimedia module does not load: {reason}; install libpulse0 (Debian/Ubuntu)"
            )
        else:
            message = _("Qt's multimedia module does not load: {reason}")
        raise CheckFailedError(message.format(reason=exc)) from exc
    from PySide6.QtCore import QEventLoop, QTimer

    from calftimer.gui.audio import create_sound_output
    from calftimer.gui.sound.engine import SoundEngine

    if QMediaDevices.defaultAudioOutput().isNull():
        return _("no sound device here, so sounds were not played")
    output = create_sound_output("standard")
    if not isinstance(output, SoundEngine):
        raise CheckFailedError(output.problem)
    loop = QEventLoop()
    problems: list[str] = []
    output.became_ready.connect(loop.quit)
    output.failed.connect(lambda problem: (problems.append(problem), loop.quit()))
    QTimer.singleShot(SOUND_LOAD_TIMEOUT_MS, loop.quit)
    if output.loading:
        loop.exec()
    ready = not output.loading and not output.problem
    output.close()
    if problems:
        raise CheckFailedError(problems[0])
    if not ready:
        raise CheckFailedError(
            _("the sounds were not ready after {ms} ms").format(ms=SOUND_LOAD_TIMEOUT_MS)
        )
    device = QMediaDevices.defaultAudioOutput().description()
    return _("sounds loaded on {device}").format(device=device)


def _check_window(app: Any, data_dir: Path) -> str:
    from PySide6.QtCore import QEventLoop

    from calftimer.core.clock import monotonic_ms
    from calftimer.core.library import ProgramLibrary
    from calftimer.core.settings import Settings
    from calftimer.core.store import BackgroundWriter, Store
    from calftimer.gui.app_icon import app_icon
    from calftimer.gui.keep_awake import NullKeepAwake
    from calftimer.gui.main_window import MainWindow
    from calftimer.paths import AppPaths

    icon = app_icon()
    if icon.isNull() or len(icon.availableSizes()) < 8:
        raise CheckFailedError(
            _("the app icon has {n} of 8 sizes").format(n=len(icon.availableSizes()))
        )
    paths = AppPaths(data_dir, "--data-dir")
    writer = BackgroundWriter()
    window = MainWindow(
        ProgramLibrary.load(paths.programs_dir),
        monotonic_ms,
        paths,
        settings=Settings(),
        keep_awake=NullKeepAwake("self-check"),
    )
    try:
        window.attach_store(Store.open(data_dir), writer)
        window.show()
        app.processEvents(QEventLoop.ProcessEventsFlag.AllEvents, 100)
        _require_drawn(window.grab(), _("the main window"))
        window.history.show()  # imports pyqtgraph and numpy on a thread, then draws our set
        deadline = time.monotonic() + CHART_LOAD_TIMEOUT_MS / 1000
        while window.history.view is None or window.stack.currentWidget() is not (
            window.history.view
        ):
            if time.monotonic() > deadline or window.stack.currentWidget() is window.home:
                # The window went back home and said why (an import failed), or nothing came.
                raise CheckFailedError(
                    window.statusBar().currentMessage() or _("the history chart did not load")
                )
            app.processEvents(QEventLoop.ProcessEventsFlag.WaitForMoreEvents, 100)
        app.processEvents(QEventLoop.ProcessEventsFlag.AllEvents, 100)
        _require_drawn(window.history.view.grab(), _("the history chart"))
    finally:
        window.close()
        writer.close()
        window.deleteLater()
        app.processEvents()
    return _("window, icon and history chart drawn")


def _require_drawn(pixmap: Any, what: str) -> None:
    """A grab that is empty or of one colour means nothing was drawn."""
    image = pixmap.toImage()
    if image.isNull() or image.width() < 100:
        raise CheckFailedError(_("{what} could not be drawn").format(what=what))
    step_x, step_y = max(1, image.width() // 24), max(1, image.height() // 24)
    colours = {
        image.pixel(x, y)
        for x in range(0, image.width(), step_x)
        for y in range(0, image.height(), step_y)
    }
    if len(colours) < 3:
        raise CheckFailedError(_("{what} is blank").format(what=what))


def _speech_engines() -> str:
    try:
        from PySide6.QtTextToSpeech import QTextToSpeech
    except ImportError as exc:  # the app speaks with its built-in voice then
        return _("no system voice (Qt's speech module does not load: {reason})").format(reason=exc)
    engines = [e for e in QTextToSpeech.availableEngines() if e != "mock"]
    if not engines:
        return _("speech engines: none (the built-in voice speaks)")
    return _("speech engines: {engines}").format(engines=", ".join(engines))
