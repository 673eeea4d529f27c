"""The Settings dialog's "Play test": the countdown and a phrase, with the sound settings the
dialog shows (not yet saved), through the window's sound output, on the injected clock.

Every test opens the real dialog from the window (``open_settings``, modal) and works it while it
is up, as a user would; the output is a ``RecordingOutput`` that keeps what it was handed, with
the volume and the sound theme of each.
"""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication, QWidget

from calftimer.core.clock import ManualClock
from calftimer.core.cues import clip_texts
from calftimer.core.programs import BUILTIN_BY_ID
from calftimer.core.settings import Settings
from calftimer.gui.audio import SilentOutput
from calftimer.gui.main_window import MainWindow
from calftimer.gui.session.sound_check import check_phrase
from calftimer.gui.settings_dialog import SettingsDialog
from tests.core.voice_catalogs import using, write_catalog
from tests.gui.fakes import T0, RecordingOutput
from tests.gui.helpers import FakeTimers, advance_by_deadlines, answer_modal, click_button

PHRASE = check_phrase().text


def work_dialog(
    window: MainWindow, during: Callable[[SettingsDialog], None], answer: str = "Cancel"
) -> None:
    """Open Settings from the window, call ``during`` while it is up, then press ``answer``."""
    failures: list[BaseException] = []

    def run(dialog: QWidget) -> None:
        assert isinstance(dialog, SettingsDialog)
        try:
            during(dialog)
        except BaseException as exc:  # raised in the dialog's loop: re-raised after it
            failures.append(exc)

    seen = answer_modal(click_button(answer), run)
    window.open_settings()
    assert len(seen) == 1, "the Settings dialog did not come up"
    if failures:
        raise failures[0]


def advance(clock: ManualClock, timers: FakeTimers, ms: int) -> None:
    """Let ``ms`` pass in 50 ms steps, firing the timers that fall due."""
    end = clock() + ms
    while clock() < end:
        clock.set(min(end, clock() + 50))
        timers.fire_due()


def test_play_test_plays_the_countdown_then_a_phrase_at_the_dialogs_volumes(
    window: MainWindow, clock: ManualClock, timers: FakeTimers
) -> None:
    output = RecordingOutput(clock)
    window.attach_audio(output)
    window.settings_hub.update(Settings(cue_volume=80, voice_volume=80, voice_engine="clips"))

    def during(dialog: SettingsDialog) -> None:
        assert dialog.test_button.isEnabled()
        dialog.cue_volume_slider.setValue(50)
        dialog.voice_volume_slider.setValue(30)
        dialog.test_button.click()
        assert dialog.test_button.text().replace("&", "") == "Stop test"
        advance(clock, timers, 8_000)
        assert dialog.test_button.text().replace("&", "") == "Play test"  # over by itself

    work_dialog(window, during)
    # 3-2-1 and "go" a second apart, from a quarter of a second after the press; the phrase a
    # second after the "go"; at the dialog's volumes, never saved.
    assert output.handed == [
        (250, "tick", 0.5, "standard"),
        (1_250, "tick", 0.5, "standard"),
        (2_250, "tick", 0.5, "standard"),
        (3_250, "go", 0.5, "standard"),
        (4_250, PHRASE, 0.3, "standard"),
    ]
    assert output.sounds == [(250, "tick"), (1_250, "tick"), (2_250, "tick"), (3_250, "go")]
    assert output.spoken == [(4_250, PHRASE)]
    assert window.settings_hub.current.cue_volume == 80  # Cancel: nothing saved


def test_the_test_follows_the_dialogs_theme_and_volume_and_the_saved_theme_comes_back(
    window: MainWindow, clock: ManualClock, timers: FakeTimers
) -> None:
    output = RecordingOutput(clock)
    window.attach_audio(output)

    def during(dialog: SettingsDialog) -> None:
        dialog.test_button.click()
        advance(clock, timers, 9_000)  # the countdown, the phrase, and the test is over
        dialog.sound_theme_combo.setCurrentIndex(dialog.sound_theme_combo.findData("low"))
        dialog.cue_volume_slider.setValue(100)
        dialog.voice_check.setChecked(False)  # beeps only: no phrase
        dialog.test_button.click()
        advance(clock, timers, 6_000)

    work_dialog(window, during)
    second = [(name, volume, theme) for at, name, volume, theme in output.handed if at > 9_000]
    assert second == [("tick", 1.0, "low")] * 3 + [("go", 1.0, "low")]
    first = [(name, theme) for at, name, _, theme in output.handed if at < 9_000]
    assert first == [("tick", "standard")] * 3 + [("go", "standard"), (PHRASE, "standard")]
    assert output.theme == "standard"  # the saved theme again once the test was over


def test_pressing_again_or_closing_the_dialog_stops_the_test(
    window: MainWindow, clock: ManualClock, timers: FakeTimers
) -> None:
    output = RecordingOutput(clock)
    window.attach_audio(output)

    def stop_by_pressing(dialog: SettingsDialog) -> None:
        dialog.sound_theme_combo.setCurrentIndex(dialog.sound_theme_combo.findData("low"))
        dialog.test_button.click()
        advance(clock, timers, 1_500)
        dialog.test_button.click()  # "Stop test"
        assert dialog.test_button.text().replace("&", "") == "Play test"
        assert output.theme == "standard"  # back at once
        advance(clock, timers, 5_000)

    work_dialog(window, stop_by_pressing)
    assert output.sounds == [(250, "tick"), (1_250, "tick")]
    assert output.spoken == []
    start = clock() - T0

    def close_while_playing(dialog: SettingsDialog) -> None:
        dialog.test_button.click()
        advance(clock, timers, 2_000)

    work_dialog(window, close_while_playing, answer="Cancel")
    advance(clock, timers, 5_000)
    later = [(at - start, name) for at, name in output.sounds if at > start]
    assert later == [(250, "tick"), (1_250, "tick")]  # nothing after the dialog closed
    assert output.pending == [] and output.spoken == []


def test_without_sound_the_button_is_disabled_and_says_why(window: MainWindow) -> None:
    problem = "Sound is off: no audio output device was found."
    window.attach_audio(SilentOutput(problem, window))

    def during(dialog: SettingsDialog) -> None:
        assert not dialog.test_button.isEnabled()
        assert problem in dialog.test_button.toolTip()
        assert dialog.test_status.text() == problem  # also for the keyboard and screen readers

    work_dialog(window, during)


def test_while_the_output_loads_the_button_waits_for_it(
    window: MainWindow, clock: ManualClock
) -> None:
    output = RecordingOutput(clock)
    output.loading = True
    window.attach_audio(output)

    def during(dialog: SettingsDialog) -> None:
        assert not dialog.test_button.isEnabled()
        assert "loading" in dialog.test_button.toolTip()
        output.loading = False
        output.became_ready.emit()
        assert dialog.test_button.isEnabled()

    work_dialog(window, during)


def test_while_a_session_runs_there_is_no_test(
    window: MainWindow, clock: ManualClock, timers: FakeTimers
) -> None:
    output = RecordingOutput(clock)
    window.attach_audio(output)
    window.session.start(BUILTIN_BY_ID["isometric"])

    def during(dialog: SettingsDialog) -> None:
        assert not dialog.test_button.isEnabled()
        assert "session is running" in dialog.test_button.toolTip()
        window.session.abandon()  # over while the dialog is open: the test can play again
        assert dialog.test_button.isEnabled()

    work_dialog(window, during)


def test_a_session_that_starts_silences_a_test_and_restores_the_saved_theme(
    window: MainWindow, clock: ManualClock, timers: FakeTimers
) -> None:
    output = RecordingOutput(clock)
    window.attach_audio(output)
    check = window.conductor.sound_check
    check.play(Settings(sound_theme="low"))
    assert check.playing and output.theme == "low"
    test_instants = {T0 + at for at, *_ in output.handed}
    before = len(output.handed)
    window.session.start(BUILTIN_BY_ID["isometric"])
    assert not check.playing
    assert output.theme == "standard"
    assert not test_instants & {due for due, _ in output.pending}  # the test's are taken back
    first = window.session.timeline.work_sets[0]
    advance_by_deadlines(window.session, clock, T0 + first.start_ms)
    ready = first.start_ms
    countdown = [(ready - 3_000, "tick"), (ready - 2_000, "tick"), (ready - 1_000, "tick")]
    assert output.sounds == [*countdown, (ready, "go")]  # the session's, none of the test's
    assert {theme for *_, theme in output.handed[before:]} == {"standard"}  # the saved theme's


def test_play_test_is_reached_by_tab_and_by_its_mnemonic(
    window: MainWindow, clock: ManualClock, qtbot
) -> None:
    output = RecordingOutput(clock)
    window.attach_audio(output)

    def during(dialog: SettingsDialog) -> None:
        dialog.sound_theme_combo.setFocus()
        qtbot.keyClick(dialog.sound_theme_combo, Qt.Key.Key_Tab)
        assert dialog.focusWidget() is dialog.test_button
        qtbot.keyClick(dialog.test_button, Qt.Key.Key_Space)
        assert window.conductor.sound_check.playing
        dialog.activateWindow()
        qtbot.waitUntil(lambda: QApplication.activeWindow() is dialog)
        qtbot.keyClick(dialog, Qt.Key.Key_P, Qt.KeyboardModifier.AltModifier)  # "Sto&p test"
        qtbot.waitUntil(lambda: not window.conductor.sound_check.playing)

    work_dialog(window, during)
    assert [name for _, name, _, _ in output.handed][:1] == ["tick"]


def test_the_test_phrase_is_one_the_built_in_voice_can_say(tmp_path) -> None:
    assert check_phrase().text == "Seated calf raise. Set 1 of 3. 12 reps."
    assert set(check_phrase().words) <= set(clip_texts())
    write_catalog(tmp_path, "de")
    with using(tmp_path, "de"):  # was the English keys under a German text
        phrase = check_phrase()
        assert phrase.text == "Wadenheben im Sitzen. Satz 1 von 3. 12 Wiederholungen."
        assert set(phrase.words) <= set(clip_texts())
        assert "of" not in phrase.words
