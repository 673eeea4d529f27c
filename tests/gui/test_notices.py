"""The notice area: every active notice kept, the most important first, details on demand,
dismissible where it makes sense, gone when no longer true; on the home page and in the session,
never over the session's digits."""

from __future__ import annotations

import json
from dataclasses import replace
from pathlib import Path

import pytest
from PySide6.QtCore import QPoint, QRect, Qt
from PySide6.QtGui import QColor

from calftimer.core.programs import BUILTIN_BY_ID, program_to_dict
from calftimer.core.settings import load_settings
from calftimer.core.timeline import CompileOptions
from calftimer.gui.audio import NO_DEVICE, SilentOutput
from calftimer.gui.main_window import MainWindow
from calftimer.gui.notice_feeds import post_settings_notices
from calftimer.gui.notices import LEVELS, NoticeArea, NoticeBoard, tint
from calftimer.gui.theme import apply_theme
from calftimer.paths import AppPaths
from tests.gui.fakes import T0, FakeKeepAwake, RecordingOutput
from tests.gui.helpers import advance_to, answer_modal, click_button, notice_text
from tests.gui.test_session_view_contrast import contrast


@pytest.fixture
def data(tmp_path: Path) -> Path:
    programs = tmp_path / "programs"
    programs.mkdir()
    (programs / "broken.json").write_text('{"kind": "calftimer.program", "version": 1, "id": ')
    return tmp_path


@pytest.fixture
def keep_awake() -> FakeKeepAwake:
    return FakeKeepAwake(works=False)  # fails like a missing screensaver service


@pytest.fixture
def window(make_window, data: Path, keep_awake) -> MainWindow:
    return make_window(
        data,
        options=CompileOptions(prepare_s=10, countdown_s=3),
        keep_awake=keep_awake,
        size=(1366, 740),
        show=True,
    )


def test_sound_off_and_a_sleeping_screen_are_both_said_in_the_session(window, clock) -> None:
    window.attach_audio(SilentOutput(NO_DEVICE))
    window.session.start(BUILTIN_BY_ID["isometric"])
    advance_to(window.session, clock, T0 + 1_000)  # running: the screen could not be kept on
    text = notice_text(window)
    assert "Sound is off: no audio output device" in text
    assert "Could not keep the screen awake" in text  # the later one replaced nothing
    assert window.stack.currentWidget() is window.session_view
    assert window.notice_area.isVisible()
    assert "+2 more" in window.notice_area.more_label.text()  # the damaged file, sound, screen


def test_a_damaged_program_file_is_named_with_why_until_it_is_fixed(qtbot, window, data) -> None:
    (notice,) = [n for n in window.notices.active() if n.key.startswith("program-file:")]
    assert "broken.json" in notice.summary
    assert str(data / "programs" / "broken.json") in notice.text  # where it is
    assert "JSON" in notice.text  # and why
    # Other messages come and go; it stays.
    window.session.start(BUILTIN_BY_ID["isometric"])
    window.show_home()
    assert "broken.json" in window.notice_area.summary_text()
    # Fixed on disk: the next reload takes the notice away, and the program is there.
    fixed = program_to_dict(replace(BUILTIN_BY_ID["isometric"], id="broken", name="Fixed"))
    (data / "programs" / "broken.json").write_text(json.dumps(fixed))
    window.programs.reload()
    assert "broken.json" not in notice_text(window)
    assert not [n for n in window.notices.active() if n.key.startswith("program-file:")]
    assert window.home.program_model.row_of("broken") >= 0


def test_details_list_every_notice_in_full_and_dismiss_works_by_keyboard(
    qtbot, window, data
) -> None:
    window.attach_audio(SilentOutput(NO_DEVICE))
    qtbot.keyClick(
        window,
        Qt.Key.Key_N,
        Qt.KeyboardModifier.ControlModifier | Qt.KeyboardModifier.ShiftModifier,
    )
    dialog = window.help.notice_dialog
    assert dialog is not None and dialog.isVisible()
    texts = dialog.texts()
    assert len(texts) == 2
    assert texts[0].startswith("Warning: The program file") and "broken.json" in texts[0]
    assert texts[1] == f"Warning: {NO_DEVICE}"  # whole, not cut to one line
    # Dismissed from the area, the next notice takes the line; the dialog follows.
    window.notice_area.dismiss_button.click()
    assert window.notice_area.summary_text() == f"Warning: {NO_DEVICE}"
    assert len(dialog.texts()) == 1
    # Read again with the same fault it stays dismissed; a new fault is a new notice.
    window.programs.reload()
    assert "broken.json" not in notice_text(window)
    (data / "programs" / "broken.json").write_text("[]")
    window.programs.reload()
    assert "broken.json" in notice_text(window)
    dialog.close()


def test_a_notice_that_must_be_seen_cannot_be_dismissed(qtbot, window) -> None:
    window.notices.post(
        "not-saved", "error", "Your history was not saved: disk full", dismissible=False
    )
    assert window.notice_area.summary_text() == "Problem: Your history was not saved: disk full"
    assert window.notice_area.dismiss_button.isHidden()  # errors first, and this one stays
    window.notices.dismiss("not-saved")
    assert "disk full" in notice_text(window)


def test_the_area_shows_on_the_home_page_and_in_the_session_above_the_digits(window, clock) -> None:
    window.attach_audio(SilentOutput(NO_DEVICE))
    assert window.stack.currentWidget() is window.home and window.notice_area.isVisible()
    window.session.start(BUILTIN_BY_ID["isometric"])
    advance_to(window.session, clock, T0 + 2_000)
    assert window.notice_area.isVisible()
    area = QRect(window.notice_area.mapTo(window, QPoint(0, 0)), window.notice_area.size())
    digits = window.session_view.time_label
    digits_rect = QRect(digits.mapTo(window, QPoint(0, 0)), digits.size())
    assert not area.intersects(digits_rect)
    assert area.height() < 3 * window.fontMetrics().height()  # one compact line
    window.toggle_focus_mode()  # no menus, no status bar: the notices still show
    assert window.notice_area.isVisible()
    window.leave_focus_mode()


def test_the_screen_notice_goes_when_keeping_it_awake_works_again(
    window, clock, keep_awake
) -> None:
    window.session.start(BUILTIN_BY_ID["isometric"])
    advance_to(window.session, clock, T0 + 1_000)
    assert "Could not keep the screen awake" in notice_text(window)
    window.pause_only()
    keep_awake.works = True
    window.toggle_pause()  # running again, and now the screen is kept on
    assert "Could not keep the screen awake" not in notice_text(window)


def test_a_settings_fallback_is_said_until_the_settings_are_saved(qtbot, window, data) -> None:
    settings_file = AppPaths(data, "test").settings_file
    settings_file.write_text('{"kind": "calftimer.settings", "schema_version": 1, "volume": "loud"')
    _settings, notices = load_settings(settings_file)
    assert notices
    post_settings_notices(window.notices, notices)
    assert "Settings:" in notice_text(window)
    seen = answer_modal(click_button("OK"))
    window.open_settings()
    assert seen, "the settings dialog was shown"
    assert "Settings:" not in notice_text(window)  # a good file again


def test_notice_colours_keep_text_readable_in_light_and_dark() -> None:
    for dark in (False, True):
        for level in LEVELS:
            background, border, text = tint(level, dark)
            assert contrast(QColor(text), QColor(background)) >= 7, (level, dark)
            # The sign (✖, ⚠, ℹ) is text too, drawn in the border's colour.
            assert contrast(QColor(border), QColor(background)) >= 7, (level, dark)


@pytest.mark.parametrize("theme", ["light", "dark"])
def test_every_text_of_the_notice_line_is_7_to_1_as_rendered(qapp, qtbot, theme) -> None:
    """Each label of the notice line, drawn by Qt over the line's tint: the darkest (or
    lightest) pixel of its glyphs against the tint."""
    board = NoticeBoard()
    area = NoticeArea(board)
    qtbot.addWidget(area)
    area.resize(900, area.sizeHint().height())
    try:
        apply_theme(qapp, theme)
        for level in LEVELS:
            board.withdraw_where(lambda _key: True)
            board.post("one", level, "Sound is off: no audio device was found.")
            board.post("two", "info", "A second notice")
            area.show()
            qtbot.waitExposed(area)
            image = area.grab().toImage()
            background = QColor(tint(level, theme == "dark")[0])
            for label in (area.sign_label, area.text_label, area.more_label):
                rect = label.geometry()
                pixels = [
                    QColor(image.pixel(x, y))
                    for x in range(rect.left(), rect.right() + 1)
                    for y in range(rect.top(), rect.bottom() + 1)
                ]
                best = max(contrast(p, background) for p in pixels)
                assert best >= 7, (theme, level, label.objectName(), round(best, 2))
    finally:
        apply_theme(qapp, "system")


def test_the_board_orders_by_importance_then_age(qtbot) -> None:
    board = NoticeBoard()
    board.post("a", "info", "first note")
    board.post("b", "warning", "a warning")
    board.post("c", "error", "a problem")
    board.post("d", "warning", "a later warning")
    assert board.keys() == ["c", "b", "d", "a"]
    board.post("b", "warning", "a warning, reworded")  # keeps its place
    assert board.keys() == ["c", "b", "d", "a"]
    with pytest.raises(ValueError, match="unknown notice level"):
        board.post("e", "urgent", "x")


def test_the_area_follows_a_theme_chosen_in_settings(window, qapp) -> None:
    from calftimer.core.settings import Settings

    try:
        window.apply_settings(Settings(theme="dark"))
        assert tint("warning", True)[0] in window.notice_area.styleSheet()
        window.apply_settings(Settings(theme="light"))
        assert tint("warning", False)[0] in window.notice_area.styleSheet()
    finally:
        apply_theme(qapp, "system")  # leave the rest of the suite its usual look


def test_the_sound_notice_goes_when_sound_works_again(window, clock) -> None:
    window.attach_audio(SilentOutput(NO_DEVICE))
    assert "Sound is off" in notice_text(window)
    window.attach_audio(RecordingOutput(clock))  # a device came back (a restart, say)
    assert "Sound is off" not in notice_text(window)
