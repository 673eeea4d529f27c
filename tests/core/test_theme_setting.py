"""The theme read before the first frame is the theme the full settings reader gives, on every
kind of settings file: missing, a folder, not JSON, too large, another kind of file, a newer
schema, a bad or missing theme, and good ones. (If they disagreed, the first frame would wear
one theme and the window another a moment later.)"""

from __future__ import annotations

import json
import tempfile
from pathlib import Path
from typing import Any

from hypothesis import given
from hypothesis import strategies as st

from calftimer.core.settings import MAX_SETTINGS_BYTES, SETTINGS_KIND, read_settings
from calftimer.core.theme_setting import THEMES, chosen_theme

ANY_JSON = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=8),
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=5), inner),
    max_leaves=6,
)
THEME_VALUES = st.sampled_from([*THEMES, "Dark", "dark ", "", "solarized"]) | ANY_JSON
DOCS = st.fixed_dictionaries(
    {},
    optional={
        "kind": st.sampled_from([SETTINGS_KIND, "calftimer.backup", "", 1]),
        "schema_version": st.sampled_from([1, 2, 99, 0, "1", None]),
        "theme": THEME_VALUES,
        "muted": ANY_JSON,
        "countdown_s": ANY_JSON,
    },
)


def both_readers(write: Any) -> tuple[str, str]:
    """``chosen_theme`` first (``read_settings`` may move a damaged file aside)."""
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "settings.json"
        write(path)
        early = chosen_theme(path)
        return early, read_settings(path).settings.theme


@given(DOCS)
def test_the_early_theme_is_the_settings_theme_for_any_settings_object(doc) -> None:
    early, full = both_readers(lambda path: path.write_text(json.dumps(doc)))
    assert early == full


@given(st.binary(max_size=60) | st.text(max_size=60).map(str.encode))
def test_the_early_theme_is_the_settings_theme_for_any_bytes(raw) -> None:
    early, full = both_readers(lambda path: path.write_bytes(raw))
    assert early == full


def test_files_that_are_not_usable_settings_give_the_system_theme(tmp_path) -> None:
    dark = {"kind": SETTINGS_KIND, "schema_version": 1, "theme": "dark"}
    cases = {
        "missing": lambda path: None,
        "a folder": lambda path: path.mkdir(),
        "too large": lambda path: path.write_text(
            json.dumps({**dark, "pad": "x" * MAX_SETTINGS_BYTES})
        ),
        "dark, with a byte-order mark": lambda path: path.write_bytes(
            b"\xef\xbb\xbf" + json.dumps(dark).encode()
        ),
        "dark, from a newer calftimer": lambda path: path.write_text(
            json.dumps({**dark, "schema_version": 7})
        ),
    }
    found = {name: both_readers(write) for name, write in cases.items()}
    assert found == {
        "missing": ("system", "system"),
        "a folder": ("system", "system"),
        "too large": ("system", "system"),
        "dark, with a byte-order mark": ("dark", "dark"),
        "dark, from a newer calftimer": ("dark", "dark"),
    }
