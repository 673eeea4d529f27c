"""Digits and phase text keep a contrast of at least 7:1 in light and dark, as rendered."""

from __future__ import annotations

from collections import Counter

import pytest
from PySide6.QtGui import QColor

from calftimer.core.clock import ManualClock
from calftimer.core.programs import BUILTIN_BY_ID
from calftimer.core.session import Session
from calftimer.core.timeline import CompileOptions, SegmentKind, compile_program
from calftimer.gui.driver import SessionDriver
from calftimer.gui.session_view import (
    DARK_BACKGROUND,
    DARK_TEXT,
    LIGHT_BACKGROUND,
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
