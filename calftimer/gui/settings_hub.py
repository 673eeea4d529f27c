"""The settings in use, and the one signal that spreads a change of them.

Every part that depends on a setting (the cue conductor's volumes and voice, keep-awake, units
in the session and history views, the compile options of new sessions, the theme) reads
``SettingsHub.current`` when it needs a value and subscribes to ``changed``; nobody pushes
settings into anybody by hand. The Settings dialog and the mute key only ``update`` the hub
(and ``save`` it where the user expects it saved).
"""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QObject, Signal

from calftimer.core.settings import Settings, save_settings


class SettingsHub(QObject):
    changed = Signal(object)  # Settings: the new ones, after ``current`` already returns them

    def __init__(
        self, settings: Settings, file: Path | None = None, parent: QObject | None = None
    ) -> None:
        super().__init__(parent)
        self._current = settings
        self._file = file

    @property
    def current(self) -> Settings:
        return self._current

    def update(self, settings: Settings) -> None:
        """Use ``settings`` from now on; subscribers hear of it only if anything changed."""
        if settings == self._current:
            return
        self._current = settings
        self.changed.emit(settings)

    def save(self) -> None:
        """Write the settings in use to the settings file (nothing without one, in tests).
        Raises OSError or SettingsReadOnlyError: the caller says so."""
        if self._file is not None:
            save_settings(self._file, self._current)
