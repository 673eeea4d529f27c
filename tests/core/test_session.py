"""The session state machine on a manual clock: position, cues, records, and no drift."""

from __future__ import annotations

import random
from datetime import UTC, datetime, timedelta

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from calftimer.core.clock import ManualClock
from calftimer.core.exercise import Mode, Tempo
from calftimer.core.programs import BUILTIN_BY_ID, Program, Side, default_block
from calftimer.core.session import BACK_GRACE_MS, EndedBy, Session, State
from calftimer.core.timeline import CompileOptions, CueKind, SegmentKind, Timeline, compile_program
from tests.core.strategies import compile_options, programs

T0 = 5_000_000
WALL0 = datetime(2026, 11, 27, 7, 0, tzinfo=UTC)


def make(program: Program, options: CompileOptions | None = None) -> tuple[Session, ManualClock]:
    clock = ManualClock(T0)
    return Session(compile_program(program, options), clock, lambda: WALL0), clock


def program_of(*blocks: object) -> Program:
    return Program("t", "Test", "", tuple(blocks))  # type: ignore[arg-type]


def run_to_end(session: Session, clock: ManualClock, step_ms: int = 97) -> tuple[list, list]:
    cues, records = [], []
    while not session.state.is_over:
        clock.advance(step_ms)
        result = session.poll()
        cues += result.cues
        records += result.records
    return cues, records


SQUATS = default_block("soleus_squat", sets=2, target=3, tempo=Tempo(1, 0, 1, 0), rest_s=20)


# ----------------------------------------------------------------------------- unit behaviour


def test_an_untouched_session_plays_every_cue_once_and_records_every_set() -> None:
    session, clock = make(BUILTIN_BY_ID["alfredson"])
    session.start()
    cues, records = run_to_end(session, clock)
    assert [c.key for c in cues] == [c.key for c in session.timeline.cues]
    assert session.state is State.FINISHED
    assert session.t_ms() == session.timeline.duration_ms
    assert len(records) == len(session.timeline.work_sets) == 12
    assert all(r.done == r.work.target == 15 and r.ended_by is EndedBy.TIME for r in records)
    assert {r.work.side for r in records} == {Side.LEFT, Side.RIGHT}
    first = records[0]
    # 1 s up + 3 s down per rep: time under tension is exact.
    assert first.time_under_tension_ms == 15 * 4000
    w0 = session.timeline.work_sets[0]
    assert first.started_mono_ms == T0 + w0.start_ms
    assert first.ended_mono_ms == T0 + w0.end_ms
    assert first.started_at == WALL0 + timedelta(milliseconds=w0.start_ms)


def test_a_record_is_the_work_set_it_completes_and_what_happened() -> None:
    """The plan (exercise, leg, set, target, load, tempo) is the work set's, never copied: a
    longer rest moves the next sets in time and each record still holds its own set."""
    session, clock = make(program_of(SQUATS), CompileOptions(prepare_s=10))
    session.start()
    clock.advance(10_000 + 6_000 + 1_000)  # into the rest after the first set
    assert session.adjust_rest(15_000) == 15_000
    _, records = run_to_end(session, clock)
    first, second = session.timeline.work_sets
    assert [r.work for r in records] == [first, second]
    assert second.start_ms == 10_000 + 6_000 + 20_000 + 15_000  # moved by the longer rest
    assert [(r.work.set_number, r.done, r.work.target) for r in records] == [(1, 3, 3), (2, 3, 3)]


def test_pause_freezes_the_position_and_resume_continues_from_it() -> None:
    session, clock = make(program_of(SQUATS), CompileOptions(prepare_s=10))
    session.start()
    clock.advance(4_000)
    session.poll()
    assert session.pause()
    clock.advance(60_000)
    assert session.poll().cues == []
    assert session.t_ms() == 4_000
    assert session.position().state is State.PAUSED
    assert session.next_deadline_ms() is None
    session.resume()
    clock.advance(6_000)
    cues = session.poll().cues
    assert session.t_ms() == 10_000
    assert [c.kind for c in cues if c.offset_ms == 10_000][:2] == [CueKind.GO, CueKind.UP]


def test_skip_during_a_set_records_what_was_done_and_lands_on_the_rest() -> None:
    session, clock = make(program_of(SQUATS), CompileOptions(prepare_s=10))
    session.start()
    clock.advance(10_000 + 2 * 2000 + 500)  # two reps done, the third begun
    session.poll()
    assert session.skip()
    result = session.poll()
    assert [r.done for r in result.records] == [2]
    assert result.records[0].ended_by is EndedBy.SKIP
    assert session.position().segment.kind is SegmentKind.REST
    kinds = [c.kind for c in result.cues]
    assert CueKind.REST in kinds and CueKind.UP not in kinds
    # The set is never recorded a second time; the next one is recorded when it ends.
    clock.advance(20_000 + 5_900)
    assert session.poll().records == []
    clock.advance(100)
    assert [(r.work.set_number, r.done) for r in session.poll().records] == [(2, 3)]


def test_skip_from_a_pause_starts_the_next_set_with_its_go() -> None:
    session, clock = make(program_of(SQUATS), CompileOptions(prepare_s=10))
    session.start()
    clock.advance(1_000)
    session.poll()
    session.skip()
    cues = session.poll().cues
    assert session.t_ms() == 10_000
    assert cues[0].kind is CueKind.GO
    assert all(c.kind is not CueKind.COUNTDOWN for c in cues)  # skipped past, not played late


def test_back_restarts_the_step_or_goes_to_the_previous_one_near_its_start() -> None:
    session, clock = make(program_of(SQUATS), CompileOptions(prepare_s=10))
    session.start()
    clock.advance(13_000)
    session.poll()
    session.back()  # 3 s into the set: restart it
    assert session.t_ms() == 10_000
    replayed = session.poll().cues
    assert replayed[0].kind is CueKind.GO
    clock.advance(BACK_GRACE_MS - 1)
    session.back()  # near the start of the set: back to the get-ready
    assert session.t_ms() == 0


def test_back_into_a_finished_set_replaces_its_record_when_redone() -> None:
    session, clock = make(program_of(SQUATS), CompileOptions(prepare_s=10))
    session.start()
    clock.advance(16_500)  # set 1 ended at 16 s: rest is playing
    first = session.poll().records
    assert [r.done for r in first] == [3]
    session.back()  # 0.5 s into the rest: back to the set
    clock.advance(6_000)
    again = session.poll().records
    assert [r.done for r in again] == [3]
    assert len(session.records) == 1


def test_rest_can_be_lengthened_and_shortened_but_keeps_its_countdown() -> None:
    session, clock = make(program_of(SQUATS), CompileOptions(prepare_s=10, countdown_s=3))
    session.start()
    clock.advance(17_000)  # 1 s into the 20 s rest
    session.poll()
    duration = session.timeline.duration_ms
    assert session.adjust_rest(15_000) == 15_000
    assert session.position().segment_remaining_ms == 34_000
    assert session.timeline.duration_ms == duration + 15_000
    assert session.adjust_rest(-15_000) == -15_000
    assert session.adjust_rest(-15_000) == -15_000
    assert session.position().segment_remaining_ms == 4_000
    assert session.adjust_rest(-15_000) == 0  # the 3 s countdown plus a second stay
    cues = []
    for _ in range(5):
        clock.advance(1000)
        cues += session.poll().cues
    assert [c.value for c in cues if c.kind is CueKind.COUNTDOWN] == [3, 2, 1]
    assert [c.kind for c in cues].count(CueKind.GO) == 1


def test_more_rest_during_the_countdown_restarts_the_countdown() -> None:
    session, clock = make(program_of(SQUATS), CompileOptions(prepare_s=10, countdown_s=3))
    session.start()
    clock.advance(16_000 + 18_500)  # the rest's countdown has said 3 and 2
    said = [c.value for c in session.poll().cues if c.kind is CueKind.COUNTDOWN]
    assert said[-2:] == [3, 2]
    session.adjust_rest(15_000)
    cues = []
    for _ in range(17):
        clock.advance(1000)
        cues += session.poll().cues
    kinds = [(c.kind, c.value) for c in cues if c.kind in (CueKind.COUNTDOWN, CueKind.GO)]
    assert kinds == [
        (CueKind.COUNTDOWN, 3),
        (CueKind.COUNTDOWN, 2),
        (CueKind.COUNTDOWN, 1),
        (CueKind.GO, 0),
    ]
    go = next(c for c in cues if c.kind is CueKind.GO)
    assert go.offset_ms == 16_000 + 20_000 + 15_000


def test_a_set_reached_while_paused_starts_when_resumed() -> None:
    session, clock = make(program_of(SQUATS), CompileOptions(prepare_s=10))
    session.start()
    clock.advance(2_000)
    session.pause()
    session.skip()  # into set 1 while paused
    clock.advance(120_000)
    session.resume()
    clock.advance(6_000)
    (record,) = session.poll().records
    assert record.started_mono_ms == T0 + 122_000
    assert record.ended_mono_ms == T0 + 128_000
    assert record.ended_at - record.started_at == timedelta(seconds=6)


def test_a_set_ended_while_paused_ends_at_the_pause() -> None:
    session, clock = make(program_of(SQUATS), CompileOptions(prepare_s=10))
    session.start()
    clock.advance(10_000 + 4_500)
    session.pause()
    clock.advance(300_000)  # five minutes thinking about it
    session.end_set()
    (record,) = session.poll().records
    assert record.ended_mono_ms == T0 + 14_500
    assert record.done == 2


def test_the_last_set_ends_on_time_even_when_the_final_poll_is_late() -> None:
    session, clock = make(program_of(SQUATS), CompileOptions(prepare_s=10))
    session.start()
    clock.advance(session.timeline.duration_ms + 750)
    records = session.poll().records
    last = session.timeline.work_sets[-1]
    assert records[-1].ended_mono_ms == T0 + last.end_ms


def test_finishing_after_the_end_was_reached_says_session_complete_once() -> None:
    session, clock = make(program_of(SQUATS), CompileOptions(prepare_s=10))
    session.start()
    clock.advance(session.timeline.duration_ms - 10)
    session.poll()
    clock.advance(20)
    session.pause()  # the end is handed out here
    session.finish()
    done = [c for c in session.poll().cues if c.kind is CueKind.SESSION_DONE]
    assert len(done) == 1


def test_skipping_the_last_set_while_paused_finishes_the_session() -> None:
    session, clock = make(program_of(SQUATS), CompileOptions(prepare_s=10))
    session.start()
    last = session.timeline.work_sets[-1]
    clock.set(T0 + last.start_ms + 1000)
    session.poll()
    session.pause()
    session.skip()
    assert session.state is State.FINISHED


def test_stopping_keeps_the_completed_reps_of_the_set_in_progress() -> None:
    session, clock = make(program_of(SQUATS), CompileOptions(prepare_s=10))
    session.start()
    clock.advance(10_000 + 2 * 2000 + 500)
    session.poll()
    session.abandon()
    assert [(r.done, r.ended_by) for r in session.records] == [(2, EndedBy.STOP)]


def test_rest_adjustment_does_nothing_during_work() -> None:
    session, clock = make(program_of(SQUATS), CompileOptions(prepare_s=10))
    session.start()
    clock.advance(11_000)
    session.poll()
    assert session.adjust_rest(15_000) == 0


def test_heel_rise_test_set_ends_with_enter_and_counts_completed_reps() -> None:
    session, clock = make(BUILTIN_BY_ID["heel-rise-test"])
    session.start()
    tl = session.timeline
    left = next(w for w in tl.work_sets if w.mode is Mode.TEST)
    clock.set(T0 + left.start_ms + 23 * 2000 + 1500)  # 23 reps done, 24th going down
    session.poll()
    assert session.end_set()
    result = session.poll()
    assert [(r.work.side, r.done, r.ended_by) for r in result.records] == [
        (Side.LEFT, 23, EndedBy.USER)
    ]
    assert result.records[0].time_under_tension_ms == 23 * 2000
    # Two minutes between legs are a rest that ends on the right leg.
    position = session.position()
    assert position.segment.kind is SegmentKind.REST
    assert position.work_set is not None and position.work_set.side is Side.RIGHT


def test_distance_ended_by_the_user_counts_the_whole_distance() -> None:
    walk = default_block("heel_toe_walk", sets=1, mode=Mode.DISTANCE, target=20)
    session, clock = make(program_of(walk), CompileOptions(prepare_s=5))
    session.start()
    clock.advance(5_000 + 30_000)
    session.poll()
    session.end_set()
    assert [r.done for r in session.poll().records] == [20]


def test_finish_early_keeps_the_partial_set_and_ends_with_session_done() -> None:
    session, clock = make(program_of(SQUATS), CompileOptions(prepare_s=10))
    session.start()
    clock.advance(10_000 + 2 * 2000 + 100)
    session.poll()
    assert session.finish()
    result = session.poll()
    assert [(r.done, r.ended_by) for r in result.records] == [(2, EndedBy.FINISH)]
    assert [c.kind for c in result.cues] == [CueKind.SESSION_DONE]
    assert session.state is State.FINISHED
    clock.advance(10_000)
    assert session.poll().cues == [] and session.t_ms() == session.timeline.duration_ms


def test_abandon_stops_everything_but_keeps_done_sets() -> None:
    session, clock = make(program_of(SQUATS), CompileOptions(prepare_s=10))
    session.start()
    clock.advance(17_000)
    session.poll()
    assert session.abandon()
    assert session.state is State.ABANDONED
    clock.advance(60_000)
    assert session.poll().cues == [] and session.poll().records == []
    assert len(session.records) == 1
    assert not session.skip() and not session.resume()


def test_operations_before_start_do_nothing_and_start_twice_is_an_error() -> None:
    session, _ = make(program_of(SQUATS))
    assert not session.pause() and not session.skip() and not session.back()
    assert session.adjust_rest(15_000) == 0
    session.start()
    with pytest.raises(RuntimeError):
        session.start()


def test_deadline_polls_deliver_each_cue_exactly_at_its_time() -> None:
    """Waking at next_deadline_ms() is never late: every cue is due exactly then."""
    session, clock = make(BUILTIN_BY_ID["heel-rise-test"])
    session.start()
    seen = 0
    while not session.state.is_over:
        deadline = session.next_deadline_ms()
        assert deadline is not None and deadline >= clock()
        clock.set(deadline)
        for cue in session.poll().cues:
            assert T0 + cue.offset_ms == clock()
            seen += 1
    assert seen == len(session.timeline.cues)


# --------------------------------------------------------------------------- properties

OPS = ("poll", "pause", "resume", "skip", "back", "more_rest", "less_rest", "end_set")


class Reference:
    """An independent, deliberately naive model of where a session must be."""

    def __init__(self, session: Session) -> None:
        self.session = session
        self.t = 0
        self.wm = -1
        self.running = True
        self.expected: list[tuple[int, int]] = []  # (order, offset) of cues due, in order

    @property
    def tl(self) -> Timeline:
        return self.session.timeline

    def emit_upto(self, t: int) -> None:
        self.expected += [
            (c.order, c.offset_ms) for c in self.tl.cues if self.wm < c.offset_ms <= t
        ]
        self.wm = max(self.wm, t)

    def elapse(self, ms: int) -> None:
        if self.running:
            self.t = min(self.t + ms, self.tl.duration_ms)

    def step_bounds(self, t: int) -> tuple[int, int]:
        seg = self.tl.segment_at(t)
        if seg.work_index >= 0:
            w = self.tl.work_sets[seg.work_index]
            return w.start_ms, w.end_ms
        return seg.start_ms, seg.end_ms

    def jump(self, target: int) -> None:
        self.t = target
        self.wm = target - 1
        self.emit_upto(target)


@settings(max_examples=120, deadline=None)
@given(
    programs,
    compile_options,
    st.lists(st.tuples(st.integers(0, 25_000), st.sampled_from(OPS)), max_size=40),
)
def test_random_operations_match_the_reference_model(program, options, ops) -> None:
    session, clock = make(program, options)
    session.start()
    ref = Reference(session)
    got: list[tuple[int, int]] = []
    ever_went_back = False
    skipped_spans: list[tuple[int, int, Timeline]] = []
    for delay, op in ops:
        clock.advance(delay)
        ref.elapse(delay)
        if session.state.is_over:
            break
        ref.emit_upto(ref.t)
        if op == "pause" and session.pause():
            ref.running = False
        elif op == "resume" and session.resume():
            ref.running = True
        elif op == "skip" and ref.t < ref.tl.duration_ms:
            _, end = ref.step_bounds(ref.t)
            assert session.skip()
            skipped_spans.append((ref.t, end, ref.tl))
            ref.jump(end)
        elif op == "back":
            start, _ = ref.step_bounds(ref.t)
            target = start
            if ref.t - start < BACK_GRACE_MS and start > 0:
                target, _ = ref.step_bounds(start - 1)
            assert session.back()
            ever_went_back = True
            ref.jump(target)
        elif op in ("more_rest", "less_rest"):
            session.adjust_rest(15_000 if op == "more_rest" else -15_000)
        elif op == "end_set" and ref.tl.segment_at(ref.t).work_index >= 0:
            w = ref.tl.work_sets[ref.tl.segment_at(ref.t).work_index]
            assert session.end_set()
            skipped_spans.append((ref.t, w.end_ms, ref.tl))
            ref.jump(w.end_ms)
        got += [(c.order, c.offset_ms) for c in session.poll().cues]
        # The segment reported is the timeline's at the model's position.
        assert session.t_ms() == ref.t
        pos = session.position()
        assert pos.segment == session.timeline.segment_at(ref.t)
        assert got == ref.expected
    # Finish the run untouched: the model and the session agree to the end.
    if session.state is State.PAUSED:
        session.resume()
        ref.running = True
    while not session.state.is_over:
        clock.advance(1_000)
        ref.elapse(1_000)
        ref.emit_upto(ref.t)
        got += [(c.order, c.offset_ms) for c in session.poll().cues]
    assert got == ref.expected
    assert session.t_ms() == session.timeline.duration_ms
    if not ever_went_back:
        orders = [o for o, _ in got]
        assert len(orders) == len(set(orders)), "a cue fired twice"
        # Every cue fired unless it lay strictly inside a skipped span.
        fired = set(orders)
        for c in session.timeline.cues:
            if c.order not in fired:
                assert any(
                    a < old.offset_ms < b
                    for a, b, tl in skipped_spans
                    for old in tl.cues
                    if old.order == c.order
                ), c


@settings(max_examples=80, deadline=None)
@given(programs, compile_options, st.lists(st.integers(0, 30_000), min_size=1, max_size=30))
def test_active_time_equals_the_sum_of_segment_durations(program, options, pauses) -> None:
    """Pausing at random instants never changes how much training time the session takes."""
    session, clock = make(program, options)
    session.start()
    active = 0
    duration = session.timeline.duration_ms
    rng = random.Random(len(pauses))
    for pause_len in pauses:
        run = rng.randint(0, 20_000)
        clock.advance(run)
        active += run
        session.poll()
        assert (session.state is State.FINISHED) == (active >= duration)
        if session.state.is_over:
            break
        session.pause()
        clock.advance(pause_len)
        session.poll()
        session.resume()
    if not session.state.is_over:
        clock.advance(duration - active - 1)
        session.poll()
        assert session.state is State.RUNNING
        clock.advance(1)
        session.poll()
        assert session.state is State.FINISHED
    assert sum(s.duration_ms for s in session.timeline.segments) == duration


@settings(max_examples=60, deadline=None)
@given(programs, compile_options)
def test_metronome_beats_sound_at_exact_multiples_of_the_beat(program, options) -> None:
    session, clock = make(program, options)
    session.start()
    tl = session.timeline
    while not session.state.is_over:
        deadline = session.next_deadline_ms()
        assert deadline is not None
        clock.set(deadline)
        for cue in session.poll().cues:
            if cue.kind is CueKind.BEAT:
                w = tl.work_sets[cue.work_index]
                assert w.metronome_bpm is not None
                expected = w.start_ms + (2 * cue.value * 60_000 + w.metronome_bpm) // (
                    2 * w.metronome_bpm
                )
                assert clock() - T0 == expected


# -------------------------------------------------------------------------------- drift


def test_a_30_minute_session_polled_late_reports_boundaries_on_time_and_ends_exactly() -> None:
    """Ticks arrive 0-300 ms late at random; the session still reports every boundary at the
    first poll after it and ends at exactly the timeline's length: nothing accumulates."""
    # The six foundation exercises at the catalog's full 3 sets: about 40 minutes.
    ids = [b.exercise_id for b in BUILTIN_BY_ID["foundation"].blocks]
    session, clock = make(program_of(*(default_block(i) for i in ids)))
    tl = session.timeline
    assert tl.duration_ms >= 30 * 60_000
    rng = random.Random(20261127)
    session.start()
    boundaries = [s.start_ms for s in tl.segments[1:]]
    next_boundary = 0
    cue_index = 0
    last_poll_t = -1
    while not session.state.is_over:
        clock.advance(100 + rng.randint(0, 300))
        result = session.poll()
        t = clock() - T0
        assert session.t_ms() == min(t, tl.duration_ms)  # position is elapsed time, exactly
        pos = session.position()
        assert pos.segment == tl.segment_at(min(t, tl.duration_ms))
        # Every boundary passed since the last poll is reported now, not later.
        while next_boundary < len(boundaries) and boundaries[next_boundary] <= t:
            assert last_poll_t < boundaries[next_boundary]
            assert pos.segment.index >= next_boundary + 1
            next_boundary += 1
        for cue in result.cues:
            assert cue.key == tl.cues[cue_index].key
            assert last_poll_t < cue.offset_ms <= t  # due since the last poll: not early, not late
            cue_index += 1
        last_poll_t = t
    assert cue_index == len(tl.cues)
    assert session.t_ms() == tl.duration_ms
    assert next_boundary == len(boundaries)
    assert clock() - T0 - tl.duration_ms < 400  # it ended at the first poll after the end


def test_back_after_the_end_but_before_the_final_poll_lands_exactly() -> None:
    """Found by the property test: the 1 ms past the end must not carry into the jump."""
    block = default_block("heel_rise_test", target=1, metronome_bpm=30, switch_s=0)
    session, clock = make(program_of(block), CompileOptions(countdown_s=0, prepare_s=0))
    session.start()
    clock.advance(session.timeline.duration_ms + 1)
    assert session.back()
    assert session.t_ms() == session.timeline.work_sets[1].start_ms
