"""The exercise figure: a side-view skeleton posed from named joint angles, in step with a session.

Pure geometry, no Qt: ``calftimer.gui.figure_widget`` only paints what this module computes.

- **Skeleton.** Foot (heel, ankle, ball, toes), shank, thigh, trunk, neck and head, upper arm and
  forearm, in units of body height (100 = standing height). The figure faces +x; y goes up; the
  floor is y = 0.
- **Named angles** (degrees, clinical conventions): ``ankle`` plantarflexion (+) or
  dorsiflexion (-); ``knee`` flexion; ``hip`` flexion (thigh forward of the trunk line); ``trunk``
  lean forward from vertical. Each exercise has keyframes at the bottom and top of the movement
  (``Key``), sometimes one more inside a phase (the eccentric drop puts the other foot down, or
  lifts it, part-way through). Forward kinematics turns a key into joint points; the working
  foot's ball is pinned to the support (a step edge, a block, the floor), except for the seated
  raise, whose hip is also pinned to the bench (the knee angle then follows by a two-link solve).
- **The pose in time.** ``pose`` gives the pose for (exercise, phase, fraction, side): up, top
  hold, down, bottom hold, eased but monotonic through up and down. ``pose_at`` gives it for a
  session ``Position`` (the timeline time the cues use), so the picture can never disagree with
  the sound; during get-ready, rests and leg switches it previews the next set at its tempo,
  timed so the loop arrives at the starting pose exactly at "go". ``motion_at`` says whether the
  pose is moving and, if not, how long it stays still, so a frame driver repaints only while
  something moves.
- **Sides.** The working leg is always the one nearest the viewer. A left-leg set faces right
  (the viewer sees the left side); a right-leg set is mirrored to face left.
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Iterator
from dataclasses import dataclass, fields, replace
from enum import StrEnum
from functools import cache

from calftimer.core.catalog import CATALOG
from calftimer.core.exercise import Tempo
from calftimer.core.programs import Side
from calftimer.core.session import Position, State
from calftimer.core.timeline import SegmentKind

Point = tuple[float, float]

# ------------------------------------------------------------------------------- skeleton

SHANK = 24.5
THIGH = 24.5
TRUNK = 29.0  # hip joint to shoulder joint
NECK = 4.0
HEAD_RADIUS = 6.0
UPPER_ARM = 17.5
FOREARM = 18.0  # elbow to the middle of the hand
# The foot in its own frame: x along the sole from the heel, y up.
FOOT_ANKLE: Point = (3.5, 4.5)
FOOT_BALL = 11.0
TOES = 4.0
# Painted widths, in the same units (the widget scales them with the figure).
LIMB_WIDTH = 4.4
TRUNK_WIDTH = 8.0
JOINT_RADIUS = 2.6

STEP_HEIGHT = 10.0
BLOCK_HEIGHT = 7.0
WALL_WIDTH = 3.0
FAR_LEG_SHIFT = -2.2  # the far leg of a two-leg stance sits a little behind: both feet show
LIFT_MAX = 10.0  # a pogo jump's flight height
WALK_CYCLE_MS = 4_000  # two steps of the heel-toe walk (the catalog's 15 m/min pace)
MARGIN = 2.0  # around the figure and props, inside the frame


class Support(StrEnum):
    STEP = "step"  # ball of the foot on a step's edge, heel free to drop below it
    FLOOR = "floor"
    BLOCK = "block"  # seated: balls of the feet on a block


class Arms(StrEnum):
    WALL = "wall"  # fingertips on a wall in front
    THIGHS = "thighs"  # hands resting on the thighs (wall sit)
    LOAD = "load"  # hands on the weight lying across the knees
    DUMBBELL = "dumbbell"  # near hand holds a dumbbell, far hand on the wall
    FREE = "free"  # by the angles of the key (swinging)


@dataclass(frozen=True, slots=True)
class Key:
    """One keyframe: the named angles of the working leg, the other leg and the arms.

    ``support`` blends the other leg between standing beside the working one (1: same angles,
    both feet on the support) and its own lifted pose (0: ``free_*``). ``lift`` raises the whole
    figure off the support (a jump). ``shoulder``/``elbow`` are used with ``Arms.FREE``.
    """

    trunk: float
    hip: float
    knee: float
    ankle: float
    support: float = 1.0
    free_hip: float = 10.0
    free_knee: float = 80.0
    free_ankle: float = 20.0
    lift: float = 0.0
    shoulder: float = 15.0
    elbow: float = 30.0
    far_shoulder: float = 15.0


def _lerp_key(a: Key, b: Key, s: float) -> Key:
    return Key(
        *(getattr(a, f.name) + (getattr(b, f.name) - getattr(a, f.name)) * s for f in fields(Key))
    )


@dataclass(frozen=True, slots=True)
class Movement:
    """How one exercise moves: its keys, support, arms and props."""

    bottom: Key
    top: Key
    support: Support
    arms: Arms
    per_side: bool
    wall: str = ""  # "front" (a hand on it), "back" (leaning on it) or ""
    seated: bool = False
    load_on_knees: bool = False
    # Keys inside a phase: (fraction of the phase, key), in order, strictly between 0 and 1.
    up_keys: tuple[tuple[float, Key], ...] = ()
    down_keys: tuple[tuple[float, Key], ...] = ()
    kind: str = "raise"  # "raise", "jump", "walk" or "hold"
    preview_tempo: Tempo | None = None  # for the loop of an exercise without a catalog tempo


# Knees straight but not locked, trunk a touch forward, shank upright.
_STRAIGHT = dict(trunk=3.0, hip=6.0, knee=3.0)
_SINGLE = dict(support=0.0, free_hip=12.0, free_knee=85.0, free_ankle=25.0)

MOVEMENTS: dict[str, Movement] = {
    "double_leg_calf_raise": Movement(
        bottom=Key(**_STRAIGHT, ankle=-20.0),
        top=Key(**_STRAIGHT, ankle=35.0),
        support=Support.STEP,
        arms=Arms.WALL,
        per_side=False,
        wall="front",
    ),
    "single_leg_calf_raise": Movement(
        bottom=Key(**_STRAIGHT, ankle=-20.0, **_SINGLE),
        top=Key(**_STRAIGHT, ankle=38.0, **_SINGLE),
        support=Support.STEP,
        arms=Arms.WALL,
        per_side=True,
        wall="front",
    ),
    "soleus_squat": Movement(
        bottom=Key(trunk=0.0, hip=90.0, knee=90.0, ankle=0.0),
        top=Key(trunk=0.0, hip=90.0, knee=90.0, ankle=32.0),
        support=Support.FLOOR,
        arms=Arms.THIGHS,
        per_side=False,
        wall="back",
    ),
    "seated_calf_raise": Movement(
        bottom=Key(trunk=0.0, hip=90.0, knee=90.0, ankle=-15.0),
        top=Key(trunk=0.0, hip=90.0, knee=90.0, ankle=30.0),
        support=Support.BLOCK,
        arms=Arms.LOAD,
        per_side=False,
        seated=True,
        load_on_knees=True,
    ),
    "heel_toe_walk": Movement(
        # Bottom: the near foot lands on its heel in front while the far one pushes off its
        # toes behind; top: the other way round. The walk goes bottom, top, bottom...
        bottom=Key(
            trunk=2.0,
            hip=20.0,
            knee=4.0,
            ankle=-8.0,
            support=0.0,
            free_hip=-12.0,
            free_knee=20.0,
            free_ankle=5.0,
            shoulder=-20.0,
            elbow=25.0,
            far_shoulder=20.0,
        ),
        top=Key(
            trunk=2.0,
            hip=-12.0,
            knee=20.0,
            ankle=5.0,
            support=0.0,
            free_hip=20.0,
            free_knee=4.0,
            free_ankle=-8.0,
            shoulder=20.0,
            elbow=25.0,
            far_shoulder=-20.0,
        ),
        support=Support.FLOOR,
        arms=Arms.FREE,
        per_side=False,
        kind="walk",
    ),
    "jumping_calf_raise": Movement(
        # Bottom: feet on the floor, heels just off it, knees soft; top: in the air, toes down.
        bottom=Key(
            trunk=4.0, hip=10.0, knee=14.0, ankle=10.0, shoulder=10.0, elbow=80.0, far_shoulder=10.0
        ),
        top=Key(
            trunk=3.0,
            hip=5.0,
            knee=5.0,
            ankle=32.0,
            lift=LIFT_MAX,
            shoulder=18.0,
            elbow=80.0,
            far_shoulder=18.0,
        ),
        support=Support.FLOOR,
        arms=Arms.FREE,
        per_side=False,
        kind="jump",
    ),
    "ecc_heel_drop_straight": Movement(
        bottom=Key(**_STRAIGHT, ankle=-22.0, **_SINGLE),
        top=Key(**_STRAIGHT, ankle=35.0),
        support=Support.STEP,
        arms=Arms.WALL,
        per_side=True,
        wall="front",
        # Up on both feet: the other foot comes down first, then both rise; at the top the
        # other foot lifts and the working leg lowers alone.
        up_keys=((0.3, Key(**_STRAIGHT, ankle=-16.0)),),
        down_keys=((0.2, Key(**_STRAIGHT, ankle=31.0, **_SINGLE)),),
    ),
    "ecc_heel_drop_bent": Movement(
        bottom=Key(trunk=10.0, hip=20.0, knee=25.0, ankle=-28.0, **_SINGLE),
        top=Key(trunk=10.0, hip=20.0, knee=25.0, ankle=22.0),
        support=Support.STEP,
        arms=Arms.WALL,
        per_side=True,
        wall="front",
        up_keys=((0.3, Key(trunk=10.0, hip=20.0, knee=25.0, ankle=-22.0)),),
        down_keys=((0.2, Key(trunk=10.0, hip=20.0, knee=25.0, ankle=18.0, **_SINGLE)),),
    ),
    "isometric_calf_hold": Movement(
        bottom=Key(**_STRAIGHT, ankle=0.0, **_SINGLE, shoulder=0.0, elbow=0.0),
        top=Key(**_STRAIGHT, ankle=22.0, **_SINGLE, shoulder=0.0, elbow=0.0),
        support=Support.FLOOR,
        arms=Arms.DUMBBELL,
        per_side=True,
        wall="front",
        kind="hold",
        preview_tempo=Tempo(1, 4, 1, 1),
    ),
    "heel_rise_test": Movement(
        bottom=Key(**_STRAIGHT, ankle=0.0, **_SINGLE),
        top=Key(**_STRAIGHT, ankle=40.0, **_SINGLE),
        support=Support.FLOOR,
        arms=Arms.WALL,
        per_side=True,
        wall="front",
    ),
}


def movement(exercise_id: str) -> Movement:
    """The movement of a catalog exercise; KeyError names an id without one."""
    try:
        return MOVEMENTS[exercise_id]
    except KeyError:
        raise KeyError(f"no figure for exercise id {exercise_id!r}") from None


# ---------------------------------------------------------------------------------- pose


@dataclass(frozen=True, slots=True)
class Angles:
    """Joint angles measured on the posed figure (degrees; see the module docstring)."""

    ankle: float
    knee: float
    hip: float
    trunk: float
    far_ankle: float
    far_knee: float
    far_hip: float
    heel_tilt: float  # the working foot's sole against the support: + heel above the ball


@dataclass(frozen=True, slots=True)
class Leg:
    hip: Point
    knee: Point
    ankle: Point
    heel: Point
    ball: Point
    toe: Point

    def points(self) -> tuple[Point, ...]:
        return (self.hip, self.knee, self.ankle, self.heel, self.ball, self.toe)


@dataclass(frozen=True, slots=True)
class Arm:
    shoulder: Point
    elbow: Point
    hand: Point


@dataclass(frozen=True, slots=True)
class Prop:
    """A rectangle in figure units: ``kind`` is floor, step, block, wall, bench, bench_leg,
    load (a weight across the knees) or dumbbell."""

    kind: str
    x: float
    y: float  # bottom edge
    w: float
    h: float


@dataclass(frozen=True, slots=True)
class Pose:
    """Everything the painter draws for one instant, in figure units (y up).

    ``near_leg`` is the working leg (the one nearest the viewer); ``side`` says which leg that
    is (``Side.BOTH`` for two-leg exercises); ``facing`` is +1 when the figure faces +x."""

    exercise_id: str
    side: Side
    facing: int
    near_leg: Leg
    far_leg: Leg
    near_arm: Arm
    far_arm: Arm
    neck: Point
    head: Point
    props: tuple[Prop, ...]
    angles: Angles
    airborne: bool = False

    def points(self) -> Iterator[Point]:
        yield from self.near_leg.points()
        yield from self.far_leg.points()
        for arm in (self.near_arm, self.far_arm):
            yield arm.shoulder
            yield arm.elbow
            yield arm.hand
        yield self.neck
        yield self.head


@dataclass(frozen=True, slots=True)
class Box:
    left: float
    bottom: float
    right: float
    top: float

    @property
    def width(self) -> float:
        return self.right - self.left

    @property
    def height(self) -> float:
        return self.top - self.bottom

    def union(self, other: Box) -> Box:
        return Box(
            min(self.left, other.left),
            min(self.bottom, other.bottom),
            max(self.right, other.right),
            max(self.top, other.top),
        )


def _rot(v: Point, degrees: float) -> Point:
    r = math.radians(degrees)
    c, s = math.cos(r), math.sin(r)
    return (v[0] * c - v[1] * s, v[0] * s + v[1] * c)


def _add(a: Point, b: Point, k: float = 1.0) -> Point:
    return (a[0] + b[0] * k, a[1] + b[1] * k)


def _down(theta: float) -> Point:
    """A unit vector pointing down, turned forward (towards +x) by ``theta`` degrees."""
    r = math.radians(theta)
    return (math.sin(r), -math.cos(r))


def _angle_from_down(a: Point, b: Point) -> float:
    """The direction from ``a`` to ``b`` in degrees from straight down, forward positive."""
    return math.degrees(math.atan2(b[0] - a[0], -(b[1] - a[1])))


def _leg_from_hip(hip: Point, trunk: float, hip_flex: float, knee: float, ankle: float) -> Leg:
    thigh_dir = hip_flex - trunk
    shank_dir = thigh_dir - knee
    tilt = ankle - shank_dir  # heel above the ball, degrees
    knee_pt = _add(hip, _down(thigh_dir), THIGH)
    ankle_pt = _add(knee_pt, _down(shank_dir), SHANK)
    return _foot(hip, knee_pt, ankle_pt, tilt)


def _foot(hip: Point, knee: Point, ankle: Point, tilt: float) -> Leg:
    heel = _add(ankle, _rot(FOOT_ANKLE, -tilt), -1.0)
    ball = _add(heel, _rot((FOOT_BALL, 0.0), -tilt))
    return Leg(hip, knee, ankle, heel, ball, _add(ball, _rot((TOES, 0.0), -tilt)))


def _with_flat_toes(leg: Leg, support_y: float) -> Leg:
    """Toes never go through the support: they bend at the ball (flat on it when the ball
    stands on it)."""
    above = leg.ball[1] - support_y
    if leg.toe[1] >= support_y or above >= TOES or above < -0.5:
        return leg
    above = max(0.0, above)
    toe = (leg.ball[0] + math.sqrt(TOES * TOES - above * above), support_y)
    return replace(leg, toe=toe)


def _shift_leg(leg: Leg, dx: float, dy: float) -> Leg:
    return Leg(*((p[0] + dx, p[1] + dy) for p in leg.points()))


def _two_link(root: Point, target: Point, a: float, b: float, bend: int) -> Point:
    """The middle joint of a two-link chain from ``root`` reaching ``target`` (or straight
    towards it when out of reach); ``bend`` +1 turns the joint counter-clockwise of the line."""
    dx, dy = target[0] - root[0], target[1] - root[1]
    d = math.hypot(dx, dy)
    d_clamped = min(max(d, abs(a - b) + 1e-6), a + b - 1e-6)
    cos_a = (a * a + d_clamped * d_clamped - b * b) / (2 * a * d_clamped)
    alpha = math.degrees(math.acos(max(-1.0, min(1.0, cos_a))))
    base = (dx / d, dy / d) if d > 1e-9 else (0.0, -1.0)
    return _add(root, _rot(base, bend * alpha), a)


def _leg_angles(leg: Leg, trunk: float) -> tuple[float, float, float, float]:
    """(ankle, knee, hip, heel tilt) measured on a leg of a figure facing +x."""
    thigh_dir = _angle_from_down(leg.hip, leg.knee)
    shank_dir = _angle_from_down(leg.knee, leg.ankle)
    tilt = math.degrees(math.atan2(leg.heel[1] - leg.ball[1], leg.ball[0] - leg.heel[0]))
    return tilt + shank_dir, thigh_dir - shank_dir, thigh_dir + trunk, tilt


@dataclass(frozen=True, slots=True)
class _Layout:
    """Where the props stand for an exercise: fixed for the whole movement."""

    support_y: float
    props: tuple[Prop, ...]
    hand_target: Point | None  # the wall point the hands rest on
    seat_hip: Point | None  # the seated hip's pinned position


def _support_y(mv: Movement) -> float:
    return {Support.STEP: STEP_HEIGHT, Support.BLOCK: BLOCK_HEIGHT, Support.FLOOR: 0.0}[mv.support]


def _raw_pose(mv: Movement, key: Key, layout: _Layout | None) -> tuple[Leg, Leg, Point, float]:
    """The two legs and the shoulder of a key, in figure units, facing +x (no arms yet)."""
    support_y = _support_y(mv)
    trunk = key.trunk
    if mv.seated and layout is not None and layout.seat_hip is not None:
        near = _seated_leg(layout.seat_hip, key, support_y)
    else:
        near = _leg_from_hip((0.0, 0.0), trunk, key.hip, key.knee, key.ankle)
    w = key.support
    # The knee straightens late as the other foot comes down (and bends early as it lifts),
    # so the foot swings down onto the step rather than through the air below its edge.
    wk = w * w
    far = _leg_from_hip(
        near.hip,
        trunk,
        key.hip * w + key.free_hip * (1 - w),
        key.knee * wk + key.free_knee * (1 - wk),
        key.ankle * w + key.free_ankle * (1 - w),
    )
    if mv.seated and layout is not None and layout.seat_hip is not None:
        far = _seated_leg(layout.seat_hip, key, support_y)
    if mv.kind == "walk":
        # Walking in place: the hip stays over x = 0, the lower foot is on the floor.
        low = min(p[1] for leg in (near, far) for p in (leg.heel, leg.ball, leg.toe))
        dx, dy = 0.0, -low
    elif mv.seated and layout is not None:
        dx = dy = 0.0
    else:
        # The working foot's ball is pinned to the support at x = 0.
        dx, dy = -near.ball[0], support_y + key.lift - near.ball[1]
    near = _shift_leg(near, dx, dy)
    far = _shift_leg(far, dx + (FAR_LEG_SHIFT if key.support > 0.5 else 0.0), dy)
    floor = 0.0 if mv.kind == "walk" else support_y
    near = _with_flat_toes(near, floor)
    far = _with_flat_toes(far, floor)
    up = (math.sin(math.radians(trunk)), math.cos(math.radians(trunk)))
    shoulder = _add(near.hip, up, TRUNK)
    return near, far, shoulder, trunk


def _seated_leg(hip: Point, key: Key, support_y: float) -> Leg:
    """A leg whose hip sits on the bench and whose ball stays on the block: the heel tilt is
    found so the ankle angle is the key's (the knee rises as the heel does)."""
    ball = (0.0, support_y)
    shank_dir = 0.0
    leg = None
    for _ in range(6):  # converges to far below a hundredth of a degree
        tilt = key.ankle - shank_dir
        heel = _add(ball, _rot((FOOT_BALL, 0.0), -tilt), -1.0)
        ankle = _add(heel, _rot(FOOT_ANKLE, -tilt))
        knee = _two_link(hip, ankle, THIGH, SHANK, bend=+1)
        shank_dir = _angle_from_down(knee, ankle)
        leg = Leg(hip, knee, ankle, heel, ball, (ball[0] + TOES, ball[1]))
    if leg is None:  # not reached: the loop runs
        raise RuntimeError("internal error: the seated leg was not solved")
    return leg


@cache
def _layout(exercise_id: str) -> _Layout:
    mv = movement(exercise_id)
    support_y = _support_y(mv)
    seat_hip: Point | None = None
    probe = mv.bottom
    if mv.seated:
        # The bottom pose, built open-chain from the ball, fixes where the hip sits.
        leg = _leg_from_hip((0.0, 0.0), probe.trunk, probe.hip, probe.knee, probe.ankle)
        seat_hip = (-leg.ball[0], support_y - leg.ball[1])
    layout = _Layout(support_y, (), None, seat_hip)
    near_b, _far_b, shoulder_b, _ = _raw_pose(mv, mv.bottom, layout)
    props: list[Prop] = []
    hand_target: Point | None = None
    if mv.wall == "front":
        wall_x = shoulder_b[0] + 25.0
        hand_target = (wall_x, shoulder_b[1] - 3.0)
        if mv.support is Support.STEP:
            props.append(
                Prop("step", -2.5 + FAR_LEG_SHIFT, 0.0, wall_x + 2.5 - FAR_LEG_SHIFT, STEP_HEIGHT)
            )
        props.append(Prop("wall", wall_x, 0.0, WALL_WIDTH, 112.0))
    elif mv.wall == "back":
        wall_x = near_b.hip[0] - TRUNK_WIDTH / 2 - WALL_WIDTH
        props.append(Prop("wall", wall_x, 0.0, WALL_WIDTH, 112.0))
    if mv.seated and seat_hip is not None:
        seat_top = seat_hip[1] - 4.5
        props.append(Prop("bench", seat_hip[0] - 16.0, seat_top - 4.0, 24.0, 4.0))
        props.append(Prop("bench_leg", seat_hip[0] - 14.0, 0.0, 3.0, seat_top - 4.0))
        props.append(Prop("bench_leg", seat_hip[0] + 3.0, 0.0, 3.0, seat_top - 4.0))
        props.append(Prop("block", -4.0 + FAR_LEG_SHIFT, 0.0, 14.0 - FAR_LEG_SHIFT, BLOCK_HEIGHT))
    return _Layout(support_y, tuple(props), hand_target, seat_hip)


def _build(exercise_id: str, mv: Movement, key: Key, side: Side) -> Pose:
    layout = _layout(exercise_id)
    near, far, shoulder, trunk = _raw_pose(mv, key, layout)
    up = (math.sin(math.radians(trunk)), math.cos(math.radians(trunk)))
    neck = _add(shoulder, up, NECK)
    head_up = _rot((0.0, 1.0), -trunk * 0.5)  # the head stays more upright than the trunk
    head = _add(neck, head_up, HEAD_RADIUS)
    props = list(layout.props)
    near_arm, far_arm = _arms(mv, key, layout, near, far, shoulder, trunk, props)
    props.insert(0, Prop("floor", -1e9, 0.0, 2e9, 0.0))  # spans the frame; clipped to it
    ankle, knee, hip, tilt = _leg_angles(near, trunk)
    far_ankle, far_knee, far_hip, _ = _leg_angles(far, trunk)
    angles = Angles(ankle, knee, hip, trunk, far_ankle, far_knee, far_hip, tilt)
    pose = Pose(
        exercise_id,
        side,
        1,
        near,
        far,
        near_arm,
        far_arm,
        neck,
        head,
        tuple(props),
        angles,
        airborne=key.lift > 0.05,
    )
    return _mirrored(pose) if side is Side.RIGHT else pose


def _arms(
    mv: Movement,
    key: Key,
    layout: _Layout,
    near: Leg,
    far: Leg,
    shoulder: Point,
    trunk: float,
    props: list[Prop],
) -> tuple[Arm, Arm]:
    def by_angles(flexion: float, elbow: float) -> Arm:
        upper = flexion - trunk * 0.0
        elbow_pt = _add(shoulder, _down(upper), UPPER_ARM)
        return Arm(shoulder, elbow_pt, _add(elbow_pt, _down(upper + elbow), FOREARM))

    def reaching(target: Point) -> Arm:
        elbow_pt = _two_link(shoulder, target, UPPER_ARM, FOREARM, bend=-1)
        return Arm(shoulder, elbow_pt, target)

    if mv.arms is Arms.WALL and layout.hand_target is not None:
        arm = reaching(layout.hand_target)
        return arm, arm
    if mv.arms is Arms.DUMBBELL and layout.hand_target is not None:
        hanging = by_angles(key.shoulder, key.elbow)
        hx, hy = hanging.hand
        props.append(Prop("dumbbell", hx - 5.0, hy - 3.0, 10.0, 6.0))
        return hanging, reaching(layout.hand_target)
    if mv.arms is Arms.THIGHS:
        return reaching(_along(near.hip, near.knee, 0.8, up=2.5)), reaching(
            _along(far.hip, far.knee, 0.8, up=2.5)
        )
    if mv.arms is Arms.LOAD:
        spot = _along(near.hip, near.knee, 0.78, up=2.2)
        props.append(Prop("load", spot[0] - 5.0, spot[1], 10.0, 5.0))
        grip = (spot[0], spot[1] + 5.0)
        return reaching(grip), reaching(grip)
    return by_angles(key.shoulder, key.elbow), by_angles(key.far_shoulder, key.elbow)


def _along(a: Point, b: Point, s: float, up: float) -> Point:
    return (a[0] + (b[0] - a[0]) * s, a[1] + (b[1] - a[1]) * s + up)


def _mirror_point(p: Point) -> Point:
    return (-p[0], p[1])


def _mirrored(pose: Pose) -> Pose:
    def leg(lg: Leg) -> Leg:
        return Leg(*(_mirror_point(p) for p in lg.points()))

    def arm(a: Arm) -> Arm:
        return Arm(_mirror_point(a.shoulder), _mirror_point(a.elbow), _mirror_point(a.hand))

    props = tuple(replace(p, x=-p.x - p.w) for p in pose.props)
    return replace(
        pose,
        facing=-1,
        near_leg=leg(pose.near_leg),
        far_leg=leg(pose.far_leg),
        near_arm=arm(pose.near_arm),
        far_arm=arm(pose.far_arm),
        neck=_mirror_point(pose.neck),
        head=_mirror_point(pose.head),
        props=props,
    )


# ------------------------------------------------------------------------ pose in time


def ease(f: float) -> float:
    """Smoothstep: eases in and out, and rises strictly through (0, 1)."""
    f = min(1.0, max(0.0, f))
    return f * f * (3.0 - 2.0 * f)


def _through(start: Key, keys: tuple[tuple[float, Key], ...], end: Key, f: float) -> Key:
    """The key ``f`` of the way from ``start`` through ``keys`` to ``end``, eased per stretch."""
    stops = ((0.0, start), *keys, (1.0, end))
    f = min(1.0, max(0.0, f))
    for (f0, k0), (f1, k1) in itertools.pairwise(stops):
        if f <= f1:
            return _lerp_key(k0, k1, ease((f - f0) / (f1 - f0)))
    return end


def _side_for(exercise_id: str, side: Side) -> Side:
    """Two-leg exercises show both legs whatever the set says; one-leg ones default to left."""
    if not movement(exercise_id).per_side:
        return Side.BOTH
    return Side.LEFT if side is Side.BOTH else side


def pose(exercise_id: str, phase: SegmentKind, fraction: float, side: Side = Side.BOTH) -> Pose:
    """The figure ``fraction`` (0 to 1) of the way through ``phase`` of one repetition.

    Phases: UP (bottom to top), TOP_HOLD (top), DOWN (top to bottom), BOTTOM_HOLD (bottom),
    JUMP (one ground contact and flight), HOLD (the isometric hold: top), WALK (``fraction`` of
    two steps). Anything else (get ready, rests, done) gives the starting pose.
    """
    mv = movement(exercise_id)
    side = _side_for(exercise_id, side)
    return _build(exercise_id, mv, _key_at(mv, phase, fraction), side)


def _key_at(mv: Movement, phase: SegmentKind, fraction: float) -> Key:
    f = min(1.0, max(0.0, fraction))
    if phase is SegmentKind.UP:
        return _through(mv.bottom, mv.up_keys, mv.top, f)
    if phase is SegmentKind.DOWN:
        return _through(mv.top, mv.down_keys, mv.bottom, f)
    if phase in (SegmentKind.TOP_HOLD, SegmentKind.HOLD):
        return mv.top
    if phase is SegmentKind.JUMP:
        return _jump_key(mv, f)
    if phase is SegmentKind.WALK:
        return _walk_key(mv, f)
    return mv.bottom


CONTACT = 0.35  # share of a pogo beat on the ground; the count falls on the landing


def _jump_key(mv: Movement, f: float) -> Key:
    """Lands at the beat, sinks a little, pushes off, flies and comes down for the next beat."""
    bottom, top = mv.bottom, mv.top
    if f < CONTACT:
        # Down into the landing and back: the ankle gives a little, then pushes.
        u = f / CONTACT
        dip = math.sin(math.pi * u)
        key = replace(
            bottom, ankle=bottom.ankle - 6.0 * dip + 10.0 * u * u, knee=bottom.knee + 6 * dip
        )
        return key
    u = (f - CONTACT) / (1.0 - CONTACT)
    height = 4.0 * u * (1.0 - u)  # a parabola: 0 at take-off and landing, 1 at the peak
    take_off = replace(bottom, ankle=bottom.ankle + 10.0)
    air = _lerp_key(take_off, top, min(1.0, 1.6 * math.sin(math.pi * u)))
    return replace(air, lift=top.lift * height)


def _walk_key(mv: Movement, f: float) -> Key:
    """Two steps: bottom (near heel in front) to top (far heel in front) and back."""
    f = f % 1.0
    if f < 0.5:
        return _lerp_key(mv.bottom, mv.top, ease(f * 2.0))
    return _lerp_key(mv.top, mv.bottom, ease(f * 2.0 - 1.0))


# ------------------------------------------------------------------ session positions


@dataclass(frozen=True, slots=True)
class Cycle:
    """The repeating pattern of an exercise's loop (library, previews), in milliseconds."""

    phases: tuple[tuple[SegmentKind, int], ...]

    @property
    def length_ms(self) -> int:
        return sum(ms for _, ms in self.phases)

    def at(self, t_ms: int) -> tuple[SegmentKind, int, int]:
        """(phase, elapsed in it, its length) at ``t_ms`` into the loop (wraps around)."""
        t = t_ms % self.length_ms
        for kind, ms in self.phases:
            if t < ms:
                return kind, t, ms
            t -= ms
        kind, ms = self.phases[-1]  # not reached: t < length
        return kind, ms, ms


def cycle(exercise_id: str, tempo: Tempo | None = None, bpm: int | None = None) -> Cycle:
    """The loop of ``exercise_id`` at ``tempo``/``bpm`` (a set's), else the catalog's own."""
    ex = CATALOG.get(exercise_id)
    mv = movement(exercise_id)
    if mv.kind == "walk":
        return Cycle(((SegmentKind.WALK, WALK_CYCLE_MS),))
    tempo = tempo or (ex.tempo if ex else None) or mv.preview_tempo
    bpm = bpm or (ex.metronome_bpm if ex else None)
    if mv.kind == "jump":
        beat = round(60_000 / (bpm or 120))
        return Cycle(((SegmentKind.JUMP, beat),))
    if tempo is not None:
        kinds = (SegmentKind.UP, SegmentKind.TOP_HOLD, SegmentKind.DOWN, SegmentKind.BOTTOM_HOLD)
        phases = tuple((k, ms) for k, ms in zip(kinds, tempo.phases_ms(), strict=True) if ms > 0)
        if phases:
            return Cycle(phases)
    beat = round(60_000 / (bpm or 60))  # one beat up, one beat down (the heel-rise test)
    return Cycle(((SegmentKind.UP, beat), (SegmentKind.DOWN, beat)))


def loop_pose(
    exercise_id: str,
    elapsed_ms: int,
    side: Side = Side.BOTH,
    tempo: Tempo | None = None,
    bpm: int | None = None,
) -> Pose:
    """The looping figure ``elapsed_ms`` into the exercise's cycle (the library's animation)."""
    kind, t, length = cycle(exercise_id, tempo, bpm).at(elapsed_ms)
    return pose(exercise_id, kind, t / length, side)


_MOVING_KINDS = frozenset({SegmentKind.UP, SegmentKind.DOWN, SegmentKind.JUMP, SegmentKind.WALK})
_PREVIEW_KINDS = frozenset({SegmentKind.PREPARE, SegmentKind.REST, SegmentKind.SWITCH})


@dataclass(frozen=True, slots=True)
class Motion:
    """Whether the figure moves now; if not, for how long it stays still (None: until the
    session does something, such as resume). Times are timeline milliseconds."""

    moving: bool
    still_for_ms: int | None = None


def _preview_time(position: Position, c: Cycle) -> int:
    """Loop time in a pause, counted so the loop reaches its start exactly when work starts."""
    return c.length_ms - position.segment_remaining_ms % c.length_ms


def pose_at(position: Position) -> Pose | None:
    """The figure for a session position; None when no set is playing or coming."""
    work = position.work_set
    if work is None or work.exercise_id not in MOVEMENTS:
        return None
    seg = position.segment
    side = work.side
    if seg.kind in _PREVIEW_KINDS:
        c = cycle(work.exercise_id, work.tempo, work.metronome_bpm)
        kind, t, length = c.at(_preview_time(position, c))
        return pose(work.exercise_id, kind, t / length, side)
    if seg.kind is SegmentKind.DONE:
        return pose(work.exercise_id, SegmentKind.BOTTOM_HOLD, 0.0, side)
    if seg.kind is SegmentKind.WALK:
        return pose(work.exercise_id, seg.kind, position.segment_elapsed_ms / WALK_CYCLE_MS, side)
    fraction = position.segment_elapsed_ms / seg.duration_ms if seg.duration_ms > 0 else 1.0
    return pose(work.exercise_id, seg.kind, fraction, side)


def motion_at(position: Position, *, animate: bool = True) -> Motion:
    """Whether the figure of ``position`` is moving, and if not how long until it moves.

    Still while paused, not started or over, with the animation off, and during holds (top,
    bottom, isometric); a hold's stillness ends with its segment. In a get-ready, rest or
    switch the preview loop moves except in its own holds.
    """
    if position.state is not State.RUNNING or not animate:
        return Motion(False, None)
    seg = position.segment
    work = position.work_set
    if seg.kind is SegmentKind.DONE or work is None or work.exercise_id not in MOVEMENTS:
        return Motion(False, None)
    if seg.kind in _PREVIEW_KINDS:
        c = cycle(work.exercise_id, work.tempo, work.metronome_bpm)
        kind, t, length = c.at(_preview_time(position, c))
        if kind in _MOVING_KINDS:
            return Motion(True)
        return Motion(False, min(length - t, position.segment_remaining_ms))
    if seg.kind in _MOVING_KINDS:
        return Motion(True)
    return Motion(False, position.segment_remaining_ms)


# ------------------------------------------------------------------------------- frame


def pose_box(p: Pose) -> Box:
    """The painted extent of a pose (limb widths and the head included), without props."""
    xs = [pt[0] for pt in p.points()]
    ys = [pt[1] for pt in p.points()]
    pad = TRUNK_WIDTH / 2
    box = Box(min(xs) - pad, min(ys) - pad, max(xs) + pad, max(ys) + pad)
    hx, hy = p.head
    r = HEAD_RADIUS + LIMB_WIDTH / 2
    box = box.union(Box(hx - r, hy - r, hx + r, hy + r))
    for prop in p.props:
        if prop.kind != "floor":
            box = box.union(Box(prop.x, prop.y, prop.x + prop.w, prop.y + prop.h))
    return box


def _samples(exercise_id: str, side: Side) -> Iterator[Pose]:
    kinds: tuple[SegmentKind, ...] = (
        SegmentKind.UP,
        SegmentKind.DOWN,
        SegmentKind.TOP_HOLD,
        SegmentKind.JUMP,
        SegmentKind.WALK,
    )
    for kind in kinds:
        for i in range(41):
            yield pose(exercise_id, kind, i / 40, side)


@cache
def frame(exercise_id: str, side: Side = Side.BOTH) -> Box:
    """A box holding every pose of the exercise on that side, props and margin included, with
    the floor at its bottom: the painter scales this box, so the figure keeps its size while it
    moves and never leaves the widget."""
    side = _side_for(exercise_id, side)
    box: Box | None = None
    for p in _samples(exercise_id, side):
        b = pose_box(p)
        box = b if box is None else box.union(b)
    if box is None:  # not reached: there are samples
        raise RuntimeError("internal error: no poses sampled")
    return Box(
        box.left - MARGIN, min(box.bottom, 0.0) - MARGIN, box.right + MARGIN, box.top + MARGIN
    )


def sample_phases() -> tuple[SegmentKind, ...]:
    """The phases a figure has (for tests and screenshots)."""
    return (
        SegmentKind.UP,
        SegmentKind.TOP_HOLD,
        SegmentKind.DOWN,
        SegmentKind.BOTTOM_HOLD,
        SegmentKind.JUMP,
        SegmentKind.HOLD,
        SegmentKind.WALK,
    )


__all__ = [
    "MOVEMENTS",
    "Angles",
    "Arm",
    "Box",
    "Cycle",
    "Key",
    "Leg",
    "Motion",
    "Movement",
    "Pose",
    "Prop",
    "cycle",
    "ease",
    "frame",
    "loop_pose",
    "motion_at",
    "movement",
    "pose",
    "pose_at",
    "pose_box",
    "sample_phases",
]
