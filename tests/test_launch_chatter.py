"""A launch says nothing on the terminal about Qt's sound plumbing.

Qt's multimedia module announces, on every launch, that an optional PipeWire library is missing
or too old (it then uses PulseAudio, as it should) and which FFmpeg it was built with. None of
that is for the user; calftimer turns those categories down (``calftimer.gui.qt_logging``)
before the module loads, and leaves Qt's real warnings on.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from pathlib import Path

import pytest

from tests.realaudio import PulseServer, SoundServerError
from tests.test_without_sound import ABORT_SIGNS, wait_for

CHATTER = (
    "Couldn't load pipewire-0.3 library",
    "Couldn't resolve pipewire-0.3 symbols",
    "Using Qt multimedia with FFmpeg version",
)


def stream_of(pid: int, env: dict[str, str]) -> bool:
    """The process ``pid`` has a stream on the sound server (its sound output is up)."""
    out = subprocess.run(
        ["pactl", "list", "sink-inputs"], env=env, capture_output=True, text=True, check=False
    ).stdout
    return f'application.process.id = "{pid}"' in out


@pytest.mark.slow
def test_a_launch_prints_none_of_qt_multimedias_chatter(tmp_path: Path) -> None:
    try:
        server = PulseServer(["speakers"])
        server.__enter__()
    except SoundServerError as exc:
        pytest.fail(f"this test needs a sound server: {exc}")
    try:
        env = {k: v for k, v in os.environ.items() if not k.startswith(("CALFTIMER_", "QT_"))}
        env.update(server.env, QT_QPA_PLATFORM="offscreen", HOME=str(tmp_path))
        # The built-in voice: the system voice would start speech-dispatcher, which has
        # nothing to do with what is tested here.
        data = tmp_path / "data"
        data.mkdir()
        (data / "settings.json").write_text('{"voice_engine": "clips"}', encoding="utf-8")
        app = subprocess.Popen(
            [sys.executable, "-m", "calftimer", "--data-dir", str(data)],
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        try:
            # Its stream on the server comes after Qt's sound module has loaded and spoken.
            pactl_env = {**os.environ, **server.env}
            wait_for(
                lambda: stream_of(app.pid, pactl_env) or app.poll() is not None,
                60,
                "the sound output",
            )
            assert app.poll() is None, "calftimer ended by itself: " + app.communicate()[1]
            app.send_signal(signal.SIGINT)  # Ctrl+C in the terminal that started it
            _out, err = app.communicate(timeout=30)
        finally:
            if app.poll() is None:
                app.kill()
                app.communicate()
    finally:
        server.__exit__(None, None, None)
    assert app.returncode == 0, err
    assert not [line for line in err.splitlines() if any(c in line for c in CHATTER)], err
    assert not [sign for sign in ABORT_SIGNS if sign in err], err


def test_qt_multimedias_warnings_stay_on() -> None:
    """Only the chatter is turned down: what Qt's sound module warns about still shows."""
    from PySide6.QtCore import QLoggingCategory

    from calftimer.gui.qt_logging import quiet_qt_chatter

    quiet_qt_chatter()
    ffmpeg = QLoggingCategory("qt.multimedia.ffmpeg")
    assert not ffmpeg.isInfoEnabled()  # "Using Qt multimedia with FFmpeg version ..."
    assert ffmpeg.isWarningEnabled()
    assert QLoggingCategory("qt.multimedia.pulseaudio.output").isWarningEnabled()
    assert QLoggingCategory("qt.multimedia.audiooutput").isWarningEnabled()
    assert QLoggingCategory("qt.multimedia.pipewire").isWarningEnabled()
