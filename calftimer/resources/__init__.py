"""Data files shipped with calftimer, and where to find them.

- cue sounds under ``sounds/<theme>/<name>.wav`` (made by ``resources/make_sounds.py``);
- the built-in voice under ``voice/en`` (made by ``resources/make_voice.py``);
- the launcher entry and AppStream data under ``desktop``;
- the app icon under ``icons``: the SVG and ``hicolor/<N>x<N>/apps/<APP_ID>.png``, laid out
  like an icon theme so the desktop installers copy the folder as it is (made by
  ``resources/make_icons.py``).

Each is found with ``importlib.resources`` (in a bundle too), without importing Qt, so the
self-check and the packaging tests can look at them on their own.

A regular package, not a namespace one, so ``importlib.resources.files("calftimer.resources")``
is a plain traversable that ``importlib.resources.as_file`` accepts on Python 3.11.
"""

from __future__ import annotations

from importlib import resources
from pathlib import Path

from calftimer import APP_ID

ICON_SIZES = (16, 24, 32, 48, 64, 128, 256, 512)


def sounds_folder(theme: str) -> Path:
    """The WAV files of a sound theme ("standard" or "low")."""
    return Path(str(resources.files(__name__) / "sounds" / theme))


def voice_folder() -> Path:
    """The clips of the built-in voice and their ``index.json``."""
    return Path(str(resources.files(__name__) / "voice" / "en"))


def icons_folder() -> Path:
    return Path(str(resources.files(__name__) / "icons"))


def desktop_folder() -> Path:
    """The launcher entry and the AppStream data, named by ``APP_ID``."""
    return Path(str(resources.files(__name__) / "desktop"))


def icon_files() -> dict[int, Path]:
    """The app icon's PNG files by pixel size."""
    hicolor = icons_folder() / "hicolor"
    return {n: hicolor / f"{n}x{n}" / "apps" / f"{APP_ID}.png" for n in ICON_SIZES}
