"""The requests calftimer makes of the sound server before its stream opens.

Kept apart from the engine (numpy, Qt Multimedia) so the composition root can make them
before any thread starts, without loading what the engine needs.
"""

from __future__ import annotations

import os

# How often the sound server may ask for more. PipeWire: a 2048-frame quantum when nothing
# else needs a shorter one (half the wake-ups of its 1024 default). PulseAudio: Qt 6.11 opens
# its stream with a 16 ms buffer whatever setBufferSize says, and a PULSE_LATENCY_MSEC of 60
# cut the wake-ups by half, but the variable reaches every PulseAudio client calftimer starts:
# the speech-dispatcher its system voice starts then played each word as a 130 ms fragment.
# So it is not asked for (issue 14's note: the CPU this costs).
STREAM_REQUESTS = {"PIPEWIRE_LATENCY": "2048/48000"}


def calm_stream_requests() -> None:
    """Ask the sound server for fewer, larger requests (``STREAM_REQUESTS``), unless the user
    has set them. Environment variables are the only way Qt's backends take them; they are
    read when a stream opens. Call before other threads start: setting the environment while
    another thread reads it is not safe in C."""
    for name, value in STREAM_REQUESTS.items():
        os.environ.setdefault(name, value)
