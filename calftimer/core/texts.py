"""Words shown (and later spoken) for timeline positions: phase names, targets and "Next: ...".

Kept Qt-free so the window, the voice and the CLI say the same thing the same way.
"""

from __future__ import annotations

from calftimer.core.catalog import exercise
from calftimer.core.exercise import Mode
from calftimer.core.programs import Side
from calftimer.core.timeline import SegmentKind, Timeline, WorkSet

PHASE_NAMES: dict[SegmentKind, str] = {
    SegmentKind.PREPARE: "GET READY",
    SegmentKind.UP: "UP",
    SegmentKind.TOP_HOLD: "HOLD",
    SegmentKind.DOWN: "DOWN",
    SegmentKind.BOTTOM_HOLD: "HOLD",
    SegmentKind.JUMP: "JUMP",
    SegmentKind.HOLD: "HOLD IT",
    SegmentKind.WALK: "WALK",
    SegmentKind.SWITCH: "SWITCH LEGS",
    SegmentKind.REST: "REST",
    SegmentKind.DONE: "DONE",
}

SIDE_NAMES: dict[Side, str] = {Side.BOTH: "BOTH LEGS", Side.LEFT: "LEFT", Side.RIGHT: "RIGHT"}


def target_text(mode: Mode, target: int) -> str:
    if mode is Mode.REPS:
        return f"{target} reps"
    if mode is Mode.TIME:
        return f"{target} s" if target < 120 or target % 60 else f"{target // 60} min"
    if mode is Mode.DISTANCE:
        return f"{target} m"
    return f"to failure (up to {target})"


def done_text(mode: Mode, done: int) -> str:
    return {Mode.TIME: f"{done} s", Mode.DISTANCE: f"{done} m"}.get(mode, f"{done} reps")


def work_set_label(work: WorkSet) -> str:
    """``"Single-leg calf raise · set 2 of 3 · left leg · 12 reps"``."""
    parts = [exercise(work.exercise_id).name, f"set {work.set_number} of {work.sets}"]
    if work.side is not Side.BOTH:
        parts.append(f"{work.side.value} leg")
    parts.append(target_text(work.mode, work.target))
    if work.load_kg:
        parts.append(f"{work.load_kg:g} kg")
    return " · ".join(parts)


def next_line(timeline: Timeline, segment_index: int) -> str:
    """What comes after the current step, for the "Next:" line."""
    seg = timeline.segments[segment_index]
    if seg.kind is SegmentKind.DONE:
        return ""
    if seg.work_index < 0:
        upcoming = timeline.next_work_set(segment_index)
        return f"Next: {work_set_label(upcoming)}" if upcoming else "Next: done"
    work = timeline.work_sets[seg.work_index]
    after = (
        timeline.segments[work.end_segment] if work.end_segment < len(timeline.segments) else None
    )
    if after is None or after.kind is SegmentKind.DONE:
        return "Next: session complete"
    following = timeline.next_work_set(after.index)
    pause = PHASE_NAMES[after.kind].lower() if after.work_index < 0 else ""
    if following is None:
        return "Next: session complete"
    if pause:
        seconds = round(after.duration_ms / 1000)
        return f"Next: {pause} {seconds} s, then {work_set_label(following)}"
    return f"Next: {work_set_label(following)}"


def clock_text(ms: int) -> str:
    """Remaining time as ``m:ss`` (rounded up, so a countdown shows 0:01 until it ends)."""
    seconds = -(-max(0, ms) // 1000)
    minutes, secs = divmod(seconds, 60)
    if minutes >= 60:
        hours, minutes = divmod(minutes, 60)
        return f"{hours}:{minutes:02d}:{secs:02d}"
    return f"{minutes}:{secs:02d}"
