"""The exercise figure's geometry: every catalog exercise has poses that read as the exercise
(angles at the phase boundaries), move monotonically through up and down, show the working leg
on the side being trained, and follow a session position exactly (frozen while paused)."""

from __future__ import annotations

import itertools

import pytest

from calftimer.core import figure
from calftimer.core.catalog import CATALOG
from calftimer.core.clock import ManualClock
from calftimer.core.programs import BUILTIN_PROGRAMS, Program, Side, Sides, default_block
from calftimer.core.session import Session
from calftimer.core.timeline import CompileOptions, SegmentKind, compile_program

K = SegmentKind
TEMPO_EXERCISES = [e for e in CATALOG if figure.movement(e).kind in ("raise", "hold")]


def test_every_catalog_exercise_has_a_figure() -> None:
    assert set(figure.MOVEMENTS) == set(CATALOG)
    for exercise_id, ex in CATALOG.items():
        assert figure.movement(exercise_id).per_side == ex.per_side, exercise_id


def angles(exercise_id: str, phase: SegmentKind, f: float = 0.0, side: Side = Side.BOTH):
    return figure.pose(exercise_id, phase, f, side).angles


# (exercise, bottom ankle range, top ankle range, knee range at the top, heel below the
# support at the bottom, the other foot lifted at the bottom)
EXPECTED = [
    ("double_leg_calf_raise", (-25, -12), (30, 45), (0, 10), True, False),
    ("single_leg_calf_raise", (-25, -12), (30, 45), (0, 10), True, True),
    ("ecc_heel_drop_straight", (-25, -12), (30, 45), (0, 10), True, True),
    ("ecc_heel_drop_bent", (-35, -20), (15, 30), (20, 35), True, True),
    ("soleus_squat", (-3, 3), (25, 40), (80, 100), False, False),
    ("seated_calf_raise", (-20, -10), (25, 35), (80, 100), True, False),
    ("heel_rise_test", (-3, 3), (35, 45), (0, 10), False, True),
    ("isometric_calf_hold", (-3, 3), (15, 30), (0, 10), False, True),
]


@pytest.mark.parametrize(("exercise_id", "bottom", "top", "knee", "heel_below", "lifted"), EXPECTED)
def test_phase_boundaries_have_the_exercises_angles(
    exercise_id: str,
    bottom: tuple[float, float],
    top: tuple[float, float],
    knee: tuple[float, float],
    heel_below: bool,
    lifted: bool,
) -> None:
    b = figure.pose(exercise_id, K.BOTTOM_HOLD, 0.0)
    t = figure.pose(exercise_id, K.TOP_HOLD, 0.0)
    assert bottom[0] <= b.angles.ankle <= bottom[1]
    assert top[0] <= t.angles.ankle <= top[1]
    assert knee[0] <= t.angles.knee <= knee[1]
    # Up starts at the bottom and ends at the top; down the other way round.
    assert figure.pose(exercise_id, K.UP, 0.0) == b
    assert figure.pose(exercise_id, K.UP, 1.0) == t
    assert figure.pose(exercise_id, K.DOWN, 0.0) == t
    assert figure.pose(exercise_id, K.DOWN, 1.0) == b
    # The heel is visibly up at the top (the ball stays on its support).
    assert t.near_leg.heel[1] > t.near_leg.ball[1] + 4
    support_y = b.near_leg.ball[1]
    if heel_below:
        assert b.near_leg.heel[1] < support_y - 2, "the heel drops below the step or block"
    else:
        assert abs(b.near_leg.heel[1] - support_y) < 1, "the heel rests on the floor"
    far_ball = b.far_leg.ball[1]
    if lifted:
        assert far_ball > support_y + 10, "the other foot is off the support"
    else:
        assert abs(far_ball - support_y) < 1, "both feet stand on the support"


def test_soleus_squat_and_seated_raise_bend_the_knees_and_the_hip() -> None:
    for exercise_id in ("soleus_squat", "seated_calf_raise"):
        for phase in (K.BOTTOM_HOLD, K.TOP_HOLD):
            a = angles(exercise_id, phase)
            assert 80 <= a.knee <= 100 and 80 <= a.hip <= 110, (exercise_id, phase, a)
    squat = figure.pose("soleus_squat", K.BOTTOM_HOLD, 0.0)
    wall = next(p for p in squat.props if p.kind == "wall")
    assert wall.x + wall.w <= squat.near_leg.hip[0] < squat.near_leg.knee[0], "back on the wall"


def test_seated_raise_sits_on_a_bench_with_a_load_on_the_knees() -> None:
    for f in (0.0, 0.5, 1.0):
        p = figure.pose("seated_calf_raise", K.UP, f)
        bench = next(x for x in p.props if x.kind == "bench")
        load = next(x for x in p.props if x.kind == "load")
        # The hip stays on the seat and the ball on the block while the knee rises.
        assert bench.y + bench.h < p.near_leg.hip[1] < bench.y + bench.h + 6
        assert p.near_leg.ball == pytest.approx((0.0, figure.BLOCK_HEIGHT))
        knee = p.near_leg.knee
        assert abs(load.x + load.w / 2 - knee[0]) < 8 and load.y >= knee[1] - 2
    low = figure.pose("seated_calf_raise", K.BOTTOM_HOLD, 0.0).near_leg.knee[1]
    high = figure.pose("seated_calf_raise", K.TOP_HOLD, 0.0).near_leg.knee[1]
    assert high > low + 2


def test_eccentric_rises_on_both_feet_and_lowers_on_one() -> None:
    for exercise_id in ("ecc_heel_drop_straight", "ecc_heel_drop_bent"):
        top = figure.pose(exercise_id, K.TOP_HOLD, 0.0)
        assert abs(top.far_leg.ball[1] - figure.STEP_HEIGHT) < 1  # both feet up on the step
        lowering = figure.pose(exercise_id, K.DOWN, 0.5)
        assert lowering.far_leg.ball[1] > figure.STEP_HEIGHT + 10  # the other foot is lifted
        assert figure.pose(exercise_id, K.DOWN, 1.0).angles.heel_tilt < -5  # heel below


@pytest.mark.parametrize("exercise_id", TEMPO_EXERCISES)
@pytest.mark.parametrize("side", [Side.LEFT, Side.RIGHT, Side.BOTH])
def test_the_ankle_moves_monotonically_through_up_and_down(exercise_id: str, side: Side) -> None:
    steps = [i / 200 for i in range(201)]
    up = [angles(exercise_id, K.UP, f, side).ankle for f in steps]
    down = [angles(exercise_id, K.DOWN, f, side).ankle for f in steps]
    assert all(b >= a - 1e-9 for a, b in itertools.pairwise(up))
    assert all(b <= a + 1e-9 for a, b in itertools.pairwise(down))
    assert up[-1] - up[0] > 15 and down[0] - down[-1] > 15
    heel_up = [figure.pose(exercise_id, K.UP, f, side).near_leg.heel[1] for f in steps]
    assert all(b >= a - 1e-9 for a, b in itertools.pairwise(heel_up))


def test_ease_is_monotonic_and_pinned() -> None:
    values = [figure.ease(i / 1000) for i in range(1001)]
    assert values[0] == 0.0 and values[-1] == 1.0
    assert all(b > a for a, b in itertools.pairwise(values))


@pytest.mark.parametrize("exercise_id", [e for e, x in CATALOG.items() if x.per_side])
def test_the_working_leg_follows_the_side(exercise_id: str) -> None:
    left = figure.pose(exercise_id, K.UP, 0.4, Side.LEFT)
    right = figure.pose(exercise_id, K.UP, 0.4, Side.RIGHT)
    assert (left.side, right.side) == (Side.LEFT, Side.RIGHT)
    # Left faces +x (the viewer sees its left side), right is its mirror image.
    assert (left.facing, right.facing) == (1, -1)
    assert left.angles == right.angles
    for a, b in zip(left.points(), right.points(), strict=True):
        assert b == pytest.approx((-a[0], a[1]))
    # The working foot is the one on the support; the other one is lifted.
    for p in (left, right):
        assert p.near_leg.ball[1] < p.far_leg.ball[1] - 10 or exercise_id.startswith("ecc")


def test_two_leg_exercises_show_both_legs_whatever_the_set_says() -> None:
    for exercise_id, ex in CATALOG.items():
        if not ex.per_side:
            assert figure.pose(exercise_id, K.UP, 0.3, Side.RIGHT).side is Side.BOTH


def test_pogo_leaves_the_ground_and_lands_on_the_beat() -> None:
    landing = figure.pose("jumping_calf_raise", K.JUMP, 0.0)
    assert not landing.airborne and landing.near_leg.ball[1] == pytest.approx(0.0)
    flight = figure.pose("jumping_calf_raise", K.JUMP, 0.675)
    assert flight.airborne
    lowest = min(y for _, y in (flight.near_leg.toe, flight.far_leg.toe))
    assert lowest > 5, "both feet off the floor at the top of the jump"
    assert flight.angles.ankle > landing.angles.ankle + 10  # toes pointed in the air


def test_heel_toe_walk_alternates_heel_and_toe_steps() -> None:
    first = figure.pose("heel_toe_walk", K.WALK, 0.0)
    second = figure.pose("heel_toe_walk", K.WALK, 0.5)
    # First the near foot lands on its heel in front, toes up, the far one is on its toes...
    assert first.near_leg.heel[0] > first.far_leg.heel[0]
    assert first.angles.heel_tilt < -10 and first.far_leg.heel[1] > first.far_leg.toe[1] + 3
    # ...then the other way round.
    assert second.far_leg.heel[0] > second.near_leg.heel[0]
    assert second.angles.heel_tilt > 20
    assert figure.pose("heel_toe_walk", K.WALK, 1.0) == first
    for f in (0.0, 0.25, 0.5, 0.75):
        p = figure.pose("heel_toe_walk", K.WALK, f)
        low = min(y for leg in (p.near_leg, p.far_leg) for y in (leg.heel[1], leg.toe[1]))
        assert low == pytest.approx(0.0), "a foot is always on the floor"


def test_isometric_hold_is_held_high_and_still() -> None:
    a = figure.pose("isometric_calf_hold", K.HOLD, 0.0)
    b = figure.pose("isometric_calf_hold", K.HOLD, 0.9)
    assert a == b and a.angles.heel_tilt > 15
    assert any(p.kind == "dumbbell" for p in a.props)


# ---------------------------------------------------------------- session positions


def program_of(exercise_id: str, sides: Sides = Sides.BOTH, sets: int = 2) -> Program:
    return Program("p", "P", "", (default_block(exercise_id, sets=sets, target=3, sides=sides),))


def run(program: Program) -> tuple[Session, ManualClock]:
    clock = ManualClock(0)
    session = Session(compile_program(program, CompileOptions(prepare_s=10)), clock)
    session.start()
    return session, clock


def test_the_pose_follows_the_session_position_exactly() -> None:
    session, clock = run(program_of("single_leg_calf_raise", Sides.LEFT_RIGHT))
    tl = session.timeline
    checked = 0
    for seg in tl.segments:
        if seg.kind not in (K.UP, K.DOWN, K.TOP_HOLD):
            continue
        for frac in (0.0, 0.25, 0.5):
            t = seg.start_ms + round(seg.duration_ms * frac)
            clock.set(max(clock(), t))
            if clock() != t:
                continue
            pos = session.position()
            expected = figure.pose("single_leg_calf_raise", seg.kind, frac, seg.side)
            assert figure.pose_at(pos) == expected
            checked += 1
    assert checked > 20
    sides = {figure.pose_at(session.position()).side}  # type: ignore[union-attr]
    assert sides <= {Side.LEFT, Side.RIGHT}


def test_paused_position_gives_a_constant_pose_and_no_motion() -> None:
    session, clock = run(program_of("double_leg_calf_raise"))
    clock.advance(10_000 + 700)  # 0.7 s into the first "up"
    assert figure.motion_at(session.position()).moving
    session.pause()
    frozen = figure.pose_at(session.position())
    for _ in range(5):
        clock.advance(333)
        assert figure.pose_at(session.position()) == frozen
        assert figure.motion_at(session.position()) == figure.Motion(False, None)
    session.resume()
    clock.advance(100)
    assert figure.pose_at(session.position()) != frozen


def test_motion_is_still_during_holds_and_says_until_when() -> None:
    session, clock = run(program_of("double_leg_calf_raise"))  # tempo 2/1/2/0
    clock.set(10_000 + 2_000 + 250)  # top hold, 750 ms left
    assert figure.motion_at(session.position()) == figure.Motion(False, 750)
    assert not figure.motion_at(session.position(), animate=False).moving
    clock.set(10_000 + 3_500)  # lowering
    assert figure.motion_at(session.position()) == figure.Motion(True)
    assert figure.motion_at(session.position(), animate=False) == figure.Motion(False, None)


def test_get_ready_previews_the_first_set_and_arrives_at_its_start_on_go() -> None:
    session, clock = run(program_of("single_leg_calf_raise", Sides.RIGHT_LEFT))
    # It moves during the preview, except in the loop's own holds.
    moving = [figure.motion_at(_at(session, clock, t)).moving for t in range(1_000, 9_000, 250)]
    assert any(moving) and not all(moving)
    clock.set(9_999)
    preview = figure.pose_at(session.position())
    assert preview is not None and preview.side is Side.RIGHT
    clock.set(10_000)
    start = figure.pose_at(session.position())
    assert start == figure.pose("single_leg_calf_raise", K.UP, 0.0, Side.RIGHT)
    assert preview.angles.ankle == pytest.approx(start.angles.ankle, abs=0.5)


def _at(session: Session, clock: ManualClock, t: int):
    clock.set(max(clock(), t))
    return session.position()


def test_a_switch_previews_the_other_leg() -> None:
    session, clock = run(program_of("single_leg_calf_raise", Sides.LEFT_RIGHT, sets=1))
    switch = next(s for s in session.timeline.segments if s.kind is K.SWITCH)
    clock.set(switch.start_ms + 1_000)
    pose = figure.pose_at(session.position())
    assert pose is not None and pose.side is Side.RIGHT


@pytest.mark.parametrize("program", BUILTIN_PROGRAMS, ids=lambda p: p.id)
def test_every_position_of_the_builtin_programs_has_a_pose_inside_its_frame(
    program: Program,
) -> None:
    session, clock = run(program)
    tl = session.timeline
    for seg in tl.segments[:-1]:
        for frac in (0.0, 0.5, 0.99):
            clock.set(max(clock(), seg.start_ms + int(seg.duration_ms * frac)))
            pos = session.position()
            p = figure.pose_at(pos)
            assert p is not None
            box, frame = figure.pose_box(p), figure.frame(p.exercise_id, p.side)
            assert frame.left <= box.left and box.right <= frame.right
            assert frame.bottom <= box.bottom and box.top <= frame.top
            m = figure.motion_at(pos)
            assert m.moving or (m.still_for_ms is not None and m.still_for_ms >= 0)
