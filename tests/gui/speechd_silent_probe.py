"""Start the system voice against a speech-dispatcher that stops answering, and report.

``python -m tests.gui.speechd_silent_probe`` (``SPEECHD_ADDRESS`` pointing at the test's
socket) makes a ``SystemVoice`` with a 1.5 s start time-out and a 50 ms timer on the window's
thread, and prints one line of JSON when the voice gives up (or after ``GIVE_UP_MS``): the advice,
the voice's state and how many times the window's timer fired meanwhile. It then ends at once,
leaving its speech thread waiting: libspeechd crashes if the other end hangs up mid-answer, so
the test closes its socket only after this process has gone.
"""

from __future__ import annotations

import json
import os
import sys

GIVE_UP_MS = 20_000


def main() -> None:
    from PySide6.QtCore import QTimer
    from PySide6.QtGui import QGuiApplication

    from calftimer.gui.sound.speech import SystemVoice

    app = QGuiApplication(["calftimer-speechd-silent-probe"])
    ticks: list[int] = []
    timer = QTimer()
    timer.timeout.connect(lambda: ticks.append(1))
    timer.start(50)
    voice = SystemVoice("speechd", start_timeout_ms=1_500)
    report: dict[str, object] = {}

    def done(advice: str = "") -> None:
        report.update(advice=advice, state=voice.state, ticks=len(ticks))
        app.quit()

    voice.failed.connect(done)
    voice.ready.connect(lambda _voices: done())
    QTimer.singleShot(GIVE_UP_MS, done)
    app.exec()
    print(json.dumps(report), flush=True)
    os._exit(0)


if __name__ == "__main__":
    main()
    sys.exit(1)
