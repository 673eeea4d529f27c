"""The sound stream asks the server for few, large requests (issue 14's CPU figure), and a
user's own setting of the same variables wins."""

from __future__ import annotations

import os
import subprocess
import sys

from calftimer.gui.sound.stream_requests import STREAM_REQUESTS, calm_stream_requests


def test_the_requests_are_made_unless_the_user_made_their_own(monkeypatch) -> None:
    monkeypatch.delenv("PULSE_LATENCY_MSEC", raising=False)
    monkeypatch.setenv("PIPEWIRE_LATENCY", "256/48000")  # the user's own, lower latency
    calm_stream_requests()
    assert os.environ["PIPEWIRE_LATENCY"] == "256/48000"
    # Not PulseAudio's: it would reach the speech-dispatcher the system voice starts.
    assert "PULSE_LATENCY_MSEC" not in os.environ and "PULSE_LATENCY_MSEC" not in STREAM_REQUESTS
    monkeypatch.delenv("PIPEWIRE_LATENCY")
    calm_stream_requests()
    assert os.environ["PIPEWIRE_LATENCY"] == STREAM_REQUESTS["PIPEWIRE_LATENCY"] == "2048/48000"


def test_the_app_makes_them_before_its_window_and_threads(tmp_path) -> None:
    """The composition root asks before QApplication exists (and so before any Qt thread):
    ``--version`` would not show it, so a window run is cut short at the first paint."""
    probe = (
        "import os, sys\n"
        "import calftimer.app as app\n"
        "from PySide6.QtWidgets import QApplication\n"
        "made = {}\n"
        "real = QApplication.__init__\n"
        "def spy(self, *args):\n"
        "    names = ('PULSE_LATENCY_MSEC', 'PIPEWIRE_LATENCY')\n"
        "    made.update({k: os.environ.get(k) for k in names})\n"
        "    print(made, flush=True)\n"
        "    os._exit(0)\n"
        "QApplication.__init__ = spy\n"
        "app.main([])\n"
    )
    env = {
        k: v for k, v in os.environ.items() if k not in ("PULSE_LATENCY_MSEC", "PIPEWIRE_LATENCY")
    }
    env.update(CALFTIMER_DATA_DIR=str(tmp_path), QT_QPA_PLATFORM="offscreen")
    result = subprocess.run(
        [sys.executable, "-c", probe], env=env, capture_output=True, text=True, timeout=60
    )
    assert "'PIPEWIRE_LATENCY': '2048/48000'" in result.stdout, result.stdout + result.stderr
    assert "'PULSE_LATENCY_MSEC': None" in result.stdout
