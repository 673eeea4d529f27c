"""A real sound server for tests and benchmarks, a recorder of what it played, and onsets.

``PulseServer`` starts a private PulseAudio daemon (its own ``XDG_RUNTIME_DIR``, no system
config, null sinks that play into nothing) and stops it at the end. ``Recording`` runs ``parec``
on a sink's monitor: exactly what applications sent to that sink, sample for sample. ``segments``
finds where sound starts and ends in a recording. Used by ``tests/gui/test_real_audio.py`` and
``benchmarks/cue_timing.py``; ``python`` subprocesses that should play to the server get
``server.env``.
"""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from array import array
from dataclasses import dataclass
from pathlib import Path

RATE = 48_000
FRAME = RATE // 1000  # samples per millisecond


class SoundServerError(RuntimeError):
    """The sound server or the recorder could not start; the message says why."""


class PulseServer:
    """``with PulseServer(["cues"]) as server:``: a daemon with one null sink per name."""

    def __init__(self, sinks: list[str]) -> None:
        self.sinks = sinks
        self.env: dict[str, str] = {}
        self._dir = Path(tempfile.mkdtemp(prefix="calftimer-pulse-"))
        self._process: subprocess.Popen[bytes] | None = None

    def __enter__(self) -> PulseServer:
        missing = [tool for tool in ("pulseaudio", "parec", "pactl") if not shutil.which(tool)]
        if missing:
            raise SoundServerError(
                f"{', '.join(missing)} not installed (apt install pulseaudio pulseaudio-utils)"
            )
        self._dir.chmod(0o700)
        env = dict(os.environ)
        env.update(XDG_RUNTIME_DIR=str(self._dir), HOME=str(self._dir), PULSE_SERVER="")
        env.pop("PULSE_SERVER")
        socket = self._dir / "pulse" / "native"
        command = [
            "pulseaudio",
            "-n",  # no default.pa: nothing but what is loaded here
            "--daemonize=no",
            "--exit-idle-time=-1",
            "--disallow-exit",
            "--log-target=stderr",
            "--log-level=error",
            "--load=module-native-protocol-unix auth-anonymous=1",
            *(
                f"--load=module-null-sink sink_name={name} rate={RATE} channels=1"
                for name in self.sinks
            ),
        ]
        self._process = subprocess.Popen(
            command, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE
        )
        deadline = time.monotonic() + 10
        while not socket.exists():
            if self._process.poll() is not None or time.monotonic() > deadline:
                err = self._stop_and_read_errors()
                raise SoundServerError(f"pulseaudio did not start: {err or 'no socket in 10 s'}")
            time.sleep(0.02)
        self.env = {"XDG_RUNTIME_DIR": str(self._dir), "PULSE_SERVER": f"unix:{socket}"}
        result = subprocess.run(
            ["pactl", "set-default-sink", self.sinks[0]],
            env={**env, **self.env},
            capture_output=True,
            text=True,
        )
        if result.returncode != 0:
            self.__exit__(None, None, None)
            raise SoundServerError(f"pactl could not reach pulseaudio: {result.stderr.strip()}")
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop_and_read_errors()
        shutil.rmtree(self._dir, ignore_errors=True)

    def _stop_and_read_errors(self) -> str:
        process, self._process = self._process, None
        if process is None:
            return ""
        if process.poll() is None:
            process.send_signal(signal.SIGTERM)
            try:
                process.wait(5)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()
        assert process.stderr is not None
        return process.stderr.read().decode(errors="replace").strip()

    def record(self, sink: str) -> Recording:
        return Recording(self, sink)

    def apply(self) -> None:
        """Point this process's future sound clients at the server (for in-process use)."""
        os.environ.update(self.env)


class Recording:
    """``parec`` on ``sink.monitor``, mono 16-bit at ``RATE``; ``stop()`` returns the samples."""

    def __init__(self, server: PulseServer, sink: str) -> None:
        handle, name = tempfile.mkstemp(prefix="calftimer-rec-", suffix=".raw")
        os.close(handle)
        self._path = Path(name)
        command = [
            "parec",
            f"--device={sink}.monitor",
            "--raw",
            "--format=s16le",
            f"--rate={RATE}",
            "--channels=1",
            "--latency-msec=5",
        ]
        env = {**os.environ, **server.env}
        with self._path.open("wb") as out:  # parec keeps its own copy of the descriptor
            self._process = subprocess.Popen(command, env=env, stdout=out, stderr=subprocess.PIPE)
        # parec writes nothing until the stream runs; a silent sink still streams zeros.
        deadline = time.monotonic() + 10
        while self._path.stat().st_size < 2 * RATE // 10:
            if self._process.poll() is not None or time.monotonic() > deadline:
                assert self._process.stderr is not None
                err = self._process.stderr.read().decode(errors="replace").strip()
                self._process.kill()
                raise SoundServerError(f"parec did not record from {sink}: {err or 'no data'}")
            time.sleep(0.01)

    def stop(self) -> array[int]:
        self._process.send_signal(signal.SIGINT)
        try:
            self._process.wait(5)
        except subprocess.TimeoutExpired:
            self._process.kill()
            self._process.wait()
        samples = array("h")
        data = self._path.read_bytes()
        self._path.unlink()
        samples.frombytes(data[: len(data) // 2 * 2])
        if sys.byteorder == "big":
            samples.byteswap()
        return samples


@dataclass(frozen=True)
class Segment:
    """Where a sound starts and ends in a recording, in ms from its first sample."""

    start_ms: float
    end_ms: float


def segments(samples: array[int], *, threshold: int = 600, min_gap_ms: int = 120) -> list[Segment]:
    """Stretches of sound separated by at least ``min_gap_ms`` below ``threshold``.

    A start is the first sample above the threshold (to the sample, so 1/48 ms); an end is the
    last one. Gaps inside one sound (a chime's two notes, the pauses between a phrase's words)
    are shorter than ``min_gap_ms`` and do not split it."""
    found: list[Segment] = []
    start = last = -1
    gap = min_gap_ms * FRAME
    loud = threshold
    for i, s in enumerate(samples):
        if s > loud or s < -loud:
            if start < 0 or i - last > gap:
                if start >= 0:
                    found.append(Segment(start / FRAME, last / FRAME))
                start = i
            last = i
    if start >= 0:
        found.append(Segment(start / FRAME, last / FRAME))
    return found


@dataclass(frozen=True)
class Matched:
    """The result of lining up scheduled instants with recorded onsets (see ``match``)."""

    errors_ms: list[float]  # per matched sound but the first: interval heard minus scheduled
    dropped: int  # scheduled sounds with no onset
    extra: int  # onsets that belong to no scheduled sound


def match(scheduled_ms: list[int], onsets: list[Segment], window_ms: float = 240) -> Matched:
    """Walk the schedule in order, pairing each sound with the onset nearest to where it should
    be heard after the previous one: ``previous onset + scheduled gap``, within ``window_ms``
    (under half of the shortest gap, 500 ms at 120 bpm). The first scheduled sound pairs with
    the first onset. Measuring each sound from the one before keeps a timer that has drifted
    from being counted as dropping every later sound; the drift shows in the errors."""
    if not scheduled_ms or not onsets:
        return Matched([], len(scheduled_ms), len(onsets))
    starts = [o.start_ms for o in onsets]
    used = {0}
    errors: list[float] = []
    previous_due, previous_onset = scheduled_ms[0], starts[0]
    next_free = 1
    for due in scheduled_ms[1:]:
        expected = previous_onset + (due - previous_due)
        best = None
        for j in range(next_free, len(starts)):
            if starts[j] > expected + window_ms:
                break
            if abs(starts[j] - expected) <= window_ms and (
                best is None or abs(starts[j] - expected) < abs(starts[best] - expected)
            ):
                best = j
        if best is None:
            continue  # dropped: the next sound is measured from the last one heard
        used.add(best)
        errors.append(starts[best] - expected)
        previous_due, previous_onset = due, starts[best]
        next_free = best + 1
    matched = len(errors) + 1
    return Matched(errors, len(scheduled_ms) - matched, len(onsets) - len(used))
