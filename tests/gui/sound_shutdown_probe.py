"""Quit calftimer at a risky moment for its sound, as the app quits, and exit with its status.

``python -m tests.gui.sound_shutdown_probe MOMENT`` (with a sound server's environment) builds the
real window on the real clock, attaches the sound output the app makes
(``create_sound_output``: the one-stream ``SoundEngine``), and closes the window from code, as
Ctrl+Q does after the stop question, at ``MOMENT``:

``loading``
    at once: the sounds and the built-in voice are being read on the sound thread and the
    stream is being opened after them;
``phrase``
    mid-phrase: a voiced session runs, its first phrase has been sounding for 300 ms and more
    cues wait in the mixer;
``system-voice``
    the system voice was just chosen: its engine (speech-dispatcher) is being created on the
    speech thread, which can take seconds.

Then the event loop ends and Python exits, deleting every Qt object it owns, as the app does.
``tests/gui/test_sound_shutdown.py`` checks the exit status and what Qt printed.
"""

from __future__ import annotations

import sys
import tempfile
from pathlib import Path

from calftimer.core.clock import monotonic_ms

MOMENTS = ("loading", "phrase", "system-voice")
MID_PHRASE_MS = 300
GIVE_UP_MS = 20_000  # the moment never came: exit 3 (the test says so)


def main(argv: list[str]) -> int:
    moment = argv[0]
    if moment not in MOMENTS:
        print(f"unknown moment {moment!r} (one of {', '.join(MOMENTS)})", file=sys.stderr)
        return 2
    from PySide6.QtCore import QTimer
    from PySide6.QtWidgets import QApplication

    from calftimer.core.library import ProgramLibrary
    from calftimer.gui.audio import create_sound_output
    from calftimer.gui.main_window import MainWindow
    from calftimer.paths import AppPaths
    from tests.gui.real_audio_session import SCENARIOS

    app = QApplication(["calftimer-shutdown-probe"])
    program, options, settings = SCENARIOS["voice"]
    window = MainWindow(
        ProgramLibrary.load(None),
        monotonic_ms,
        AppPaths(Path(tempfile.mkdtemp(prefix="calftimer-shutdown-")), "test"),
        options=options,
        settings=settings,
    )
    output = create_sound_output(settings.sound_theme, window)
    if not output.audible:
        print(f"no sound: {output.problem}", file=sys.stderr)
        return 4
    window.attach_audio(output)
    window.show()
    reached: list[str] = []

    def quit_now(what: str) -> None:
        if not reached:
            reached.append(what)
            window.close()  # as Ctrl+Q after "Stop": from code, the session stops at once

    if moment == "loading":
        QTimer.singleShot(0, lambda: quit_now(moment))
    elif moment == "system-voice":
        output.set_voice("system", 0.0, "")
        QTimer.singleShot(0, lambda: quit_now(moment))
    else:
        say_at = output.say_at

        def on_phrase(phrase: object, volume: float, start_mono_ms: int) -> None:
            say_at(phrase, volume, start_mono_ms)
            delay = max(0, start_mono_ms - monotonic_ms()) + MID_PHRASE_MS
            QTimer.singleShot(delay, lambda: quit_now(moment))

        output.say_at = on_phrase  # the conductor hands phrases to the output through this
        window.session.start(program)
    QTimer.singleShot(GIVE_UP_MS, app.quit)
    app.exec()
    if not reached:
        print(f"the moment {moment!r} never came", file=sys.stderr)
        return 3
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
