"""Words shown (and later spoken) for timeline positions: phase names, targets and "Next: ...".

Kept Qt-free so the window, the voice and the CLI say the same thing the same way.
"""

from __future__ import annotations

from collections.abc import Iterable

from calftimer.core.catalog import exercise
from calftimer.core.exercise import Mode
from calftimer.core.programs import Side
from calftimer.core.session import SetRecord
from calftimer.core.settings import format_load
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
        return plural(target, "rep")
    if mode is Mode.TIME:
        return f"{target} s" if target < 120 or target % 60 else f"{target // 60} min"
    if mode is Mode.DISTANCE:
        return f"{target} m"
    return f"to failure (up to {target})"


def plural(n: int, one: str, many: str | None = None) -> str:
    return f"{n} {one if n == 1 else (many or one + 's')}"


def work_set_label(work: WorkSet, *, with_name: bool = True, unit: str = "kg") -> str:
    """``"Single-leg calf raise · set 2 of 3 · left leg · 12 reps"``."""
    parts = [exercise(work.exercise_id).name] if with_name else []
    parts.append(f"set {work.set_number} of {work.sets}")
    if work.side is not Side.BOTH:
        parts.append(f"{work.side.value} leg")
    parts.append(target_text(work.mode, work.target))
    if work.load_kg:
        parts.append(format_load(work.load_kg, unit))
    return " · ".join(parts)


def next_line(timeline: Timeline, segment_index: int, unit: str = "kg") -> str:
    """What comes after the current step, for the "Next:" line."""
    seg = timeline.segments[segment_index]
    if seg.kind is SegmentKind.DONE:
        return ""
    if seg.work_index < 0:
        upcoming = timeline.next_work_set(segment_index)
        # During a pause the window already names the exercise that comes next.
        label = work_set_label(upcoming, with_name=False, unit=unit) if upcoming else ""
        return f"Next: {label}" if upcoming else ""
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
        return f"Next: {pause} {seconds} s, then {work_set_label(following, unit=unit)}"
    return f"Next: {work_set_label(following, unit=unit)}"


def clock_text(ms: int) -> str:
    """Remaining time as ``m:ss`` (rounded up, so a countdown shows 0:01 until it ends)."""
    seconds = -(-max(0, ms) // 1000)
    minutes, secs = divmod(seconds, 60)
    if minutes >= 60:
        hours, minutes = divmod(minutes, 60)
        return f"{hours}:{minutes:02d}:{secs:02d}"
    return f"{minutes}:{secs:02d}"


def record_text(record: SetRecord) -> str:
    """What a finished set achieved, e.g. ``"11 reps"`` or ``"45 s"``."""
    if record.work.exercise_id == "jumping_calf_raise":
        return plural(record.done, "contact")
    return {Mode.TIME: f"{record.done} s", Mode.DISTANCE: f"{record.done} m"}.get(
        record.work.mode, plural(record.done, "rep")
    )


def session_summary(records: Iterable[SetRecord]) -> list[str]:
    """Lines for the end of a session: totals, then every exercise with each set's result."""
    records = list(records)
    reps = sum(
        r.done
        for r in records
        if r.work.mode in (Mode.REPS, Mode.TEST) and r.work.exercise_id != "jumping_calf_raise"
    )
    contacts = sum(r.done for r in records if r.work.exercise_id == "jumping_calf_raise")
    held = sum(r.done for r in records if r.work.mode is Mode.TIME)
    metres = sum(r.done for r in records if r.work.mode is Mode.DISTANCE)
    totals = [plural(len(records), "set")]
    if reps:
        totals.append(plural(reps, "rep"))
    if contacts:
        totals.append(plural(contacts, "ground contact"))
    if held:
        totals.append(f"{held} s held or walked")
    if metres:
        totals.append(f"{metres} m walked")
    lines = [" · ".join(totals)]
    by_block: dict[tuple[int, str], list[SetRecord]] = {}
    for r in records:
        by_block.setdefault((r.work.block_index, r.work.exercise_id), []).append(r)
    for (_, exercise_id), items in by_block.items():
        name = exercise(exercise_id).name
        unit = record_text(items[0]).split(" ", 1)[1] if items[0].work.mode is not Mode.TEST else ""
        sides = [
            side
            for side in (Side.LEFT, Side.RIGHT, Side.BOTH)
            if any(r.work.side is side for r in items)
        ]
        parts = []
        for side in sides:
            values = ", ".join(str(r.done) for r in items if r.work.side is side)
            parts.append(values if side is Side.BOTH else f"{side.value} {values}")
        if items[0].work.mode is Mode.TEST:
            unit = "reps"
        if len(items) > 1 or items[0].done != 1:  # "1 rep", but "1, 1 reps" and "2 reps"
            unit = {"rep": "reps", "contact": "contacts"}.get(unit, unit)
        else:
            unit = {"reps": "rep", "contacts": "contact"}.get(unit, unit)
        lines.append(f"{name}: {' · '.join(parts)} {unit}".rstrip())
    return lines
