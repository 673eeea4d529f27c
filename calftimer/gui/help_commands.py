"""The Help menu: every notice in full, every keyboard shortcut, and About.

The shortcuts are read off the window's actions (declared in calftimer.gui.actions), so the list
is always complete; the notices come from the window's notice board.
"""

from __future__ import annotations

from html import escape
from typing import TYPE_CHECKING

from PySide6.QtCore import QObject
from PySide6.QtWidgets import QMainWindow, QMessageBox

from calftimer import __version__
from calftimer.core.i18n import _
from calftimer.gui.notices import NoticeBoard
from calftimer.paths import AppPaths

if TYPE_CHECKING:
    from calftimer.gui.notices import NoticeDialog
    from calftimer.gui.shortcuts_dialog import ShortcutsDialog


class HelpCommands(QObject):
    def __init__(
        self, window: QMainWindow, notices: NoticeBoard, paths: AppPaths, parent: QObject | None
    ) -> None:
        super().__init__(parent)
        self._window = window
        self._notices = notices
        self._paths = paths
        self.notice_dialog: NoticeDialog | None = None
        self.shortcuts_dialog: ShortcutsDialog | None = None

    def show_notices(self) -> None:
        """Every notice in full (Details, or Ctrl+Shift+N from anywhere)."""
        from calftimer.gui.notices import NoticeDialog

        if self.notice_dialog is None:
            self.notice_dialog = NoticeDialog(self._notices, self._window)
        self._bring_up(self.notice_dialog)

    def shortcut_rows(self) -> list[tuple[str, str]]:
        """Every action with its keys, from the actions themselves, so the list is complete."""
        return [row for _title, rows in self.shortcut_groups() for row in rows]

    def shortcut_groups(self) -> list[tuple[str, list[tuple[str, str]]]]:
        """The keyed actions by menu, the session's first (keys without a menu join it)."""
        from calftimer.gui.shortcuts_dialog import keyed_groups

        return keyed_groups(self._window.menuBar().actions(), self._window.actions())

    def show_shortcuts(self) -> None:
        from calftimer.gui.shortcuts_dialog import ShortcutsDialog

        if self.shortcuts_dialog is None:
            self.shortcuts_dialog = ShortcutsDialog(self.shortcut_groups(), self._window)
        self.shortcuts_dialog.resize(self.shortcuts_dialog.sizeHint())
        self._bring_up(self.shortcuts_dialog)

    def show_about(self) -> None:
        QMessageBox.about(
            self._window,
            _("About calftimer"),
            _(
                "<b>calftimer {version}</b><br>A hands-free coach for runners' calf "
                "training.<br><br>Data folder: {folder} (from {source})<br><br>Not medical "
                "advice. See a clinician for persistent pain."
            ).format(
                version=escape(__version__),
                folder=escape(str(self._paths.data_dir)),
                source=escape(self._paths.source),
            ),
        )

    @staticmethod
    def _bring_up(dialog: NoticeDialog | ShortcutsDialog) -> None:
        dialog.show()
        dialog.raise_()
        dialog.activateWindow()
