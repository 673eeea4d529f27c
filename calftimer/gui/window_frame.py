"""The window's first frame, and the window's size and place between runs.

``MainWindow`` (calftimer.gui.main_window) is a ``WindowFrame``. The app opens it in two steps,
so that it is on screen about as soon as a bare Qt window would be: ``MainWindow.opening(paths)``
makes only this frame (the title, the size and place the user left it at, the menu titles, the
status line), which needs none of the window's parts and none of calftimer's core, and
``MainWindow.build`` makes the rest right after the frame is first painted. ``MainWindow(...)``
does both at once.

Size, place and pane widths live in ``window.ini`` beside the settings; the size and place are
put back before the first frame is shown, so the window opens where the user left it instead of
jumping there.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtCore import QByteArray, QSettings, QTimer
from PySide6.QtWidgets import QMainWindow, QSplitter, QVBoxLayout, QWidget

from calftimer.core.i18n import _
from calftimer.gui.actions import add_menus

if TYPE_CHECKING:
    from typing import Self

    from calftimer.paths import AppPaths


def state_file(paths: AppPaths) -> QSettings:
    """Window sizes, splitters and small reminders (``window.ini`` beside the settings)."""
    folder = paths.config_dir or paths.data_dir
    return QSettings(str(folder / "window.ini"), QSettings.Format.IniFormat)


def _saved(state: QSettings, key: str) -> QByteArray | bytes | None:
    value = state.value(key)
    # A hand-edited or damaged window.ini is ignored: it must never stop calftimer starting.
    return value if isinstance(value, QByteArray | bytes) else None


class WindowFrame(QMainWindow):
    def __init__(self, paths: AppPaths) -> None:
        super().__init__()
        self.paths = paths
        self.built = False  # True once MainWindow.build has made everything
        self.setWindowTitle("calftimer")
        self.resize(1100, 720)
        self.menus = add_menus(self)  # WindowActions fills them
        central = QWidget()
        self.page = QVBoxLayout(central)  # the notice line and the pages go here
        self.page.setContentsMargins(0, 0, 0, 0)
        self.page.setSpacing(0)
        self.setCentralWidget(central)
        self.say(_("Pick a program and press Start. Press ? for shortcuts."))

    @classmethod
    def opening(cls, paths: AppPaths) -> Self:
        """A window of this class with only its first frame: ``build`` makes the rest."""
        window = cls.__new__(cls)
        WindowFrame.__init__(window, paths)
        return window

    def say(self, text: str) -> None:
        """A one-line reply to what the user just did, in the status bar."""
        self.statusBar().showMessage(text)

    def restore_geometry(self) -> None:
        """Size and place as the user left them, never larger than the screen; before ``show``
        it places the first frame."""
        geometry = _saved(state_file(self.paths), "geometry")
        if geometry is not None:
            self.restoreGeometry(geometry)  # returns False for bytes it cannot use: ignored
        self._fit_on_screen()

    def restore_splitter(self, splitter: QSplitter) -> None:
        """The home page's pane widths as the user left them."""
        state = _saved(state_file(self.paths), "splitter")
        if state is not None:
            # After the restored geometry has been applied, or the panes would be laid out
            # for the old width.
            QTimer.singleShot(0, lambda: splitter.restoreState(state))

    def save_state(self, splitter: QSplitter) -> None:
        """Keep the size, place and ``splitter``'s pane widths for the next start."""
        state = state_file(self.paths)
        state.setValue("geometry", self.saveGeometry())
        state.setValue("splitter", splitter.saveState())
        state.sync()

    def _fit_on_screen(self) -> None:
        """Never larger than the screen's free area (a small laptop at 200 % scale)."""
        screen = self.screen()
        if screen is None:
            return
        area = screen.availableGeometry()
        width, height = min(self.width(), area.width()), min(self.height(), area.height())
        if (width, height) != (self.width(), self.height()):
            self.resize(width, height)
