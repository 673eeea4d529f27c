"""The command line speaks the language of the settings (or of the system): its --help, its
messages and its listings; what it writes for other programs stays the same."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from calftimer.app import main
from calftimer.core import i18n
from tests.gui.pseudo import english_words


def settings_with_language(folder: Path, language: str) -> None:
    folder.mkdir(parents=True, exist_ok=True)
    doc = {"kind": "calftimer.settings", "schema_version": 1, "language": language}
    (folder / "settings.json").write_text(json.dumps(doc), encoding="utf-8")


@pytest.fixture
def pseudo_allowed(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(i18n.PSEUDO_ENV, "1")
    for name in ("LANGUAGE", "LC_ALL", "LC_MESSAGES", "LANG"):
        monkeypatch.delenv(name, raising=False)


def test_help_is_in_the_language_of_the_settings(tmp_path, capsys, pseudo_allowed) -> None:
    settings_with_language(tmp_path, "qps")
    with pytest.raises(SystemExit) as done:
        main(["--data-dir", str(tmp_path), "--help"])
    assert done.value.code == 0
    out = capsys.readouterr().out
    assert "[ķééþ þŕöĝŕàɱš àñð ĥîšţöŕý îñ ÐÎŔ" in out
    # Every option's description is ours, -h and --version too; argparse's headings
    # ("usage:", "options:") are Python's own.
    options = out.split("options:", 1)[1].split("\n\n", 1)[0]
    descriptions = [line[20:] for line in options.splitlines()]
    names = re.compile(r"\b[A-Z_]{3,}\b|\$\w+")  # DIR, CALFTIMER_DATA_DIR: names, not words
    assert [d for d in descriptions if english_words(names.sub("", d))] == []


def test_help_follows_the_system_language_without_a_setting(
    tmp_path, capsys, pseudo_allowed, monkeypatch
) -> None:
    monkeypatch.setenv("LANGUAGE", "qps")
    with pytest.raises(SystemExit):
        main(["--data-dir", str(tmp_path), "export", "--help"])
    assert "[ŵĥéŕé ţö ŵŕîţé" in capsys.readouterr().out


def test_the_setting_wins_over_the_system_language(tmp_path, capsys, pseudo_allowed, monkeypatch):
    monkeypatch.setenv("LANGUAGE", "qps")
    settings_with_language(tmp_path, "en")
    with pytest.raises(SystemExit):
        main(["--data-dir", str(tmp_path), "--help"])
    assert "keep programs and history in DIR" in capsys.readouterr().out


def test_listings_and_messages_are_translated_and_ids_are_not(
    tmp_path, capsys, pseudo_allowed
) -> None:
    settings_with_language(tmp_path, "qps")
    assert main(["--data-dir", str(tmp_path), "programs"]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert lines[0].split()[0] == "[ÎÐ"
    assert lines[1].split()[0] == "foundation"  # what --start takes, in every language
    assert "[Ŕûññéŕ'š çàļƒ ƒöûñðàţîöñ" in lines[1]
    assert main(["--data-dir", str(tmp_path), "--start", "nope"]) == 2
    error = capsys.readouterr().err
    assert "[ûñķñöŵñ þŕöĝŕàɱ 'nope'; ţĥé þŕöĝŕàɱš àŕé: foundation, " in error
    assert english_words(error) == []


def test_an_unusable_settings_file_leaves_the_cli_in_english(tmp_path, capsys, pseudo_allowed):
    (tmp_path / "settings.json").mkdir(parents=True)  # a folder where the file should be
    with pytest.raises(SystemExit):
        main(["--data-dir", str(tmp_path), "--help"])
    assert "keep programs and history in DIR" in capsys.readouterr().out
