"""Run one real-time session through calftimer's real audio path and log what it asked for.

``python -m tests.gui.real_audio_session SCENARIO LOG.json SINK`` (with ``PULSE_SERVER`` pointing
at a sound server) builds the real window on the real monotonic clock, attaches the real
``SoundOutput`` (audio thread, QSoundEffect, the built-in voice), starts the scenario's program
and quits a moment after the session ends. The log lists every sound the cue player handed to
the output with the instant it was due, and every phrase with the instant it was handed over, its
expected length and the instant it must have ended by. ``tests/gui/test_real_audio.py`` compares
that with what the sound server actually played.

Scenarios
    ``metronome``: beeps only. A 4 s get-ready with a 3-2-1, then 31 pogo jumps at 120 bpm (the
    "go" and 30 metronome beats, 500 ms apart), then "session done". About 20 s.
    ``voice``: the built-in voice and the cue sounds. Seated calf raises, 2 reps at 2-0-2-0:
    the set is announced during the get-ready and rep 2 is counted ahead, ending as it starts.
    About 14 s.
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
}
TAIL_MS = 1_500  # after the session ends: the last sound rings out


def main(argv: list[str]) -> int:
    scenario, log_path, sink = argv[0], Path(argv[1]), argv[2]
    program, options, settings = SCENARIOS[scenario]

    from PySide6.QtWidgets import QApplication

    from calftimer.core.library import ProgramLibrary
    from calftimer.gui.audio import SoundOutput, create_sound_output
    from calftimer.gui.main_window import MainWindow
    from calftimer.paths import AppPaths

    app = QApplication(["calftimer-real-audio"])
    from calftimer.gui.audio import configure_audio_process

    watch = configure_audio_process(app)  # as calftimer.app does
    folder = Path(tempfile.mkdtemp(prefix="calftimer-real-audio-"))
    window = MainWindow(
        ProgramLibrary.load(None),
        monotonic_ms,
        AppPaths(folder, "test"),
        options=options,
        settings=settings,
    )
    # The real output, on the named sink (the sound server's id of a device is its sink name).
    output = create_sound_output(settings.sound_theme, window, device_id=sink.encode())
    if not isinstance(output, SoundOutput):
        print(f"no sound output: {output.problem}", file=sys.stderr)
        return 2
    log: dict[str, Any] = {"sounds": [], "phrases": [], "dropped": [], "started": []}

    play_at, play_sound, speak = output.play_at, output.play_sound, output.speak

    def logged_play_at(name: str, volume: float, due: int) -> None:
        log["sounds"].append({"name": name, "due": due})
        play_at(name, volume, due)

    def logged_play_sound(name: str, volume: float) -> None:
        log["sounds"].append({"name": name, "due": monotonic_ms(), "late": True})
        play_sound(name, volume)

    def logged_speak(phrase: Any, volume: float) -> None:
        now = monotonic_ms()
        due = window.session.mono_at(phrase.cue.offset_ms) if phrase.cue else None
        moment = None
        if due is not None:
            moment = due - phrase.lead_ms + phrase.duration_ms + phrase.slack_ms
        log["phrases"].append(
            {"text": phrase.text, "handed": now, "duration": phrase.duration_ms, "moment": moment}
        )
        speak(phrase, volume)

    output.play_at = logged_play_at  # type: ignore[method-assign]
    output.play_sound = logged_play_sound  # type: ignore[method-assign]
    output.speak = logged_speak  # type: ignore[method-assign]
    output.dropped.connect(lambda name, late: log["dropped"].append([name, late]))
    # When the audio thread actually started each sound (for diagnosing a late one).
    log["started"] = []
    output._worker.sounded.connect(lambda name, due, at: log["started"].append([name, due, at]))

    started = []
    window.attach_audio(output)  # at once, as the app does

    def start() -> None:
        # Both the sounds and the voice must be loaded: they finish in either order.
        if output.loading or started:
            return
        started.append(True)
        window.session.start(program)
        assert window.session.state is not None
        window.session.state_changed.connect(on_state)

    def on_glitch() -> None:
        window.conductor.restart_output()  # as calftimer.app wires it
        if not started:  # the old output will never be ready: start on the fresh one
            started.append(True)
            window.session.start(program)  # it waits for the output in use (up to 3 s)
            follow.start(50)

    def follow_driver() -> None:
        # The session starts once an output is loaded, which may be a later fresh one (a
        # fault can strike again while one loads): follow whichever starts it.
        if window.session.state is not None:
            follow.stop()
            window.session.state_changed.connect(on_state)

    from PySide6.QtCore import QTimer

    follow = QTimer()
    follow.timeout.connect(follow_driver)

    def on_state(state: object) -> None:
        if getattr(state, "is_over", False):
            from PySide6.QtCore import QTimer

            QTimer.singleShot(TAIL_MS, app.quit)

    watch.glitched.connect(on_glitch)
    output.became_ready.connect(start)
    output.voice_changed.connect(start)
    output.failed.connect(lambda problem: (print(problem, file=sys.stderr), app.exit(3)))
    window.show()
    code = app.exec()
    window.conductor.output.close()  # the output in use: a fault may have replaced the first one
    # A fault of Qt's sound backend (QtAudioGlitchWatch) spoils the recording: the test runs the
    # scenario again and counts it.
    log["qt_audio_glitches"] = watch.glitches
    log_path.write_text(json.dumps(log, indent=1))
    return code


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
