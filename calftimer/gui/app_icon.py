"""The app icon for windows and the task bar, built from the PNG sizes shipped in the package.

PNGs, not the SVG: drawing an SVG icon needs Qt's SVG image plugin, one more thing a bundle
could lose, and the rendered sizes are what ``resources/make_icons.py`` tuned for small sizes.
"""

from __future__ import annotations

from PySide6.QtGui import QIcon

from calftimer.resources import icon_files


def app_icon() -> QIcon:
    icon = QIcon()
    for path in icon_files().values():
        icon.addFile(str(path))
    return icon
