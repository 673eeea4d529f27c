"""Every screen in the pseudo-locale and in each shipped translation.

In the pseudo-locale each text a user sees (labels, buttons, menus, tooltips, lists, titles,
what a screen reader reads) went through the catalog, and nothing is clipped at 1366 x 768 with
texts ~40 % longer than English. Each language whose catalog is complete (``i18n.SHIPPED``, with
Qt's own catalog for its buttons) gets the same walk for what translators can break: no label
or button clipped, no window wider than the laptop's 1366 px (German and French run about 30 %
longer than English)."""

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
from calftimer.gui.test_results import HeelRiseResultsDialog
from calftimer.gui.translation import install_qt_translator
from tests.gui.fakes import T0
from tests.gui.helpers import advance_to
from tests.gui.pseudo import clipped_labels, english_words, untranslated
from tests.gui.test_history_view import weeks_of_training

LAPTOP = (1366, 768)
TRANSLATIONS = [lang.code for lang in i18n.SHIPPED if lang.code != i18n.SOURCE_LANGUAGE]


@pytest.fixture(autouse=True, params=[i18n.PSEUDO_LANGUAGE, *TRANSLATIONS])
def language(
    request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch, qapp
) -> Iterator[str]:
    """The pseudo-locale, then each shipped translation (Qt's buttons in it too)."""
    monkeypatch.setenv(i18n.PSEUDO_ENV, "1")
    code: str = request.param
    assert i18n.set_language(code).code == code
    install_qt_translator(qapp)
    try:
        yield code
    finally:
        i18n.set_language(i18n.SOURCE_LANGUAGE)
        install_qt_translator(qapp)  # removes the one installed above


def translated(root, language: str, *, visible_only: bool = True) -> list[str]:
    """English left in ``root``: only the pseudo-locale can tell (a translation may keep an
    English word, "Stop" or "Tempo", on purpose)."""
    if language != i18n.PSEUDO_LANGUAGE:
        return []
    return untranslated(root, visible_only=visible_only)


@pytest.mark.parametrize("language", [i18n.PSEUDO_LANGUAGE], indirect=True)
def test_the_walk_finds_english_left_in_a_text(language) -> None:
    assert english_words(i18n._("Settings")) == []
    assert english_words("Settings") == ["Settings"]
    assert english_words(f"{i18n._('Settings')} 12 kg · Ctrl+Q") == []
    assert english_words(f"{i18n._('Settings')} left") == ["left"]


def none(problems: list[str], moment: str = "") -> None:
    if problems:
        pytest.fail(f"{moment}:\n" + "\n".join(problems), pytrace=False)


def menu_problems(window, language: str) -> list[str]:
    problems = []
    for action in window.menuBar().actions():
        menu = action.menu()
        if isinstance(menu, QMenu):
            problems += translated(menu, language, visible_only=False)
    return problems


def test_the_home_page_and_menus_are_translated_and_fit(make_window, qapp, language) -> None:
    window = make_window(size=LAPTOP, show=True)
    qapp.processEvents()
    none(translated(window, language) + menu_problems(window, language))
    none(clipped_labels(window))
    assert window.width() <= LAPTOP[0] and window.height() <= LAPTOP[1], "longer texts widen it"


def test_the_session_view_is_translated_and_fits_at_every_step(
    make_window, clock, qapp, language
) -> None:
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
        none(translated(window, language), name)
        none(clipped_labels(window.session_view), name)
        assert window.width() <= LAPTOP[0], name
    window.pause_only()
    qapp.processEvents()
    none(translated(window, language), "paused")
    for work in timeline.work_sets:
        advance_to(window.session, clock, T0 + work.end_ms)
    window.session.finish()
    qapp.processEvents()
    assert window.session_view.showing_summary
    none(translated(window, language), "summary")
    none(clipped_labels(window.session_view), "summary")
    assert window.width() <= LAPTOP[0], "summary"


def test_the_history_is_translated_and_fits(qtbot, qapp, language) -> None:
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
    none(translated(view, language))
    none(clipped_labels(view))
    assert view.width() <= LAPTOP[0]
    view.tabs.setCurrentIndex(1)
    qapp.processEvents()
    none(translated(view, language))
    none(clipped_labels(view), "the list")


def test_the_settings_dialog_is_translated_and_fits(qtbot, qapp, language) -> None:
    dialog = SettingsDialog(Settings())
    qtbot.addWidget(dialog)
    dialog.show()
    qtbot.waitExposed(dialog)
    none(translated(dialog, language))
    none(clipped_labels(dialog))
    screen = qapp.primaryScreen().availableGeometry()
    assert dialog.height() <= min(screen.height(), LAPTOP[1])
    assert dialog.width() <= LAPTOP[0]


@pytest.mark.parametrize("program_id", ["foundation", "achilles_alfredson"])
def test_the_program_editor_is_translated_and_fits(qtbot, program_id, language) -> None:
    program = BUILTIN_BY_ID.get(program_id) or next(iter(BUILTIN_BY_ID.values()))
    dialog = ProgramEditorDialog(program)
    qtbot.addWidget(dialog)
    dialog.show()
    qtbot.waitExposed(dialog)
    none(translated(dialog, language))
    none(clipped_labels(dialog))
    assert dialog.width() <= LAPTOP[0]


@pytest.mark.parametrize(
    ("sex", "previous"), [("", None), ("female", (20, 31))], ids=["no-profile", "profile"]
)
def test_the_heel_rise_results_are_translated_and_fit(qtbot, language, sex, previous) -> None:
    settings = Settings(sex=sex, age_band="40s" if sex else "")
    dialog = HeelRiseResultsDialog(18, 27, settings, previous)
    qtbot.addWidget(dialog)
    dialog.show()
    qtbot.waitExposed(dialog)
    none(translated(dialog, language))
    none(clipped_labels(dialog))
    assert dialog.width() <= LAPTOP[0] and dialog.height() <= LAPTOP[1]


def test_the_shortcuts_dialog_is_translated(make_window, qtbot, language) -> None:
    window = make_window()
    # No parent: qtbot deletes the dialog, and a window deleting it too would do it twice.
    dialog = ShortcutsDialog(window.help.shortcut_groups())
    qtbot.addWidget(dialog)
    dialog.show()
    qtbot.waitExposed(dialog)
    none(translated(dialog, language))
    none(clipped_labels(dialog))


def test_every_text_of_the_app_shows_in_the_language_chosen_at_start(language) -> None:
    QApplication.processEvents()
    assert i18n.current_language().code == language
