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

from calftimer.core import i18n
from calftimer.core.heel_rise import AGE_BAND_NAMES, AGE_BANDS, TARGETS
from calftimer.core.i18n import N_, _, format_number
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
TEST_TEXT = N_("&Play test")
STOP_TEXT = N_("Sto&p test")
TEST_DESCRIPTION = N_(
    "Play the 3-2-1 countdown, the go sound and a phrase of the coach with the sound theme, "
    "voice and volumes chosen here, before you save them. Press again to stop."
)
NO_SOUND_CHECK = N_("There is no sound output to test.")


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
        self.setWindowTitle(_("Settings"))
        self.setObjectName("settingsDialog")
        self._initial = settings
        self._sound_check = sound_check

        # ---- session
        self.countdown_combo = QComboBox()
        for seconds in COUNTDOWN_CHOICES:
            self.countdown_combo.addItem(_("{seconds} s").format(seconds=seconds), seconds)
        self._describe(
            self.countdown_combo,
            _("Countdown"),
            _("Seconds of countdown beeps before each set starts."),
        )

        self.prepare_spin = QSpinBox()
        self.prepare_spin.setRange(PREPARE_MIN_S, PREPARE_MAX_S)
        self.prepare_spin.setSuffix(" s")
        self._describe(
            self.prepare_spin,
            _("Get-ready time"),
            _(
                "Seconds to get into position before the first set ({PREPARE_MIN_S} to "
                "{PREPARE_MAX_S}); always longer than the countdown, so the countdown is whole."
            ).format(PREPARE_MIN_S=PREPARE_MIN_S, PREPARE_MAX_S=PREPARE_MAX_S),
        )
        self.countdown_combo.currentIndexChanged.connect(self._on_countdown_changed)

        # ---- voice and sound
        self.voice_check = QCheckBox(_("&Voice coach"))
        self._describe(
            self.voice_check,
            _("Voice coach"),
            _("Speak the phases, rep counts and what comes next. Off: beeps only."),
        )

        self.engine_combo = QComboBox()
        self.engine_combo.addItem(_("System voice"), "system")
        self.engine_combo.addItem(_("Built-in voice"), "clips")
        self.engine_combo.addItem(_("Beeps instead of words"), "beeps")
        self._describe(
            self.engine_combo,
            _("Voice engine"),
            _(
                "System voice: the computer's text-to-speech (the built-in voice speaks while it "
                "starts, or if it cannot). Built-in voice: ships with calftimer and needs "
                "nothing else. Beeps: distinct tones, no words."
            ),
        )

        self.voice_name_combo = QComboBox()
        self.voice_name_combo.addItem(_("Default"), "")
        for name in system_voices or []:
            self.voice_name_combo.addItem(name, name)
        self._describe(
            self.voice_name_combo,
            _("System voice"),
            _(
                "Which of the computer's voices speaks. The list fills once the system voice has "
                "started."
            ),
        )

        self.rate_slider = QSlider(Qt.Orientation.Horizontal)
        self.rate_slider.setRange(-RATE_STEPS, RATE_STEPS)
        self.rate_slider.setPageStep(2)
        self.rate_slider.setTickPosition(QSlider.TickPosition.TicksBelow)
        self.rate_slider.setTickInterval(5)
        self.rate_label = QLabel()
        self._describe(
            self.rate_slider,
            _("Voice rate"),
            _("How fast the system voice speaks, from slower (left) to faster (right)."),
        )

        self.cue_volume_slider, self.cue_volume_label = self._volume_slider(
            _("Cue volume"), _("Loudness of the beeps and ticks.")
        )
        self.voice_volume_slider, self.voice_volume_label = self._volume_slider(
            _("Voice volume"), _("Loudness of the spoken coach.")
        )

        self.sound_theme_combo = QComboBox()
        self.sound_theme_combo.addItem(_("Standard"), "standard")
        self.sound_theme_combo.addItem(_("Low (for training over music)"), "low")
        self._describe(
            self.sound_theme_combo,
            _("Sound theme"),
            _("Low-pitched cues stand out better when music is playing."),
        )

        self.test_button = QPushButton(_(TEST_TEXT))
        self.test_button.setAutoDefault(False)  # Enter in the dialog still means OK
        self.test_button.setAccessibleName(_("Play test"))
        self.test_status = QLabel()
        self.test_status.setWordWrap(True)
        self.test_button.clicked.connect(self._on_test_clicked)
        if sound_check is not None:
            sound_check.changed.connect(self._update_test)

        # ---- profile (optional; only for reading heel-rise tests)
        self.sex_combo = QComboBox()
        for label, value in ((_("Not given"), ""), (_("Female"), "female"), (_("Male"), "male")):
            self.sex_combo.addItem(label, value)
        self._describe(
            self.sex_combo,
            _("Sex"),
            _("Optional. Only used to compare a heel-rise test with typical results."),
        )
        self.age_combo = QComboBox()
        self.age_combo.addItem(_("Not given"), "")
        for band in AGE_BANDS:
            self.age_combo.addItem(_(AGE_BAND_NAMES[band]), band)
        self._describe(
            self.age_combo,
            _("Age"),
            _("Optional. Typical heel-rise results fall with age; this picks the right ones."),
        )
        self.target_combo = QComboBox()
        for target in TARGETS:
            self.target_combo.addItem(_("{target} raises per leg").format(target=target), target)
        self._describe(
            self.target_combo,
            _("Heel-rise target"),
            _("What counts as a pass: 25 per leg is the usual capacity target, 30 the stricter."),
        )

        # ---- display
        self.unit_combo = QComboBox()
        self.unit_combo.addItem(_("Kilograms (kg)"), "kg")
        self.unit_combo.addItem(_("Pounds (lb)"), "lb")
        self._describe(
            self.unit_combo,
            _("Weight unit"),
            _(
                "How loads are shown and entered. They are always stored in kilograms, so "
                "switching loses nothing."
            ),
        )

        self.keep_awake_check = QCheckBox(_("&Keep the screen awake during sessions"))
        self._describe(
            self.keep_awake_check,
            _("Keep the screen awake during sessions"),
            _("Stop the screen from dimming or locking while a session runs (not while paused)."),
        )

        self.animate_figure_check = QCheckBox(_("A&nimate the exercise figure"))
        self._describe(
            self.animate_figure_check,
            _("Animate the exercise figure"),
            _(
                "Move the figure in time with each rep. Off, or when your desktop asks for "
                "reduced motion, it shows a still pose."
            ),
        )

        self.remote_start_check = QCheckBox(_("Headset play &button starts the selected program"))
        self._describe(
            self.remote_start_check,
            _("Headset play button starts the selected program"),
            _(
                "A play press on a headset or media key starts the program selected in the "
                "list; after a session, only a second press within 10 s starts the next one."
            ),
        )

        self.theme_combo = QComboBox()
        theme_names = {"system": _("System"), "light": _("Light"), "dark": _("Dark")}
        for theme in THEMES:
            self.theme_combo.addItem(theme_names.get(theme, theme.capitalize()), theme)
        self._describe(
            self.theme_combo,
            _("Theme"),
            _("System follows your desktop; Light and Dark are high-contrast themes."),
        )

        # ---- language: the complete catalogs only, and the system's (the default)
        self.language_combo = QComboBox()
        self.language_combo.addItem(_("System default"), i18n.SYSTEM_DEFAULT)
        for language in i18n.available_languages():
            self.language_combo.addItem(language.native_name, language.code)
        self._describe(
            self.language_combo,
            _("Language"),
            _(
                "The language of the window, the coach's words and the command line. System "
                "default follows your desktop. Takes effect when calftimer starts again."
            ),
        )
        self.language_note = QLabel(_("A new language takes effect when calftimer starts again."))
        self.language_note.setWordWrap(True)
        self.language_combo.currentIndexChanged.connect(self._update_language_note)

        # ---- buttons
        self.buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok
            | QDialogButtonBox.StandardButton.Cancel
            | QDialogButtonBox.StandardButton.RestoreDefaults
        )
        self.ok_button = self.buttons.button(QDialogButtonBox.StandardButton.Ok)
        self.cancel_button = self.buttons.button(QDialogButtonBox.StandardButton.Cancel)
        self.defaults_button = self.buttons.button(QDialogButtonBox.StandardButton.RestoreDefaults)
        self.defaults_button.setText(_("Restore &defaults"))
        self._describe(self.ok_button, _("OK"), _("Use these settings and save them."))
        self._describe(self.cancel_button, _("Cancel"), _("Close without changing anything."))
        self._describe(
            self.defaults_button,
            _("Restore defaults"),
            _("Put every setting in this dialog back to its default (until you press OK)."),
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
            language=self.language_combo.currentData(),
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
        if self.language_combo.findData(settings.language) < 0:
            # A language of a newer calftimer (its catalog is not here): kept, not offered.
            self.language_combo.addItem(
                _("{code} (not available)").format(code=settings.language), settings.language
            )
        _select(self.language_combo, settings.language)
        self._update_language_note()
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
            self.language_combo,
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
        session = QGroupBox(_("Session"))
        form = QFormLayout(session)
        self._row(form, _("&Countdown:"), self.countdown_combo)
        self._row(form, _("&Get-ready time:"), self.prepare_spin)

        sound = QGroupBox(_("Voice and sound"))
        form = QFormLayout(sound)
        form.addRow(self.voice_check)
        self._row(form, _("Voice &engine:"), self.engine_combo)
        self._row(form, _("S&ystem voice:"), self.voice_name_combo)
        self._row(form, _("Voice &rate:"), self.rate_slider, self.rate_label)
        self._row(form, _("C&ue volume:"), self.cue_volume_slider, self.cue_volume_label)
        self._row(form, _("V&oice volume:"), self.voice_volume_slider, self.voice_volume_label)
        self._row(form, _("&Sound theme:"), self.sound_theme_combo)
        test_row = QHBoxLayout()
        test_row.addWidget(self.test_button)
        test_row.addWidget(self.test_status, 1)
        form.addRow(test_row)

        profile = QGroupBox(_("Profile (optional, for the heel-rise test)"))
        form = QFormLayout(profile)
        self._row(form, _("Se&x:"), self.sex_combo)
        self._row(form, _("&Age (decade):"), self.age_combo)
        self._row(form, _("&Heel-rise target:"), self.target_combo)

        display = QGroupBox(_("Display"))
        form = QFormLayout(display)
        self._row(form, _("&Weight unit:"), self.unit_combo)
        form.addRow(self.keep_awake_check)
        form.addRow(self.animate_figure_check)
        form.addRow(self.remote_start_check)
        self._row(form, _("&Theme:"), self.theme_combo)
        self._row(form, _("&Language:"), self.language_combo)
        form.addRow(self.language_note)

        # Value labels as wide as their widest text in the current font (so it scales): the
        # sliders line up and do not jump as the values change.
        metrics = self.rate_label.fontMetrics()
        width = max(
            metrics.horizontalAdvance(t)
            for t in (
                _("{value} %").format(value=100),
                _("Slower ({rate})").format(rate="-1.0"),
                _("Faster ({rate})").format(rate="+1.0"),
            )
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
        label.setAccessibleName(_("{name} value").format(name=name))

        def show(value: int) -> None:
            label.setText(_("{value} %").format(value=value))
            slider.setAccessibleDescription(
                _("{description} Now {value} %.").format(description=description, value=value)
            )

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
        problem = _(NO_SOUND_CHECK) if check is None else check.problem
        playing = check is not None and check.playing
        focused = self.test_button.hasFocus()
        self.test_button.setText(_(STOP_TEXT) if playing else _(TEST_TEXT))
        self.test_button.setEnabled(playing or not problem)
        if problem and not playing:
            self._describe(
                self.test_button,
                _("Play test"),
                _("Cannot test now. {problem}").format(problem=problem),
            )
            self.test_status.setText(problem)
        else:
            self._describe(self.test_button, _("Play test"), _(TEST_DESCRIPTION))
            self.test_status.setText(_("Playing...") if playing else "")
        if focused and not self.test_button.isEnabled():
            self.sound_theme_combo.setFocus()  # the focus is not lost with the button

    def _on_defaults_clicked(self) -> None:
        self.show_settings(dataclasses.replace(Settings(), muted=self._initial.muted))

    def _on_rate_changed(self, value: int) -> None:
        if value == 0:
            text = _("Normal")
        else:
            rate = ("+" if value > 0 else "-") + format_number(abs(value) / RATE_STEPS, 1)
            text = (_("Faster ({rate})") if value > 0 else _("Slower ({rate})")).format(rate=rate)
        self.rate_label.setText(text)
        self.rate_label.setAccessibleName(_("Voice rate value: {text}").format(text=text))

    def _update_language_note(self, _index: int = 0) -> None:
        """The note shows while the chosen language is not the one the texts are in now."""
        chosen = i18n.resolve_language(self.language_combo.currentData(), i18n.system_languages())
        self.language_note.setVisible(chosen != i18n.current_language())

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
