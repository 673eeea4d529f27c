"""Every text of the session view and its summary keeps a contrast of at least 7:1 in light and
dark, as rendered."""

from __future__ import annotations

from collections import Counter
from dataclasses import replace

import pytest
from PySide6.QtCore import QPoint, QRect
from PySide6.QtGui import QColor

from calftimer.core.clock import ManualClock
from calftimer.core.programs import BUILTIN_BY_ID
from calftimer.core.session import Session, State
from calftimer.core.timeline import CompileOptions, SegmentKind, compile_program
from calftimer.gui.driver import SessionDriver
from calftimer.gui.session_view import (
    DARK_BACKGROUND,
    DARK_QUIET,
    DARK_TEXT,
    LIGHT_BACKGROUND,
    LIGHT_QUIET,
    LIGHT_TEXT,
    SessionView,
    phase_colour,
)


def luminance(colour: QColor) -> float:
    def channel(c: float) -> float:
        return c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4

    return (
        0.2126 * channel(colour.redF())
        + 0.7152 * channel(colour.greenF())
        + 0.0722 * channel(colour.blueF())
    )


def contrast(a: QColor, b: QColor) -> float:
    hi, lo = sorted((luminance(a), luminance(b)), reverse=True)
    return (hi + 0.05) / (lo + 0.05)


@pytest.mark.parametrize("dark", [False, True], ids=["light", "dark"])
def test_every_phase_colour_and_the_text_meet_7_to_1(dark: bool) -> None:
    background = QColor(DARK_BACKGROUND if dark else LIGHT_BACKGROUND)
    for kind in SegmentKind:
        assert contrast(QColor(phase_colour(kind, dark)), background) >= 7, kind
    assert contrast(QColor(DARK_TEXT if dark else LIGHT_TEXT), background) >= 7


@pytest.mark.parametrize("dark", [False, True], ids=["light", "dark"])
def test_the_rendered_digits_meet_7_to_1(qtbot, dark: bool) -> None:
    """Render a real session view and measure the two dominant colours of the digits."""
    view = SessionView()
    qtbot.addWidget(view)
    view.resize(900, 600)
    view.apply_scheme(dark)
    clock = ManualClock(0)
    session = Session(compile_program(BUILTIN_BY_ID["isometric"], CompileOptions()), clock)
    driver = SessionDriver(session)
    driver.position_changed.connect(lambda p: view.show_position(p, session.timeline))
    view.set_timeline(session.timeline)
    driver.start()
    view.show()
    qtbot.waitExposed(view)
    image = view.grab(view.time_label.geometry()).toImage()  # with the view's background
    counts: Counter[int] = Counter(
        image.pixel(x, y) for x in range(0, image.width(), 3) for y in range(0, image.height(), 3)
    )
    (bg, _), (fg, _) = counts.most_common(2)
    assert QColor(bg) == QColor(DARK_BACKGROUND if dark else LIGHT_BACKGROUND)
    assert contrast(QColor(fg), QColor(bg)) >= 7


@pytest.mark.parametrize("dark", [False, True], ids=["light", "dark"])
def test_the_quiet_texts_meet_7_to_1_too(dark: bool) -> None:
    """Program name, "Next:", time left and the summary table's rules are quieter: not less
    readable."""
    background = QColor(DARK_BACKGROUND if dark else LIGHT_BACKGROUND)
    assert contrast(QColor(DARK_QUIET if dark else LIGHT_QUIET), background) >= 7


def best_contrast(image, rect, background: QColor) -> float:
    """The strongest pixel of the glyphs in ``rect`` against the background."""
    return max(
        contrast(QColor(image.pixel(x, y)), background)
        for x in range(max(0, rect.left()), min(image.width(), rect.right() + 1))
        for y in range(max(0, rect.top()), min(image.height(), rect.bottom() + 1))
    )


@pytest.mark.parametrize("dark", [False, True], ids=["light", "dark"])
def test_every_text_as_rendered_meets_7_to_1_during_and_after(qtbot, dark: bool) -> None:
    view = SessionView()
    qtbot.addWidget(view)
    view.resize(1366, 700)
    view.apply_scheme(dark)
    background = QColor(DARK_BACKGROUND if dark else LIGHT_BACKGROUND)
    clock = ManualClock(0)
    program = replace(BUILTIN_BY_ID["isometric"], blocks=BUILTIN_BY_ID["isometric"].blocks[:1])
    session = Session(compile_program(program, CompileOptions()), clock)
    driver = SessionDriver(session)
    driver.position_changed.connect(lambda p: view.show_position(p, session.timeline))
    view.set_timeline(session.timeline)
    driver.start()
    view.show()
    qtbot.waitExposed(view)
    image = view.grab().toImage()
    for label in (
        view.program_label,
        view.exercise_label,
        view.cue_label,
        view.rep_label,
        view.set_label,
        view.side_label,
        view.load_label,
        view.next_label,
        view.remaining_label,
    ):
        assert label.text(), label.objectName()
        rect = label.geometry().translated(label.parentWidget().mapTo(view, QPoint(0, 0)))
        assert best_contrast(image, rect, background) >= 7, label.objectName()

    view.set_muted(True)  # "MUTED": the background's colour on a patch of the text's
    image = view.grab().toImage()
    rect = view.muted_label.geometry().translated(
        view.muted_label.parentWidget().mapTo(view, QPoint(0, 0))
    )
    patch = QColor(DARK_TEXT if dark else LIGHT_TEXT)
    assert QColor(image.pixel(rect.left() + 1, rect.top() + 1)) == patch
    assert best_contrast(image, rect, patch) >= 7

    clock.set(session.timeline.work_sets[0].end_ms + 1)
    driver.apply("finish")
    view.show_summary(session.records, State.FINISHED)
    qtbot.waitUntil(lambda: view.summary_table.isVisible())
    table = view.summary_table
    image = table.grab().toImage()
    viewport = table.viewport().geometry()
    for row in range(table.rowCount()):
        for column in range(table.columnCount()):
            rect = table.visualItemRect(table.item(row, column)).translated(viewport.topLeft())
            assert best_contrast(image, rect, background) >= 7, (row, column)
    header = table.horizontalHeader()
    for column in range(table.columnCount()):
        rect = QRect(header.sectionViewportPosition(column), 0, header.sectionSize(column), 0)
        rect.setHeight(header.height() - 3)  # above its rule
        rect.translate(header.geometry().topLeft())
        assert best_contrast(image, rect, background) >= 7, view.SUMMARY_COLUMNS[column]
