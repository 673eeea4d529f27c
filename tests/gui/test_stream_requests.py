"""The sound stream asks the server for few, large requests, and its thread wakes only at its
own pace (issue 14's CPU figure); a user's own setting of the variables wins, and nothing
calftimer starts inherits PulseAudio's request."""

from __future__ import annotations

import json
import os
import subprocess
import sys

import pytest

from calftimer.gui.sound import stream_requests
from calftimer.gui.sound.engine import TICK_MS
from calftimer.gui.sound.stream_requests import (
    PULSE_LATENCY_IDLE,
    PULSE_LATENCY_MS,
    STREAM_REQUESTS,
    calm_stream_requests,
    opening_stream,
)
from tests.gui.probe_run import ROOT, probe_env
from tests.realaudio import SoundServer

PULSE = "PULSE_LATENCY_MSEC"


@pytest.fixture
def clean_requests(monkeypatch: pytest.MonkeyPatch) -> pytest.MonkeyPatch:
    monkeypatch.delenv(PULSE, raising=False)
    monkeypatch.delenv("PIPEWIRE_LATENCY", raising=False)
    monkeypatch.setattr(stream_requests, "_pulse_latency_ours", False)
    return monkeypatch


def test_the_requests_are_made_unless_the_user_made_their_own(clean_requests) -> None:
    clean_requests.setenv("PIPEWIRE_LATENCY", "256/48000")  # the user's own, lower latency
    calm_stream_requests()
    assert os.environ["PIPEWIRE_LATENCY"] == "256/48000"
    clean_requests.delenv("PIPEWIRE_LATENCY")
    calm_stream_requests()
    assert os.environ["PIPEWIRE_LATENCY"] == STREAM_REQUESTS["PIPEWIRE_LATENCY"] == "2048/48000"


def test_pulseaudio_is_asked_only_while_calftimers_own_stream_opens(clean_requests) -> None:
    calm_stream_requests()
    assert os.environ[PULSE] == PULSE_LATENCY_IDLE == "0"  # what libpulse ignores
    with opening_stream():
        assert os.environ[PULSE] == str(PULSE_LATENCY_MS) == "100"
    assert os.environ[PULSE] == "0"
    with pytest.raises(RuntimeError), opening_stream():
        raise RuntimeError("the stream would not open")
    assert os.environ[PULSE] == "0"


def test_a_users_own_pulseaudio_latency_is_never_touched(clean_requests) -> None:
    clean_requests.setenv(PULSE, "25")
    calm_stream_requests()
    with opening_stream():
        assert os.environ[PULSE] == "25"
    assert os.environ[PULSE] == "25"


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
    env = {k: v for k, v in os.environ.items() if k not in (PULSE, "PIPEWIRE_LATENCY")}
    env.update(CALFTIMER_DATA_DIR=str(tmp_path), QT_QPA_PLATFORM="offscreen")
    result = subprocess.run(
        [sys.executable, "-c", probe], env=env, capture_output=True, text=True, timeout=60
    )
    assert "'PIPEWIRE_LATENCY': '2048/48000'" in result.stdout, result.stdout + result.stderr
    assert "'PULSE_LATENCY_MSEC': '0'" in result.stdout


@pytest.mark.slow
def test_the_stream_and_its_thread_wake_rarely(sound_server: SoundServer) -> None:
    """A running engine on a real server: its sound thread wakes at its own pace (about
    1000 / TICK_MS a second; with an event loop it was woken at each of the server's requests,
    250 a second through PulseAudio), and the server's requests come at most 60 times a second
    (PulseAudio's thread in Qt, PipeWire's data loop: 250-300 through PulseAudio before)."""
    env = probe_env(sound_server.env)
    for name in (PULSE, *STREAM_REQUESTS):
        env.pop(name, None)  # as a desktop session starts calftimer
    process = subprocess.Popen(
        [sys.executable, "-m", "tests.gui.stream_pace_probe"],
        cwd=ROOT,
        env=env,
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        assert process.stdout is not None and process.stdin is not None
        line = process.stdout.readline()
        process.stdin.write("\n")
        process.stdin.flush()
        assert process.wait(30) == 0, process.stderr.read() if process.stderr else ""
    finally:
        if process.poll() is None:
            process.kill()
        process.communicate()
    assert line.startswith("READY "), line
    figures = json.loads(line.removeprefix("READY "))
    assert "problem" not in figures, figures
    pace = 1000 / TICK_MS
    assert figures["sound_thread"] <= pace * 1.5 + 2, figures
    server_thread = {"pulseaudio": "QPulseAudioEngi", "pipewire": "data-loop.0"}[sound_server.kind]
    server_rates = [rate for rate, name in figures["threads"] if name == server_thread]
    assert server_rates and max(server_rates) <= 60, figures
    # What a program started by calftimer now would inherit: the value libpulse ignores.
    assert figures["pulse_latency_env"] == "0"
