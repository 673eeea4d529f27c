"""Light and dark palettes with >= 7:1 text contrast, and applying the theme setting.

Kept apart from the settings dialog, and light to import (no Qt namespace, no settings module),
so start-up applies the theme before the window's first paint.
"""

from __future__ import annotations

from PySide6.QtCore import QRect
from PySide6.QtGui import QColor, QPainter, QPalette, QPen
from PySide6.QtWidgets import QApplication, QProxyStyle, QStyle, QStyleOption, QWidget

from calftimer.core.theme_setting import THEMES

# -------------------------------------------------------------------------------- themes

_ROLES = QPalette.ColorRole
# Normal text, button text and selected text keep >= 7:1 against their background (WCAG AAA);
# links and placeholders do too. Disabled text is dimmer on purpose but stays >= 4.5:1.
_LIGHT: dict[QPalette.ColorRole, str] = {
    _ROLES.Window: "#f3f3f3",
    _ROLES.WindowText: "#111111",
    _ROLES.Base: "#ffffff",
    _ROLES.AlternateBase: "#ececec",
    _ROLES.Text: "#111111",
    _ROLES.Button: "#e6e6e6",
    _ROLES.ButtonText: "#111111",
    _ROLES.BrightText: "#ffffff",
    _ROLES.ToolTipBase: "#ffffdc",
    _ROLES.ToolTipText: "#111111",
    _ROLES.PlaceholderText: "#545454",
    _ROLES.Highlight: "#0a4aa8",
    _ROLES.HighlightedText: "#ffffff",
    _ROLES.Link: "#0645ad",
    _ROLES.LinkVisited: "#5a1a9e",
    _ROLES.Light: "#ffffff",
    _ROLES.Midlight: "#f0f0f0",
    _ROLES.Mid: "#b8b8b8",
    _ROLES.Dark: "#9a9a9a",
    _ROLES.Shadow: "#5c5c5c",
}
_DARK: dict[QPalette.ColorRole, str] = {
    _ROLES.Window: "#1e1e1e",
    _ROLES.WindowText: "#f2f2f2",
    _ROLES.Base: "#141414",
    _ROLES.AlternateBase: "#262626",
    _ROLES.Text: "#f2f2f2",
    _ROLES.Button: "#2d2d2d",
    _ROLES.ButtonText: "#f2f2f2",
    _ROLES.BrightText: "#ffffff",
    _ROLES.ToolTipBase: "#2d2d2d",
    _ROLES.ToolTipText: "#f2f2f2",
    _ROLES.PlaceholderText: "#a8a8a8",
    _ROLES.Highlight: "#8ab4f8",
    _ROLES.HighlightedText: "#000000",
    _ROLES.Link: "#8ab4f8",
    _ROLES.LinkVisited: "#d7aefb",
    _ROLES.Light: "#4a4a4a",
    _ROLES.Midlight: "#3a3a3a",
    _ROLES.Mid: "#2a2a2a",
    _ROLES.Dark: "#101010",
    _ROLES.Shadow: "#000000",
}
_DISABLED_TEXT = {"light": "#6e6e6e", "dark": "#8a8a8a"}
_DISABLED_ROLES = (_ROLES.WindowText, _ROLES.Text, _ROLES.ButtonText, _ROLES.PlaceholderText)
# Fusion outlines check boxes, radio buttons, spin boxes and line edits in the window colour made
# 40 % darker: on the dark palette that is next to black on near-black, and a box that is not
# ticked all but disappears. ``ThemeStyle`` draws those outlines again in these colours, which
# keep >= 4.5:1 against the window and the field behind them (WCAG asks 3:1 of a control's edge).
FRAME_COLOURS = {"light": "#666666", "dark": "#a6a6a6"}
_SYSTEM_STYLE_PROPERTY = "calftimerSystemStyle"
COLOR_SCHEMES = {"light": 1, "dark": 2}  # Qt::ColorScheme's values (a test checks them)


def theme_palette(theme: str) -> QPalette:
    """The palette of the "light" or "dark" theme."""
    if theme not in ("light", "dark"):
        raise ValueError(f"no palette for theme {theme!r}; expected 'light' or 'dark'")
    palette = QPalette()
    for role, colour in (_LIGHT if theme == "light" else _DARK).items():
        palette.setColor(role, QColor(colour))
    for role in _DISABLED_ROLES:
        palette.setColor(QPalette.ColorGroup.Disabled, role, QColor(_DISABLED_TEXT[theme]))
    return palette


def apply_theme(app: QApplication, theme: str) -> None:
    """Light or dark (Fusion style, the palettes above), or back to the system's look."""
    if theme not in THEMES:
        raise ValueError(f"unknown theme {theme!r}; expected one of {', '.join(THEMES)}")
    if app.property(_SYSTEM_STYLE_PROPERTY) is None:
        app.setProperty(_SYSTEM_STYLE_PROPERTY, app.style().name())
    hints = app.styleHints()
    if theme == "system":
        hints.unsetColorScheme()
        system_style = str(app.property(_SYSTEM_STYLE_PROPERTY))
        if app.style().name() != system_style:
            app.setStyle(system_style)
        app.setPalette(QPalette())  # an empty palette: the platform's own again
        return
    # Tell the platform too, so native dialogs and title bars follow where they can: through
    # the property, by the enum's number (PySide6 would build the whole Qt namespace, ~15 ms,
    # for Qt.ColorScheme, and this runs before the window's first paint).
    if not hints.setProperty("colorScheme", COLOR_SCHEMES[theme]):
        from PySide6.QtCore import Qt

        hints.setColorScheme(Qt.ColorScheme.Light if theme == "light" else Qt.ColorScheme.Dark)
    if not isinstance(app.style(), ThemeStyle):
        app.setStyle(ThemeStyle())
    app.setPalette(theme_palette(theme))


def frame_colour(palette: QPalette) -> QColor:
    """The outline of a control on ``palette``: the dark one on a dark window."""
    dark = palette.color(QPalette.ColorRole.Window).lightness() < 128
    if palette.currentColorGroup() != QPalette.ColorGroup.Disabled:
        return QColor(FRAME_COLOURS["dark" if dark else "light"])
    return palette.color(QPalette.ColorGroup.Disabled, QPalette.ColorRole.WindowText)


class ThemeStyle(QProxyStyle):
    """Fusion, with the outlines of check boxes, radio buttons, spin boxes and line edits drawn
    so they show on both palettes (see FRAME_COLOURS)."""

    _PRIMITIVES = (
        QStyle.PrimitiveElement.PE_IndicatorCheckBox,
        QStyle.PrimitiveElement.PE_IndicatorRadioButton,
        QStyle.PrimitiveElement.PE_FrameLineEdit,
    )

    def __init__(self) -> None:
        super().__init__("Fusion")

    def drawPrimitive(
        self,
        element: QStyle.PrimitiveElement,
        option: QStyleOption,
        painter: QPainter,
        widget: QWidget | None = None,
    ) -> None:
        super().drawPrimitive(element, option, painter, widget)
        if element in self._PRIMITIVES:
            radio = element is QStyle.PrimitiveElement.PE_IndicatorRadioButton
            self._outline(option, painter, round_=radio)

    def drawComplexControl(
        self,
        control: QStyle.ComplexControl,
        option: QStyleOption,
        painter: QPainter,
        widget: QWidget | None = None,
    ) -> None:
        super().drawComplexControl(control, option, painter, widget)
        if control is QStyle.ComplexControl.CC_SpinBox:
            self._outline(option, painter, round_=False)

    @staticmethod
    def _outline(option: QStyleOption, painter: QPainter, *, round_: bool) -> None:
        enabled = bool(option.state & QStyle.StateFlag.State_Enabled)
        palette = QPalette(option.palette)
        if not enabled:
            palette.setCurrentColorGroup(QPalette.ColorGroup.Disabled)
        rect: QRect = option.rect.adjusted(0, 0, -1, -1)
        painter.save()
        painter.setRenderHint(QPainter.RenderHint.Antialiasing, round_)
        # A round edge is anti-aliased: 1.5 px keeps its middle at the full colour.
        painter.setPen(QPen(frame_colour(palette), 1.5 if round_ else 1))
        painter.setBrush(QColor(0, 0, 0, 0))
        if round_:
            painter.drawEllipse(rect.adjusted(1, 1, -1, -1))
        else:
            painter.drawRect(rect)
        painter.restore()


def _linear(channel: float) -> float:
    return channel / 12.92 if channel <= 0.04045 else ((channel + 0.055) / 1.055) ** 2.4


def relative_luminance(colour: QColor) -> float:
    """WCAG 2 relative luminance of an opaque sRGB colour (0 black to 1 white)."""
    return (
        0.2126 * _linear(colour.redF())
        + 0.7152 * _linear(colour.greenF())
        + 0.0722 * _linear(colour.blueF())
    )


def contrast_ratio(fg: QColor, bg: QColor) -> float:
    """WCAG contrast ratio, 1 to 21; a translucent ``fg`` is first blended over ``bg``."""
    if fg.alphaF() < 1.0:
        a = fg.alphaF()
        fg = QColor.fromRgbF(
            fg.redF() * a + bg.redF() * (1 - a),
            fg.greenF() * a + bg.greenF() * (1 - a),
            fg.blueF() * a + bg.blueF() * (1 - a),
        )
    lighter, darker = sorted((relative_luminance(fg), relative_luminance(bg)), reverse=True)
    return (lighter + 0.05) / (darker + 0.05)
