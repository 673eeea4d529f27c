"""calftimer: a hands-free coach for runners' calf training.

The package splits into a Qt-free core (``calftimer.core``), a thin Qt layer (``calftimer.gui``)
and one composition root (``calftimer.app``) that wires them together.
"""

__version__ = "0.1.0"

# The reverse-DNS application id: the name of the .desktop file, the AppStream component, the
# Flatpak and the icon files, and what Qt tells the window system (setDesktopFileName), so the
# desktop matches the running window to its launcher entry.
APP_ID = "io.github.calftimer.CalfTimer"
