"""The requests calftimer makes of the sound server for its stream: few, large ones.

Kept apart from the engine (numpy, Qt Multimedia) so the composition root can make them
before any thread starts, without loading what the engine needs.

Environment variables are the only way Qt's backends take them; a sound library reads them when
a stream connects:

- PipeWire (``PIPEWIRE_LATENCY``): a 2048-frame quantum when nothing else needs a shorter one
  (half the wake-ups of its 1024 default). Set for the whole process: only PipeWire's own
  clients read it.
- PulseAudio (``PULSE_LATENCY_MSEC``): Qt 6.11 opens its stream with room for 1024 frames
  (21 ms) whatever ``setBufferSize`` asks, so the server asks for more about 250 times a second,
  and Qt's PulseAudio thread alone took 0.9 % of a core here (issue 14). With 100 ms it takes
  0.2 %. But every program calftimer starts would inherit the variable, and the speech-dispatcher
  that the system voice starts played each word as a 130 ms fragment with 60 ms. So the variable
  holds "0", which libpulse ignores, except while calftimer's own stream connects
  (``opening_stream``). It is made before any thread starts and afterwards only changed in
  place: adding a variable can move the environment while another thread reads it.

A user's own setting of either variable wins: it is never touched.
"""

from __future__ import annotations

import contextlib
import os
from collections.abc import Iterator

STREAM_REQUESTS = {"PIPEWIRE_LATENCY": "2048/48000"}
PULSE_LATENCY = "PULSE_LATENCY_MSEC"
PULSE_LATENCY_MS = 100  # what calftimer's own stream asks of PulseAudio
PULSE_LATENCY_IDLE = "0"  # libpulse ignores it: what everything else started meanwhile sees

_pulse_latency_ours = False


def calm_stream_requests() -> None:
    """Make the requests (``STREAM_REQUESTS``, and the idle ``PULSE_LATENCY_MSEC``), unless the
    user has set them. Call before other threads start: setting the environment while another
    thread reads it is not safe in C."""
    global _pulse_latency_ours
    for name, value in STREAM_REQUESTS.items():
        os.environ.setdefault(name, value)
    if PULSE_LATENCY not in os.environ:
        os.environ[PULSE_LATENCY] = PULSE_LATENCY_IDLE
        _pulse_latency_ours = True


@contextlib.contextmanager
def opening_stream() -> Iterator[None]:
    """Around the opening of calftimer's own stream: PulseAudio's latency request is made for
    it (libpulse reads it as the stream connects, on this thread) and taken back after."""
    if not _pulse_latency_ours or os.environ.get(PULSE_LATENCY) != PULSE_LATENCY_IDLE:
        yield  # the user's own value, or calm_stream_requests was not called
        return
    os.environ[PULSE_LATENCY] = str(PULSE_LATENCY_MS)
    try:
        yield
    finally:
        os.environ[PULSE_LATENCY] = PULSE_LATENCY_IDLE
