"""The session screen and its summary as a user sees them: nothing clipped at 1366 x 768,
1920 x 1080 or 200 %, the load of the set shown, notices beside (never over) the session, the
summary's table with the right numbers, a slot for the figure, and only the digits and bars
repainted while a step runs."""

from __future__ import annotations

from dataclasses import replace

import pytest
from PySide6.QtCore import QEvent, QObject, QPoint, QRect
from PySide6.QtWidgets import QLabel, QPushButton, QWidget

from calftimer.core.programs import BUILTIN_BY_ID, Program, default_block
from calftimer.core.session import State
from calftimer.core.settings import Settings
from calftimer.core.timeline import CompileOptions, SegmentKind
from calftimer.gui.main_window import MainWindow
from calftimer.gui.session_view import SessionView
from calftimer.gui.theme import apply_theme
from tests.gui.fakes import T0
from tests.gui.helpers import advance_to
from tests.gui.pseudo import clipped_labels

# Window sizes: a 1366 x 768 laptop, a 1920 x 1080 screen, and that screen at 200 % (half the
# pixels in each direction: what Qt lays out with QT_SCALE_FACTOR=2).
SIZES = [(1366, 768), (1920, 1080), (960, 540)]
LONG_NOTICE = (
    "Sound is off: no audio device was found. Plug in headphones or speakers, or check the "
    "system's sound settings; the session shows every cue on screen meanwhile."
)


def at(window: MainWindow, clock, ms: int) -> None:
    advance_to(window.session, clock, T0 + ms)


def where(widget: QWidget, ancestor: QWidget) -> QRect:
    return QRect(widget.mapTo(ancestor, QPoint(0, 0)), widget.size())


def clipped(view: SessionView) -> list[str]:
    """Every visible text of the view that does not fit its box (the layout walk's check) or
    sticks out of the view."""
    problems = clipped_labels(view)
    for widget in [*view.findChildren(QLabel), *view.findChildren(QPushButton)]:
        if widget.isVisibleTo(view) and not view.rect().contains(where(widget, view)):
            problems.append(f"{widget.objectName() or widget.text()[:30]!r} is outside the view")
    return problems


@pytest.fixture(params=SIZES, ids=lambda s: f"{s[0]}x{s[1]}")
def size(request: pytest.FixtureRequest) -> tuple[int, int]:
    return request.param


@pytest.mark.parametrize("theme", ["light", "dark"])
def test_the_session_fits_with_a_notice_at_every_size(
    make_window, clock, qapp, size, theme
) -> None:
    apply_theme(qapp, theme)  # as app.py does before the window is built
    try:
        window = make_window(
            settings=Settings(theme=theme),
            options=CompileOptions(prepare_s=10, countdown_s=3),
            size=size,
            show=True,
        )
        assert window.session_view.dark is (theme == "dark")
        check_every_moment(window, clock, qapp, size, theme)
    finally:
        apply_theme(qapp, "system")  # leave the rest of the suite its usual look


def check_every_moment(window: MainWindow, clock, qapp, size, theme) -> None:
    view = window.session_view
    window.notices.post("sound", "warning", LONG_NOTICE)
    window.session.start(BUILTIN_BY_ID["foundation"])
    timeline = window.session.timeline
    left = next(w for w in timeline.work_sets if w.exercise_id == "single_leg_calf_raise")
    rest = next(
        s for s in timeline.segments if s.kind is SegmentKind.REST and s.start_ms > left.end_ms
    )
    switch = next(
        s for s in timeline.segments if s.kind is SegmentKind.SWITCH and s.start_ms > rest.end_ms
    )
    figure = QWidget()
    moments = [
        ("a rep", left.start_ms + 5 * 6000 + 3500, False),
        ("a rest", rest.start_ms + 12_000, False),
        ("a switch, paused, with a figure", switch.start_ms + 1000, True),
    ]
    for name, ms, paused in moments:
        at(window, clock, ms)
        if paused:
            view.set_figure(figure)
            window.pause_only()
        qapp.processEvents()
        assert window.session.state is (State.PAUSED if paused else State.RUNNING)
        notices, session = where(window.notice_area, window), where(view, window)
        assert window.notice_area.isVisible() and not notices.intersects(session), name
        assert clipped(view) == [], (size, theme, name)
        assert view.time_label.height() >= view.height() // 4, "the digits stay big"
        view.set_focus_mode(True)  # the buttons go: nothing else may move out of sight
        qapp.processEvents()
        assert clipped(view) == [], (size, theme, name, "focus mode")
        view.set_focus_mode(False)
    assert view.phase_label.text() == "PAUSED · SWITCH TO RIGHT LEG"


def test_the_load_of_the_set_is_shown_in_the_unit_of_the_settings(make_window, clock, qapp) -> None:
    window = make_window(options=CompileOptions(prepare_s=10, countdown_s=3), show=True)
    program = Program(
        "loaded",
        "Loaded",
        "",
        (
            default_block("seated_calf_raise", sets=1, target=2, load_kg=20.0),
            default_block("double_leg_calf_raise", sets=1, target=2),
        ),
    )
    window.session.start(program)
    view = window.session_view
    assert view.load_label.text() == "20 kg"  # while getting ready for it
    seated, double = window.session.timeline.work_sets
    at(window, clock, seated.start_ms + 500)
    assert view.load_label.text() == "20 kg"
    window.apply_settings(replace(window.settings_hub.current, weight_unit="lb"))
    at(window, clock, seated.start_ms + 1000)
    assert view.load_label.text() == "44 lb"
    at(window, clock, double.start_ms + 500)
    assert view.load_label.text() == "Body weight"
    assert view.load_label.isVisible()


def test_the_summary_table_has_a_row_per_exercise_and_leg_and_fits_every_size(
    make_window, clock, qapp, size
) -> None:
    window = make_window(options=CompileOptions(prepare_s=10, countdown_s=3), size=size, show=True)
    window.notices.post("sound", "warning", LONG_NOTICE)
    window.session.start(BUILTIN_BY_ID["foundation"])
    timeline = window.session.timeline
    last = timeline.work_sets[-1]
    for work in timeline.work_sets[:-1]:
        at(window, clock, work.end_ms)
    at(window, clock, last.start_ms + last.duration_ms // 2)  # the last set stopped halfway
    window.session.finish()
    qapp.processEvents()
    view = window.session_view
    assert view.showing_summary

    rows = view.summary_cells()
    groups = list(dict.fromkeys((w.block_index, w.side) for w in timeline.work_sets))
    assert len(rows) == len(groups)
    assert [(r[0], r[1]) for r in rows][:4] == [
        ("Double-leg calf raise", "Both"),
        ("Single-leg calf raise", "Left"),
        ("Single-leg calf raise", "Right"),
        ("Soleus squat", "Both"),
    ]
    by_set = {r.work.index: r for r in window.session.records}
    for row, (block, side) in zip(rows, groups, strict=True):
        works = [w for w in timeline.work_sets if (w.block_index, w.side) == (block, side)]
        assert row[2].startswith(f"{len(works)} × ")
        assert row[3] == ", ".join(str(by_set[w.index].done) for w in works)
    halfway = by_set[last.index].done
    assert 0 < halfway < last.target and rows[-1][3].endswith(f", {halfway}")
    assert rows[0][4] == "2:30"  # 2 x 15 reps of 5 s under tension

    table = view.summary_table
    assert table.verticalScrollBar().maximum() == 0, "every row shows without scrolling"
    assert table.horizontalScrollBar().maximum() == 0
    for column in range(table.columnCount()):
        assert table.sizeHintForColumn(column) <= table.columnWidth(column), column
    viewport = table.viewport().rect()
    for row in range(table.rowCount()):
        assert viewport.contains(table.visualItemRect(table.item(row, 5)))
    # The pain question and the suggestions beside the table, all in the view.
    beside = where(table, view).right()
    for part in (view.pain_bar, view.next_time_box):
        assert part.isVisible()
        assert where(part, view).left() > beside
        assert view.rect().contains(where(part, view))
    assert clipped(view) == []
    assert not where(window.notice_area, window).intersects(where(view, window))


def test_the_figure_slot_sits_left_of_the_digits_and_grows_with_the_window(
    make_window, clock, qapp
) -> None:
    window = make_window(size=(1366, 768), show=True)
    view = window.session_view
    window.session.start(BUILTIN_BY_ID["foundation"])
    figure = window.session_figure.widget  # the window puts the exercise's figure in
    qapp.processEvents()
    assert figure.isVisible() and figure.parent() is view.figure_slot
    slot, digits = where(view.figure_slot, view), where(view.time_label, view)
    assert slot.right() < digits.left() and slot.height() >= digits.height()
    small = slot.size()
    window.resize(1920, 1080)
    qapp.processEvents()
    assert view.figure_slot.width() > small.width()
    assert view.figure_slot.height() > small.height()
    view.set_focus_mode(True)
    qapp.processEvents()
    assert figure.isVisible()
    other = QWidget()
    view.set_figure(other)  # a second figure replaces the first
    assert view.figure_slot.layout().count() == 1 and other.parent() is view.figure_slot


class PaintCounter(QObject):
    def __init__(self, widgets: list[QWidget]) -> None:
        super().__init__()
        self.counts = {w.objectName(): 0 for w in widgets}
        for widget in widgets:
            widget.installEventFilter(self)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if event.type() == QEvent.Type.Paint:
            self.counts[watched.objectName()] += 1
        return False


def test_within_a_step_only_the_digits_and_the_bars_are_repainted(make_window, clock, qapp) -> None:
    window = make_window(size=(1366, 768), show=True)
    view = window.session_view
    window.session.start(BUILTIN_BY_ID["isometric"])  # 45 s holds: one step, many frames
    hold = window.session.timeline.work_sets[0]
    at(window, clock, hold.start_ms + 1000)
    qapp.processEvents()
    quiet = [
        view.exercise_label,
        view.cue_label,
        view.phase_label,
        view.rep_label,
        view.set_label,
        view.side_label,
        view.load_label,
        view.next_label,
    ]
    painted = PaintCounter([*quiet, view.time_label])
    for ms in range(hold.start_ms + 1050, hold.start_ms + 11_000, 50):  # 20 frames a second
        at(window, clock, ms)
        qapp.processEvents()
    assert painted.counts["timeLabel"] >= 5  # 0:44, 0:43, ...: it moved
    assert {name: n for name, n in painted.counts.items() if name != "timeLabel"} == {
        w.objectName(): 0 for w in quiet
    }


def test_the_session_figure_moves_with_the_session_and_stands_still_when_paused(
    make_window, clock, qtbot
) -> None:
    """The figure beside the digits shows the pose of the session's own position: the rep's
    phase as the cues place it, the next exercise in a rest, frozen while paused, and a still
    pose with the animation off."""
    from calftimer.core import figure as poses
    from calftimer.core.settings import Settings
    from calftimer.gui.figure_widget import still_pose

    window = make_window(size=(1366, 768), show=True)
    session, shown = window.session, window.session_figure.widget
    session.start(BUILTIN_BY_ID["foundation"])
    timeline = session.timeline
    assert timeline is not None
    up = next(s for s in timeline.segments if s.kind is SegmentKind.UP)
    clock.set(session.mono_at(up.start_ms + up.duration_ms // 2))
    session.poll_now()
    halfway = shown.pose()
    assert halfway == poses.pose_at(session.position()) and halfway is not None
    clock.advance(up.duration_ms // 4)  # later in the same rise: the heels are higher
    session.poll_now()
    assert shown.pose() != halfway
    assert shown.pose() == poses.pose_at(session.position())
    session.pause()
    frozen = shown.pose()
    clock.advance(1_500)
    session.poll_now()  # a paused position is constant, and so is its pose
    assert shown.pose() == frozen
    window.settings_hub.update(Settings(animate_figure=False))
    work = session.position().work_set
    assert work is not None
    assert shown.pose() == still_pose(work.exercise_id, work.side)
