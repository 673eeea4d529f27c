"""The language setting: stored in settings.json, checked like every setting, read before the
window and the command line start, and chosen in the settings dialog (a change applies at the
next start, which the dialog says)."""

from __future__ import annotations

import json
import os
import sys
from pathlib import Path

import pytest

from calftimer.core import i18n
from calftimer.core.settings import Settings, load_settings, save_settings
from calftimer.core.theme_setting import chosen_language


def test_the_language_is_a_setting_that_round_trips(tmp_path: Path) -> None:
    path = tmp_path / "settings.json"
    save_settings(path, Settings(language="pt_BR"))
    settings, notices = load_settings(path)
    assert (settings.language, notices) == ("pt_BR", [])
    assert chosen_language(path) == "pt_BR"
    assert Settings().language == ""  # follows the system


def test_a_bad_language_is_named_and_falls_back_to_the_system(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="language"):
        Settings(language="German")
    path = tmp_path / "settings.json"
    path.write_text(
        json.dumps({"kind": "calftimer.settings", "schema_version": 1, "language": ["de"]}),
        encoding="utf-8",
    )
    assert chosen_language(path) == ""
    settings, notices = load_settings(path)
    assert settings.language == ""
    assert any("language" in n.message for n in notices)


def test_a_language_this_version_lacks_is_kept_and_english_is_shown(tmp_path: Path) -> None:
    path = tmp_path / "settings.json"
    save_settings(path, Settings(language="fi"))
    assert load_settings(path)[0].language == "fi"  # a newer calftimer may have Finnish
    assert i18n.resolve_language("fi", []).code == "en"


@pytest.mark.skipif(sys.platform == "win32", reason="named pipes are POSIX")
def test_reading_the_language_never_waits_on_a_pipe(tmp_path: Path) -> None:
    path = tmp_path / "settings.json"
    os.mkfifo(path)
    assert chosen_language(path) == ""


def test_the_dialog_offers_complete_languages_and_says_when_it_applies(qtbot, monkeypatch) -> None:
    from calftimer.gui.settings_dialog import SettingsDialog

    dialog = SettingsDialog(Settings())
    qtbot.addWidget(dialog)
    codes = [dialog.language_combo.itemData(i) for i in range(dialog.language_combo.count())]
    shipped = [language.code for language in i18n.SHIPPED]
    assert codes == ["", *shipped] and "qps" not in codes  # the pseudo-locale: tests only
    monkeypatch.setenv(i18n.PSEUDO_ENV, "1")
    dialog = SettingsDialog(Settings(language="fi"))
    qtbot.addWidget(dialog)
    dialog.show()
    codes = [dialog.language_combo.itemData(i) for i in range(dialog.language_combo.count())]
    assert codes == ["", *shipped, "qps", "fi"]  # fi: kept as it is, not offered
    assert dialog.settings().language == "fi"
    dialog.language_combo.setCurrentIndex(codes.index("qps"))
    assert dialog.settings().language == "qps"
    assert dialog.language_note.isVisible(), "a new language applies at the next start"
    dialog.language_combo.setCurrentIndex(codes.index("en"))
    assert not dialog.language_note.isVisible(), "English is in use already"
