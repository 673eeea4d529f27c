"""When the session screen needs its next frame.

While the exercise figure moves: at the animation's rate. Otherwise only when something shown
changes: a whole second of a countdown (the phase's time, the session's time left) or the
moment the figure starts moving again. Never while the session is paused or over. A wake-up of
the session (a new segment, a cue, an operation) always publishes its position besides.
"""

from __future__ import annotations

from calftimer.core.figure import Motion
from calftimer.core.session import Position, State

# The figure's frame rate while it moves: smooth for a 1-second rise, and what the 2 % budget
# of a running session allows with Python drawing every frame (benchmarks/session_cpu.py).
MOVING_FRAME_MS = 40


def next_frame_ms(
    position: Position, motion: Motion, moving_ms: int = MOVING_FRAME_MS
) -> int | None:
    """How long after ``position`` the next frame is due (ms); None: no frame until the
    session wakes up again."""
    if position.state is not State.RUNNING:
        return None
    if motion.moving:
        return moving_ms
    waits = [
        _to_next_second(position.segment_remaining_ms),
        _to_next_second(position.total_remaining_ms),
    ]
    if motion.still_for_ms is not None:
        waits.append(motion.still_for_ms)
    return max(1, min(waits))


def _to_next_second(remaining_ms: int) -> int:
    """Until a countdown shown in whole seconds (rounded up) changes: it shows 3 from 3000 down
    to 2001 ms and 2 from 2000 on."""
    part = remaining_ms % 1000
    return part if part else 1000
