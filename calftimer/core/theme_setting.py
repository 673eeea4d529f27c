"""The theme and language settings on their own: their choices, and what a settings file
chooses, read without the rest of the settings (``early_choices``: one read for both).

The window's first frame must already wear the user's theme (a light frame before a dark one
would flash), but ``calftimer.core.settings`` checks every field, knows the timeline's compile
options and words its notices: about 20 ms of imports, too much before the first paint. So the
app reads only the theme here, before the window, and the whole file right after the first
paint. ``chosen_theme`` follows the same rules as ``read_settings`` for the theme (a test holds
the two equal on every kind of file), and it only reads: repairing or moving a damaged file
aside is left to ``read_settings``.

What makes a file a settings file (its kind, its size limit) is defined here and used by
``calftimer.core.settings`` too, so the two readers cannot drift apart on it.
"""

from __future__ import annotations

import os
import re
from pathlib import Path
from typing import NamedTuple

from calftimer.core.i18n import _

THEMES: tuple[str, ...] = ("system", "light", "dark")
SETTINGS_KIND = "calftimer.settings"
MAX_SETTINGS_BYTES = 1_000_000


# A NamedTuple, not a dataclass: nothing else before the first frame needs ``dataclasses``.
class EarlyChoices(NamedTuple):
    """What a settings file chooses that is needed before anything else starts."""

    theme: str = "system"
    language: str = ""  # "": the system's


def early_choices(path: Path) -> EarlyChoices:
    """The theme and language ``read_settings(path)`` gives, from one read of the file: the
    defaults when there is none or it is unusable. Never waits on a pipe, never changes or
    moves anything (repairing is ``read_settings``'s)."""
    try:
        os.stat(path)
    except (OSError, ValueError):  # no settings saved yet, or a path that cannot be one
        return EarlyChoices()
    # Imported only when there is a file to read: most first launches have none.
    from calftimer.core.jsontext import JsonObjectError, read_json_object

    try:
        doc, _raw = read_json_object(path, MAX_SETTINGS_BYTES, lenient=True, allow_constants=True)
    except JsonObjectError:
        return EarlyChoices()
    if doc.get("kind") != SETTINGS_KIND:
        return EarlyChoices()
    theme, language = doc.get("theme"), doc.get("language")
    return EarlyChoices(
        # As the settings' own check: a text, one of the choices ("dark", not ["dark"] or 1).
        theme if type(theme) is str and theme in THEMES else "system",
        language if type(language) is str and language_problem(language) is None else "",
    )


def chosen_theme(path: Path) -> str:
    """The theme ``read_settings(path)`` gives: the file's ``theme`` when it is a settings file
    that holds one of ``THEMES`` there, else ``"system"`` (the default)."""
    return early_choices(path).theme


# A language code as the catalogs are named: "de", "fr", "pt_BR".
LANGUAGE_CODE = re.compile(r"[a-z]{2,3}(_[A-Z]{2})?")


def language_problem(value: object) -> str | None:
    """Why ``value`` cannot be the "language" setting, or None. "" is the system's language; a
    code this version has no catalog for is kept (a newer calftimer may have one) and English
    is shown meanwhile."""
    if type(value) is str and (value == "" or LANGUAGE_CODE.fullmatch(value)):
        return None
    return _('must be "" (the system\'s language) or a language code such as "de" or "pt_BR"')


def chosen_language(path: Path) -> str:
    """The "language" ``read_settings(path)`` gives (the CLI's ``--help`` is in it): "" (the
    system's) when there is none or the file is unusable."""
    return early_choices(path).language
