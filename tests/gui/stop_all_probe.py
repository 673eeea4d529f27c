"""Silence a sound mid-way, as a pause does, and say when; then silence again when all is quiet.

``python -m tests.gui.stop_all_probe`` (with a sound server's environment) makes the engine the
app makes, waits until its stream runs, hands it a one-second tone due ``LEAD_MS`` from then,
and calls ``stop_all()`` ``STOP_AFTER_MS`` into the tone. A second later, with nothing sounding,
it calls ``stop_all()`` again. It prints one line of JSON: how far into the tone the first call
came, and whether the second one left the stream's clock as it was (the stream was not opened
again: nothing needed dropping). ``tests/gui/test_stop_all.py`` records the sink.
"""

from __future__ import annotations

import json
import sys

import numpy as np

LEAD_MS = 400
STOP_AFTER_MS = 300
TONE_MS = 1_000
GIVE_UP_MS = 20_000


def main() -> int:
    from PySide6.QtCore import QTimer
    from PySide6.QtGui import QGuiApplication

    from calftimer.core.clock import monotonic_ms
    from calftimer.gui.sound.engine import RATE, SoundEngine
    from calftimer.gui.sound.mixer import Voice
    from calftimer.resources import sounds_folder

    app = QGuiApplication(["calftimer-stop-all-probe"])
    engine = SoundEngine(sounds_folder("standard"))
    figures: dict[str, object] = {}
    t = np.arange(RATE * TONE_MS // 1000) / RATE
    tone = (8000 * np.sin(2 * np.pi * 440 * t)).astype(np.int16)

    def play() -> None:
        due = monotonic_ms() + LEAD_MS
        engine.mixer.add(Voice("tone", tone, 1.0, due))

        def stop() -> None:
            figures["stopped_after_ms"] = monotonic_ms() - due
            engine.stop_all()
            QTimer.singleShot(1_000, quiet_stop)

        QTimer.singleShot(LEAD_MS + STOP_AFTER_MS, stop)

    def quiet_stop() -> None:
        anchor = engine.frame_clock.anchor_ms
        engine.stop_all()

        def look() -> None:
            now = engine.frame_clock.anchor_ms
            # The anchor slews by microseconds; a stream opened again learns a new one, or none yet.
            kept = anchor is not None and now is not None and abs(now - anchor) < 1
            figures["quiet_stop_kept_the_stream"] = kept
            app.quit()

        QTimer.singleShot(300, look)

    engine.became_ready.connect(lambda: QTimer.singleShot(200, play) if not figures else None)
    engine.failed.connect(lambda problem: (figures.update(problem=problem), app.quit()))
    QTimer.singleShot(GIVE_UP_MS, app.quit)
    app.exec()
    engine.close()
    print(json.dumps(figures), flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
