"""The window's program management, settings and keep-awake, wired end to end."""

from __future__ import annotations

import json
from dataclasses import replace

import pytest

from calftimer.core.programs import BUILTIN_BY_ID
from calftimer.core.session import State
from calftimer.core.settings import Settings, load_settings
from calftimer.gui.main_window import MainWindow
from tests.gui.fakes import T0, FakeKeepAwake
from tests.gui.helpers import advance_to, answer_modal, click_button, notice_text


@pytest.fixture
def awake() -> FakeKeepAwake:
    return FakeKeepAwake()


@pytest.fixture
def window(make_window, awake) -> MainWindow:
    return make_window(keep_awake=awake, show=True)


def select(window: MainWindow, program_id: str) -> None:
    row = window.home.program_model.row_of(program_id)
    window.home.program_list.setCurrentIndex(window.home.program_model.index(row, 0))


def test_duplicate_edit_delete_and_undo_a_program(window, tmp_path) -> None:
    select(window, "alfredson")
    answer_modal(click_button("Save"))  # the editor's copy, accepted as shown
    window.programs.duplicate_selected()
    copy = window.home.selected_program()
    # The id follows the name given in the editor, for --start and the file name.
    assert copy.id == "copy-of-eccentric-heel-drops-alfredson"
    saved = tmp_path / "programs" / f"{copy.id}.json"
    assert saved.exists()
    assert json.loads(saved.read_text())["name"].startswith("Copy of")
    window.programs.delete_selected()
    assert not saved.exists()
    assert copy.id not in {p.id for p in window.programs.library.programs}
    assert "Ctrl+Z" in window.statusBar().currentMessage()
    window.programs.undo_delete()
    assert saved.exists() and window.home.selected_program().id == copy.id


def test_built_in_programs_cannot_be_deleted(window) -> None:
    select(window, "foundation")
    assert not window.home.delete_button.isEnabled()
    window.programs.delete_selected()
    assert "cannot be deleted" in window.statusBar().currentMessage()


def test_a_cancelled_editor_saves_nothing(window, tmp_path) -> None:
    answer_modal(click_button("Cancel"))
    window.programs.new()
    assert not (tmp_path / "programs").exists() or not list((tmp_path / "programs").glob("*"))


def test_import_and_export_of_program_files(window, tmp_path) -> None:
    select(window, "isometric")
    shared = tmp_path / "shared.json"
    window.programs.export_selected(shared)
    window.programs.import_file(shared)  # id taken by the built-in: saved under a new one
    assert window.home.selected_program().id == "isometric-2"
    bad = tmp_path / "bad.json"
    bad.write_text("{}")
    shown: list[str] = []
    answer_modal(click_button("OK"), during=lambda box: shown.append(box.text()))
    window.programs.import_file(bad)
    assert "bad.json: kind" in shown[0] and "Nothing was changed" in shown[0]


def test_settings_are_saved_and_used_by_the_next_session(window, tmp_path) -> None:
    answer_modal(
        click_button("OK"),
        during=lambda dialog: dialog.show_settings(
            replace(Settings(), countdown_s=5, prepare_s=20)
        ),
    )
    window.open_settings()
    assert load_settings(tmp_path / "settings.json")[0].countdown_s == 5
    window.session.start(BUILTIN_BY_ID["foundation"])
    options = window.session.timeline.options
    assert (options.countdown_s, options.prepare_s) == (5, 20)


def test_mute_is_remembered(window, tmp_path) -> None:
    window.toggle_mute()
    assert load_settings(tmp_path / "settings.json")[0].muted


def test_the_screen_is_kept_awake_only_while_a_session_runs(window, awake) -> None:
    window.session.start(BUILTIN_BY_ID["isometric"])
    assert awake.calls == ["inhibit"]
    window.toggle_pause()
    assert awake.calls == ["inhibit", "release"]
    window.toggle_pause()
    assert awake.calls[-1] == "inhibit"
    window.session.abandon()
    assert awake.calls[-1] == "release"
    assert window.session.state is State.ABANDONED


def test_keep_awake_off_in_settings_never_inhibits(window, awake, clock) -> None:
    window.apply_settings(replace(window.settings_hub.current, keep_awake=False))
    window.session.start(BUILTIN_BY_ID["isometric"])
    advance_to(window.session, clock, T0 + 10_000)
    assert "inhibit" not in awake.calls


def test_closing_the_window_releases_the_screen(window, awake) -> None:
    window.session.start(BUILTIN_BY_ID["isometric"])
    window.close()
    assert awake.calls[-1] == "release" and not awake.active


def test_from_the_summary_the_keyboard_goes_home_and_starts_again(qtbot, window) -> None:
    from PySide6.QtCore import Qt

    for leave in (Qt.Key.Key_Escape, Qt.Key.Key_Return):
        window.session.start(BUILTIN_BY_ID["isometric"])
        window.session.finish()
        assert window.session_view.phase_label.text() == "DONE"
        assert window.session_view.next_label.text() == ""  # nothing live stays on screen
        qtbot.keyClick(window.session_view, leave)
        assert window.stack.currentWidget() is window.home
    window.session.start(BUILTIN_BY_ID["isometric"])
    window.session.abandon()
    assert window.session_view.phase_label.text() == "STOPPED"
    first = window.session.timeline
    qtbot.keyClick(window.session_view, Qt.Key.Key_F5)  # a clicker's start key: go again
    assert window.session.timeline is not first and window.session.state is State.RUNNING


def test_a_damaged_window_state_file_is_ignored(make_window, tmp_path) -> None:
    (tmp_path / "window.ini").write_text("[General]\ngeometry=hello\nsplitter=42\n")
    w = make_window()
    w.show()
    w.restore_window_state()  # must not raise
    assert w.isVisible()


def test_changing_the_theme_restyles_a_running_session(qtbot, window) -> None:
    from PySide6.QtWidgets import QApplication

    from calftimer.gui.theme import apply_theme

    window.session.start(BUILTIN_BY_ID["isometric"])
    try:
        window.apply_settings(replace(window.settings_hub.current, theme="dark"))
        assert window.session_view.dark
        window.apply_settings(replace(window.settings_hub.current, theme="light"))
        assert not window.session_view.dark
    finally:
        apply_theme(QApplication.instance(), "system")


def test_a_full_screen_program_list_can_be_left_with_esc(qtbot, window) -> None:
    from PySide6.QtCore import Qt

    window.showFullScreen()
    qtbot.keyClick(window.home.program_list, Qt.Key.Key_Escape)
    assert not window.isFullScreen()


def test_a_second_launch_can_start_a_program_file_in_focus_mode(window, tmp_path) -> None:
    from calftimer.core.programs import save_program_file

    mine = replace(BUILTIN_BY_ID["isometric"], id="my-holds", name="My holds")
    path = tmp_path / "my-holds.json"
    save_program_file(mine, path)
    window.on_second_launch([f"--start={path}", "--fullscreen"])
    assert window.session.timeline.program_id == "my-holds"
    assert window.in_focus_mode


def test_mute_saved_last_time_is_on_at_start(make_window) -> None:
    w = make_window(settings=replace(Settings(), muted=True))
    assert w.muted and w.window_actions["toggle_mute"].isChecked()


def test_media_play_only_resumes_and_media_pause_only_pauses(qtbot, window) -> None:
    from PySide6.QtCore import Qt

    window.session.start(BUILTIN_BY_ID["isometric"])
    qtbot.keyClick(window.session_view, Qt.Key.Key_MediaPlay)
    assert window.session.state is State.RUNNING
    qtbot.keyClick(window.session_view, Qt.Key.Key_MediaPause)
    assert window.session.state is State.PAUSED
    qtbot.keyClick(window.session_view, Qt.Key.Key_MediaPause)
    assert window.session.state is State.PAUSED
    qtbot.keyClick(window.session_view, Qt.Key.Key_MediaPlay)
    assert window.session.state is State.RUNNING


def test_the_shortcut_list_names_every_key(window) -> None:
    keys = " ".join(k for k, _ in window.help.shortcut_rows())
    for key in ("Space", "F11", "F5", "Esc", "Ctrl+Z", "Ctrl+E", "Ctrl+I", "M", "PgDown"):
        assert key in keys, key


def test_a_read_only_history_is_said_on_the_session_screen(make_window, tmp_path) -> None:
    months = tmp_path / "history" / "months"
    months.mkdir(parents=True)
    (months / "2030-01.json").write_text(
        json.dumps(
            {"kind": "calftimer.month", "schema_version": 99, "month": "2030-01", "sessions": []}
        )
    )
    w = make_window(history=True)
    w.session.start(BUILTIN_BY_ID["isometric"])
    assert "read-only" in notice_text(w)
    assert not w.notice_area.isHidden() and "read-only" in w.notice_area.summary_text()


def test_ctrl_z_brings_back_every_deleted_program_newest_first(window, tmp_path) -> None:
    copies = []
    for source in ("alfredson", "isometric"):
        select(window, source)
        answer_modal(click_button("Save"))
        window.programs.duplicate_selected()
        copies.append(window.home.selected_program().id)
    for copy in reversed(copies):
        select(window, copy)
        window.programs.delete_selected()
    window.programs.undo_delete()
    assert window.home.selected_program().id == copies[0]
    window.programs.undo_delete()
    assert window.home.selected_program().id == copies[1]
    assert {p.stem for p in (tmp_path / "programs").glob("*.json")} == set(copies)
