"""Guard against the PySide6 6.12.0 / CPython <= 3.11 abort (``Fatal Python error:
none_dealloc`` after ~5,000 Qt calls returning None). Runs in a subprocess: if the installed
binding has the bug, the child dies and this test fails instead of a user's workout."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest

CALLS = 25_000

CHILD = f"""
from PySide6.QtCore import QCoreApplication, QTimer
app = QCoreApplication([])
timer = QTimer()
for i in range({CALLS}):
    timer.setInterval(100 + i % 7)   # returns None
    timer.setSingleShot(i % 2 == 0)  # returns None
    timer.start()                    # returns None
    timer.stop()                     # returns None
    app.processEvents()              # returns None
print("survived", {CALLS} * 5)
"""


@pytest.mark.slow
def test_many_qt_calls_returning_none_do_not_kill_the_process() -> None:
    env = dict(os.environ, QT_QPA_PLATFORM="offscreen")
    child = subprocess.run(
        [sys.executable, "-c", CHILD], capture_output=True, text=True, env=env, timeout=120
    )
    assert child.returncode == 0, (
        f"the Qt binding crashed after many None-returning calls (exit {child.returncode}); "
        f"check the PySide6 pin in pyproject.toml.\n{child.stderr[-2000:]}"
    )
    assert child.stdout.strip() == f"survived {CALLS * 5}"
