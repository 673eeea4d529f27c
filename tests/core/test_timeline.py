"""The timeline compiler: exact segments and cues for built-in and random programs."""

from __future__ import annotations

from collections import Counter

from hypothesis import given, settings

from calftimer.core.exercise import Mode, Tempo
from calftimer.core.programs import BUILTIN_BY_ID, BUILTIN_PROGRAMS, Program, Side, default_block
from calftimer.core.timeline import (
    CompileOptions,
    CueKind,
    SegmentKind,
    Timeline,
    compile_program,
    format_duration,
)
from tests.core.strategies import compile_options, programs


def one_block(*blocks: object) -> Program:
    return Program("t", "Test", "", tuple(blocks))  # type: ignore[arg-type]


def cues_of(tl: Timeline, kind: CueKind) -> list[int]:
    return [c.offset_ms for c in tl.cues if c.kind is kind]


def check_structure(tl: Timeline) -> None:
    """Segments tile the timeline without gaps; cues are sorted and inside it."""
    t = 0
    for i, seg in enumerate(tl.segments):
        assert seg.index == i
        assert seg.start_ms == t
        assert seg.duration_ms > 0 or seg.kind is SegmentKind.DONE
        t = seg.end_ms
    assert tl.segments[-1].kind is SegmentKind.DONE
    assert tl.duration_ms == sum(s.duration_ms for s in tl.segments)
    keys = [c.key for c in tl.cues]
    assert keys == sorted(keys)
    assert all(0 <= c.offset_ms <= tl.duration_ms for c in tl.cues)
    for c in tl.cues:
        seg = tl.segments[c.segment_index]
        assert seg.start_ms <= c.offset_ms <= seg.end_ms


def test_builtin_programs_compile_to_well_formed_timelines() -> None:
    for program in BUILTIN_PROGRAMS:
        check_structure(compile_program(program))


@settings(max_examples=150, deadline=None)
@given(programs, compile_options)
def test_random_programs_compile_to_well_formed_timelines(program, options) -> None:
    tl = compile_program(program, options)
    check_structure(tl)
    assert compile_program(program, options) == tl  # a pure function
    for w in tl.work_sets:
        segs = tl.segments[w.first_segment : w.end_segment]
        assert all(s.work_index == w.index for s in segs)
        assert segs[0].start_ms == w.start_ms and segs[-1].end_ms == w.end_ms
        # Metronome beat k of a set falls at start + k * 60000 / bpm, rounded to the ms.
        beats = [c for c in tl.cues if c.kind is CueKind.BEAT and c.work_index == w.index]
        if w.metronome_bpm is None:
            assert beats == []
        else:
            bpm = w.metronome_bpm
            assert [c.value for c in beats] == list(range(len(beats)))
            for c in beats:
                assert c.offset_ms == w.start_ms + round(c.value * 60_000 / bpm + 1e-9)
                assert c.offset_ms < w.end_ms
        assert sum(1 for c in tl.cues if c.kind is CueKind.GO and c.work_index == w.index) == 1


def test_tempo_reps_have_one_segment_per_phase_and_a_rep_count() -> None:
    block = default_block("double_leg_calf_raise", sets=1, target=3, tempo=Tempo(2, 1, 2, 0))
    tl = compile_program(one_block(block), CompileOptions(prepare_s=5, countdown_s=3))
    work = [s for s in tl.segments if s.work_index >= 0]
    assert [(s.kind, s.duration_ms, s.rep) for s in work[:3]] == [
        (SegmentKind.UP, 2000, 1),
        (SegmentKind.TOP_HOLD, 1000, 1),
        (SegmentKind.DOWN, 2000, 1),
    ]
    assert len(work) == 9  # the zero-second bottom hold makes no segment
    assert cues_of(tl, CueKind.REP) == [5000, 10000, 15000]
    assert cues_of(tl, CueKind.COUNTDOWN) == [2000, 3000, 4000]
    assert cues_of(tl, CueKind.GO) == [5000]
    assert tl.duration_ms == 5000 + 3 * 5000
    assert cues_of(tl, CueKind.SESSION_DONE) == [tl.duration_ms]


def test_per_side_block_runs_one_leg_then_switches_then_the_other() -> None:
    block = default_block("single_leg_calf_raise", sets=2, target=2, switch_s=5, rest_s=30)
    tl = compile_program(one_block(block), CompileOptions(prepare_s=10))
    order = [(w.set_number, w.side) for w in tl.work_sets]
    assert order == [(1, Side.LEFT), (1, Side.RIGHT), (2, Side.LEFT), (2, Side.RIGHT)]
    pauses = [s.kind for s in tl.segments if s.work_index < 0]
    assert pauses == [
        SegmentKind.PREPARE,
        SegmentKind.SWITCH,
        SegmentKind.REST,
        SegmentKind.SWITCH,
        SegmentKind.DONE,
    ]
    switches = [c for c in tl.cues if c.kind is CueKind.SWITCH]
    assert [c.side for c in switches] == [Side.RIGHT, Side.RIGHT]
    # "Set done" only once both legs have done the set.
    assert [c.value for c in tl.cues if c.kind is CueKind.SET_DONE] == [1, 2]


def test_rest_announces_what_comes_next_with_halfway_and_ten_seconds() -> None:
    program = one_block(
        default_block("soleus_squat", sets=1, target=2, rest_after_s=60),
        default_block("seated_calf_raise", sets=1, target=2),
    )
    tl = compile_program(program, CompileOptions(prepare_s=5))
    rest = next(s for s in tl.segments if s.kind is SegmentKind.REST)
    rest_cue = next(c for c in tl.cues if c.kind is CueKind.REST)
    assert rest_cue.offset_ms == rest.start_ms and rest_cue.value == 60
    assert tl.work_sets[rest_cue.work_index].exercise_id == "seated_calf_raise"
    assert cues_of(tl, CueKind.HALFWAY) == [rest.start_ms + 30_000]
    assert cues_of(tl, CueKind.TEN_SECONDS) == [rest.end_ms - 10_000]
    assert cues_of(tl, CueKind.EXERCISE_DONE) == [rest.start_ms, tl.duration_ms]


def test_long_holds_get_halfway_and_ten_seconds_left() -> None:
    block = default_block(
        "isometric_calf_hold", sets=1, sides=default_block("isometric_calf_hold").sides.LEFT
    )
    tl = compile_program(one_block(block), CompileOptions(prepare_s=5))
    hold = next(s for s in tl.segments if s.kind is SegmentKind.HOLD)
    assert hold.duration_ms == 45_000
    assert cues_of(tl, CueKind.HALFWAY) == [hold.start_ms + 22_500]
    assert cues_of(tl, CueKind.TEN_SECONDS) == [hold.end_ms - 10_000]


def test_heel_rise_test_is_an_open_set_on_a_60_bpm_beat_with_rest_between_legs() -> None:
    tl = compile_program(BUILTIN_BY_ID["heel-rise-test"])
    tests = [w for w in tl.work_sets if w.mode is Mode.TEST]
    assert [w.side for w in tests] == [Side.LEFT, Side.RIGHT]
    left = tests[0]
    segs = tl.segments[left.first_segment : left.end_segment]
    assert all(s.open_ended for s in segs)
    assert [s.kind for s in segs[:4]] == [SegmentKind.UP, SegmentKind.DOWN] * 2
    beats = [
        c.offset_ms - left.start_ms
        for c in tl.cues
        if c.kind is CueKind.BEAT and c.work_index == left.index
    ]
    assert beats[:5] == [0, 1000, 2000, 3000, 4000]
    between = tl.segments[left.end_segment]
    assert between.kind is SegmentKind.REST and between.duration_ms == 120_000
    assert [c.side for c in tl.cues if c.kind is CueKind.SWITCH] == [Side.RIGHT]


def test_jumps_are_paced_by_the_metronome() -> None:
    block = default_block("jumping_calf_raise", sets=1, target=15)
    tl = compile_program(one_block(block), CompileOptions(prepare_s=5))
    w = tl.work_sets[0]
    assert w.duration_ms == 15 * 500
    beats = [c.offset_ms for c in tl.cues if c.kind is CueKind.BEAT]
    assert beats == [w.start_ms + 500 * k for k in range(15)]


def test_odd_bpm_beats_are_rounded_from_k_not_accumulated() -> None:
    block = default_block("jumping_calf_raise", sets=1, target=90, metronome_bpm=90)
    tl = compile_program(one_block(block), CompileOptions(prepare_s=5))
    w = tl.work_sets[0]
    beats = [c.offset_ms - w.start_ms for c in tl.cues if c.kind is CueKind.BEAT]
    assert beats[:4] == [0, 667, 1333, 2000]
    assert beats[89] == 59333  # 89 * 666.67 ms, not 89 * 667 = 59363


def test_distance_walk_is_timed_from_the_pace_and_can_be_ended_early() -> None:
    block = default_block("heel_toe_walk", sets=1, mode=Mode.DISTANCE, target=20)
    tl = compile_program(one_block(block), CompileOptions(prepare_s=5))
    walk = next(s for s in tl.segments if s.kind is SegmentKind.WALK)
    assert walk.open_ended and walk.duration_ms == 80_000  # 20 m at 15 m/min


def test_countdown_never_starts_before_the_pause_it_sits_in() -> None:
    block = default_block("double_leg_calf_raise", sets=2, target=1, rest_s=2)
    tl = compile_program(one_block(block), CompileOptions(prepare_s=10, countdown_s=5))
    rest = next(s for s in tl.segments if s.kind is SegmentKind.REST)
    rest_ticks = [
        c.value for c in tl.cues if c.kind is CueKind.COUNTDOWN and c.segment_index == rest.index
    ]
    assert rest_ticks == [1]
    assert Counter(c.kind for c in tl.cues)[CueKind.COUNTDOWN] == 5 + 1


def test_resizing_a_rest_moves_later_cues_and_keeps_earlier_ones() -> None:
    block = default_block("soleus_squat", sets=2, target=1, rest_s=60)
    tl = compile_program(one_block(block), CompileOptions(prepare_s=5))
    rest = next(s for s in tl.segments if s.kind is SegmentKind.REST)
    t = rest.start_ms + 40_000  # after halfway
    longer = tl.resized_at(t, 15_000)
    assert longer.duration_ms == tl.duration_ms + 15_000
    check_structure(longer)
    assert cues_of(longer, CueKind.HALFWAY) == cues_of(tl, CueKind.HALFWAY)
    assert cues_of(longer, CueKind.TEN_SECONDS) == [rest.end_ms - 10_000 + 15_000]
    shorter = tl.resized_at(rest.start_ms + 20_000, -15_000)
    check_structure(shorter)
    assert shorter.duration_ms == tl.duration_ms - 15_000
    # "Halfway" had not sounded yet: it moves to the middle of the shortened rest.
    short_rest = shorter.segments[rest.index]
    assert cues_of(shorter, CueKind.HALFWAY) == [short_rest.start_ms + 45_000 // 2]


def test_sets_without_a_pause_still_announce_and_switch_before_go() -> None:
    program = one_block(
        default_block("single_leg_calf_raise", sets=1, target=1, switch_s=0, rest_after_s=0),
        default_block("soleus_squat", sets=1, target=1),
    )
    tl = compile_program(program, CompileOptions(prepare_s=5))
    right, squat = tl.work_sets[1], tl.work_sets[2]
    at_right = [c.kind for c in tl.cues if c.offset_ms == right.start_ms]
    assert at_right.index(CueKind.SWITCH) < at_right.index(CueKind.GO)
    at_squat = [c.kind for c in tl.cues if c.offset_ms == squat.start_ms and c.work_index == 2]
    assert at_squat.index(CueKind.ANNOUNCE) < at_squat.index(CueKind.GO)


def test_blocks_built_in_code_get_the_file_checks() -> None:
    import pytest

    zero = default_block("soleus_squat", tempo=Tempo(0, 0, 0, 0))
    with pytest.raises(ValueError, match=r"0\.5 seconds"):
        compile_program(one_block(zero))
    no_pace = default_block("soleus_squat", tempo=None, metronome_bpm=None)
    with pytest.raises(ValueError, match="tempo or a metronome"):
        compile_program(one_block(no_pace))


def test_format_duration() -> None:
    assert format_duration(45_000) == "45 s"
    assert format_duration(17 * 60_000 + 10_000) == "17 min"
    assert format_duration(17 * 60_000 + 40_000) == "18 min"
    assert format_duration(75 * 60_000) == "1 h 15 min"


@settings(max_examples=150, deadline=None)
@given(programs, compile_options)
def test_the_quick_duration_estimate_equals_the_compiled_length(program, options) -> None:
    from calftimer.core.timeline import estimated_duration_ms

    assert estimated_duration_ms(program, options) == compile_program(program, options).duration_ms
