"""What the window lends the parts it hosts: a parent for their dialogs, the status line, the
notice area, the data paths, the settings, and the small file of window state.

A part (program commands, coaching, backups, the History page) gets a ``Shell`` instead of the
window itself, so it can show a dialog or say something without knowing the window's insides,
and the window never has to relay for it.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from PySide6.QtCore import QSettings
from PySide6.QtWidgets import QMessageBox, QWidget

from calftimer.gui.notices import NoticeBoard
from calftimer.gui.settings_hub import SettingsHub
from calftimer.gui.window_frame import state_file
from calftimer.paths import AppPaths


@dataclass(frozen=True)
class Shell:
    window: QWidget  # the parent of every dialog a part opens
    notices: NoticeBoard
    say: Callable[[str], None]  # a one-line reply to what the user just did (the status bar)
    paths: AppPaths
    settings: SettingsHub

    def warn(self, title: str, text: str) -> None:
        QMessageBox.warning(self.window, title, text)

    def ask(self, title: str, text: str) -> bool:
        """A yes/no question; No is the default."""
        answer = QMessageBox.question(
            self.window,
            title,
            text,
            QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.No,
            QMessageBox.StandardButton.No,
        )
        return answer == QMessageBox.StandardButton.Yes

    def state_file(self) -> QSettings:
        """Window sizes, splitters and small reminders (``window.ini`` beside the settings)."""
        return state_file(self.paths)
