"""The app icon for windows and the task bar, built from the PNG sizes shipped in the package.

PNGs, not the SVG: drawing an SVG icon needs Qt's SVG image plugin, one more thing a bundle
could lose, and the rendered sizes are what ``resources/make_icons.py`` tuned for small sizes.
"""

from __future__ import annotations

from collections.abc import Iterable

from PySide6.QtGui import QIcon

from calftimer.resources import ICON_SIZES, icon_files

# The sizes title bars and task bars show, for the first frame: on X11 every size goes to the
# window system when the window is shown, and 128 to 512 px took ~7 ms more before the first
# paint here. The app adds the large ones (task switchers) right after it.
SMALL_SIZES = (16, 24, 32, 48, 64)


def app_icon(sizes: Iterable[int] = ICON_SIZES) -> QIcon:
    """The icon with the PNGs of ``sizes`` (every size by default)."""
    files = icon_files()
    icon = QIcon()
    for size in sizes:
        icon.addFile(str(files[size]))
    return icon
