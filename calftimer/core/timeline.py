"""The timeline compiler: a program becomes a flat, immutable list of segments and cues.

Every segment (get ready, each rep phase, hold, walk, switch legs, rest, done) and every cue
(countdown ticks, "go", tempo phases, rep counts, metronome beats, switch legs, rest with what
comes next, halfway, ten seconds left, set/exercise/session complete) has an exact start offset in
integer milliseconds from the start of the session. A running session only looks positions up
here, so nothing accumulates and nothing can drift.

Metronome beat ``k`` of a set falls at ``set_start + round(k * 60000 / bpm)`` (rounded half up to
the millisecond, computed from ``k`` and never by adding beat lengths).
"""

from __future__ import annotations

import bisect
from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from enum import StrEnum

from calftimer.core.exercise import Mode, Tempo
from calftimer.core.i18n import _
from calftimer.core.programs import Block, Program, Side


class SegmentKind(StrEnum):
    PREPARE = "prepare"
    UP = "up"
    TOP_HOLD = "top_hold"
    DOWN = "down"
    BOTTOM_HOLD = "bottom_hold"
    JUMP = "jump"  # one metronome-paced ground contact
    HOLD = "hold"  # isometric hold
    WALK = "walk"
    SWITCH = "switch"
    REST = "rest"
    DONE = "done"

    @property
    def is_work(self) -> bool:
        return self not in _NOT_WORK


_NOT_WORK = frozenset({SegmentKind.PREPARE, SegmentKind.SWITCH, SegmentKind.REST, SegmentKind.DONE})
PAUSE_KINDS = frozenset({SegmentKind.PREPARE, SegmentKind.SWITCH, SegmentKind.REST})
LONG_SWITCH_S = 30  # a pause between legs longer than this is a rest (the heel-rise test's 2 min)
_TEMPO_KINDS = (SegmentKind.UP, SegmentKind.TOP_HOLD, SegmentKind.DOWN, SegmentKind.BOTTOM_HOLD)


class CueKind(StrEnum):
    ANNOUNCE = "announce"  # what comes next (exercise, set, side, target); at prepare/rest/switch
    COUNTDOWN = "countdown"  # value: whole seconds left before work starts (3, 2, 1)
    GO = "go"
    UP = "up"
    TOP_HOLD = "top_hold"
    DOWN = "down"
    BOTTOM_HOLD = "bottom_hold"
    REP = "rep"  # value: the rep number that starts now
    BEAT = "beat"  # value: beat index within the set, from 0
    SWITCH = "switch"  # side: the leg to switch to
    REST = "rest"  # value: rest length in seconds; work_index: the set that follows
    HALFWAY = "halfway"
    TEN_SECONDS = "ten_seconds"
    SET_DONE = "set_done"
    EXERCISE_DONE = "exercise_done"
    SESSION_DONE = "session_done"


# Cues that count down to the end of a pause; rebuilt when a pause is lengthened or shortened.
_PAUSE_TAIL_CUES = frozenset({CueKind.HALFWAY, CueKind.TEN_SECONDS, CueKind.COUNTDOWN})


@dataclass(frozen=True, slots=True)
class CompileOptions:
    countdown_s: int = 3
    prepare_s: int = 10
    # Rests, switches, holds and walks at least this long get a "halfway" cue; "ten seconds
    # left" needs a segment of at least ``ten_seconds_min_s``.
    halfway_min_s: int = 30
    ten_seconds_min_s: int = 20


@dataclass(frozen=True, slots=True)
class Segment:
    index: int
    kind: SegmentKind
    start_ms: int
    duration_ms: int
    block_index: int = -1  # -1 for the get-ready and done segments
    set_number: int = 0  # 1-based; 0 when the segment belongs to no set
    side: Side = Side.BOTH
    rep: int = 0  # 1-based rep within the set for rep segments
    work_index: int = -1  # the WorkSet a work segment belongs to, or that follows a pause
    open_ended: bool = False  # the user ends it (test to failure, distance)

    @property
    def end_ms(self) -> int:
        return self.start_ms + self.duration_ms


@dataclass(frozen=True, slots=True)
class WorkSet:
    """One set on one side: the unit that produces a record when it ends."""

    index: int
    block_index: int
    exercise_id: str
    mode: Mode
    set_number: int
    sets: int
    side: Side
    target: int
    load_kg: float
    tempo: Tempo | None
    metronome_bpm: int | None
    start_ms: int
    end_ms: int
    first_segment: int
    end_segment: int  # exclusive

    @property
    def duration_ms(self) -> int:
        return self.end_ms - self.start_ms

    def done_after(self, elapsed_ms: int, *, ended_by_user: bool = False) -> int:
        """Reps, seconds or metres completed ``elapsed_ms`` into this set."""
        elapsed = max(0, min(elapsed_ms, self.duration_ms))
        if self.mode is Mode.TIME:
            return elapsed // 1000
        if self.mode is Mode.DISTANCE:
            if ended_by_user or elapsed >= self.duration_ms:
                return self.target
            return self.target * elapsed // self.duration_ms
        if self.mode is Mode.TEST:
            if self.metronome_bpm is None:  # not reached: programs.py requires one
                raise ValueError("internal error: a test set without a metronome")
            # A test rep is one beat up and one beat down.
            return min(self.target, _beats_within(elapsed, self.metronome_bpm) // 2)
        if self.tempo is not None:
            return min(self.target, elapsed // self.tempo.rep_ms())
        if self.metronome_bpm is None:  # not reached: programs.py requires one
            raise ValueError("internal error: a metronome-paced set without a metronome")
        return min(self.target, _beats_within(elapsed, self.metronome_bpm))

    def time_under_tension_ms(self, done: int) -> int:
        if self.mode is Mode.TIME and self.exercise_id != "heel_toe_walk":
            return done * 1000
        if self.mode is Mode.REPS and self.tempo is not None:
            return done * self.tempo.rep_ms()
        if self.mode is Mode.TEST and self.metronome_bpm is not None:
            return _beat_offset(2 * done, self.metronome_bpm)
        return 0


def _beat_offset(k: int, bpm: int) -> int:
    """Offset of beat ``k`` from the first beat, rounded half up to the millisecond."""
    return (2 * k * 60_000 + bpm) // (2 * bpm)


def _beats_within(elapsed_ms: int, bpm: int) -> int:
    """Number of whole beat intervals completed ``elapsed_ms`` after the first beat."""
    k = elapsed_ms * bpm // 60_000
    while _beat_offset(k + 1, bpm) <= elapsed_ms:
        k += 1
    while k > 0 and _beat_offset(k, bpm) > elapsed_ms:
        k -= 1
    return k


@dataclass(frozen=True, slots=True)
class Cue:
    offset_ms: int
    kind: CueKind
    segment_index: int
    value: int = 0
    side: Side = Side.BOTH
    work_index: int = -1
    order: int = 0  # tie-break between cues due at the same millisecond

    @property
    def key(self) -> tuple[int, int]:
        return (self.offset_ms, self.order)


@dataclass(frozen=True)
class Timeline:
    program_id: str
    program_name: str
    segments: tuple[Segment, ...]
    cues: tuple[Cue, ...]
    work_sets: tuple[WorkSet, ...]
    options: CompileOptions
    _starts: tuple[int, ...] = field(init=False, repr=False, compare=False)
    _cue_offsets: tuple[int, ...] = field(init=False, repr=False, compare=False)
    _next_work: tuple[int, ...] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "_starts", tuple(s.start_ms for s in self.segments))
        object.__setattr__(self, "_cue_offsets", tuple(c.offset_ms for c in self.cues))
        # For each segment, the work set playing at or after it (-1 for none): the window asks
        # this on every repaint, so answer it by lookup rather than by scanning ahead.
        following, upcoming = [], -1
        for seg in reversed(self.segments):
            if seg.work_index >= 0:
                upcoming = seg.work_index
            following.append(upcoming)
        object.__setattr__(self, "_next_work", tuple(reversed(following)))

    @property
    def duration_ms(self) -> int:
        return self.segments[-1].end_ms

    def segment_index_at(self, t_ms: int) -> int:
        """Index of the segment playing at ``t_ms`` (clamped to the timeline)."""
        if t_ms <= 0:
            return 0
        i = bisect.bisect_right(self._starts, t_ms) - 1
        # Zero-length segments exist only at the very end (done); skip others defensively.
        return max(0, min(i, len(self.segments) - 1))

    def segment_at(self, t_ms: int) -> Segment:
        return self.segments[self.segment_index_at(t_ms)]

    def cues_in(self, after_ms: int, upto_ms: int) -> Sequence[Cue]:
        """Cues with ``after_ms < offset <= upto_ms`` in order."""
        lo = bisect.bisect_right(self._cue_offsets, after_ms)
        hi = bisect.bisect_right(self._cue_offsets, upto_ms)
        return self.cues[lo:hi]

    def next_cue_after(self, t_ms: int) -> Cue | None:
        i = bisect.bisect_right(self._cue_offsets, t_ms)
        return self.cues[i] if i < len(self.cues) else None

    def next_work_set(self, segment_index: int) -> WorkSet | None:
        """The set that is playing at, or comes after, ``segment_index``."""
        index = self._next_work[segment_index]
        return self.work_sets[index] if index >= 0 else None

    def remaining_ms(self, t_ms: int) -> int:
        return max(0, self.duration_ms - t_ms)

    def resized_at(self, t_ms: int, delta_ms: int) -> Timeline:
        """A copy with ``delta_ms`` inserted (or, if negative, removed) just after ``t_ms``.

        Used to lengthen or shorten the rest being played. Everything after ``t_ms`` moves by
        ``delta_ms``; cues inside a removed span are dropped (they were skipped past), cues at
        or before ``t_ms`` are untouched, so a cue that already sounded never sounds again.
        """
        i = self.segment_index_at(t_ms)
        seg = self.segments[i]
        if delta_ms < 0:
            delta_ms = -min(-delta_ms, max(0, seg.end_ms - t_ms))
        if delta_ms == 0:
            return self

        def moved(offset: int) -> int:
            return offset + delta_ms if offset > t_ms else offset

        segments = []
        for s in self.segments:
            if s.index == i:
                segments.append(replace(s, duration_ms=s.duration_ms + delta_ms))
            elif s.start_ms > t_ms:
                segments.append(replace(s, start_ms=s.start_ms + delta_ms))
            else:
                segments.append(s)
        resized = segments[i]
        # The resized pause's countdown, "ten seconds" and (if still to come) "halfway" are
        # rebuilt from its new end, so "+15 s" during the countdown restarts the countdown.
        rebuild = seg.kind in PAUSE_KINDS
        halfway_pending = any(
            c.kind is CueKind.HALFWAY and c.segment_index == i and c.offset_ms > t_ms
            for c in self.cues
        )
        cues = [
            replace(c, offset_ms=moved(c.offset_ms))
            for c in self.cues
            if not (
                c.segment_index == i
                and c.offset_ms > t_ms
                and (
                    (rebuild and c.kind in _PAUSE_TAIL_CUES)
                    or (delta_ms < 0 and c.offset_ms <= t_ms - delta_ms)
                )
            )
        ]
        if rebuild:
            next_set = self.next_work_set(i)
            order = max((c.order for c in self.cues), default=0)
            for offset, kind, value in _pause_tail(resized, self.options):
                if offset <= t_ms or (kind is CueKind.HALFWAY and not halfway_pending):
                    continue
                order += 1
                work_index = next_set.index if next_set is not None else -1
                cues.append(Cue(offset, kind, i, value=value, work_index=work_index, order=order))
            cues.sort(key=lambda c: (c.offset_ms, c.order))
        work_sets = tuple(
            replace(w, start_ms=moved(w.start_ms), end_ms=moved(w.end_ms)) for w in self.work_sets
        )
        return Timeline(
            self.program_id,
            self.program_name,
            tuple(segments),
            tuple(cues),
            work_sets,
            self.options,
        )

    def describe(self) -> str:
        """A printable listing of segments and cues, for debugging and docs."""
        lines = []
        by_segment: dict[int, list[Cue]] = {}
        for c in self.cues:
            by_segment.setdefault(c.segment_index, []).append(c)
        for s in self.segments:
            label = f"{s.kind.value}"
            if s.block_index >= 0:
                ws = self.work_sets[s.work_index] if s.work_index >= 0 else None
                if ws is not None:
                    label += f" {ws.exercise_id} set {s.set_number} {s.side.value}"
                if s.rep:
                    label += f" rep {s.rep}"
            lines.append(f"{_clock(s.start_ms)} +{s.duration_ms:>6} ms  {label}")
            for c in by_segment.get(s.index, []):
                extra = f" {c.value}" if c.value else ""
                lines.append(f"    {_clock(c.offset_ms)}  cue {c.kind.value}{extra}")
        return "\n".join(lines)


def _clock(ms: int) -> str:
    return f"{ms // 60000:02d}:{ms // 1000 % 60:02d}.{ms % 1000:03d}"


class _Builder:
    """Accumulates segments and cues while walking the program once, front to back."""

    def __init__(self, options: CompileOptions) -> None:
        self.options = options
        self.t = 0
        self.segments: list[Segment] = []
        self.cues: list[Cue] = []
        self.work_sets: list[WorkSet] = []
        self._order = 0

    def segment(self, kind: SegmentKind, duration_ms: int, **fields: object) -> Segment:
        seg = Segment(len(self.segments), kind, self.t, duration_ms, **fields)  # type: ignore[arg-type]
        self.segments.append(seg)
        self.t += duration_ms
        return seg

    def cue(self, offset_ms: int, kind: CueKind, segment: Segment | int, **fields: object) -> None:
        index = segment if isinstance(segment, int) else segment.index
        self._order += 1
        self.cues.append(
            Cue(offset_ms, kind, index, order=self._order, **fields)  # type: ignore[arg-type]
        )

    def timed_cues(self, seg: Segment, *, countdown: bool = False, work_index: int = -1) -> None:
        for offset, kind, value in _pause_tail(seg, self.options, countdown=countdown):
            self.cue(offset, kind, seg, value=value, work_index=work_index)


def _pause_tail(
    seg: Segment, opts: CompileOptions, *, countdown: bool = True
) -> list[tuple[int, CueKind, int]]:
    """Halfway, ten seconds left and the countdown to the end of ``seg``, in time order."""
    tail: list[tuple[int, CueKind, int]] = []
    if seg.duration_ms >= opts.halfway_min_s * 1000:
        tail.append((seg.start_ms + seg.duration_ms // 2, CueKind.HALFWAY, 0))
    if seg.duration_ms >= opts.ten_seconds_min_s * 1000:
        tail.append((seg.end_ms - 10_000, CueKind.TEN_SECONDS, 0))
    if countdown:
        for k in range(opts.countdown_s, 0, -1):
            at = seg.end_ms - k * 1000
            if at > seg.start_ms:
                tail.append((at, CueKind.COUNTDOWN, k))
    return tail


def compile_program(program: Program, options: CompileOptions | None = None) -> Timeline:
    """Turn ``program`` into its timeline. Pure: the same input gives an equal timeline."""
    opts = options or CompileOptions()
    b = _Builder(opts)
    plan = _plan_work_sets(program)

    for n, (block_index, block, set_number, side) in enumerate(plan):
        first_of_block = n == 0 or plan[n - 1][0] != block_index
        # The pause before this set: get ready, a rest between sets/blocks, or a leg switch.
        if n == 0:
            lead_kind, lead_ms = SegmentKind.PREPARE, opts.prepare_s * 1000
        else:
            _prev_side, prev_block, prev_set, _prev_target = plan[n - 1]
            switching = not first_of_block and prev_set == set_number
            if switching:
                # A short pause between legs is a switch; a long one (the heel-rise test's two
                # minutes) is a rest that ends on the other leg.
                long_switch = prev_block.switch_s > LONG_SWITCH_S
                lead_kind = SegmentKind.REST if long_switch else SegmentKind.SWITCH
                lead_ms = prev_block.switch_s * 1000
            elif not first_of_block:
                lead_kind, lead_ms = SegmentKind.REST, prev_block.rest_s * 1000
            else:
                lead_kind, lead_ms = SegmentKind.REST, prev_block.rest_after_s * 1000
        switching = n > 0 and not first_of_block and plan[n - 1][2] == set_number
        if lead_ms > 0:
            lead = b.segment(
                lead_kind, lead_ms, block_index=block_index, set_number=set_number, side=side
            )
            b.cue(lead.start_ms, CueKind.ANNOUNCE, lead, side=side, work_index=n)
            if lead_kind is SegmentKind.REST:
                b.cue(lead.start_ms, CueKind.REST, lead, value=lead_ms // 1000, work_index=n)
            if switching:
                b.cue(lead.start_ms, CueKind.SWITCH, lead, side=side, work_index=n)
            b.timed_cues(lead, countdown=True, work_index=n)
        # With no pause before it, a set still gets its announcement (and the leg to switch
        # to) at the moment it starts, before "go".
        _compile_work_set(
            b,
            n,
            block_index,
            block,
            set_number,
            side,
            announce=lead_ms <= 0 and n > 0,
            switch_cue=lead_ms <= 0 and switching,
        )

        last_of_block = n == len(plan) - 1 or plan[n + 1][0] != block_index
        end_seg = b.segments[-1]
        set_complete = last_of_block or plan[n + 1][2] != set_number
        if set_complete:
            b.cue(b.t, CueKind.SET_DONE, end_seg, value=set_number, work_index=n)
        if last_of_block:
            b.cue(b.t, CueKind.EXERCISE_DONE, end_seg, value=block_index, work_index=n)

    done = b.segment(SegmentKind.DONE, 0)
    b.cue(done.start_ms, CueKind.SESSION_DONE, done)
    cues = sorted(b.cues, key=lambda c: (c.offset_ms, c.order))
    return Timeline(
        program.id, program.name, tuple(b.segments), tuple(cues), tuple(b.work_sets), opts
    )


def _plan_work_sets(program: Program) -> list[tuple[int, Block, int, Side]]:
    plan = []
    for block_index, block in enumerate(program.blocks):
        for set_number in range(1, block.sets + 1):
            for side in block.sides_in_order:
                plan.append((block_index, block, set_number, side))
    return plan


def _compile_work_set(
    b: _Builder,
    work_index: int,
    block_index: int,
    block: Block,
    set_number: int,
    side: Side,
    *,
    announce: bool,
    switch_cue: bool,
) -> None:
    start = b.t
    first_segment = len(b.segments)
    common = dict(block_index=block_index, set_number=set_number, side=side, work_index=work_index)
    bpm = block.metronome_bpm
    mode = block.mode
    beat_count = 0
    _check_block(block)
    if announce:
        b.cue(start, CueKind.ANNOUNCE, first_segment, side=side, work_index=work_index)
    if switch_cue:
        b.cue(start, CueKind.SWITCH, first_segment, side=side, work_index=work_index)
    b.cue(start, CueKind.GO, first_segment, side=side, work_index=work_index)

    if mode is Mode.REPS and block.tempo is not None:
        phases = block.tempo.phases_ms()
        for rep in range(1, block.target + 1):
            for kind, length in zip(_TEMPO_KINDS, phases, strict=True):
                if length <= 0:
                    continue
                seg = b.segment(kind, length, rep=rep, **common)
                b.cue(
                    seg.start_ms,
                    CueKind(kind.value),
                    seg,
                    value=rep,
                    side=side,
                    work_index=work_index,
                )
                if kind is _first_phase(phases):
                    b.cue(
                        seg.start_ms, CueKind.REP, seg, value=rep, side=side, work_index=work_index
                    )
    elif mode is Mode.REPS:
        if bpm is None:  # not reached: programs.py requires tempo or metronome
            raise ValueError("internal error: reps paced by neither tempo nor metronome")
        for rep in range(1, block.target + 1):
            length = _beat_offset(rep, bpm) - _beat_offset(rep - 1, bpm)
            seg = b.segment(SegmentKind.JUMP, length, rep=rep, **common)
            b.cue(seg.start_ms, CueKind.REP, seg, value=rep, side=side, work_index=work_index)
        beat_count = block.target
    elif mode is Mode.TEST:
        if bpm is None:  # not reached: programs.py requires one for a test
            raise ValueError("internal error: a test set without a metronome")
        # One beat up, one beat down, until the user ends the set or the cap is reached.
        for beat in range(2 * block.target):
            rep = beat // 2 + 1
            kind = SegmentKind.UP if beat % 2 == 0 else SegmentKind.DOWN
            length = _beat_offset(beat + 1, bpm) - _beat_offset(beat, bpm)
            seg = b.segment(kind, length, rep=rep, open_ended=True, **common)
            b.cue(
                seg.start_ms, CueKind(kind.value), seg, value=rep, side=side, work_index=work_index
            )
            if kind is SegmentKind.UP:
                b.cue(seg.start_ms, CueKind.REP, seg, value=rep, side=side, work_index=work_index)
        beat_count = 2 * block.target
    else:
        if mode is Mode.TIME:
            kind = SegmentKind.WALK if block.exercise.pace_m_per_min else SegmentKind.HOLD
            length = block.target * 1000
            open_ended = False
        else:
            pace = block.exercise.pace_m_per_min or 15.0
            kind, length, open_ended = SegmentKind.WALK, round(block.target * 60_000 / pace), True
        seg = b.segment(kind, length, open_ended=open_ended, **common)
        b.timed_cues(seg)

    end = b.t
    if bpm is not None:
        if beat_count == 0:  # a metronome laid over tempo reps or a timed set
            while start + _beat_offset(beat_count, bpm) < end:
                beat_count += 1
        for k in range(beat_count):
            at = start + _beat_offset(k, bpm)
            seg_index = _segment_index_for(b.segments, first_segment, at)
            b.cue(
                at, CueKind.BEAT, b.segments[seg_index], value=k, side=side, work_index=work_index
            )
    b.work_sets.append(
        WorkSet(
            index=work_index,
            block_index=block_index,
            exercise_id=block.exercise_id,
            mode=mode,
            set_number=set_number,
            sets=block.sets,
            side=side,
            target=block.target,
            load_kg=block.load_kg,
            tempo=block.tempo,
            metronome_bpm=bpm,
            start_ms=start,
            end_ms=end,
            first_segment=first_segment,
            end_segment=len(b.segments),
        )
    )


def _check_block(block: Block) -> None:
    """Blocks built in code get the same basic checks as program files (see programs.py)."""
    if block.sets < 1 or block.target < 1:
        raise ValueError(f"{block.exercise_id}: sets and target must be at least 1")
    if block.mode is Mode.REPS and block.tempo is not None and block.tempo.rep_ms() < 500:
        raise ValueError(f"{block.exercise_id}: one rep must last at least 0.5 seconds")
    if block.mode is Mode.REPS and block.tempo is None and block.metronome_bpm is None:
        raise ValueError(f"{block.exercise_id}: reps need a tempo or a metronome")
    if block.mode is Mode.TEST and block.metronome_bpm is None:
        raise ValueError(f"{block.exercise_id}: a test set needs a metronome")
    if block.metronome_bpm is not None and block.metronome_bpm <= 0:
        raise ValueError(f"{block.exercise_id}: the metronome needs a positive bpm")


def _first_phase(phases: tuple[int, int, int, int]) -> SegmentKind:
    for kind, length in zip(_TEMPO_KINDS, phases, strict=True):
        if length > 0:
            return kind
    raise ValueError("a tempo needs at least one phase longer than zero")


def _segment_index_for(segments: Sequence[Segment], first: int, at: int) -> int:
    starts = [s.start_ms for s in segments[first:]]
    return first + bisect.bisect_right(starts, at) - 1


def estimated_duration_ms(program: Program, options: CompileOptions | None = None) -> int:
    """How long the program takes when nobody skips anything (open sets at their cap).

    Adds the same durations ``compile_program`` lays out, without building the timeline: the
    program list shows it for every program as the window opens (a property test keeps the two
    equal).
    """
    opts = options or CompileOptions()
    plan = _plan_work_sets(program)
    total = 0
    for n, (block_index, block, set_number, _side) in enumerate(plan):
        if n == 0:
            total += opts.prepare_s * 1000
        else:
            _prev_side, prev_block, prev_set, _prev_target = plan[n - 1]
            if plan[n - 1][0] != block_index:
                total += prev_block.rest_after_s * 1000
            elif prev_set == set_number:
                total += prev_block.switch_s * 1000
            else:
                total += prev_block.rest_s * 1000
        total += _work_set_ms(block)
    return total


def _work_set_ms(block: Block) -> int:
    bpm = block.metronome_bpm
    if block.mode is Mode.REPS and block.tempo is not None:
        return block.target * block.tempo.rep_ms()
    if block.mode is Mode.REPS:
        if bpm is None:  # not reached: programs.py requires tempo or metronome
            raise ValueError("internal error: reps paced by neither tempo nor metronome")
        return _beat_offset(block.target, bpm)
    if block.mode is Mode.TEST:
        if bpm is None:  # not reached: programs.py requires one for a test
            raise ValueError("internal error: a test set without a metronome")
        return _beat_offset(2 * block.target, bpm)
    if block.mode is Mode.TIME:
        return block.target * 1000
    pace = block.exercise.pace_m_per_min or 15.0
    return round(block.target * 60_000 / pace)


def format_duration(ms: int) -> str:
    """``"23 min"`` or ``"45 s"`` for durations shown to the user."""
    seconds = round(ms / 1000)
    if seconds < 60:
        return _("{seconds} s").format(seconds=seconds)
    minutes, secs = divmod(seconds, 60)
    if minutes < 60:
        return _("{minutes} min").format(minutes=minutes if secs < 30 else minutes + 1)
    hours, minutes = divmod(minutes, 60)
    return _("{hours} h {minutes:02d} min").format(hours=hours, minutes=minutes)
