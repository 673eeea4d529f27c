"""Data files shipped with calftimer, and where to find them.

- cue sounds under ``sounds/<theme>/<name>.wav`` (made by ``resources/make_sounds.py``);
- the built-in voice under ``voice/<lang>``, one folder per language that has its clips (made
  by ``resources/make_voice.py``);
- the launcher entry and AppStream data under ``desktop``;
- the app icon under ``icons``: the SVG and ``hicolor/<N>x<N>/apps/<APP_ID>.png``, laid out
  like an icon theme so the desktop installers copy the folder as it is (made by
  ``resources/make_icons.py``).

Each is found beside this module, without importing Qt, so the self-check and the packaging
tests can look at them on their own. Beside ``__file__`` is where ``importlib.resources.files``
finds them too for a package on disk, and where a PyInstaller bundle puts them (it sets
``__file__`` to the module's place in the bundle); ``importlib.resources`` itself is not used
because importing it and asking it costs ~5 ms, and the window's icon is read before the first
paint.
"""

from __future__ import annotations

from pathlib import Path

from calftimer import APP_ID

ICON_SIZES = (16, 24, 32, 48, 64, 128, 256, 512)
_HERE = Path(__file__).parent


def sounds_folder(theme: str) -> Path:
    """The WAV files of a sound theme ("standard" or "low")."""
    return _HERE / "sounds" / theme


def voice_folder(language: str = "en") -> Path:
    """The clips of the built-in voice in ``language`` (a catalog code: "de", "pt_BR") and
    their ``index.json``; the folder may not exist (a language whose clips are not made)."""
    return _HERE / "voice" / language


def icons_folder() -> Path:
    return _HERE / "icons"


def desktop_folder() -> Path:
    """The launcher entry and the AppStream data, named by ``APP_ID``."""
    return _HERE / "desktop"


def icon_files() -> dict[int, Path]:
    """The app icon's PNG files by pixel size."""
    hicolor = icons_folder() / "hicolor"
    return {n: hicolor / f"{n}x{n}" / "apps" / f"{APP_ID}.png" for n in ICON_SIZES}
