"""The exercise figure on screen: every exercise and phase paints a figure of the right size in
both themes, always inside the widget; the library loops it only while it shows, and holds a
still pose when the animation is off (the setting, or the desktop's reduced motion)."""

from __future__ import annotations

import pytest
from PySide6.QtCore import QRect, QRectF, Qt
from PySide6.QtGui import QColor, QImage, QPainter

from calftimer.core import figure
from calftimer.core.catalog import CATALOG
from calftimer.core.clock import ManualClock
from calftimer.core.programs import Side
from calftimer.core.settings import Settings
from calftimer.core.timeline import SegmentKind
from calftimer.gui.figure_widget import (
    LIBRARY_LOOP_MS,
    FigureLoop,
    FigureWidget,
    figure_colours,
    paint_pose,
    still_pose,
)
from calftimer.gui.theme import contrast_ratio, theme_palette

PHASES = (
    SegmentKind.UP,
    SegmentKind.TOP_HOLD,
    SegmentKind.DOWN,
    SegmentKind.BOTTOM_HOLD,
    SegmentKind.JUMP,
    SegmentKind.WALK,
    SegmentKind.HOLD,
)


def render(pose: figure.Pose, width: int, height: int, theme: str) -> QImage:
    image = QImage(width, height, QImage.Format.Format_RGB32)
    image.fill(QColor("#ff00ff"))  # nothing may stay unpainted
    painter = QPainter(image)
    paint_pose(
        painter,
        QRectF(0, 0, width, height),
        pose,
        figure.frame(pose.exercise_id, pose.side),
        theme_palette(theme),
    )
    painter.end()
    return image


def figure_bounds(image: QImage, background: QColor) -> QRect:
    """The smallest rectangle holding every pixel that is not the background."""
    bg = background.rgb()
    w, h = image.width(), image.height()
    rows = [y for y in range(h) if any(image.pixel(x, y) != bg for x in range(0, w))]
    cols = [x for x in range(w) if any(image.pixel(x, y) != bg for y in range(0, h))]
    if not rows:
        return QRect()
    return QRect(cols[0], rows[0], cols[-1] - cols[0] + 1, rows[-1] - rows[0] + 1)


@pytest.mark.parametrize("theme", ["light", "dark"])
@pytest.mark.parametrize("exercise_id", list(CATALOG))
def test_every_exercise_and_phase_renders_a_figure_in_both_themes(
    qapp, exercise_id: str, theme: str
) -> None:
    colours = figure_colours(theme_palette(theme))
    sizes = set()
    for phase in PHASES:
        for side in (Side.LEFT, Side.RIGHT):
            pose = figure.pose(exercise_id, phase, 0.5, side)
            image = render(pose, 160, 200, theme)
            sizes.add((image.width(), image.height()))
            assert QColor("#ff00ff").rgb() not in {image.pixel(x, 100) for x in range(160)}
            painted = figure_bounds(image, colours["background"])
            # The figure fills a good part of the widget and stays inside it.
            assert painted.height() > 0.6 * 200, (exercise_id, phase)
            assert QRect(0, 0, 160, 200).contains(painted)
            # The working leg's colour is on screen.
            working = colours["working"].rgb()
            assert any(
                image.pixel(x, y) == working for x in range(0, 160, 2) for y in range(0, 200, 2)
            )
    assert sizes == {(160, 200)}


SIZES = [(60, 60), (61, 333), (400, 90), (1920, 1080), (1080, 1920), (300, 40), (25, 700)]


@pytest.mark.parametrize(("width", "height"), SIZES)
def test_the_painted_figure_stays_inside_the_widget_at_any_size(
    qtbot, width: int, height: int
) -> None:
    widget = FigureWidget()
    qtbot.addWidget(widget)
    widget.setPalette(theme_palette("dark"))
    widget.resize(width, height)
    background = figure_colours(theme_palette("dark"))["background"]
    for exercise_id in CATALOG:
        for phase in (SegmentKind.UP, SegmentKind.JUMP, SegmentKind.WALK):
            for f in (0.0, 0.5, 0.7, 1.0):
                widget.set_pose(figure.pose(exercise_id, phase, f, Side.RIGHT))
                image = widget.grab().toImage()
                assert (image.width(), image.height()) == (width, height)
                painted = figure_bounds(image, background) if width * height < 1e5 else None
                if painted is not None:
                    assert not painted.isEmpty()
                    # Nothing of the figure touches the edge: the margin is kept.
                    assert painted.left() > 0 and painted.top() > 0
                    assert painted.right() < width - 1 and painted.bottom() < height - 1
    # Checked pixel by pixel at full HD too, for a few poses.
    if width * height >= 1e5:
        widget.set_pose(figure.pose("jumping_calf_raise", SegmentKind.JUMP, 0.675))
        image = widget.grab().toImage().scaled(width // 8, height // 8)
        painted = figure_bounds(image, background)
        assert painted.left() > 0 and painted.top() > 0
        assert painted.right() < image.width() - 1 and painted.bottom() < image.height() - 1


def test_figure_lines_stand_out_against_the_window_in_both_themes(qapp) -> None:
    for theme in ("light", "dark"):
        colours = figure_colours(theme_palette(theme))
        for role in ("body", "working"):
            assert contrast_ratio(colours[role], colours["background"]) >= 4.5, (theme, role)
        for role in ("far", "prop"):  # graphics: WCAG's 3:1 for non-text contrast
            assert contrast_ratio(colours[role], colours["background"]) >= 3.0, (theme, role)


def test_set_pose_repaints_only_on_a_change(qtbot) -> None:
    widget = FigureWidget()
    qtbot.addWidget(widget)
    widget.resize(200, 200)
    widget.show()
    qtbot.waitExposed(widget)
    paints = []
    original = widget.paintEvent
    widget.paintEvent = lambda e: (paints.append(1), original(e))  # type: ignore[method-assign]
    pose = figure.pose("soleus_squat", SegmentKind.UP, 0.3)
    widget.set_pose(pose)
    qtbot.waitUntil(lambda: len(paints) >= 1)
    count = len(paints)
    widget.set_pose(figure.pose("soleus_squat", SegmentKind.UP, 0.3))  # equal: no repaint
    widget.repaint()  # a forced one is still honoured
    assert len(paints) == count + 1
    assert widget.pose() == pose


def test_a_pose_that_moves_less_than_a_pixel_is_not_drawn(qtbot) -> None:
    """A slow rise changes the pose every frame but the picture only every few frames: a
    frame whose points all move less than a pixel is not painted (painting costs ~0.5 ms)."""
    widget = FigureWidget()
    qtbot.addWidget(widget)
    widget.resize(200, 200)
    widget.show()
    qtbot.waitExposed(widget)
    start = figure.pose("single_leg_calf_raise", SegmentKind.UP, 0.5, Side.LEFT)
    widget.set_pose(start)
    qtbot.waitUntil(lambda: widget.pose() == start)
    nudge = figure.pose("single_leg_calf_raise", SegmentKind.UP, 0.501, Side.LEFT)
    assert nudge != start
    widget.set_pose(nudge)  # far below a pixel at this size
    assert widget.pose() == start
    later = figure.pose("single_leg_calf_raise", SegmentKind.UP, 0.7, Side.LEFT)
    widget.set_pose(later)  # the heel rose by pixels: drawn
    assert widget.pose() == later


# ----------------------------------------------------------------------- the loop


@pytest.fixture
def shown(qtbot):
    widget = FigureWidget()
    qtbot.addWidget(widget)
    widget.resize(200, 240)
    return widget


def test_the_loop_follows_the_exercises_tempo_and_stops_when_hidden(qtbot, shown) -> None:
    clock = ManualClock(0)
    loop = FigureLoop(shown, clock, reduced_motion=lambda: False)
    loop.set_exercise("double_leg_calf_raise")  # tempo 2/1/2/0
    assert not loop.running  # hidden: nothing ticks
    shown.show()
    qtbot.waitExposed(shown)
    assert loop.running
    start = shown.pose()
    assert start == figure.pose("double_leg_calf_raise", SegmentKind.UP, 0.0)
    clock.set(1_000)
    qtbot.waitUntil(lambda: shown.pose() != start)
    assert shown.pose() == figure.pose("double_leg_calf_raise", SegmentKind.UP, 0.5)
    clock.set(2_500)  # the top hold: one tick shows it, then the loop sleeps through it
    qtbot.waitUntil(
        lambda: shown.pose() == figure.pose("double_leg_calf_raise", SegmentKind.TOP_HOLD, 0.5)
    )
    shown.hide()
    assert not loop.running


def test_animation_off_shows_a_still_pose_and_runs_no_timer(qtbot, shown) -> None:
    clock = ManualClock(0)
    loop = FigureLoop(shown, clock, reduced_motion=lambda: False)
    loop.set_animate(False)
    loop.set_exercise("single_leg_calf_raise")
    shown.show()
    qtbot.waitExposed(shown)
    still = still_pose("single_leg_calf_raise")
    assert shown.pose() == still and still.angles.heel_tilt > 20  # heels up: reads as a raise
    assert not loop.running
    loop.set_animate(True)
    assert loop.running


def test_the_desktops_reduced_motion_stills_the_figure_whatever_the_setting(qtbot, shown) -> None:
    loop = FigureLoop(shown, ManualClock(0), reduced_motion=lambda: True)
    loop.set_exercise("jumping_calf_raise")
    shown.show()
    qtbot.waitExposed(shown)
    assert not loop.animating and not loop.running
    assert shown.pose() == still_pose("jumping_calf_raise") and shown.pose().airborne


def test_the_library_shows_the_selected_exercise_and_follows_the_setting(
    qtbot, make_window
) -> None:
    window = make_window(settings=Settings(animate_figure=False), show=True)
    home = window.home
    qtbot.waitExposed(window)
    assert home.exercise_figure.isVisible()
    first = home.exercise_filter.index(0, 0).data()
    shown = home.exercise_figure.pose()
    assert shown is not None and CATALOG[shown.exercise_id].name == first
    assert not home.figure_loop.running  # the setting is off: a still pose
    # Choosing another exercise shows its figure.
    home.exercise_list.setCurrentIndex(home.exercise_filter.index(2, 0))
    chosen = home.exercise_filter.index(2, 0).data()
    assert CATALOG[home.exercise_figure.pose().exercise_id].name == chosen
    window.settings_hub.update(Settings(animate_figure=True))
    assert home.figure_loop.animating
    # Leaving the page stops the loop.
    window.history.show()
    qtbot.waitUntil(lambda: not home.figure_loop.running)
    # The History page finishes opening (its chart loads in steps) before the window goes.
    qtbot.waitUntil(lambda: window.history.view is not None and window.history.view.isVisible())


def test_the_library_loop_rests_after_a_while_and_a_click_plays_it_again(qtbot, shown) -> None:
    """A window left on the home page must not draw for ever: after LIBRARY_LOOP_MS the loop
    shows its still pose and its timer stops; a click on the figure plays it again."""
    clock = ManualClock(0)
    loop = FigureLoop(shown, clock, reduced_motion=lambda: False)
    loop.set_exercise("double_leg_calf_raise")
    shown.show()
    qtbot.waitExposed(shown)
    assert loop.running
    clock.set(LIBRARY_LOOP_MS)
    qtbot.waitUntil(lambda: not loop.running)
    assert shown.pose() == still_pose("double_leg_calf_raise")
    qtbot.mouseClick(shown, Qt.MouseButton.LeftButton)
    assert loop.running
    assert shown.pose() == figure.pose("double_leg_calf_raise", SegmentKind.UP, 0.0)
