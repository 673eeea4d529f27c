"""Play a metronome through the real ``SoundEngine`` and move the system's default output
half-way, as headphones plugged in during a session do.

``python -m tests.gui.device_change_session LOG.json NEW_SINK`` (with ``PULSE_SERVER`` pointing at
a private PulseAudio whose default sink is another one): the engine follows the default output
(no device chosen), a beat is handed to it every ``BEAT_MS`` for ``BEATS`` beats, all of them at
once before the first is due, and ``SWITCH_AFTER_MS`` after the first beat ``pactl
set-default-sink NEW_SINK`` moves the default. The log has every beat's deadline, the instant of
the switch, what the engine dropped and how often its clock started again.
``tests/gui/test_device_change.py`` compares it with what the new sink played.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

BEAT_MS = 500
BEATS = 16
LEAD_MS = 1_000  # the first beat is due this long after the engine is ready
SWITCH_AFTER_MS = 3_250  # between two beats: the next one is due 250 ms after the switch
TAIL_MS = 1_000


def main(argv: list[str]) -> int:
    log_path, new_sink = Path(argv[0]), argv[1]
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    from PySide6.QtCore import QTimer
    from PySide6.QtWidgets import QApplication

    from calftimer.core.clock import monotonic_ms
    from calftimer.gui.sound.engine import SoundEngine
    from calftimer.resources import sounds_folder

    app = QApplication([])
    engine = SoundEngine(sounds_folder("standard"))  # no device: it follows the default
    log: dict[str, Any] = {"dues": [], "switch": None, "restarts": 0}
    engine.failed.connect(lambda problem: (print(problem, file=sys.stderr), app.exit(3)))

    def start() -> None:
        if engine.loading or log["dues"]:
            return
        first = monotonic_ms() + LEAD_MS
        log["dues"] = [first + BEAT_MS * i for i in range(BEATS)]
        for due in log["dues"]:
            engine.play_at("beat", 0.8, due)
        QTimer.singleShot(LEAD_MS + SWITCH_AFTER_MS, switch)
        QTimer.singleShot(LEAD_MS + BEAT_MS * BEATS + TAIL_MS, app.quit)

    def switch() -> None:
        log["switch"] = monotonic_ms()
        subprocess.run(["pactl", "set-default-sink", new_sink], check=True, timeout=10)

    engine.became_ready.connect(start)
    QTimer.singleShot(0, start)
    QTimer.singleShot(30_000, lambda: app.exit(4))  # never hangs a test
    code = app.exec()
    log["dropped"] = engine.dropped
    engine.close()
    log_path.write_text(json.dumps(log, indent=1))
    return code


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
