"""Cue timing in real sound, under event-loop stalls: the one-stream engine vs the QSoundEffect
engine it replaced, side by side in one run.

What it measures
----------------
A private sound server (PulseAudio, or PipeWire with ``--server pipewire``; ``tests/realaudio.py``)
with two null sinks, each recorded from its monitor. One Qt event loop runs two real windows
(``MainWindow``) on the monotonic clock, started together on the same program, each with its own
output on its own sink:

* **engine**: ``calftimer.gui.sound.engine.SoundEngine``: one stream, every sound and every word
  of the built-in voice placed at the frame of its deadline;
* **baseline**: the QSoundEffect engine calftimer had before (``benchmarks/qsoundeffect_output.py``,
  kept unchanged for this): effects started from deadlines by a precise timer on an audio thread,
  the voice as word effects.

The program: 5 tempo reps at 1-0-1-0 counted aloud, a 3 s rest announcing what comes next, then
90 pogo jumps at 120 bpm (a metronome beat every 500 ms), after a 4 s get-ready with a 3-2-1
that announces the first set: about 60 s, with the built-in voice speaking. Every 5 s the
window's thread is blocked for 250 ms (``timing.StallInjector``: a slow repaint, a blocking
write), which hits both.

Each cue sound is found in its recording by its own waveform (a matched filter around where it
belongs), so the voice speaking over a beep does not hide it. The onset error of a sound is its
onset minus its deadline, less the one constant output latency of that run (the median). A
sound not found (correlation below 0.5) is dropped. Each phrase is found by its first word and
must end before the moment it announces. Printed: p50 / p95 / max error, dropped, phrases late,
and the ratio of the baseline's p95 to the engine's. Targets for the engine: 0 dropped, p95 <=
1 ms, max <= 2 ms, every phrase ends before its moment.

Run from the repository root (needs the sound server: ``bootstrap.py --test`` installs it)::

    python benchmarks/cue_timing.py                     # PulseAudio, about 75 s
    python benchmarks/cue_timing.py --server pipewire   # a private PipeWire 1.4 + WirePlumber
    python benchmarks/cue_timing.py --json
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import statistics
import sys
import tempfile
from pathlib import Path
from typing import Any

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
REPO_ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO_ROOT))

import numpy as np  # noqa: E402
from stats import json_safe, percentile  # noqa: E402  (benchmarks/stats.py, beside this)
from timing import StallInjector  # noqa: E402

from calftimer.core.clock import monotonic_ms  # noqa: E402
from calftimer.core.exercise import Tempo  # noqa: E402
from calftimer.core.programs import Program, default_block  # noqa: E402
from calftimer.core.settings import Settings  # noqa: E402
from calftimer.core.timeline import CompileOptions  # noqa: E402
from tests.realaudio import RATE  # noqa: E402
from tests.realaudio import SERVERS as SERVER_NAMES  # noqa: E402

RUNNERS = ("engine", "baseline")
TAIL_MS = 2_500
STALL_SHIFT_MS = 363
SEARCH_MS = 80  # a sound is looked for this far either side of where it belongs
FOUND = 0.5  # normalised correlation above which a sound is there
TARGET_P95_MS, TARGET_MAX_MS = 1.0, 2.0
PROGRAM = Program(
    "cue-timing",
    "Cue timing",
    "",
    (
        default_block(
            "double_leg_calf_raise", sets=1, target=5, tempo=Tempo(1, 0, 1, 0), rest_after_s=3
        ),
        default_block("jumping_calf_raise", sets=1, target=90, metronome_bpm=120),
    ),
)
OPTIONS = CompileOptions(countdown_s=3, prepare_s=4)
SETTINGS = Settings(voice_engine="clips", cue_volume=80, voice_volume=60)


class Log:
    """What one window's conductor handed to its output, with instants."""

    def __init__(self) -> None:
        self.sounds: list[tuple[str, int]] = []
        self.phrases: list[tuple[Any, int, int]] = []  # phrase, start, moment


def logged(base: type, log: Log, window_of: Any) -> type:
    """``base`` (an output class) writing down what it is handed."""

    class Logged(base):  # type: ignore[misc, valid-type]
        def play_at(self, name: str, volume: float, due: int) -> None:
            log.sounds.append((name, due))
            super().play_at(name, volume, due)

        def say_at(self, phrase: Any, volume: float, start: int) -> None:
            self._note(phrase, start)
            super().say_at(phrase, volume, start)

        def speak(self, phrase: Any, volume: float) -> None:
            self._note(phrase, monotonic_ms())
            super().speak(phrase, volume)

        def _note(self, phrase: Any, start: int) -> None:
            window = window_of()
            due = window.session.mono_at(phrase.cue.offset_ms) if phrase.cue else None
            if due is not None:
                moment = due - phrase.lead_ms + phrase.duration_ms + phrase.slack_ms
                log.phrases.append((phrase, start, moment))

    return Logged


def play(stall_ms: int, stall_every_s: float, server: Any) -> dict[str, Any]:
    from PySide6.QtCore import Qt, QTimer
    from PySide6.QtWidgets import QApplication
    from qsoundeffect_output import (
        SoundOutput,  # benchmarks/, beside this
        configure_audio_process,
    )

    from calftimer.core.library import ProgramLibrary
    from calftimer.gui.main_window import MainWindow
    from calftimer.gui.sound.engine import SoundEngine
    from calftimer.paths import AppPaths
    from calftimer.resources import sounds_folder

    app = QApplication.instance() or QApplication(["cue-timing"])
    # The baseline as the app ran it: with its fault watch and Qt's own event loop in worker
    # threads (the new engine needs neither; they do not change how it plays).
    configure_audio_process(app)
    folder = sounds_folder("standard")
    windows: dict[str, Any] = {}
    logs = {name: Log() for name in RUNNERS}
    outputs: dict[str, Any] = {}

    class Baseline(SoundOutput):  # type: ignore[misc]
        """The old output, with the phrase timer the old window had: a phrase handed out
        ahead is spoken when a precise timer on the window's thread fires (stalls delay it)."""

        def say_at(self, phrase: Any, volume: float, start: int) -> None:
            timer = QTimer(self)
            timer.setSingleShot(True)
            timer.setTimerType(Qt.TimerType.PreciseTimer)
            timer.timeout.connect(lambda: SoundOutput.speak(self, phrase, volume))  # once logged
            timer.timeout.connect(timer.deleteLater)
            timer.start(max(0, start - monotonic_ms()))
            self._phrase_timers = [t for t in getattr(self, "_phrase_timers", []) if t]
            self._phrase_timers.append(timer)

        def cancel_pending(self) -> None:
            super().cancel_pending()
            for timer in getattr(self, "_phrase_timers", []):
                timer.stop()
            self._phrase_timers = []

    for name, base in (("engine", SoundEngine), ("baseline", Baseline)):
        window = MainWindow(
            ProgramLibrary.load(None),
            monotonic_ms,
            AppPaths(Path(tempfile.mkdtemp(prefix=f"calftimer-cue-timing-{name}-")), "bench"),
            options=OPTIONS,
            settings=SETTINGS,
        )
        windows[name] = window
        cls = logged(base, logs[name], lambda w=window: w)
        outputs[name] = cls(folder, window, device_id=name.encode())
        window.attach_audio(outputs[name])
    stalls = StallInjector(stall_ms, round(stall_every_s * 1000))
    duration = {"ms": 0}

    def start_when_loaded() -> None:
        if any(output.loading for output in outputs.values()):
            QTimer.singleShot(50, start_when_loaded)
            return
        for window in windows.values():
            window.session.start(PROGRAM, wait_for_audio=False)
        duration["ms"] = windows["engine"].session.timeline.duration_ms
        QTimer.singleShot(STALL_SHIFT_MS, stalls.start)
        QTimer.singleShot(duration["ms"] + TAIL_MS, app.quit)

    QTimer.singleShot(1_500, start_when_loaded)  # let every stream settle first
    app.exec()
    stalls.stop()
    for name in RUNNERS:
        outputs[name].close()
        windows[name].close()
    return {"logs": logs, "stalls": len(stalls.windows_ns)}


def sound_samples(name: str) -> np.ndarray:
    from calftimer.gui.sound.engine import read_wav
    from calftimer.resources import sounds_folder

    return read_wav(sounds_folder("standard") / f"{name}.wav").astype(np.float64)


def find(
    recording: np.ndarray, template: np.ndarray, around: int, search_ms: int = SEARCH_MS
) -> tuple[int, float]:
    """Where ``template`` starts in ``recording`` near sample ``around``, and how sure."""
    lo = max(0, around - search_ms * RATE // 1000)
    hi = min(len(recording) - len(template), around + search_ms * RATE // 1000)
    if hi <= lo:
        return around, 0.0
    window = recording[lo : hi + len(template)]
    corr = np.correlate(window, template, mode="valid")
    energy = np.sqrt(np.convolve(window**2, np.ones(len(template)), mode="valid"))
    norm = corr / (np.sqrt(np.sum(template**2)) * np.maximum(energy, 1e-9))
    best = int(np.argmax(norm))
    return lo + best, float(norm[best])


def analyse(log: Log, samples: Any, rec_start_mono: float) -> dict[str, Any]:
    from tests.realaudio import segments

    recording = np.asarray(samples, dtype=np.float64)
    # The recording's offset from the monotonic clock (the server's latency, the recorder's own
    # start): the one that lines up the most onsets with deadlines, to 20 ms...
    onsets = [rec_start_mono + o.start_ms for o in segments(samples, min_gap_ms=50)]
    dues = [due for _, due in log.sounds]
    candidates = [o - d for o in onsets for d in dues]
    coarse = max(
        candidates, key=lambda c: sum(any(abs(o - d - c) <= 20 for o in onsets) for d in dues)
    )
    # ... then each sound is found to the sample by its own waveform, near there.
    templates: dict[str, np.ndarray] = {}
    offsets: list[float] = []
    names: list[tuple[str, int]] = []
    dropped = 0
    spoken = [(start, start + phrase.duration_ms) for phrase, start, _ in log.phrases]
    under_voice = 0
    for name, due in log.sounds:
        if any(begin - 60 <= due <= end for begin, end in spoken):
            under_voice += 1  # a word over it hides its waveform: not measured here
            continue
        template = templates.setdefault(name, sound_samples(name)[: RATE // 20])  # 50 ms
        around = round((due + coarse - rec_start_mono) * RATE / 1000)
        at, score = find(recording, template, around, 40)
        if score < FOUND:
            dropped += 1
            continue
        offsets.append(rec_start_mono + at * 1000 / RATE - due)
        names.append((name, due))
    latency = statistics.median(offsets) if offsets else float("nan")
    errors = [abs(o - latency) for o in offsets]
    first = log.sounds[0][1] if log.sounds else 0
    worst = sorted(zip(errors, names, strict=True), reverse=True)[:3]
    return {
        "scheduled": len(log.sounds),
        "under_voice": under_voice,
        "dropped": dropped,
        "worst": [[round(e, 2), name, due - first] for e, (name, due) in worst],
        # The run's constant: when sounds are heard after their deadlines (the server's and the
        # recorder's latency; compare runners or runs, not with zero).
        "latency_ms": round(latency, 1),
        "error_p50_ms": round(percentile(errors, 50), 3),
        "error_p95_ms": round(percentile(errors, 95), 3),
        "error_max_ms": round(max(errors, default=float("nan")), 3),
        "phrases": len(log.phrases),
        "phrases_late": phrases_late(log, recording, rec_start_mono, latency),
    }


def clip_samples(word: str) -> np.ndarray:
    from calftimer.core.voice_clips import ClipVoice
    from calftimer.gui.sound.engine import resample
    from calftimer.resources import voice_folder

    voice = CLIPS.setdefault("voice", ClipVoice.load(voice_folder()))
    raw = np.frombuffer(voice.clip_bytes(word), dtype=np.int16)
    return resample(raw, voice.rate, RATE).astype(np.float64)


CLIPS: dict[str, Any] = {}


def phrases_late(log: Log, recording: np.ndarray, rec_start: float, latency: float) -> list[Any]:
    """Phrases heard going on past their moment: each one's last word is found in the
    recording by its waveform, and the phrase ends where that word ends. A phrase whose last
    word is not found counts as late (it was not heard as planned)."""
    from calftimer.core.voice_clips import JOIN_MS

    late: list[Any] = []
    first = log.sounds[0][1] if log.sounds else 0
    for phrase, start, moment in log.phrases:
        words = [w for w in phrase.words if w]
        if not words:
            continue
        clips = [clip_samples(w) for w in words]
        offset_ms = sum(len(c) for c in clips[:-1]) * 1000 / RATE + JOIN_MS * (len(clips) - 1)
        last = clips[-1]
        expected = start + latency + offset_ms
        at, score = find(recording, last[: RATE // 10], round((expected - rec_start) * RATE / 1000))
        if score < FOUND:
            late.append([phrase.text, start - first, "not heard"])
            continue
        heard_end = rec_start + (at + len(last)) * 1000 / RATE
        if heard_end > moment + latency + 1:
            late.append([phrase.text, start - first, round(heard_end - moment - latency, 1)])
    return late


def run(stall_ms: int, stall_every_s: float, server_name: str) -> dict[str, Any]:
    import tests.realaudio as realaudio

    with realaudio.open_server(server_name, list(RUNNERS)) as server:
        server.apply()  # this process's Qt talks to the private server
        recordings = {name: server.record(name) for name in RUNNERS}
        rec_start = monotonic_ms()
        result = play(stall_ms, stall_every_s, server)
        samples = {name: rec.stop() for name, rec in recordings.items()}
    out: dict[str, Any] = {"server": server_name, "stalls": result["stalls"], "runners": {}}
    for name in RUNNERS:
        out["runners"][name] = analyse(result["logs"][name], samples[name], rec_start)
    return out


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--stall-ms", type=int, default=250)
    parser.add_argument("--stall-every-s", type=float, default=5.0)
    parser.add_argument(
        "--server", choices=(*SERVER_NAMES, "pulse"), default="pulseaudio", help="pulse: pulseaudio"
    )
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args(argv)
    args.server = SERVER_NAMES[0] if args.server == "pulse" else args.server
    result = run(args.stall_ms, args.stall_every_s, args.server)
    ours, theirs = result["runners"]["engine"], result["runners"]["baseline"]
    theirs["p95_ratio_to_engine"] = round(
        theirs["error_p95_ms"] / max(ours["error_p95_ms"], 0.01), 1
    )
    result["targets_met"] = (
        ours["dropped"] == 0
        and ours["error_p95_ms"] <= TARGET_P95_MS
        and ours["error_max_ms"] <= TARGET_MAX_MS
        and not ours["phrases_late"]
    )
    result["machine"] = (
        f"{platform.machine()}, {os.cpu_count()} CPUs, Python {platform.python_version()}"
    )
    if args.json:
        print(json.dumps(json_safe(result), indent=1))
        return 0
    print(
        f"cue timing on {args.server}, {result['stalls']} stalls of {args.stall_ms} ms, "
        f"{result['machine']}"
    )
    print(
        f"{'':10}{'dropped':>9}{'p50 ms':>9}{'p95 ms':>9}{'max ms':>9}{'late phrases':>14}"
        f"{'p95 x':>7}"
    )
    for name in RUNNERS:
        r = result["runners"][name]
        print(
            f"{name:10}{r['dropped']:>5}/{r['scheduled']:<3}{r['error_p50_ms']:>9}"
            f"{r['error_p95_ms']:>9}{r['error_max_ms']:>9}"
            f"{len(r['phrases_late']):>8}/{r['phrases']:<5}"
            f"{r.get('p95_ratio_to_engine', 1.0):>7}"
        )
    for name in RUNNERS:
        r = result["runners"][name]
        print(f"  {name}: worst [error ms, sound, at ms]: {r['worst']}")
        print(f"  {name}: late phrases [text, at ms, ms late]: {r['phrases_late']}")
        print(f"  {name}: sounds under a phrase (not measured): {r['under_voice']}")
        print(f"  {name}: heard after the deadline (constant, with the recorder's): ", end="")
        print(f"{r['latency_ms']} ms")
    print(
        "targets (engine: 0 dropped, p95 <= 1 ms, max <= 2 ms, no phrase late):",
        "met" if result["targets_met"] else "NOT met",
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
