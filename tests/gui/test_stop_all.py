"""Pausing silences at once: a sound cut off by ``stop_all`` is heard no longer than it had been
sounding (plus a few milliseconds), not for what the sink and the server still hold, on both
servers. With nothing sounding, silencing leaves the stream alone."""

from __future__ import annotations

import json

import pytest

from tests.gui.probe_run import run_probe
from tests.realaudio import SoundServer, segments

# Heard after the stop_all call at most: the server's own last period and the recorder's. What
# the sink and the server hold when a pause comes is 150 ms and more (150-250 ms were heard
# before the stream was flushed).
TAIL_MS = 60
# Heard before it at least: through PulseAudio, with the 100 ms latency the stream asks for, a
# sound is heard about 50 ms after its moment (a constant), so it has sounded that much less.
OUTPUT_SHIFT_MS = 100

pytestmark = [pytest.mark.slow, pytest.mark.sound_sinks("out")]


def test_a_sound_stops_when_silenced_not_after_the_buffers(sound_server: SoundServer) -> None:
    recording = sound_server.record("out")
    try:
        result = run_probe("stop_all_probe", sound_server.env)
    finally:
        samples = recording.stop()
    assert result.returncode == 0, result.stderr[-3000:]
    figures = json.loads(result.stdout.strip().splitlines()[-1])
    assert "problem" not in figures, figures
    heard = segments(samples, min_gap_ms=50)
    assert len(heard) == 1, heard
    heard_ms = heard[0].end_ms - heard[0].start_ms
    stopped_after = float(figures["stopped_after_ms"])
    assert stopped_after - OUTPUT_SHIFT_MS <= heard_ms <= stopped_after + TAIL_MS, (
        heard_ms,
        figures,
    )
    assert figures["quiet_stop_kept_the_stream"] is True, figures
