"""Run one real-time session through calftimer's real audio path and log what it asked for.

``python -m tests.gui.real_audio_session SCENARIO LOG.json SINK`` (with ``PULSE_SERVER`` pointing
at a sound server) builds the real window on the real monotonic clock, attaches the real
``SoundEngine`` (one stream, the built-in voice mixed in), starts the scenario's program and
quits a moment after the session ends. The log lists every sound the cue player handed to the
engine with the instant it was due, every phrase with the instant its speaking was to start,
its expected length and the instant it must have ended by, and every warning Qt printed about
its sound backend. ``tests/gui/test_real_audio.py`` compares that with what the sound server
actually played.

Scenarios
    ``metronome``: beeps only. A 4 s get-ready with a 3-2-1, then 31 pogo jumps at 120 bpm (the
    "go" and 30 metronome beats, 500 ms apart), then "session done". About 20 s.
    ``voice``: the built-in voice and the cue sounds. Seated calf raises, 2 reps at 2-0-2-0:
    the set is announced during the get-ready and rep 2 is counted ahead, ending as it starts.
    About 14 s.
    ``system``: the system voice (QTextToSpeech through speech-dispatcher) and the cue sounds.
    Seated calf raises, 6 reps at 1-0-1-0, every rep counted ahead. The session starts once the
    system voice has started (it exits 4 if it cannot). About 20 s.
"""

from __future__ import annotations

import json
import sys
import tempfile
from pathlib import Path
from typing import Any

from calftimer.core.clock import monotonic_ms
from calftimer.core.exercise import Tempo
from calftimer.core.programs import Program, default_block
from calftimer.core.settings import Settings
from calftimer.core.timeline import CompileOptions

SCENARIOS: dict[str, tuple[Program, CompileOptions, Settings]] = {
    "metronome": (
        Program(
            "metronome",
            "Metronome",
            "",
            (default_block("jumping_calf_raise", sets=1, target=31, metronome_bpm=120),),
        ),
        CompileOptions(countdown_s=3, prepare_s=4),
        Settings(voice_engine="beeps", cue_volume=80),
    ),
    "voice": (
        Program(
            "voice",
            "Voice",
            "",
            (default_block("seated_calf_raise", sets=1, target=2, tempo=Tempo(2, 0, 2, 0)),),
        ),
        CompileOptions(countdown_s=3, prepare_s=6),
        Settings(voice_engine="clips", cue_volume=80, voice_volume=80),
    ),
    # The system voice (speech-dispatcher, started by the test on the same server): six reps
    # at 1-0-1-0, every rep counted ahead so that its count ends as it starts.
    "system": (
        Program(
            "system",
            "System voice",
            "",
            (default_block("seated_calf_raise", sets=1, target=6, tempo=Tempo(1, 0, 1, 0)),),
        ),
        CompileOptions(countdown_s=3, prepare_s=6),
        Settings(voice_engine="system", cue_volume=80, voice_volume=80),
    ),
}
TAIL_MS = 1_500  # after the session ends: the last sound rings out


def main(argv: list[str]) -> int:
    scenario, log_path, sink = argv[0], Path(argv[1]), argv[2]
    program, options, settings = SCENARIOS[scenario]

    from PySide6.QtCore import QTimer, qInstallMessageHandler
    from PySide6.QtWidgets import QApplication

    from calftimer.core.cues import Phrase
    from calftimer.core.library import ProgramLibrary
    from calftimer.gui.main_window import MainWindow
    from calftimer.gui.sound.engine import SoundEngine
    from calftimer.paths import AppPaths
    from calftimer.resources import sounds_folder

    log: dict[str, Any] = {"sounds": [], "phrases": [], "qt_warnings": [], "skipped": []}

    def on_message(_kind: object, _context: object, message: str) -> None:
        if "QSocketNotifier" in message or "QThread" in message or "pulse" in message.lower():
            log["qt_warnings"].append(message)
        print(message, file=sys.stderr)

    qInstallMessageHandler(on_message)
    app = QApplication(["calftimer-real-audio"])
    folder = Path(tempfile.mkdtemp(prefix="calftimer-real-audio-"))
    window = MainWindow(
        ProgramLibrary.load(None),
        monotonic_ms,
        AppPaths(folder, "test"),
        options=options,
        settings=settings,
    )

    class LoggedEngine(SoundEngine):
        """The real engine, writing down what it is handed (and when it must sound)."""

        def play_at(self, name: str, volume: float, due_mono_ms: int) -> None:
            log["sounds"].append({"name": name, "due": due_mono_ms})
            super().play_at(name, volume, due_mono_ms)

        def play_sound(self, name: str, volume: float) -> None:
            log["sounds"].append({"name": name, "due": monotonic_ms(), "late": True})
            super().play_sound(name, volume)

        def say_at(self, phrase: Phrase, volume: float, start_mono_ms: int) -> None:
            self._log_phrase(phrase, start_mono_ms)
            super().say_at(phrase, volume, start_mono_ms)

        def speak(self, phrase: Phrase, volume: float) -> None:
            self._log_phrase(phrase, monotonic_ms())
            super().speak(phrase, volume)

        def _log_phrase(self, phrase: Phrase, start: int) -> None:
            due = window.session.mono_at(phrase.cue.offset_ms) if phrase.cue else None
            # The instant it must have ended by: its cue's, plus the room the plan gave it.
            moment = (
                None if due is None else due - phrase.lead_ms + phrase.duration_ms + phrase.slack_ms
            )
            log["phrases"].append(
                {
                    "text": phrase.text,
                    "start": start,
                    "duration": phrase.duration_ms,
                    "moment": moment,
                }
            )

    # The real engine, on the named sink (the sound server's id of a device is its sink name).
    output = LoggedEngine(sounds_folder(settings.sound_theme), window, device_id=sink.encode())
    window.attach_audio(output)  # at once, as the app does
    started: list[bool] = []

    def start() -> None:
        # Both the sounds and the voice must be loaded: they finish in either order.
        if output.loading or started:
            return
        if settings.voice_engine == "system" and output.voice != "system":
            return  # the clips speak until the system voice has started and measured itself
        started.append(True)
        skipped = getattr(output._system, "skipped", None)  # absent before the timed voice
        if skipped is not None:
            skipped.connect(lambda text: log["skipped"].append(text))
        window.session.state_changed.connect(on_state)
        window.session.start(program)

    def on_state(state: object) -> None:
        if getattr(state, "is_over", False):
            QTimer.singleShot(TAIL_MS, app.quit)

    output.became_ready.connect(start)
    output.voice_changed.connect(start)
    output.failed.connect(lambda problem: (print(problem, file=sys.stderr), app.exit(3)))
    if settings.voice_engine == "system":
        output.notice.connect(lambda notice: (print(notice, file=sys.stderr), app.exit(4)))
    window.show()
    code = app.exec()
    log["dropped"] = output.dropped
    log["clock_jumps"] = output.frame_clock.jumps
    system = output._system
    if system is not None:
        log["speech"] = {"lead": system.lead_ms, "pause": getattr(system, "pause_ms", -1)}
    window.close()
    output.close()
    log_path.write_text(json.dumps(log, indent=1))
    return code


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
