"""Completed sets built by hand, for tests that need one without running a session.

A ``SetRecord`` holds the ``WorkSet`` it completes; ``work_set`` makes one with plain defaults
(one set of 15 two-leg raises, first in its program) and any field given."""

from __future__ import annotations

from typing import Any

from calftimer.core.exercise import Mode
from calftimer.core.programs import Side
from calftimer.core.timeline import WorkSet


def work_set(**fields: Any) -> WorkSet:
    values: dict[str, Any] = {
        "index": 0,
        "block_index": 0,
        "exercise_id": "double_leg_calf_raise",
        "mode": Mode.REPS,
        "set_number": 1,
        "sets": 1,
        "side": Side.BOTH,
        "target": 15,
        "load_kg": 0.0,
        "tempo": None,
        "metronome_bpm": None,
        "start_ms": 0,
        "end_ms": 60_000,
        "first_segment": 1,
        "end_segment": 2,
    }
    unknown = set(fields) - set(values)
    if unknown:
        raise TypeError(f"WorkSet has no field {sorted(unknown)}")
    return WorkSet(**{**values, **fields})
