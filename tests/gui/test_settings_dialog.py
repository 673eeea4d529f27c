"""The settings dialog (shows, edits, cancels, restores defaults, is accessible) and the light
and dark themes (text keeps >= 7:1 contrast)."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import replace

import pytest
from PySide6.QtCore import QRect, Qt, QTimer
from PySide6.QtGui import QColor, QPalette
from PySide6.QtWidgets import (
    QAbstractButton,
    QAbstractSlider,
    QAbstractSpinBox,
    QApplication,
    QCheckBox,
    QComboBox,
    QDialog,
    QLabel,
    QLineEdit,
    QRadioButton,
    QSpinBox,
    QStyle,
    QStyleOptionButton,
    QVBoxLayout,
    QWidget,
)

from calftimer.core.settings import Settings
from calftimer.gui.settings_dialog import (
    SettingsDialog,
    apply_theme,
    contrast_ratio,
    theme_palette,
)

QWIDGETSIZE_MAX = (1 << 24) - 1

CUSTOM = Settings(
    countdown_s=10,
    prepare_s=25,
    voice_enabled=True,
    cue_volume=35,
    voice_volume=65,
    sound_theme="low",
    weight_unit="lb",
    keep_awake=False,
    theme="dark",
    muted=True,
    voice_engine="system",
    voice_rate=0.25,
    animate_figure=False,
)


@pytest.fixture
def dialog(qtbot) -> SettingsDialog:
    d = SettingsDialog(CUSTOM)
    qtbot.addWidget(d)
    d.show()
    qtbot.waitExposed(d)
    return d


def interactive(d: QDialog) -> list[QWidget]:
    """Every widget a user can operate in the dialog (not the parts inside a spin or combo
    box, nor a combo box's popup, which is a window of its own)."""
    kinds = (QAbstractButton, QComboBox, QAbstractSpinBox, QAbstractSlider)
    return [
        w
        for w in d.findChildren(QWidget)
        if isinstance(w, kinds)
        and w.window() is d
        and not isinstance(w.parent(), (QAbstractSpinBox, QComboBox))
    ]


def test_dialog_shows_the_given_settings(dialog: SettingsDialog) -> None:
    assert dialog.countdown_combo.currentData() == 10
    assert dialog.prepare_spin.value() == 25
    assert dialog.voice_check.isChecked()
    assert dialog.engine_combo.currentData() == "system"
    assert dialog.rate_slider.value() in (2, 3)  # 0.25 on a slider of tenths
    assert dialog.cue_volume_slider.value() == 35
    assert dialog.cue_volume_label.text() == "35 %"
    assert dialog.voice_volume_label.text() == "65 %"
    assert dialog.sound_theme_combo.currentData() == "low"
    assert dialog.unit_combo.currentData() == "lb"
    assert not dialog.keep_awake_check.isChecked()
    assert not dialog.animate_figure_check.isChecked()
    assert dialog.theme_combo.currentData() == "dark"
    # Untouched, the dialog gives back exactly what it was given (the exact rate included).
    assert dialog.settings() == CUSTOM


def test_changed_controls_and_ok_return_the_new_settings(qtbot, dialog: SettingsDialog) -> None:
    dialog.countdown_combo.setCurrentIndex(dialog.countdown_combo.findData(5))
    dialog.prepare_spin.setValue(45)
    dialog.engine_combo.setCurrentIndex(dialog.engine_combo.findData("clips"))
    dialog.cue_volume_slider.setValue(100)
    dialog.sound_theme_combo.setCurrentIndex(0)
    dialog.unit_combo.setCurrentIndex(dialog.unit_combo.findData("kg"))
    qtbot.mouseClick(dialog.keep_awake_check, Qt.MouseButton.LeftButton)
    qtbot.mouseClick(dialog.animate_figure_check, Qt.MouseButton.LeftButton)
    dialog.theme_combo.setCurrentIndex(dialog.theme_combo.findData("light"))
    dialog.voice_check.setChecked(False)

    qtbot.mouseClick(dialog.ok_button, Qt.MouseButton.LeftButton)

    assert dialog.result() == QDialog.DialogCode.Accepted
    assert dialog.cue_volume_label.text() == "100 %"
    assert dialog.settings() == Settings(
        countdown_s=5,
        prepare_s=45,
        voice_enabled=False,
        cue_volume=100,
        voice_volume=65,
        sound_theme="standard",
        weight_unit="kg",
        keep_awake=True,
        theme="light",
        muted=True,  # not in the dialog: kept as it was
        voice_engine="clips",
        voice_rate=0.25,
        animate_figure=True,
    )


def test_moving_the_rate_slider_gives_tenths(dialog: SettingsDialog) -> None:
    dialog.rate_slider.setValue(-5)
    assert dialog.settings().voice_rate == -0.5
    assert dialog.rate_label.text() == "Slower (-0.5)"
    dialog.rate_slider.setValue(0)
    assert dialog.rate_label.text() == "Normal"


def test_exec_and_cancel_change_nothing(qtbot, dialog: SettingsDialog) -> None:
    dialog.prepare_spin.setValue(60)
    dialog.theme_combo.setCurrentIndex(0)
    QTimer.singleShot(0, dialog.cancel_button.click)
    assert not dialog.exec()
    assert dialog.settings() == CUSTOM
    assert dialog.prepare_spin.value() == 25


def test_exec_and_ok_is_how_callers_use_it(qtbot) -> None:
    d = SettingsDialog(Settings())
    qtbot.addWidget(d)

    def edit_and_accept() -> None:
        d.prepare_spin.setValue(20)
        d.ok_button.click()

    QTimer.singleShot(0, edit_and_accept)
    assert d.exec()
    assert d.settings() == Settings(prepare_s=20)


def test_escape_cancels(qtbot, dialog: SettingsDialog) -> None:
    dialog.prepare_spin.setValue(59)
    qtbot.keyClick(dialog, Qt.Key.Key_Escape)
    assert dialog.result() == QDialog.DialogCode.Rejected
    assert dialog.settings() == CUSTOM


def test_restore_defaults_resets_the_controls_until_ok(qtbot, dialog: SettingsDialog) -> None:
    qtbot.mouseClick(dialog.defaults_button, Qt.MouseButton.LeftButton)
    assert dialog.isVisible()  # nothing is applied yet
    assert dialog.settings() == Settings(muted=True)
    assert dialog.cue_volume_label.text() == "80 %"


def test_voice_controls_follow_the_voice_switch(dialog: SettingsDialog) -> None:
    assert dialog.rate_slider.isEnabled()
    dialog.engine_combo.setCurrentIndex(dialog.engine_combo.findData("beeps"))
    assert not dialog.rate_slider.isEnabled()  # only the system voice has a rate
    dialog.voice_check.setChecked(False)
    assert not dialog.engine_combo.isEnabled()
    assert not dialog.voice_volume_slider.isEnabled()
    assert dialog.cue_volume_slider.isEnabled()


def test_every_interactive_widget_is_named_described_and_labelled(
    dialog: SettingsDialog,
) -> None:
    widgets = interactive(dialog)
    assert set(dialog.controls()) <= set(widgets)
    assert len(widgets) == len(dialog.controls()) + 3  # plus OK, Cancel, Restore defaults
    for w in widgets:
        assert w.accessibleName(), w
        assert w.accessibleDescription(), w.accessibleName()
        assert w.toolTip(), w.accessibleName()
    labelled = {label.buddy() for label in dialog.findChildren(QLabel) if label.buddy()}
    mnemonics = []
    for w in dialog.controls():
        if isinstance(w, QAbstractButton):
            text = w.text()  # check boxes carry their own mnemonic
        else:
            assert w in labelled, w.accessibleName()
            text = next(x.text() for x in dialog.findChildren(QLabel) if x.buddy() is w)
        assert "&" in text, text
        mnemonics.append(text[text.index("&") + 1].lower())
    mnemonics.append("d")  # Restore &defaults
    assert len(mnemonics) == len(set(mnemonics)), mnemonics


def test_a_mnemonic_moves_focus_to_its_control(qtbot, dialog: SettingsDialog) -> None:
    dialog.activateWindow()
    qtbot.keyClick(dialog, Qt.Key.Key_T, Qt.KeyboardModifier.AltModifier)
    qtbot.waitUntil(lambda: dialog.theme_combo.hasFocus())


def test_tab_order_follows_the_layout(dialog: SettingsDialog) -> None:
    expected = [*dialog.controls()]
    seen: list[QWidget] = []
    w: QWidget = dialog.countdown_combo
    for _ in range(200):
        if w in expected and w not in seen:
            seen.append(w)
        w = w.nextInFocusChain()
        if w is dialog.countdown_combo:
            break
    assert seen == expected
    buttons = [b for b in interactive(dialog) if b.parent() is dialog.buttons]
    chain_after_theme = []
    w = dialog.theme_combo.nextInFocusChain()
    while len(chain_after_theme) < len(buttons):
        if w in buttons:
            chain_after_theme.append(w)
        w = w.nextInFocusChain()
    assert sorted(chain_after_theme, key=lambda b: b.x()) == chain_after_theme


def test_no_widget_has_a_fixed_pixel_size(dialog: SettingsDialog) -> None:
    """Fixed sizes clip text at 200 % scaling; layouts and font metrics size everything."""
    for w in [dialog, *dialog.findChildren(QWidget)]:
        assert w.maximumWidth() == QWIDGETSIZE_MAX, w
        assert w.maximumHeight() == QWIDGETSIZE_MAX, w


# -------------------------------------------------------------------------------- themes


@pytest.fixture
def app(qapp: QApplication) -> Iterator[QApplication]:
    yield qapp
    apply_theme(qapp, "system")  # leave the rest of the suite its usual look


PAIRS = [
    (QPalette.ColorRole.WindowText, QPalette.ColorRole.Window),
    (QPalette.ColorRole.Text, QPalette.ColorRole.Base),
    (QPalette.ColorRole.Text, QPalette.ColorRole.AlternateBase),
    (QPalette.ColorRole.ButtonText, QPalette.ColorRole.Button),
    (QPalette.ColorRole.ToolTipText, QPalette.ColorRole.ToolTipBase),
    (QPalette.ColorRole.HighlightedText, QPalette.ColorRole.Highlight),
    (QPalette.ColorRole.PlaceholderText, QPalette.ColorRole.Base),
    (QPalette.ColorRole.Link, QPalette.ColorRole.Base),
    (QPalette.ColorRole.Link, QPalette.ColorRole.Window),
    (QPalette.ColorRole.LinkVisited, QPalette.ColorRole.Window),
]


@pytest.mark.parametrize("theme", ["light", "dark"])
def test_theme_text_has_at_least_7_to_1_contrast(app: QApplication, theme: str) -> None:
    apply_theme(app, theme)
    palette = app.palette()
    assert app.style().baseStyle().name().lower() == "fusion"
    for fg, bg in PAIRS:
        ratio = contrast_ratio(palette.color(fg), palette.color(bg))
        assert ratio >= 7.0, (theme, fg.name, bg.name, round(ratio, 2))
    disabled = palette.color(QPalette.ColorGroup.Disabled, QPalette.ColorRole.WindowText)
    assert contrast_ratio(disabled, palette.color(QPalette.ColorRole.Window)) >= 4.5


@pytest.mark.parametrize("theme", ["light", "dark"])
def test_unticked_boxes_radio_buttons_and_fields_show_their_edges(
    qtbot, app: QApplication, theme: str
) -> None:
    """An empty check box, an unselected radio button, a spin box and a line edit, as Qt
    draws them: their edge stands out from the window by at least 3:1 (WCAG's minimum for a
    control), so a box not ticked is still seen as a box."""
    apply_theme(app, theme)
    window = app.palette().color(QPalette.ColorRole.Window)
    host = QWidget()
    qtbot.addWidget(host)
    layout = QVBoxLayout(host)
    box, radio, spin, line = QCheckBox("Box"), QRadioButton("Radio"), QSpinBox(), QLineEdit()
    for widget in (box, radio, spin, line):
        layout.addWidget(widget)
    host.show()
    qtbot.waitExposed(host)

    def edge_contrast(widget: QWidget, rect: QRect) -> float:
        image = widget.grab().toImage()
        y = rect.center().y()
        # Along the middle row, from the left of the control into it: the edge is there.
        return max(
            contrast_ratio(QColor(image.pixel(x, y)), window)
            for x in range(rect.left(), rect.left() + max(3, rect.width() // 3))
        )

    style = app.style()
    option = QStyleOptionButton()
    option.initFrom(box)
    box_rect = style.subElementRect(QStyle.SubElement.SE_CheckBoxIndicator, option, box)
    option.initFrom(radio)
    radio_rect = style.subElementRect(QStyle.SubElement.SE_RadioButtonIndicator, option, radio)
    for name, widget, rect in (
        ("check box", box, box_rect),
        ("radio button", radio, radio_rect),
        ("spin box", spin, spin.rect()),
        ("line edit", line, line.rect()),
    ):
        assert edge_contrast(widget, rect) >= 3, (theme, name)


def test_dark_is_dark_and_light_is_light(app: QApplication) -> None:
    apply_theme(app, "dark")
    window = app.palette().color(QPalette.ColorRole.Window)
    assert window.lightness() < 64
    assert window == theme_palette("dark").color(QPalette.ColorRole.Window)
    apply_theme(app, "light")
    assert app.palette().color(QPalette.ColorRole.Window).lightness() > 200


def test_system_restores_the_original_look(app: QApplication) -> None:
    apply_theme(app, "system")
    style, window = app.style().name(), app.palette().color(QPalette.ColorRole.Window)
    apply_theme(app, "dark")
    assert app.palette().color(QPalette.ColorRole.Window) != window
    apply_theme(app, "system")
    assert app.style().name() == style
    assert app.palette().color(QPalette.ColorRole.Window) == window


def test_unknown_theme_is_refused(app: QApplication) -> None:
    with pytest.raises(ValueError, match="unknown theme"):
        apply_theme(app, "sepia")


def test_contrast_ratio_matches_wcag_reference_values() -> None:
    black, white = QColor("#000000"), QColor("#ffffff")
    assert contrast_ratio(black, white) == pytest.approx(21.0)
    assert contrast_ratio(white, black) == pytest.approx(21.0)
    assert contrast_ratio(white, white) == pytest.approx(1.0)
    assert contrast_ratio(QColor("#777777"), white) == pytest.approx(4.48, abs=0.01)
    assert contrast_ratio(QColor("#595959"), white) == pytest.approx(7.0, abs=0.01)
    half_black = QColor(0, 0, 0, 128)  # blended over white: a mid grey
    assert 3.5 < contrast_ratio(half_black, white) < 5.0


def test_the_get_ready_time_always_holds_the_whole_countdown(qtbot) -> None:
    from calftimer.core.settings import Settings
    from calftimer.gui.settings_dialog import SettingsDialog

    dialog = SettingsDialog(Settings())
    qtbot.addWidget(dialog)
    dialog.prepare_spin.setValue(5)
    index = dialog.countdown_combo.findData(10)
    dialog.countdown_combo.setCurrentIndex(index)
    assert dialog.prepare_spin.value() >= 11


def test_the_system_voice_is_chosen_from_the_machines_voices(qtbot) -> None:
    d = SettingsDialog(CUSTOM, system_voices=["Alice", "Bob"])
    qtbot.addWidget(d)
    names = [d.voice_name_combo.itemText(i) for i in range(d.voice_name_combo.count())]
    assert names == ["Default", "Alice", "Bob"]
    d.voice_name_combo.setCurrentIndex(2)
    assert d.settings().voice_name == "Bob"
    d.engine_combo.setCurrentIndex(d.engine_combo.findData("clips"))
    assert not d.voice_name_combo.isEnabled()  # only the system voice has voices to pick


def test_a_saved_voice_not_listed_yet_is_kept(qtbot) -> None:
    """The system voice starts in the background: until it has, its voices are unknown, and
    the dialog must not quietly swap the user's voice for the default."""
    d = SettingsDialog(replace(CUSTOM, voice_name="Carol"))
    qtbot.addWidget(d)
    assert d.voice_name_combo.currentText() == "Carol"
    assert d.settings().voice_name == "Carol"
