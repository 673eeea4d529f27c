"""Alt+letter reaches one thing only, in English and in every shipped language.

Two items of one menu with the same underlined letter make Alt+letter cycle between them
instead of choosing; a button on a page sharing a letter with the menu bar never gets it (the
menu opens). Translators pick letters for their language; this walk checks what they picked."""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator

import pytest
from PySide6.QtWidgets import QAbstractButton, QLabel, QWidget

from calftimer.core import i18n
from calftimer.gui.history_view import HistoryView
from calftimer.gui.translation import install_qt_translator

LANGUAGES = [lang.code for lang in i18n.SHIPPED]
_MNEMONIC = re.compile(r"&([^&\s])")


def mnemonic(text: str) -> str | None:
    match = _MNEMONIC.search(text.replace("&&", ""))
    return match[1].lower() if match else None


def clashes(texts: Iterable[str]) -> dict[str, list[str]]:
    seen: dict[str, list[str]] = {}
    for text in texts:
        letter = mnemonic(text)
        if letter is not None:
            seen.setdefault(letter, []).append(text)
    return {letter: found for letter, found in seen.items() if len(found) > 1}


def page_texts(page: QWidget) -> list[str]:
    """The texts with a mnemonic on a page: its buttons and check boxes, its labels' buddies."""
    texts = [b.text() for b in page.findChildren(QAbstractButton) if b.isVisibleTo(page)]
    texts += [
        label.text()
        for label in page.findChildren(QLabel)
        if label.buddy() is not None and label.isVisibleTo(page)
    ]
    return texts


@pytest.fixture(autouse=True, params=LANGUAGES)
def language(request: pytest.FixtureRequest, qapp) -> Iterator[str]:
    code: str = request.param
    i18n.set_language(code)
    install_qt_translator(qapp)
    try:
        yield code
    finally:
        i18n.set_language(i18n.SOURCE_LANGUAGE)
        install_qt_translator(qapp)


def test_each_menu_has_one_item_per_letter(make_window) -> None:
    window = make_window()
    bar = window.menuBar()
    titles = [action.text() for action in bar.actions()]
    assert clashes(titles) == {}
    for action in bar.actions():
        menu = action.menu()
        assert menu is not None
        assert clashes(a.text() for a in menu.actions() if not a.isSeparator()) == {}, action.text()


def test_the_pages_letters_are_their_own(make_window) -> None:
    window = make_window(show=True)
    menu_letters = {mnemonic(a.text()) for a in window.menuBar().actions()}
    for page in (window.home, window.session_view):
        texts = page_texts(page)
        assert clashes(texts) == {}, page.objectName()
        taken = [t for t in texts if mnemonic(t) in menu_letters]
        assert taken == [], f"{page.objectName()}: the menu bar takes these letters"


def test_the_history_letters_are_its_own(qtbot, make_window) -> None:
    window = make_window()
    view = HistoryView()
    qtbot.addWidget(view)
    view.show()
    menu_letters = {mnemonic(a.text()) for a in window.menuBar().actions()}
    texts = page_texts(view)
    assert clashes(texts) == {}
    assert [t for t in texts if mnemonic(t) in menu_letters] == []


def test_numbers_qt_writes_follow_the_language(language: str) -> None:
    """A spin box writes "2,50" in German and French, "2.50" in English, whatever the
    desktop's own locale."""
    from PySide6.QtWidgets import QDoubleSpinBox

    spin = QDoubleSpinBox()
    spin.setDecimals(2)
    spin.setValue(2.5)
    point = i18n.current_language().decimal_point
    assert spin.text() == f"2{point}50"


def test_the_settings_and_the_editor_use_each_letter_once(qtbot) -> None:
    """The two busiest dialogs (19 controls in Settings): each Alt letter reaches one control,
    its Qt buttons (Restore Defaults, OK, Cancel in the language) included."""
    from calftimer.core.programs import BUILTIN_BY_ID
    from calftimer.core.settings import Settings
    from calftimer.gui.program_editor import ProgramEditorDialog
    from calftimer.gui.settings_dialog import SettingsDialog

    for dialog in (SettingsDialog(Settings()), ProgramEditorDialog(BUILTIN_BY_ID["foundation"])):
        qtbot.addWidget(dialog)
        dialog.show()
        assert clashes(page_texts(dialog)) == {}, type(dialog).__name__
