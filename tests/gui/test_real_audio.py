"""Real sound, in real time: what a runner on the floor actually hears.

Every scenario runs on both Linux sound servers, one after the other (``sound_server``,
tests/conftest.py): a private PulseAudio daemon, then a private PipeWire daemon with WirePlumber
(a current one: Qt 6.11 needs libpipewire 0.3.75 or newer), each with two null sinks. Each
scenario of ``real_audio_session.py`` runs in its own process, on its own sink, with Qt's backend
for that server (``QT_AUDIO_BACKEND``), recorded from that sink (``parec`` on its monitor;
``pw-record`` capturing the sink, asking for the graph's 1024-frame quantum). The two sessions
run at once (about 25 s per server). The recording is then compared with the log of
what the app asked for, and the targets are the same on both servers:

- the app's playback stream reached that server through its own client library (on PipeWire:
  libpipewire, Qt's PipeWire backend, not the PulseAudio protocol) and played into its sink;
- one onset per scheduled sound, and no onset that is neither a sound nor part of a phrase;
- every interval between onsets within ``PLACED_MS`` of the schedule (each sound is placed by
  the sample: one constant output latency is all that separates a recording from the plan);
- the 120 bpm metronome keeps 500 ms +/- ``PLACED_MS`` over 30 beats;
- a phrase spoken ahead of its moment is heard in full before that moment;
- Qt says nothing about its sound backend (no socket-notifier fault), nothing was dropped and
  the engine never had to re-anchor its clock.

If a sound server cannot start, the test fails and says why: it never skips.
"""

from __future__ import annotations

import itertools
import json
import os
import statistics
import subprocess
import sys
import time
from array import array
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from tests.realaudio import Segment, SoundServer, Stream, segments

ROOT = Path(__file__).resolve().parents[2]
MATCH_MS = 20  # an onset this close to a sound's scheduled instant is that sound
PLACED_MS = 2  # every interval between two sounds as planned, to this much
SCENARIOS = ("metronome", "voice")
SESSION_TIMEOUT_S = 120
pytestmark = [pytest.mark.slow, pytest.mark.sound_sinks(*SCENARIOS)]  # a sink per scenario


@dataclass
class Run:
    log: dict[str, Any]
    onsets: list[Segment]
    offset_ms: float  # recording time minus monotonic time, from the matched sounds
    streams: list[Stream]  # the app's playback streams, as the sound server saw them


@pytest.fixture(scope="module")
def runs(sound_server: SoundServer, tmp_path_factory: pytest.TempPathFactory) -> dict[str, Run]:
    folder = tmp_path_factory.mktemp(f"real-audio-{sound_server.kind}")
    env = {
        **os.environ,
        **sound_server.env,
        "QT_QPA_PLATFORM": "offscreen",
        "PYTHONPATH": str(ROOT),
    }
    # Both sessions at once, each on its own sink: every sound is placed by the sample in a
    # buffer handed over ahead, so sharing the 2 CPUs must not move one (with the QSoundEffect
    # output it did, and the sessions ran one after the other). It halves the test's time.
    recordings = {name: sound_server.record(name) for name in SCENARIOS}
    with sound_server.watch_streams() as watch:
        ended = run_sessions(folder, env)
    samples = {name: recording.stop() for name, recording in recordings.items()}
    for name, (code, errors, _pid) in ended.items():
        assert code == 0, f"{name} session failed ({code}): {errors[-4000:]}"
    return {
        name: analyse(
            json.loads((folder / name).read_text()), samples[name], watch.of(ended[name][2])
        )
        for name in SCENARIOS
    }


def run_sessions(folder: Path, env: dict[str, str]) -> dict[str, tuple[int, str, int]]:
    """Run every scenario's session to its end, each playing to the sink named after it and
    logging to ``folder / name``: its exit code, what it printed on stderr and its process id.
    Every one is killed if they outlive their time, or if anything fails here."""
    processes: dict[str, subprocess.Popen[str]] = {}
    ended: dict[str, tuple[int, str, int]] = {}
    try:
        for name in SCENARIOS:
            command = [sys.executable, "-m", "tests.gui.real_audio_session", name]
            processes[name] = subprocess.Popen(
                [*command, str(folder / name), name],
                cwd=ROOT,
                env=env,
                stdout=subprocess.DEVNULL,
                stderr=subprocess.PIPE,
                text=True,
            )
        deadline = time.monotonic() + SESSION_TIMEOUT_S
        for name, process in processes.items():
            try:
                _out, errors = process.communicate(timeout=max(0.0, deadline - time.monotonic()))
            except subprocess.TimeoutExpired:
                pytest.fail(f"{name} session did not end in {SESSION_TIMEOUT_S} s")
            ended[name] = (process.returncode, errors, process.pid)
    finally:
        for process in processes.values():
            if process.poll() is None:
                process.kill()
                process.communicate()
    return ended


def analyse(log: dict[str, Any], samples: array[int], streams: list[Stream]) -> Run:
    onsets = segments(samples, min_gap_ms=50)
    dues = [s["due"] for s in log["sounds"]]
    # The recording's clock and the monotonic clock differ by a constant (plus the output's
    # latency): take the difference that lines up the most onsets with scheduled sounds.
    candidates = [o.start_ms - d for o in onsets for d in dues]
    best = max(
        candidates,
        key=lambda c: sum(any(abs(o.start_ms - d - c) <= MATCH_MS for o in onsets) for d in dues),
    )
    matched = [
        o.start_ms - d for d in dues for o in onsets if abs(o.start_ms - d - best) <= MATCH_MS
    ]
    return Run(log, onsets, statistics.median(matched), streams)


def onset_of(run: Run, due: int) -> Segment | None:
    near = [o for o in run.onsets if abs(o.start_ms - (due + run.offset_ms)) <= MATCH_MS]
    return near[0] if len(near) == 1 else None


def in_phrase_window(run: Run, due: int) -> bool:
    return any(
        p["start"] - MATCH_MS <= due <= p["start"] + p["duration"] for p in run.log["phrases"]
    )


def covered(run: Run, due: int) -> bool:
    """Some sound is playing at ``due`` (it may be merged with a phrase's words)."""
    at = due + run.offset_ms
    return any(o.start_ms - MATCH_MS <= at <= o.end_ms for o in run.onsets)


def in_a_phrase(run: Run, onset: Segment) -> bool:
    return any(
        p["start"] + run.offset_ms - MATCH_MS
        <= onset.start_ms
        <= p["start"] + p["duration"] + run.offset_ms + MATCH_MS
        for p in run.log["phrases"]
    )


@pytest.mark.parametrize("scenario", SCENARIOS)
def test_the_app_played_through_the_servers_own_client_library_into_its_sink(
    runs: dict[str, Run], sound_server: SoundServer, scenario: str
) -> None:
    streams = runs[scenario].streams
    assert streams, f"no playback stream of the {scenario} session reached {sound_server.kind}"
    # On PipeWire "pipewire" is libpipewire itself, as Qt's PipeWire backend uses it: not the
    # PulseAudio protocol (pipewire-pulse, which this server does not even run).
    assert {s.via for s in streams} == {sound_server.kind}, streams
    assert {s.media_class for s in streams} == {"Stream/Output/Audio"}, streams
    assert {sink for s in streams for sink in s.sinks} == {scenario}, streams
    # One output stream for every cue and word (issue 14), opened once.
    assert len(streams) == 1, streams


@pytest.mark.parametrize("scenario", SCENARIOS)
def test_every_scheduled_sound_is_heard_once_on_time_and_nothing_else(
    runs: dict[str, Run], scenario: str
) -> None:
    run = runs[scenario]
    sounds = run.log["sounds"]
    assert run.log["dropped"] == 0 and run.log["clock_jumps"] == 0
    assert run.log["qt_warnings"] == [], "Qt said something about its sound backend"
    assert [s for s in sounds if s.get("late")] == [], "every sound was handed out ahead"
    # A sound that starts while a phrase is spoken ("Session complete" with its chime) may
    # merge with a word: there it must be heard inside the phrase's sound, not as an onset.
    spoken_over = [in_phrase_window(run, s["due"]) for s in sounds]
    heard = [onset_of(run, s["due"]) for s in sounds]
    missing = [
        s["name"]
        for s, o, over in zip(sounds, heard, spoken_over, strict=True)
        if o is None and not (over and covered(run, s["due"]))
    ]
    assert missing == [], f"not heard (or heard twice) within {MATCH_MS} ms: {missing}"
    extra = [o for o in run.onsets if o not in heard and not in_a_phrase(run, o)]
    assert extra == [], f"onsets nobody asked for at {[round(o.start_ms) for o in extra]} ms"
    timed = [(s, o) for s, o in zip(sounds, heard, strict=True) if o is not None]
    # Only a sound a phrase's words run into may go without an onset of its own.
    assert len(timed) == len(sounds) - sum(o is None for o in heard), timed
    assert len(timed) >= len(sounds) - 2
    for (before, a), (after, b) in itertools.pairwise(timed):
        expected = after["due"] - before["due"]
        assert abs((b.start_ms - a.start_ms) - expected) <= PLACED_MS, (before, after)


def test_the_120_bpm_metronome_keeps_500_ms_over_30_beats(runs: dict[str, Run]) -> None:
    run = runs["metronome"]
    names = [s["name"] for s in run.log["sounds"]]
    assert names[:4] == ["tick", "tick", "tick", "go"]
    assert names[4:34] == ["beat"] * 30 and names[-1] == "session_done"
    beats = [onset_of(run, s["due"]) for s in run.log["sounds"][3:34]]  # "go" is beat 0
    unheard = [i for i, b in enumerate(beats) if b is None]
    assert unheard == [], f"beats not heard within {MATCH_MS} ms of their instant: {unheard}"
    gaps = [b.start_ms - a.start_ms for a, b in itertools.pairwise(beats)]  # type: ignore[union-attr]
    assert len(gaps) == 30
    shown = [round(g, 1) for g in gaps]
    # The tempo is kept: 30 beats take 30 x 500 ms (no drift: each beat is scheduled from the
    # session's start, not from the beat before), and every beat is placed by the sample.
    assert abs(sum(gaps) - 30 * 500) <= PLACED_MS, shown
    assert all(abs(g - 500) <= PLACED_MS for g in gaps), shown


def test_a_phrase_spoken_ahead_ends_before_the_moment_it_announces(runs: dict[str, Run]) -> None:
    run = runs["voice"]
    phrases = {p["text"]: p for p in run.log["phrases"]}
    assert "Seated calf raise. 2 reps." in phrases and "2" in phrases
    for text in ("Seated calf raise. 2 reps.", "2"):
        phrase = phrases[text]
        start = phrase["start"] + run.offset_ms
        moment = phrase["moment"] + run.offset_ms
        sounds = {id(onset_of(run, s["due"])) for s in run.log["sounds"]}
        voice = [
            o
            for o in run.onsets
            if start - MATCH_MS <= o.start_ms <= start + phrase["duration"] and id(o) not in sounds
        ]
        assert voice, f"{text!r} was not heard"
        # Where a sound starts inside the phrase's last onset (a count ends as its rep's sound
        # begins, and the two join in the recording), the words ended where that sound began.
        ends = [phrase_end(run, o) for o in voice]
        assert max(ends) <= moment + PLACED_MS, f"{text!r} ran past its moment"
        # Heard for about as long as planned: the whole phrase, not a clipped one.
        heard_ms = max(ends) - min(o.start_ms for o in voice)
        assert heard_ms >= 0.8 * phrase["duration"], text


def phrase_end(run: Run, onset: Segment) -> float:
    """Where the words in ``onset`` end: its end, or the instant a sound starts inside it."""
    inside = [
        s["due"] + run.offset_ms
        for s in run.log["sounds"]
        if onset.start_ms + MATCH_MS < s["due"] + run.offset_ms < onset.end_ms
    ]
    return min([onset.end_ms, *inside])
