"""Words shown (and later spoken) for timeline positions: phase names, targets and "Next: ...".

Kept Qt-free so the window, the voice and the CLI say the same thing the same way.
"""

from __future__ import annotations

from collections.abc import Iterable

from calftimer.core.catalog import exercise
from calftimer.core.exercise import Mode
from calftimer.core.i18n import _, n_, p_
from calftimer.core.programs import Side
from calftimer.core.session import SetRecord
from calftimer.core.settings import format_load
from calftimer.core.timeline import SegmentKind, Timeline, WorkSet


def phase_name(kind: SegmentKind) -> str:
    """The big word of the session screen for a step (``GET READY``, ``UP``, ``REST``...) in
    the current language; written in capitals where the language shouts a word that way."""
    names = {
        SegmentKind.PREPARE: p_("phase", "GET READY"),
        SegmentKind.UP: p_("phase", "UP"),
        SegmentKind.TOP_HOLD: p_("phase", "HOLD"),
        SegmentKind.DOWN: p_("phase", "DOWN"),
        SegmentKind.BOTTOM_HOLD: p_("phase", "HOLD"),
        SegmentKind.JUMP: p_("phase", "JUMP"),
        SegmentKind.HOLD: p_("phase", "HOLD IT"),
        SegmentKind.WALK: p_("phase", "WALK"),
        SegmentKind.SWITCH: p_("phase", "SWITCH LEGS"),
        SegmentKind.REST: p_("phase", "REST"),
        SegmentKind.DONE: p_("phase", "DONE"),
    }
    return names[kind]


def side_name(side: Side) -> str:
    """``BOTH LEGS``, ``LEFT``, ``RIGHT`` in the current language."""
    if side is Side.LEFT:
        return p_("side, shouted", "LEFT")
    if side is Side.RIGHT:
        return p_("side, shouted", "RIGHT")
    return p_("side, shouted", "BOTH LEGS")


def leg_name(side: Side) -> str:
    """``left leg`` / ``right leg`` / ``both legs`` in the current language."""
    if side is Side.LEFT:
        return _("left leg")
    if side is Side.RIGHT:
        return _("right leg")
    return _("both legs")


def sets_text(n: int) -> str:
    return n_("{n} set", "{n} sets", n).format(n=n)


def sessions_text(n: int) -> str:
    return n_("{n} session", "{n} sessions", n).format(n=n)


def reps_text(n: int) -> str:
    return n_("{n} rep", "{n} reps", n).format(n=n)


def target_text(mode: Mode, target: int) -> str:
    if mode is Mode.REPS:
        return reps_text(target)
    if mode is Mode.TIME:
        if target < 120 or target % 60:
            return _("{seconds} s").format(seconds=target)
        return _("{minutes} min").format(minutes=target // 60)
    if mode is Mode.DISTANCE:
        return _("{metres} m").format(metres=target)
    return _("to failure (up to {target})").format(target=target)


def work_set_label(work: WorkSet, *, with_name: bool = True, unit: str = "kg") -> str:
    """``"Single-leg calf raise · set 2 of 3 · left leg · 12 reps"``."""
    parts = [exercise(work.exercise_id).local_name] if with_name else []
    parts.append(_("set {number} of {sets}").format(number=work.set_number, sets=work.sets))
    if work.side is not Side.BOTH:
        parts.append(leg_name(work.side))
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
        return _("Next: {step}").format(step=label) if upcoming else ""
    work = timeline.work_sets[seg.work_index]
    after = (
        timeline.segments[work.end_segment] if work.end_segment < len(timeline.segments) else None
    )
    if after is None or after.kind is SegmentKind.DONE:
        return _("Next: session complete")
    following = timeline.next_work_set(after.index)
    if following is None:
        return _("Next: session complete")
    step = work_set_label(following, unit=unit)
    if after.work_index < 0:
        seconds = round(after.duration_ms / 1000)
        if after.kind is SegmentKind.SWITCH:
            text = _("Next: switch legs {seconds} s, then {step}")
        else:
            text = _("Next: rest {seconds} s, then {step}")
        return text.format(seconds=seconds, step=step)
    return _("Next: {step}").format(step=step)


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
    done = record.done
    if record.work.exercise_id == "jumping_calf_raise":
        return n_("{n} contact", "{n} contacts", done).format(n=done)
    if record.work.mode is Mode.TIME:
        return _("{seconds} s").format(seconds=done)
    if record.work.mode is Mode.DISTANCE:
        return _("{metres} m").format(metres=done)
    return reps_text(done)


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
    totals = [sets_text(len(records))]
    if reps:
        totals.append(reps_text(reps))
    if contacts:
        totals.append(n_("{n} ground contact", "{n} ground contacts", contacts).format(n=contacts))
    if held:
        totals.append(_("{seconds} s held or walked").format(seconds=held))
    if metres:
        totals.append(_("{metres} m walked").format(metres=metres))
    lines = [" · ".join(totals)]
    by_block: dict[tuple[int, str], list[SetRecord]] = {}
    for r in records:
        by_block.setdefault((r.work.block_index, r.work.exercise_id), []).append(r)
    for (_block, exercise_id), items in by_block.items():
        name = exercise(exercise_id).local_name
        sides = [
            side
            for side in (Side.LEFT, Side.RIGHT, Side.BOTH)
            if any(r.work.side is side for r in items)
        ]
        parts = []
        for side in sides:
            values = ", ".join(str(r.done) for r in items if r.work.side is side)
            if side is Side.LEFT:
                values = _("left {values}").format(values=values)
            elif side is Side.RIGHT:
                values = _("right {values}").format(values=values)
            parts.append(values)
        # "1 rep", but "1, 1 reps" and "2 reps": the count that picks the form is the last
        # value when there is one set, else "many".
        count = items[0].done if len(items) == 1 else max(2, len(items))
        results = " · ".join(parts)
        mode = items[0].work.mode
        if exercise_id == "jumping_calf_raise":
            line = n_("{name}: {results} contact", "{name}: {results} contacts", count)
        elif mode is Mode.TIME:
            line = _("{name}: {results} s")
        elif mode is Mode.DISTANCE:
            line = _("{name}: {results} m")
        else:
            line = n_("{name}: {results} rep", "{name}: {results} reps", count)
        lines.append(line.format(name=name, results=results))
    return lines
