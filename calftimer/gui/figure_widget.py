"""The exercise figure on screen: paints a ``calftimer.core.figure.Pose``, and loops it.

``FigureWidget`` paints whatever pose it is given (``set_pose``), scaled into its rectangle with a
margin so the whole movement of the exercise fits (the box comes from ``figure.frame``: the
figure keeps its size while it moves). Colours come from the widget's palette, so the light and
dark themes both apply. It never animates by itself.

``FigureLoop`` animates a widget through an exercise's cycle at its tempo (the library's how-to
panel): its timer runs only while the widget is visible and something moves, and not at all
when the animation is off (the "Animate the exercise figure" setting, or the system's
reduced-motion preference where Qt reports one): a still pose is shown instead.
"""

from __future__ import annotations

import time
from collections.abc import Callable

from PySide6.QtCore import QEvent, QObject, QPointF, QRectF, QSize, Qt, QTimer
from PySide6.QtGui import QColor, QGuiApplication, QPainter, QPaintEvent, QPalette, QPen
from PySide6.QtWidgets import QSizePolicy, QWidget

from calftimer.core import figure
from calftimer.core.figure import JOINT_RADIUS, LIMB_WIDTH, TRUNK_WIDTH, Box, Pose
from calftimer.core.i18n import _
from calftimer.core.programs import Side
from calftimer.core.session import Position
from calftimer.core.timeline import SegmentKind

FRAME_MS = 16  # about the display's rate while the loop moves
# The library's loop plays this long after the exercise is chosen (or the figure clicked),
# then rests on its still pose: a window left open on the home page would otherwise draw 60
# frames a second for as long as it stays there (4.4 % of a core here).
LIBRARY_LOOP_MS = 20_000
MARGIN_FRACTION = 0.04  # of the smaller side, around the figure
MIN_MOVE_PX = 1.0  # a new pose whose points all move less than this is not drawn


def _blend(fg: QColor, bg: QColor, amount: float) -> QColor:
    """``amount`` of the way from ``fg`` to ``bg``."""
    return QColor.fromRgbF(
        fg.redF() + (bg.redF() - fg.redF()) * amount,
        fg.greenF() + (bg.greenF() - fg.greenF()) * amount,
        fg.blueF() + (bg.blueF() - fg.blueF()) * amount,
    )


def figure_colours(palette: QPalette) -> dict[str, QColor]:
    """The figure's colours in a palette: the body in the text colour, the working leg in the
    highlight colour, the far limbs and the props paler (still >= 3:1 against the window)."""
    text = palette.color(QPalette.ColorRole.WindowText)
    window = palette.color(QPalette.ColorRole.Window)
    return {
        "background": window,
        "body": text,
        "working": palette.color(QPalette.ColorRole.Highlight),
        "far": _blend(text, window, 0.45),
        "prop": _blend(text, window, 0.5),
        "prop_fill": _blend(text, window, 0.82),
        "load": _blend(text, window, 0.25),
    }


class FigureWidget(QWidget):
    """Paints one pose of the exercise figure; ``set_pose`` repaints only on a change."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("exerciseFigure")
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Expanding)
        self.setAccessibleName(_("Exercise figure"))
        self._pose: Pose | None = None
        self._frame: Box | None = None
        self.setAttribute(Qt.WidgetAttribute.WA_OpaquePaintEvent, True)

    def pose(self) -> Pose | None:
        return self._pose

    def set_pose(self, pose: Pose | None) -> None:
        """Show ``pose`` (None: nothing). Cheap when it is the pose already shown, or when no
        point of it would move by a pixel (then the pose shown stays: a slow rise is drawn
        only as often as it visibly moves; a frame costs ~0.5 ms to paint)."""
        if pose == self._pose or self._within_a_pixel(pose):
            return
        self._pose = pose
        self._frame = None if pose is None else figure.frame(pose.exercise_id, pose.side)
        if pose is not None:
            self.setAccessibleDescription(_describe(pose))
        self.update()

    def _within_a_pixel(self, pose: Pose | None) -> bool:
        shown, frame = self._pose, self._frame
        if pose is None or shown is None or frame is None:
            return False
        if (pose.exercise_id, pose.side, pose.props) != (
            shown.exercise_id,
            shown.side,
            shown.props,
        ):
            return False
        scale = world_transform(self.rect().toRectF(), frame)[0]
        return all(
            abs(a[0] - b[0]) * scale < MIN_MOVE_PX and abs(a[1] - b[1]) * scale < MIN_MOVE_PX
            for a, b in zip(pose.points(), shown.points(), strict=True)
        )

    def sizeHint(self) -> QSize:
        h = self.fontMetrics().height()
        return QSize(12 * h, 16 * h)

    def minimumSizeHint(self) -> QSize:
        h = self.fontMetrics().height()
        return QSize(4 * h, 5 * h)

    def paintEvent(self, event: QPaintEvent) -> None:
        painter = QPainter(self)
        try:
            paint_pose(painter, self.rect().toRectF(), self._pose, self._frame, self.palette())
        finally:
            painter.end()


def world_transform(rect: QRectF, box: Box) -> tuple[float, float, float]:
    """(scale, x offset, y offset) mapping figure units into ``rect``: the whole box fits
    with a margin, centred, y turned to point down."""
    margin = max(2.0, MARGIN_FRACTION * min(rect.width(), rect.height()))  # pens reach 1 px
    w = max(1.0, rect.width() - 2 * margin)
    h = max(1.0, rect.height() - 2 * margin)
    scale = min(w / box.width, h / box.height)
    x0 = rect.left() + (rect.width() - box.width * scale) / 2 - box.left * scale
    y0 = rect.top() + (rect.height() - box.height * scale) / 2 + box.top * scale
    return scale, x0, y0


def paint_pose(
    painter: QPainter, rect: QRectF, pose: Pose | None, box: Box | None, palette: QPalette
) -> None:
    """Paint ``pose`` into ``rect`` (the background first). ``box``: the exercise's frame."""
    colours = figure_colours(palette)
    painter.fillRect(rect, colours["background"])
    if pose is None or box is None:
        return
    painter.setRenderHint(QPainter.RenderHint.Antialiasing, True)
    scale, x0, y0 = world_transform(rect, box)

    def pt(p: tuple[float, float]) -> QPointF:
        return QPointF(x0 + p[0] * scale, y0 - p[1] * scale)

    def pen(colour: QColor, width: float) -> QPen:
        p = QPen(colour, max(1.0, width * scale))
        p.setCapStyle(Qt.PenCapStyle.RoundCap)
        p.setJoinStyle(Qt.PenJoinStyle.RoundJoin)
        return p

    # Props behind the figure; the floor spans the frame.
    painter.setPen(pen(colours["prop"], 0.8))
    painter.setBrush(colours["prop_fill"])
    left, right = box.left * scale + x0, box.right * scale + x0
    floor_y = y0
    painter.drawLine(QPointF(left, floor_y), QPointF(right, floor_y))
    for prop in pose.props:
        if prop.kind in ("floor", "load", "dumbbell"):
            continue
        painter.drawRect(
            QRectF(pt((prop.x, prop.y + prop.h)), pt((prop.x + prop.w, prop.y))).normalized()
        )

    far, near = pose.far_leg, pose.near_leg
    painter.setBrush(Qt.BrushStyle.NoBrush)
    # The far side first, paler.
    painter.setPen(pen(colours["far"], LIMB_WIDTH))
    painter.drawPolyline(
        [pt(p) for p in (far.hip, far.knee, far.ankle, far.heel, far.ball, far.toe)]
    )
    painter.drawPolyline([pt(p) for p in (far.ankle, far.ball)])
    arm = pose.far_arm
    painter.drawPolyline([pt(arm.shoulder), pt(arm.elbow), pt(arm.hand)])
    # Trunk, neck and head in the body colour.
    painter.setPen(pen(colours["body"], TRUNK_WIDTH))
    painter.drawLine(pt(near.hip), pt(pose.near_arm.shoulder))
    painter.setPen(pen(colours["body"], LIMB_WIDTH))
    painter.drawLine(pt(pose.near_arm.shoulder), pt(pose.neck))
    painter.setBrush(colours["body"])
    r = figure.HEAD_RADIUS * scale
    painter.drawEllipse(pt(pose.head), r, r)
    painter.setBrush(Qt.BrushStyle.NoBrush)
    # The working leg in the highlight colour, in front.
    painter.setPen(pen(colours["working"], LIMB_WIDTH))
    painter.drawPolyline(
        [pt(p) for p in (near.hip, near.knee, near.ankle, near.heel, near.ball, near.toe)]
    )
    painter.drawPolyline([pt(p) for p in (near.ankle, near.ball)])
    # Weights, then the near arm over them (the hand holds them).
    painter.setPen(pen(colours["body"], 0.8))
    painter.setBrush(colours["load"])
    for prop in pose.props:
        if prop.kind == "load":
            rect_w = QRectF(pt((prop.x, prop.y + prop.h)), pt((prop.x + prop.w, prop.y)))
            radius = 0.25 * rect_w.height()
            painter.drawRoundedRect(rect_w.normalized(), radius, radius)
        elif prop.kind == "dumbbell":
            # Held at the side, seen from the side: a short bar with a plate at each end.
            mid = prop.y + prop.h / 2
            bar = QRectF(pt((prop.x, mid + 0.8)), pt((prop.x + prop.w, mid - 0.8)))
            painter.drawRect(bar.normalized())
            for x in (prop.x, prop.x + prop.w - 2.6):
                plate = QRectF(pt((x, prop.y + prop.h)), pt((x + 2.6, prop.y)))
                painter.drawRoundedRect(plate.normalized(), 0.6 * scale, 0.6 * scale)
    painter.setBrush(Qt.BrushStyle.NoBrush)
    arm = pose.near_arm
    painter.setPen(pen(colours["body"], LIMB_WIDTH))
    painter.drawPolyline([pt(arm.shoulder), pt(arm.elbow), pt(arm.hand)])
    # Round joints: knee and ankle of the working leg.
    painter.setPen(Qt.PenStyle.NoPen)
    painter.setBrush(colours["working"])
    j = JOINT_RADIUS * scale
    for p in (near.knee, near.ankle):
        painter.drawEllipse(pt(p), j, j)


def _describe(pose: Pose) -> str:
    a = pose.angles
    leg = {Side.LEFT: _("left leg"), Side.RIGHT: _("right leg"), Side.BOTH: _("both legs")}[
        pose.side
    ]
    if a.heel_tilt > 2:
        heel = _("heel up")
    elif a.heel_tilt < -2:
        heel = _("heel down")
    else:
        heel = _("foot flat")
    return _("{leg}, {heel}, knee bent {degrees} degrees").format(
        leg=leg, heel=heel, degrees=round(a.knee)
    )


# ------------------------------------------------------------------------------ motion


def system_prefers_reduced_motion() -> bool:
    """Whether the desktop asks for reduced motion, where Qt reports it.

    Qt 6.12 adds ``QAccessibilityHints.motionPreference``; Qt 6.11 (what calftimer ships on
    Python 3.11) has no such property, so there only the setting decides.
    """
    app = QGuiApplication.instance()
    if not isinstance(app, QGuiApplication):
        return False
    hints = app.styleHints().accessibility()
    read = getattr(hints, "motionPreference", None)  # Qt >= 6.12 only
    if read is None:
        return False
    value = read()
    return "reduc" in str(getattr(value, "name", value)).lower()


class FigureLoop(QObject):
    """Loops an exercise on a ``FigureWidget`` at the exercise's tempo.

    Runs only while the widget is visible and the animation is on; repaints at about the
    display's rate while the figure moves and sleeps through holds. ``clock`` gives
    milliseconds (monotonic); tests inject a manual one.
    """

    def __init__(
        self,
        widget: FigureWidget,
        clock: Callable[[], int] | None = None,
        parent: QObject | None = None,
        *,
        reduced_motion: Callable[[], bool] = system_prefers_reduced_motion,
    ) -> None:
        super().__init__(parent or widget)
        self._widget = widget
        self._clock = clock or (lambda: time.monotonic_ns() // 1_000_000)
        self._reduced_motion = reduced_motion
        self._exercise: str | None = None
        self._side = Side.BOTH
        self._started = 0
        self._animate = True
        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.setTimerType(Qt.TimerType.PreciseTimer)
        self._timer.timeout.connect(self._on_timer_timeout)
        widget.installEventFilter(self)

    @property
    def running(self) -> bool:
        """Whether the loop's timer is armed (it repaints by itself)."""
        return self._timer.isActive()

    @property
    def animating(self) -> bool:
        """Whether the figure moves: the setting is on and the desktop does not ask for
        reduced motion."""
        return self._animate and not self._reduced_motion()

    def set_exercise(self, exercise_id: str | None, side: Side = Side.BOTH) -> None:
        """Loop ``exercise_id`` from the start of its cycle (None: show nothing)."""
        if exercise_id is not None and exercise_id not in figure.MOVEMENTS:
            exercise_id = None
        self._exercise = exercise_id
        self._side = side
        self._started = self._clock()
        self._refresh()

    def set_animate(self, animate: bool) -> None:
        """The setting: on, or off (the still pose at the top of the movement shows)."""
        if animate == self._animate:
            return
        self._animate = animate
        self._started = self._clock()
        self._refresh()

    def replay(self) -> None:
        """Loop again from the bottom for another ``LIBRARY_LOOP_MS``."""
        self._started = self._clock()
        self._refresh()

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if watched is self._widget and event.type() in (QEvent.Type.Show, QEvent.Type.Hide):
            if event.type() == QEvent.Type.Show:
                self._started = self._clock()  # each showing loops from the bottom
            self._refresh()
        elif watched is self._widget and event.type() == QEvent.Type.MouseButtonPress:
            self.replay()
        return False

    def _on_timer_timeout(self) -> None:
        self._refresh()

    def _refresh(self) -> None:
        self._timer.stop()
        exercise = self._exercise
        if exercise is None:
            self._widget.set_pose(None)
            return
        if not self.animating:
            self._widget.set_pose(still_pose(exercise, self._side))
            return
        elapsed = self._clock() - self._started
        if elapsed >= LIBRARY_LOOP_MS:
            self._widget.set_pose(still_pose(exercise, self._side))  # until chosen or clicked
            return
        self._widget.set_pose(figure.loop_pose(exercise, elapsed, self._side))
        if not self._widget.isVisible():
            return
        c = figure.cycle(exercise)
        kind, t, length = c.at(elapsed)
        moving = kind in (SegmentKind.UP, SegmentKind.DOWN, SegmentKind.JUMP, SegmentKind.WALK)
        wait = FRAME_MS if moving else max(1, length - t)
        self._timer.start(min(wait, LIBRARY_LOOP_MS - elapsed))


def still_pose(exercise_id: str, side: Side = Side.BOTH) -> Pose:
    """The pose shown when the animation is off: the top of the movement, which tells the
    exercise apart best (heels up, in the air, or mid-stride)."""
    mv = figure.movement(exercise_id)
    if mv.kind == "walk":
        return figure.pose(exercise_id, SegmentKind.WALK, 0.0, side)
    if mv.kind == "jump":
        return figure.pose(exercise_id, SegmentKind.JUMP, 0.65, side)
    return figure.pose(exercise_id, SegmentKind.TOP_HOLD, 0.0, side)


class SessionFigure(QObject):
    """The figure in the session view: the pose of each session position it is shown (the same
    position the cues are placed from, so it cannot disagree with the sound), or, with the
    animation off or the desktop asking for reduced motion, the still pose of the set playing
    or coming."""

    def __init__(
        self,
        parent: QObject | None = None,
        *,
        reduced_motion: Callable[[], bool] = system_prefers_reduced_motion,
    ) -> None:
        super().__init__(parent)
        self.widget = FigureWidget()
        self.widget.setObjectName("sessionFigure")
        self._reduced_motion = reduced_motion
        self._animating = not reduced_motion()
        self._last: Position | None = None

    @property
    def animating(self) -> bool:
        """Set with the setting, not read on every frame (the reduced-motion hint is a round
        of Qt calls)."""
        return self._animating

    def set_animate(self, animate: bool) -> None:
        self._animating = animate and not self._reduced_motion()
        if self._last is not None:
            self.show_position(self._last)

    def show_position(self, position: Position, timeline: object = None) -> None:
        """``timeline`` is there for the controller's signals; the position is enough."""
        self._last = position
        if self.animating:
            self.widget.set_pose(figure.pose_at(position))
            return
        work = position.work_set
        self.widget.set_pose(None if work is None else still_pose(work.exercise_id, work.side))
