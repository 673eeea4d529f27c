"""The running session: a state machine that looks its position up in the timeline.

It keeps only the start instant, the total time paused, a shift added by skip/back, and the
timeline time up to which events were handed out. Where the session is, is always

    t = (clock() - start - paused_total) + shift

so late polls, stalls or a slow UI never make it drift. ``poll()`` returns every cue and completed
set since the previous poll: nothing is lost and nothing repeats across pause, resume, skip or
back (replaying a part with back plays its cues again, as the user asked).

Skip and back move by *steps*: a whole work set (all of its rep phases) or one pause
(get ready, rest, leg switch).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta
from enum import StrEnum

from calftimer.core.clock import Clock, WallClock, utc_now
from calftimer.core.timeline import Cue, Segment, SegmentKind, Timeline, WorkSet

REST_STEP_MS = 15_000
BACK_GRACE_MS = 2_000  # back within this long of a step's start goes to the previous step
MAX_PAUSE_SEGMENT_MS = 30 * 60_000


class State(StrEnum):
    READY = "ready"
    RUNNING = "running"
    PAUSED = "paused"
    FINISHED = "finished"
    ABANDONED = "abandoned"

    @property
    def is_over(self) -> bool:
        return self in (State.FINISHED, State.ABANDONED)


class EndedBy(StrEnum):
    TIME = "time"  # the set ran its full length
    USER = "user"  # ended with Enter (test to failure, distance)
    SKIP = "skip"  # skipped part-way
    FINISH = "finish"  # the session was finished early during the set
    STOP = "stop"  # the session was stopped (abandoned) during the set


@dataclass(frozen=True, slots=True)
class SetRecord:
    """One completed set on one side: the work set as planned (``work``: exercise, side, set
    number, target, load, tempo) and what happened. Nothing of the plan can change while a
    session runs (adjusting a rest moves sets in time, never changes them), so a record
    repeats none of it: ``record.work.target`` is what was planned, ``done`` what was done."""

    work: WorkSet
    done: int
    time_under_tension_ms: int
    started_mono_ms: int
    ended_mono_ms: int
    started_at: datetime
    ended_at: datetime
    ended_by: EndedBy


@dataclass(frozen=True, slots=True)
class Position:
    state: State
    t_ms: int
    segment: Segment
    segment_elapsed_ms: int
    segment_remaining_ms: int
    work_set: WorkSet | None  # the set playing now, or the next one during a pause
    total_remaining_ms: int

    @property
    def rep_done_in_set(self) -> int:
        if self.work_set is None or self.segment.work_index < 0:
            return 0
        return self.work_set.done_after(self.t_ms - self.work_set.start_ms)


@dataclass
class PollResult:
    cues: list[Cue] = field(default_factory=list)
    records: list[SetRecord] = field(default_factory=list)


class SessionError(RuntimeError):
    """An operation that makes no sense in the session's state (starting it twice)."""


class Session:
    def __init__(self, timeline: Timeline, clock: Clock, wall_clock: WallClock = utc_now) -> None:
        self._timeline = timeline
        self._clock = clock
        self._wall_clock = wall_clock
        self._state = State.READY
        self._start_mono = 0
        self._paused_total = 0
        self._paused_at: int | None = None
        self._shift = 0
        self._watermark = -1  # events with timeline time <= watermark were handed out
        self._wall_anchor: datetime = wall_clock()
        self._mono_anchor = 0
        self._set_started_mono: dict[int, int] = {}
        self._closed: set[int] = set()  # work sets already recorded in this pass
        self._records: dict[int, SetRecord] = {}
        self._pending = PollResult()
        self._end_mono: int | None = None

    # ------------------------------------------------------------------ queries

    @property
    def clock(self) -> Clock:
        return self._clock

    @property
    def wall_clock(self) -> WallClock:
        return self._wall_clock

    @property
    def started_at(self) -> datetime:
        """Wall-clock time of ``start()`` (before it: when the session was created)."""
        return self._wall_anchor

    @property
    def ended_at(self) -> datetime | None:
        """Wall-clock time the session finished or was abandoned, None while it runs."""
        return None if self._end_mono is None else self._wall_of(self._end_mono)

    @property
    def timeline(self) -> Timeline:
        return self._timeline

    @property
    def state(self) -> State:
        return self._state

    @property
    def records(self) -> list[SetRecord]:
        """The latest record of every set done, in timeline order."""
        return [self._records[i] for i in sorted(self._records)]

    def t_ms(self, now: int | None = None) -> int:
        """Timeline time now: derived from active elapsed time, never accumulated."""
        if self._state is State.READY:
            return 0
        now = self._clock() if now is None else now
        frozen = self._paused_at if self._paused_at is not None else self._end_mono
        if frozen is not None:
            now = frozen
        active = now - self._start_mono - self._paused_total
        return max(0, min(active + self._shift, self._timeline.duration_ms))

    def position(self) -> Position:
        t = self.t_ms()
        tl = self._timeline
        seg = tl.segment_at(t)
        return Position(
            state=self._state,
            t_ms=t,
            segment=seg,
            segment_elapsed_ms=t - seg.start_ms,
            segment_remaining_ms=max(0, seg.end_ms - t),
            work_set=tl.next_work_set(seg.index),
            total_remaining_ms=tl.remaining_ms(t),
        )

    def mono_at(self, t_ms: int) -> int | None:
        """The monotonic instant at which timeline time ``t_ms`` is reached, if running."""
        if self._state is not State.RUNNING:
            return None
        return self._start_mono + self._paused_total + (t_ms - self._shift)

    def next_deadline_ms(self) -> int | None:
        """Monotonic instant of the next cue or segment boundary; None unless running."""
        if self._state is not State.RUNNING:
            return None
        t = max(self.t_ms(), self._watermark)
        seg = self._timeline.segment_at(t)
        candidates = [seg.end_ms] if seg.end_ms > t else []
        cue = self._timeline.next_cue_after(self._watermark)
        if cue is not None:
            candidates.append(cue.offset_ms)
        if not candidates:
            return None
        return self.mono_at(min(candidates))

    # -------------------------------------------------------------- operations

    def start(self) -> None:
        if self._state is not State.READY:
            raise SessionError(f"cannot start a session that is {self._state.value}")
        now = self._clock()
        self._start_mono = now
        self._mono_anchor = now
        self._wall_anchor = self._wall_clock()
        self._state = State.RUNNING

    def pause(self, at: int | None = None) -> bool:
        """Pause now, or at the earlier monotonic instant ``at`` (after a suspend detected
        late: the time asleep is then not counted as training)."""
        if self._state is not State.RUNNING:
            return False
        now = self._clock()
        if at is not None:
            # Never before what was already handed out, never in the future.
            floor = self.mono_at(max(self._watermark, 0)) or now
            now = max(min(at, now), floor)
        self._advance(now)
        self._paused_at = now
        self._state = State.PAUSED
        return True

    def resume(self) -> bool:
        if self._state is not State.PAUSED or self._paused_at is None:
            return False
        now = self._clock()
        self._paused_total += now - self._paused_at
        self._paused_at = None
        self._state = State.RUNNING
        # A set reached by skip or back while paused really starts now, not at the pause.
        t = self.t_ms(now)
        seg = self._timeline.segment_at(t)
        w_index = seg.work_index
        if w_index >= 0 and w_index not in self._set_started_mono and w_index not in self._closed:
            self._set_started_mono[w_index] = now - (t - self._timeline.work_sets[w_index].start_ms)
        return True

    def toggle_pause(self) -> bool:
        """Pause or resume; returns True when the session is now paused."""
        if self._state is State.RUNNING:
            self.pause()
        elif self._state is State.PAUSED:
            self.resume()
        return self._state is State.PAUSED

    def skip(self) -> bool:
        """Jump to the end of the current step (set or pause). Part of a set is recorded."""
        if not self._can_move():
            return False
        now = self._clock()
        self._advance(now)
        t = self.t_ms(now)
        _start, end = self._step_bounds(t)
        if t >= self._timeline.duration_ms:
            return False
        self._close_current_set(now, t, EndedBy.SKIP)
        self._jump(now, t, end)
        return True

    def back(self) -> bool:
        """Restart the current step, or go to the previous one when near its start."""
        if not self._can_move():
            return False
        now = self._clock()
        self._advance(now)
        t = self.t_ms(now)
        start, _ = self._step_bounds(t)
        target = start
        if t - start < BACK_GRACE_MS and start > 0:
            target, _ = self._step_bounds(start - 1)
        for w in self._timeline.work_sets:
            if w.end_ms > target:
                self._closed.discard(w.index)
        self._jump(now, t, target)
        return True

    def end_set(self) -> bool:
        """End the set being played (Enter): a test to failure, a distance, or any set early."""
        if not self._can_move():
            return False
        now = self._clock()
        self._advance(now)
        t = self.t_ms(now)
        seg = self._timeline.segment_at(t)
        if seg.work_index < 0:
            return False
        work = self._timeline.work_sets[seg.work_index]
        self._close_current_set(now, t, EndedBy.USER)
        self._jump(now, t, work.end_ms)
        return True

    def adjust_rest(self, delta_ms: int) -> int:
        """Lengthen (positive) or shorten the pause being played; returns the change made.

        The countdown before the next set is never cut: a pause keeps at least the countdown
        plus one second, unless it was already shorter.
        """
        if self._state not in (State.RUNNING, State.PAUSED):
            return 0
        now = self._clock()
        self._advance(now)
        t = self.t_ms(now)
        seg = self._timeline.segment_at(t)
        if seg.kind not in (SegmentKind.REST, SegmentKind.SWITCH, SegmentKind.PREPARE):
            return 0
        remaining = seg.end_ms - t
        if delta_ms < 0:
            keep = min(remaining, (self._timeline.options.countdown_s + 1) * 1000)
            delta_ms = -min(-delta_ms, remaining - keep)
        else:
            delta_ms = min(delta_ms, max(0, MAX_PAUSE_SEGMENT_MS - seg.duration_ms))
        if delta_ms:
            self._timeline = self._timeline.resized_at(t, delta_ms)
        return delta_ms

    def finish(self) -> bool:
        """End the session now and keep what was done (the set in progress counts in part)."""
        if self._state.is_over or self._state is State.READY:
            return False
        now = self._clock()
        self._advance(now)
        t = self.t_ms(now)
        self._close_current_set(now, t, EndedBy.FINISH)
        end = self._timeline.duration_ms
        self._closed.update(w.index for w in self._timeline.work_sets)
        self._shift += end - self._unclamped_t(now)
        if self._watermark < end:
            # Finishing early says only "session complete", not the set/exercise cues due at
            # the end (and nothing at all if the end was already reached and announced).
            self._pending.cues.append(self._timeline.cues[-1])
        self._watermark = end
        self._end(now, State.FINISHED)
        return True

    def abandon(self) -> bool:
        """Stop without finishing. Sets done stay recorded, and so do the completed reps of the
        set in progress (a heel-rise test stopped with Esc keeps its score); nothing more is
        emitted afterwards."""
        if self._state.is_over:
            return False
        now = self._clock()
        if self._state is not State.READY:
            self._advance(now)
            self._close_current_set(now, self.t_ms(now), EndedBy.STOP)
        self._end(now, State.ABANDONED)
        self._pending.cues.clear()
        return True

    def poll(self) -> PollResult:
        """Cues and records due since the last poll, in order. Ends the session at its end."""
        if self._state is State.RUNNING:
            now = self._clock()
            self._advance(now)
            if self.t_ms(now) >= self._timeline.duration_ms:
                self._end(now, State.FINISHED)
        result, self._pending = self._pending, PollResult()
        return result

    # ---------------------------------------------------------------- internals

    def _can_move(self) -> bool:
        return self._state in (State.RUNNING, State.PAUSED)

    def _end(self, now: int, state: State) -> None:
        if self._paused_at is not None:
            self._paused_total += now - self._paused_at
            self._paused_at = None
        self._end_mono = now
        self._state = state

    def _step_bounds(self, t: int) -> tuple[int, int]:
        seg = self._timeline.segment_at(t)
        if seg.work_index >= 0:
            w = self._timeline.work_sets[seg.work_index]
            return w.start_ms, w.end_ms
        return seg.start_ms, seg.end_ms

    def _jump(self, now: int, t: int, target: int) -> None:
        # From the unclamped position: a session past its end but not yet polled to "finished"
        # must land exactly on the target, not a millisecond beyond it.
        self._shift += target - self._unclamped_t(now)
        # Cues due exactly at the target (the "go" of the set we land on) are still to come.
        self._watermark = target - 1
        if target > t:
            # Sets jumped over entirely were not started.
            for w in self._timeline.work_sets:
                if t < w.start_ms < target:
                    self._closed.add(w.index)
        self._set_started_mono = {
            i: m for i, m in self._set_started_mono.items() if i not in self._reopened(target)
        }
        self._advance(now)
        if target >= self._timeline.duration_ms and self._state is State.PAUSED:
            self._end(now, State.FINISHED)  # nothing is left to resume

    def _reopened(self, target: int) -> set[int]:
        return {w.index for w in self._timeline.work_sets if w.start_ms >= target}

    def _unclamped_t(self, now: int) -> int:
        """Timeline time before clamping to the end: keeps instants right after a late poll."""
        frozen = self._paused_at if self._paused_at is not None else self._end_mono
        if frozen is not None:
            now = frozen
        return now - self._start_mono - self._paused_total + self._shift

    def _mono_of(self, now: int, t_event: int) -> int:
        """Monotonic instant at which timeline time ``t_event`` was reached."""
        if self._paused_at is not None:
            return self._paused_at  # reached by a jump while paused: it happened at the pause
        return now - (self._unclamped_t(now) - t_event)

    def _wall_of(self, mono: int) -> datetime:
        return self._wall_anchor + timedelta(milliseconds=mono - self._mono_anchor)

    def _advance(self, now: int) -> None:
        """Hand out everything between the watermark and the present timeline time."""
        if self._state in (State.READY, State.ABANDONED):
            return
        t = self.t_ms(now)
        if t <= self._watermark:
            return
        tl = self._timeline
        running = self._state is State.RUNNING
        for w in tl.work_sets:
            # A set entered while paused gets its start when the session resumes.
            if (
                running
                and self._watermark < w.start_ms <= t
                and w.index not in self._set_started_mono
            ):
                self._set_started_mono[w.index] = self._mono_of(now, w.start_ms)
        self._pending.cues.extend(tl.cues_in(self._watermark, t))
        for w in tl.work_sets:
            if self._watermark < w.end_ms <= t and w.index not in self._closed:
                self._record(w, w.duration_ms, self._mono_of(now, w.end_ms), EndedBy.TIME)
        self._watermark = t

    def _close_current_set(self, now: int, t: int, ended_by: EndedBy) -> None:
        seg = self._timeline.segment_at(t)
        if seg.work_index < 0 or seg.work_index in self._closed:
            return
        w = self._timeline.work_sets[seg.work_index]
        if t >= w.end_ms:
            return
        ended = self._paused_at if self._paused_at is not None else now
        self._record(w, t - w.start_ms, ended, ended_by)

    def _record(self, w: WorkSet, elapsed_ms: int, end_mono: int, ended_by: EndedBy) -> None:
        self._closed.add(w.index)
        done = w.done_after(elapsed_ms, ended_by_user=ended_by is EndedBy.USER)
        if done <= 0:
            return
        started = self._set_started_mono.get(w.index, end_mono - elapsed_ms)
        record = SetRecord(
            work=w,
            done=done,
            time_under_tension_ms=w.time_under_tension_ms(done),
            started_mono_ms=started,
            ended_mono_ms=end_mono,
            started_at=self._wall_of(started),
            ended_at=self._wall_of(end_mono),
            ended_by=ended_by,
        )
        self._records[w.index] = record
        self._pending.records.append(record)
