"""Every screen in the pseudo-locale: each text a user sees (labels, buttons, menus, tooltips,
lists, titles, what a screen reader reads) went through the catalog, and nothing is clipped at
1366 x 768 with texts ~40 % longer than English (German and French run about 30 % longer)."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC

import pytest
from PySide6.QtWidgets import QApplication, QMenu

from calftimer.core import i18n
from calftimer.core.programs import BUILTIN_BY_ID
from calftimer.core.settings import Settings
from calftimer.core.timeline import CompileOptions, SegmentKind
from calftimer.gui.history_view import HistoryView
from calftimer.gui.program_editor import ProgramEditorDialog
from calftimer.gui.settings_dialog import SettingsDialog
from calftimer.gui.shortcuts_dialog import ShortcutsDialog
from tests.gui.fakes import T0
from tests.gui.helpers import advance_to
from tests.gui.pseudo import clipped_labels, english_words, untranslated
from tests.gui.test_history_view import weeks_of_training

LAPTOP = (1366, 768)


@pytest.fixture(autouse=True)
def pseudo_language(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    monkeypatch.setenv(i18n.PSEUDO_ENV, "1")
    assert i18n.set_language(i18n.PSEUDO_LANGUAGE).code == i18n.PSEUDO_LANGUAGE
    try:
        yield
    finally:
        i18n.set_language(i18n.SOURCE_LANGUAGE)


def test_the_walk_finds_english_left_in_a_text() -> None:
    assert english_words(i18n._("Settings")) == []
    assert english_words("Settings") == ["Settings"]
    assert english_words(f"{i18n._('Settings')} 12 kg · Ctrl+Q") == []
    assert english_words(f"{i18n._('Settings')} left") == ["left"]


def none(problems: list[str], moment: str = "") -> None:
    if problems:
        pytest.fail(f"{moment}:\n" + "\n".join(problems), pytrace=False)


def menu_problems(window) -> list[str]:
    problems = []
    for action in window.menuBar().actions():
        menu = action.menu()
        if isinstance(menu, QMenu):
            problems += untranslated(menu, visible_only=False)
    return problems


def test_the_home_page_and_menus_are_translated_and_fit(make_window, qapp) -> None:
    window = make_window(size=LAPTOP, show=True)
    qapp.processEvents()
    none(untranslated(window) + menu_problems(window))
    none(clipped_labels(window))
    assert window.width() <= LAPTOP[0] and window.height() <= LAPTOP[1], "longer texts widen it"


def test_the_session_view_is_translated_and_fits_at_every_step(make_window, clock, qapp) -> None:
    window = make_window(
        options=CompileOptions(prepare_s=10, countdown_s=3), size=LAPTOP, show=True
    )
    window.session.start(BUILTIN_BY_ID["foundation"])
    timeline = window.session.timeline
    left = next(w for w in timeline.work_sets if w.exercise_id == "single_leg_calf_raise")
    rest = next(s for s in timeline.segments if s.kind is SegmentKind.REST)
    moments = [
        ("get ready", 2000),
        ("a rep", left.start_ms + 3500),
        ("a rest", rest.start_ms + 12_000),
    ]
    for name, ms in moments:
        advance_to(window.session, clock, T0 + ms)
        qapp.processEvents()
        none(untranslated(window), name)
        none(clipped_labels(window.session_view), name)
        assert window.width() <= LAPTOP[0], name
    window.pause_only()
    qapp.processEvents()
    none(untranslated(window), "paused")
    for work in timeline.work_sets:
        advance_to(window.session, clock, T0 + work.end_ms)
    window.session.finish()
    qapp.processEvents()
    assert window.session_view.showing_summary
    none(untranslated(window), "summary")
    none(clipped_labels(window.session_view), "summary")
    assert window.width() <= LAPTOP[0], "summary"


def test_the_history_is_translated_and_fits(qtbot, qapp) -> None:
    # The chart on its own, as tests/gui/test_history_view.py makes it (a window showing the
    # History leaves pyqtgraph items for the garbage collector, which crashed a later test).
    view = HistoryView()
    qtbot.addWidget(view)
    view.resize(*LAPTOP)
    view.show()
    qtbot.waitExposed(view)
    view.set_history(weeks_of_training(), UTC)
    view.select_week(3)
    qapp.processEvents()
    none(untranslated(view))
    none(clipped_labels(view))
    view.tabs.setCurrentIndex(1)
    qapp.processEvents()
    none(untranslated(view))


def test_the_settings_dialog_is_translated_and_fits(qtbot, qapp) -> None:
    dialog = SettingsDialog(Settings())
    qtbot.addWidget(dialog)
    dialog.show()
    qtbot.waitExposed(dialog)
    none(untranslated(dialog))
    none(clipped_labels(dialog))
    screen = qapp.primaryScreen().availableGeometry()
    assert dialog.height() <= min(screen.height(), LAPTOP[1])


@pytest.mark.parametrize("program_id", ["foundation", "achilles_alfredson"])
def test_the_program_editor_is_translated_and_fits(qtbot, program_id) -> None:
    program = BUILTIN_BY_ID.get(program_id) or next(iter(BUILTIN_BY_ID.values()))
    dialog = ProgramEditorDialog(program)
    qtbot.addWidget(dialog)
    dialog.show()
    qtbot.waitExposed(dialog)
    none(untranslated(dialog))
    none(clipped_labels(dialog))


def test_the_shortcuts_dialog_is_translated(make_window, qtbot) -> None:
    window = make_window()
    # No parent: qtbot deletes the dialog, and a window deleting it too would do it twice.
    dialog = ShortcutsDialog(window.help.shortcut_groups())
    qtbot.addWidget(dialog)
    dialog.show()
    qtbot.waitExposed(dialog)
    none(untranslated(dialog))


def test_every_text_of_the_app_shows_in_the_language_chosen_at_start() -> None:
    QApplication.processEvents()
    assert i18n.current_language().code == i18n.PSEUDO_LANGUAGE
