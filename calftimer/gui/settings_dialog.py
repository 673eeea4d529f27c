"""The settings dialog, and the light and dark themes it offers.

The dialog edits a copy: nothing is applied or saved until the caller has an accepted dialog::

    dialog = SettingsDialog(current, parent)
    if dialog.exec():
        new = dialog.settings()

Every control has a label with a mnemonic (its buddy), an accessible name and description and a
tooltip; sizes come from layouts and fonts only, so the dialog works at 200 % scaling.

"Play test" plays the countdown and a phrase with the sound settings as the dialog shows them,
through the app's sound output (``sound_check``, the cue conductor's ``SoundCheck``); without one,
or while it cannot play, the button is disabled and the line beside it says why.
"""

from __future__ import annotations

import dataclasses
import itertools
from typing import TYPE_CHECKING

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QSlider,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from calftimer.core.heel_rise import AGE_BANDS, TARGETS
from calftimer.core.settings import (
    COUNTDOWN_CHOICES,
    PREPARE_MAX_S,
    PREPARE_MIN_S,
    THEMES,
    VOLUME_MAX,
    VOLUME_MIN,
    Settings,
)

if TYPE_CHECKING:
    from calftimer.gui.session.sound_check import SoundCheck

RATE_STEPS = 10  # the voice-rate slider moves in tenths
TEST_TEXT = "&Play test"
STOP_TEXT = "Sto&p test"
TEST_DESCRIPTION = (
    "Play the 3-2-1 countdown, the go sound and a phrase of the coach with the sound theme, "
    "voice and volumes chosen here, before you save them. Press again to stop."
)
NO_SOUND_CHECK = "There is no sound output to test."


class SettingsDialog(QDialog):
    """Edits a Settings; ``settings()`` returns the edited copy (the original after Cancel)."""

    def __init__(
        self,
        settings: Settings,
        parent: QWidget | None = None,
        *,
        system_voices: list[str] | None = None,
        sound_check: SoundCheck | None = None,
    ) -> None:
        super().__init__(parent)
        self.setWindowTitle("Settings")
        self.setObjectName("settingsDialog")
        self._initial = settings
        self._sound_check = sound_check

        # ---- session
        self.countdown_combo = QComboBox()
        for seconds in COUNTDOWN_CHOICES:
            self.countdown_combo.addItem(f"{seconds} s", seconds)
        self._describe(
            self.countdown_combo,
            "Countdown",
            "Seconds of countdown beeps before each set starts.",
        )

        self.prepare_spin = QSpinBox()
        self.prepare_spin.setRange(PREPARE_MIN_S, PREPARE_MAX_S)
        self.prepare_spin.setSuffix(" s")
        self._describe(
            self.prepare_spin,
            "Get-ready time",
            f"Seconds to get into position before the first set ({PREPARE_MIN_S} to "
            f"{PREPARE_MAX_S}); always longer than the countdown, so the countdown is whole.",
        )
        self.countdown_combo.currentIndexChanged.connect(self._on_countdown_changed)

        # ---- voice and sound
        self.voice_check = QCheckBox("&Voice coach")
        self._describe(
            self.voice_check,
            "Voice coach",
            "Speak the phases, rep counts and what comes next. Off: beeps only.",
        )

        self.engine_combo = QComboBox()
        self.engine_combo.addItem("System voice", "system")
        self.engine_combo.addItem("Built-in voice", "clips")
        self.engine_combo.addItem("Beeps instead of words", "beeps")
        self._describe(
            self.engine_combo,
            "Voice engine",
            "System voice: the computer's text-to-speech (the built-in voice speaks while it "
            "starts, or if it cannot). Built-in voice: ships with calftimer and needs nothing "
            "else. Beeps: distinct tones, no words.",
        )

        self.voice_name_combo = QComboBox()
        self.voice_name_combo.addItem("Default", "")
        for name in system_voices or []:
            self.voice_name_combo.addItem(name, name)
        self._describe(
            self.voice_name_combo,
            "System voice",
            "Which of the computer's voices speaks. The list fills once the system voice has "
            "started.",
        )

        self.rate_slider = QSlider(Qt.Orientation.Horizontal)
        self.rate_slider.setRange(-RATE_STEPS, RATE_STEPS)
        self.rate_slider.setPageStep(2)
        self.rate_slider.setTickPosition(QSlider.TickPosition.TicksBelow)
        self.rate_slider.setTickInterval(5)
        self.rate_label = QLabel()
        self._describe(
            self.rate_slider,
            "Voice rate",
            "How fast the system voice speaks, from slower (left) to faster (right).",
        )

        self.cue_volume_slider, self.cue_volume_label = self._volume_slider(
            "Cue volume", "Loudness of the beeps and ticks."
        )
        self.voice_volume_slider, self.voice_volume_label = self._volume_slider(
            "Voice volume", "Loudness of the spoken coach."
        )

        self.sound_theme_combo = QComboBox()
        self.sound_theme_combo.addItem("Standard", "standard")
        self.sound_theme_combo.addItem("Low (for training over music)", "low")
        self._describe(
            self.sound_theme_combo,
            "Sound theme",
            "Low-pitched cues stand out better when music is playing.",
        )

        self.test_button = QPushButton(TEST_TEXT)
        self.test_button.setAutoDefault(False)  # Enter in the dialog still means OK
        self.test_button.setAccessibleName("Play test")
        self.test_status = QLabel()
        self.test_status.setWordWrap(True)
        self.test_button.clicked.connect(self._on_test_clicked)
        if sound_check is not None:
            sound_check.changed.connect(self._update_test)

        # ---- profile (optional; only for reading heel-rise tests)
        self.sex_combo = QComboBox()
        for label, value in (("Not given", ""), ("Female", "female"), ("Male", "male")):
            self.sex_combo.addItem(label, value)
        self._describe(
            self.sex_combo,
            "Sex",
            "Optional. Only used to compare a heel-rise test with typical results.",
        )
        self.age_combo = QComboBox()
        self.age_combo.addItem("Not given", "")
        for band in AGE_BANDS:
            self.age_combo.addItem(band, band)
        self._describe(
            self.age_combo,
            "Age",
            "Optional. Typical heel-rise results fall with age; this picks the right ones.",
        )
        self.target_combo = QComboBox()
        for target in TARGETS:
            self.target_combo.addItem(f"{target} raises per leg", target)
        self._describe(
            self.target_combo,
            "Heel-rise target",
            "What counts as a pass: 25 per leg is the usual capacity target, 30 the stricter.",
        )

        # ---- display
        self.unit_combo = QComboBox()
        self.unit_combo.addItem("Kilograms (kg)", "kg")
        self.unit_combo.addItem("Pounds (lb)", "lb")
        self._describe(
            self.unit_combo,
            "Weight unit",
            "How loads are shown and entered. They are always stored in kilograms, so "
            "switching loses nothing.",
        )

        self.keep_awake_check = QCheckBox("&Keep the screen awake during sessions")
        self._describe(
            self.keep_awake_check,
            "Keep the screen awake during sessions",
            "Stop the screen from dimming or locking while a session runs (not while paused).",
        )

        self.animate_figure_check = QCheckBox("A&nimate the exercise figure")
        self._describe(
            self.animate_figure_check,
            "Animate the exercise figure",
            "Move the figure in time with each rep. Off, or when your desktop asks for reduced "
            "motion, it shows a still pose.",
        )

        self.remote_start_check = QCheckBox("Headset play &button starts the selected program")
        self._describe(
            self.remote_start_check,
            "Headset play button starts the selected program",
            "A play press on a headset or media key starts the program selected in the list; "
            "after a session, only a second press within 10 s starts the next one.",
        )

        self.theme_combo = QComboBox()
        for theme in THEMES:
            self.theme_combo.addItem(theme.capitalize(), theme)
        self._describe(
            self.theme_combo,
            "Theme",
            "System follows your desktop; Light and Dark are high-contrast themes.",
        )

        # ---- buttons
        self.buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok
            | QDialogButtonBox.StandardButton.Cancel
            | QDialogButtonBox.StandardButton.RestoreDefaults
        )
        self.ok_button = self.buttons.button(QDialogButtonBox.StandardButton.Ok)
        self.cancel_button = self.buttons.button(QDialogButtonBox.StandardButton.Cancel)
        self.defaults_button = self.buttons.button(QDialogButtonBox.StandardButton.RestoreDefaults)
        self.defaults_button.setText("Restore &defaults")
        self._describe(self.ok_button, "OK", "Use these settings and save them.")
        self._describe(self.cancel_button, "Cancel", "Close without changing anything.")
        self._describe(
            self.defaults_button,
            "Restore defaults",
            "Put every setting in this dialog back to its default (until you press OK).",
        )
        self.buttons.accepted.connect(self.accept)
        self.buttons.rejected.connect(self.reject)
        self.defaults_button.clicked.connect(self._on_defaults_clicked)

        self._layout()
        self.voice_check.toggled.connect(self._update_enabled)
        self.engine_combo.currentIndexChanged.connect(self._update_enabled)
        self.rate_slider.valueChanged.connect(self._on_rate_changed)
        self.show_settings(settings)

    # ------------------------------------------------------------------ public

    def settings(self) -> Settings:
        """The settings as the controls show them (the original ones after Cancel)."""
        rate = self._initial.voice_rate
        if self.rate_slider.value() != round(rate * RATE_STEPS):
            rate = self.rate_slider.value() / RATE_STEPS  # moved: else keep the exact value
        return dataclasses.replace(
            self._initial,  # keeps what the dialog does not show (muted)
            countdown_s=self.countdown_combo.currentData(),
            prepare_s=self.prepare_spin.value(),
            voice_enabled=self.voice_check.isChecked(),
            voice_engine=self.engine_combo.currentData(),
            voice_rate=rate,
            voice_name=self.voice_name_combo.currentData(),
            sex=self.sex_combo.currentData(),
            age_band=self.age_combo.currentData(),
            test_target=self.target_combo.currentData(),
            cue_volume=self.cue_volume_slider.value(),
            voice_volume=self.voice_volume_slider.value(),
            sound_theme=self.sound_theme_combo.currentData(),
            weight_unit=self.unit_combo.currentData(),
            keep_awake=self.keep_awake_check.isChecked(),
            animate_figure=self.animate_figure_check.isChecked(),
            remote_start=self.remote_start_check.isChecked(),
            theme=self.theme_combo.currentData(),
        )

    def _on_countdown_changed(self, _index: int) -> None:
        countdown = self.countdown_combo.currentData() or PREPARE_MIN_S
        # The get-ready time holds the whole countdown and a moment before it.
        self.prepare_spin.setMinimum(max(PREPARE_MIN_S, countdown + 1))

    def show_settings(self, settings: Settings) -> None:
        """Set every control from ``settings``."""
        _select(self.countdown_combo, settings.countdown_s)
        self.prepare_spin.setValue(settings.prepare_s)
        self.voice_check.setChecked(settings.voice_enabled)
        _select(self.engine_combo, settings.voice_engine)
        if self.voice_name_combo.findData(settings.voice_name) < 0:
            # A voice of this machine not listed yet (the system voice is still starting).
            self.voice_name_combo.addItem(settings.voice_name, settings.voice_name)
        _select(self.voice_name_combo, settings.voice_name)
        self.rate_slider.setValue(round(settings.voice_rate * RATE_STEPS))
        self.cue_volume_slider.setValue(settings.cue_volume)
        self.voice_volume_slider.setValue(settings.voice_volume)
        _select(self.sound_theme_combo, settings.sound_theme)
        _select(self.sex_combo, settings.sex)
        _select(self.age_combo, settings.age_band)
        _select(self.target_combo, settings.test_target)
        _select(self.unit_combo, settings.weight_unit)
        self.keep_awake_check.setChecked(settings.keep_awake)
        self.animate_figure_check.setChecked(settings.animate_figure)
        self.remote_start_check.setChecked(settings.remote_start)
        _select(self.theme_combo, settings.theme)
        self._on_rate_changed(self.rate_slider.value())
        self._update_enabled()
        self._update_test()

    def controls(self) -> list[QWidget]:
        """The interactive controls in tab order (for tests and the focus chain)."""
        return [
            self.countdown_combo,
            self.prepare_spin,
            self.voice_check,
            self.engine_combo,
            self.voice_name_combo,
            self.rate_slider,
            self.cue_volume_slider,
            self.voice_volume_slider,
            self.sound_theme_combo,
            self.test_button,
            self.sex_combo,
            self.age_combo,
            self.target_combo,
            self.unit_combo,
            self.keep_awake_check,
            self.animate_figure_check,
            self.remote_start_check,
            self.theme_combo,
        ]

    def reject(self) -> None:
        self.show_settings(self._initial)  # so settings() after Cancel changes nothing
        super().reject()

    def done(self, result: int) -> None:
        """Closed, however (OK, Cancel, Esc, the window's close button): the test stops."""
        check, self._sound_check = self._sound_check, None  # this dialog tests no more
        if check is not None:
            check.changed.disconnect(self._update_test)
            check.stop()
        super().done(result)

    # ---------------------------------------------------------------- building

    def _layout(self) -> None:
        session = QGroupBox("Session")
        form = QFormLayout(session)
        self._row(form, "&Countdown:", self.countdown_combo)
        self._row(form, "&Get-ready time:", self.prepare_spin)

        sound = QGroupBox("Voice and sound")
        form = QFormLayout(sound)
        form.addRow(self.voice_check)
        self._row(form, "Voice &engine:", self.engine_combo)
        self._row(form, "S&ystem voice:", self.voice_name_combo)
        self._row(form, "Voice &rate:", self.rate_slider, self.rate_label)
        self._row(form, "C&ue volume:", self.cue_volume_slider, self.cue_volume_label)
        self._row(form, "V&oice volume:", self.voice_volume_slider, self.voice_volume_label)
        self._row(form, "&Sound theme:", self.sound_theme_combo)
        test_row = QHBoxLayout()
        test_row.addWidget(self.test_button)
        test_row.addWidget(self.test_status, 1)
        form.addRow(test_row)

        profile = QGroupBox("Profile (optional, for the heel-rise test)")
        form = QFormLayout(profile)
        self._row(form, "Se&x:", self.sex_combo)
        self._row(form, "&Age (decade):", self.age_combo)
        self._row(form, "&Heel-rise target:", self.target_combo)

        display = QGroupBox("Display")
        form = QFormLayout(display)
        self._row(form, "&Weight unit:", self.unit_combo)
        form.addRow(self.keep_awake_check)
        form.addRow(self.animate_figure_check)
        form.addRow(self.remote_start_check)
        self._row(form, "&Theme:", self.theme_combo)

        # Value labels as wide as their widest text in the current font (so it scales): the
        # sliders line up and do not jump as the values change.
        metrics = self.rate_label.fontMetrics()
        width = max(
            metrics.horizontalAdvance(t) for t in ("100 %", "Slower (-1.0)", "Faster (+1.0)")
        )
        for label in (self.rate_label, self.cue_volume_label, self.voice_volume_label):
            label.setMinimumWidth(width)

        # Two columns, read top to bottom then left to right (the tab order follows).
        columns = QHBoxLayout()
        for groups in ((session, sound), (profile, display)):
            column = QVBoxLayout()
            for group in groups:
                column.addWidget(group)
            column.addStretch(1)
            columns.addLayout(column)
        outer = QVBoxLayout(self)
        outer.addLayout(columns)
        outer.addStretch(1)
        outer.addWidget(self.buttons)

        for first, second in itertools.pairwise([*self.controls(), *self._buttons_in_view()]):
            QWidget.setTabOrder(first, second)
        self.countdown_combo.setFocus()

    def _buttons_in_view(self) -> list[QWidget]:
        """The dialog's buttons left to right, as this platform's button layout places them."""
        layout = self.buttons.layout()
        items = (layout.itemAt(i) for i in range(layout.count()))
        return [w for item in items if (w := item.widget()) is not None]

    def _row(
        self, form: QFormLayout, text: str, field: QWidget, value_label: QLabel | None = None
    ) -> None:
        label = QLabel(text)
        label.setBuddy(field)  # the mnemonic focuses the control
        if value_label is None:
            form.addRow(label, field)
            return
        row = QHBoxLayout()
        row.addWidget(field, 1)
        row.addWidget(value_label)
        form.addRow(label, row)

    def _volume_slider(self, name: str, description: str) -> tuple[QSlider, QLabel]:
        slider = QSlider(Qt.Orientation.Horizontal)
        slider.setRange(VOLUME_MIN, VOLUME_MAX)
        slider.setSingleStep(5)
        slider.setPageStep(10)
        self._describe(slider, name, description)
        label = QLabel()
        label.setAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        label.setAccessibleName(f"{name} value")

        def show(value: int) -> None:
            label.setText(f"{value} %")
            slider.setAccessibleDescription(f"{description} Now {value} %.")

        slider.valueChanged.connect(show)
        show(slider.value())
        return slider, label

    @staticmethod
    def _describe(widget: QWidget, name: str, description: str) -> None:
        widget.setAccessibleName(name)
        widget.setAccessibleDescription(description)
        widget.setToolTip(description)

    # ---------------------------------------------------------------- handlers

    def _on_test_clicked(self) -> None:
        check = self._sound_check
        if check is None:
            return
        if check.playing:
            check.stop()
        else:
            check.play(self.settings())

    def _update_test(self) -> None:
        """The button says what pressing it does; disabled, it and the line beside it say why."""
        check = self._sound_check
        problem = NO_SOUND_CHECK if check is None else check.problem
        playing = check is not None and check.playing
        focused = self.test_button.hasFocus()
        self.test_button.setText(STOP_TEXT if playing else TEST_TEXT)
        self.test_button.setEnabled(playing or not problem)
        if problem and not playing:
            self._describe(self.test_button, "Play test", f"Cannot test now. {problem}")
            self.test_status.setText(problem)
        else:
            self._describe(self.test_button, "Play test", TEST_DESCRIPTION)
            self.test_status.setText("Playing..." if playing else "")
        if focused and not self.test_button.isEnabled():
            self.sound_theme_combo.setFocus()  # the focus is not lost with the button

    def _on_defaults_clicked(self) -> None:
        self.show_settings(dataclasses.replace(Settings(), muted=self._initial.muted))

    def _on_rate_changed(self, value: int) -> None:
        if value == 0:
            text = "Normal"
        else:
            text = f"{'Faster' if value > 0 else 'Slower'} ({value / RATE_STEPS:+.1f})"
        self.rate_label.setText(text)
        self.rate_label.setAccessibleName(f"Voice rate value: {text}")

    def _update_enabled(self) -> None:
        voice = self.voice_check.isChecked()
        self.engine_combo.setEnabled(voice)
        self.voice_volume_slider.setEnabled(voice)
        system = voice and self.engine_combo.currentData() == "system"
        self.rate_slider.setEnabled(system)
        self.voice_name_combo.setEnabled(system)


def _select(combo: QComboBox, value: object) -> None:
    index = combo.findData(value)
    if index < 0:
        raise ValueError(f"{combo.accessibleName()}: no choice for {value!r}")
    combo.setCurrentIndex(index)


# The themes live in calftimer.gui.theme (loaded at start-up without this dialog); these names
# stay importable from here.
from calftimer.gui.theme import (  # noqa: E402
    apply_theme,
    contrast_ratio,
    relative_luminance,
    theme_palette,
)

__all__ = [
    "SettingsDialog",
    "apply_theme",
    "contrast_ratio",
    "relative_luminance",
    "theme_palette",
]
