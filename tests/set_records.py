"""Completed sets built by hand, for tests that need one without running a session.

A ``SetRecord`` holds the ``WorkSet`` it completes; ``work_set`` makes one with plain defaults
(one set of 15 two-leg raises, first in its program) and any field given; ``set_record`` a
finished set of it."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from calftimer.core.exercise import Mode
from calftimer.core.programs import Side
from calftimer.core.session import EndedBy, SetRecord
from calftimer.core.timeline import WorkSet

WALL0 = datetime(2026, 1, 5, 9, 0, tzinfo=UTC)


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


def set_record(exercise_id: str, mode: Mode, done: int, ended_mono: int = 0) -> SetRecord:
    """``done`` of a one-set ``exercise_id`` (its target), ended by its time."""
    return SetRecord(
        work=work_set(exercise_id=exercise_id, mode=mode, target=done),
        done=done,
        time_under_tension_ms=0,
        started_mono_ms=0,
        ended_mono_ms=ended_mono,
        started_at=WALL0,
        ended_at=WALL0,
        ended_by=EndedBy.TIME,
    )
