"""The requests calftimer makes of the sound server before its stream opens.

Kept apart from the engine (numpy, Qt Multimedia) so the composition root can make them
before any thread starts, without loading what the engine needs.
"""

from __future__ import annotations

import os

# How often the sound server may ask for more. Qt 6.11 opens its PulseAudio stream with a
# 16 ms buffer whatever setBufferSize says, and the server then wakes Qt's thread and ours
# about 700 times a second in all (1.5 % of a core here for a stream of silence). The same
# stream asked for 150 ms is woken about 110 times (0.2-0.7 %). What the server holds does not
# add to what a pause lets play on: the sink keeps BUFFER_MS written ahead of what was played
# either way. PipeWire: a 2048-frame quantum when nothing else needs a shorter one (half the
# wake-ups of its 1024 default).
STREAM_REQUESTS = {"PULSE_LATENCY_MSEC": "150", "PIPEWIRE_LATENCY": "2048/48000"}


def calm_stream_requests() -> None:
    """Ask the sound server for fewer, larger requests (``STREAM_REQUESTS``), unless the user
    has set them. Environment variables are the only way Qt's backends take them; they are
    read when a stream opens. Call before other threads start: setting the environment while
    another thread reads it is not safe in C."""
    for name, value in STREAM_REQUESTS.items():
        os.environ.setdefault(name, value)
