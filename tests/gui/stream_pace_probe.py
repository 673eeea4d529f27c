"""How often the sound thread of a running SoundEngine wakes, measured in its own process.

``python -m tests.gui.stream_pace_probe`` (with a sound server's environment) makes the engine
the app makes, waits until its stream runs and its clock is anchored, counts the sound thread's
voluntary context switches, and every other thread's (``/proc/self/task/*/status``) over
``MEASURE_MS``, then prints
one line, ``READY {json}``, and waits for a line on stdin (the test looks at the server's
streams meanwhile) before it closes the engine and exits 0.
"""

from __future__ import annotations

import json
import os
import sys
import time

MEASURE_MS = 2_000
GIVE_UP_MS = 20_000


def switches() -> dict[int, tuple[str, int]]:
    """Every thread of this process: its name and voluntary context switches so far."""
    found: dict[int, tuple[str, int]] = {}
    for tid in os.listdir("/proc/self/task"):
        try:
            with open(f"/proc/self/task/{tid}/status", encoding="utf-8") as status:
                fields = dict(line.split(":", 1) for line in status if ":" in line)
        except OSError:
            continue  # ended meanwhile
        found[int(tid)] = (fields["Name"].strip(), int(fields["voluntary_ctxt_switches"]))
    return found


def main() -> int:
    from PySide6.QtCore import QTimer
    from PySide6.QtGui import QGuiApplication

    from calftimer.gui.sound.engine import SoundEngine
    from calftimer.resources import sounds_folder

    app = QGuiApplication(["calftimer-stream-pace-probe"])
    engine = SoundEngine(sounds_folder("standard"))
    figures: dict[str, object] = {}

    def measure() -> None:
        before, began = switches(), time.monotonic()

        def done() -> None:
            seconds = time.monotonic() - began
            after = switches()
            rates = {
                tid: (name, (count - before[tid][1]) / seconds)
                for tid, (name, count) in after.items()
                if tid in before
            }
            figures["sound_thread"] = rates[engine.sound_thread.native_id][1]
            figures["threads"] = sorted((rate, name) for name, rate in rates.values())[::-1]
            figures["pulse_latency_env"] = os.environ.get("PULSE_LATENCY_MSEC")
            app.quit()

        QTimer.singleShot(MEASURE_MS, done)

    engine.became_ready.connect(lambda: QTimer.singleShot(500, measure))
    engine.failed.connect(lambda problem: (figures.update(problem=problem), app.quit()))
    QTimer.singleShot(GIVE_UP_MS, app.quit)
    app.exec()
    print("READY " + json.dumps(figures), flush=True)
    sys.stdin.readline()
    engine.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
