"""Quitting never aborts, whatever the sound is doing, and Qt's socket-notifier fault is gone.

Where the fault came from (issue 14): Qt 6.10+ plays every ``QSoundEffect`` through a
``QRtAudioEngine`` shared per device and format. Made on a thread other than the main one, that
engine moves itself to the main thread, but the ``QSocketNotifier`` inside its wake-up event
(``QAutoResetEventEventFD``, a member without a parent) stays registered with the thread that
made it. When the last effect goes, the engine is deleted on the main thread and so is that
notifier: Qt prints "QSocketNotifier: Socket notifiers cannot be enabled or disabled from
another thread" (native backtrace: ``~QSocketNotifier`` <- ``~QAutoResetEventEventFD`` <-
``~QRtAudioEngine``, from a deferred delete on the main thread), the making thread's event
loop keeps polling a closed descriptor ("QSocketNotifier: Invalid socket ..." thousands of times
a second, a core spinning), that thread cannot stop, and freed memory stays registered with
it: "QThread: Destroyed while thread is still running" (SIGABRT) or heap corruption
("malloc(): mismatching next->prev_size") at exit. calftimer's old output made its effects on
an audio thread, and its restart path deleted them while that thread ran. Reproduced outside
calftimer with one ``QSoundEffect`` made, played and deleted on a worker thread (the same
effect made on the main thread: no message, exit 0).

The one-stream engine plays through one ``QAudioSink`` that its own thread makes, uses and
deletes, and no ``QSoundEffect`` at all: ``test_no_sound_effects`` keeps it that way. The other
tests quit, on each real sound server, at the moments where a thread or a stream is mid-way
(``sound_shutdown_probe.py``) and check the exit status and everything Qt printed.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

from tests.gui.sound_shutdown_probe import MOMENTS
from tests.realaudio import SoundServer

ROOT = Path(__file__).resolve().parents[2]
PROBE_TIMEOUT_S = 60
FAULTS = re.compile(
    r"QSocketNotifier|QThread: Destroyed|Traceback|Fatal Python error|malloc|corrupted|"
    r"double free|did not stop|cues may have been missed",
    re.IGNORECASE,
)
# Importing or constructing one (a mention in a docstring is not a use).
MAKES_SOUND_EFFECT = re.compile(r"\bQSoundEffect\s*\(|import .*\bQSoundEffect\b")


def test_no_sound_effects() -> None:
    """No QSoundEffect anywhere in the app: each one brings Qt's shared per-device engine, whose
    socket notifier stays with the thread that first made an effect (see the module's doc)."""
    found = [
        f"{path.relative_to(ROOT)}:{number}"
        for path in sorted((ROOT / "calftimer").rglob("*.py"))
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1)
        if MAKES_SOUND_EFFECT.search(line)
    ]
    assert not found, f"QSoundEffect is used again at {', '.join(found)}"


@pytest.mark.slow
@pytest.mark.parametrize("moment", MOMENTS)
def test_quitting_never_aborts(sound_server: SoundServer, moment: str) -> None:
    env = {
        **os.environ,
        **sound_server.env,
        "QT_QPA_PLATFORM": "offscreen",
        "PYTHONPATH": str(ROOT),
    }
    env.pop("QT_FATAL_WARNINGS", None)
    process = subprocess.Popen(
        [sys.executable, "-m", "tests.gui.sound_shutdown_probe", moment],
        cwd=ROOT,
        env=env,
        stdin=subprocess.DEVNULL,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    try:
        output, _ = process.communicate(timeout=PROBE_TIMEOUT_S)
    except BaseException:
        process.kill()
        output, _ = process.communicate()
        pytest.fail(f"quitting at {moment!r} hung for {PROBE_TIMEOUT_S} s:\n{output[-3000:]}")
    faults = [line for line in output.splitlines() if FAULTS.search(line)]
    assert process.returncode == 0, f"exit {process.returncode} at {moment!r}:\n{output[-3000:]}"
    assert not faults, f"quitting at {moment!r} printed:\n" + "\n".join(faults[:20])
