"""Notices when the history folders may have changed under the running app.

Another process can write the history while the window is open: ``calftimer import`` from a
terminal, a sync service delivering another device's sessions or a conflict copy. This module
only says *when to look*; ``Store.refresh_from_disk`` decides what changed, by file stamps, so a
false alarm (our own save, say) costs a few ``stat`` calls on the writer thread.

A ``QFileSystemWatcher`` on the two history folders reports files added, removed or replaced;
a burst of events (a sync writing twenty files, an import writing a month and its backups) is
debounced into one ``changed``. Watching does not work everywhere (network shares, some FUSE
sync folders), and a file rewritten in place does not change its folder, so a slow poll also
emits ``changed`` now and then.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from PySide6.QtCore import QFileSystemWatcher, QObject, QTimer, Signal

DEBOUNCE_MS = 400  # quiet time after the last folder event before looking
POLL_MS = 20_000  # the fallback look where watching fails or misses in-place writes


class HistoryWatch(QObject):
    """Emits ``changed`` (debounced) when a watched folder changed, and every ``poll_ms``."""

    changed = Signal()

    def __init__(
        self,
        folders: Sequence[Path],
        parent: QObject | None = None,
        *,
        debounce_ms: int = DEBOUNCE_MS,
        poll_ms: int = POLL_MS,
    ) -> None:
        super().__init__(parent)
        self._folders = [str(f) for f in folders]
        self._watcher = QFileSystemWatcher(self)
        self._watcher.directoryChanged.connect(self._on_watcher_directory_changed)
        self._debounce = QTimer(self)
        self._debounce.setSingleShot(True)
        self._debounce.setInterval(debounce_ms)
        self._debounce.timeout.connect(self.changed)
        self._poll = QTimer(self)
        self._poll.setInterval(poll_ms)
        self._poll.timeout.connect(self._on_poll_timeout)
        self._watch_missing()
        self._poll.start()

    @property
    def watching(self) -> list[str]:
        """The folders the system reports changes of (may be fewer than asked for)."""
        return sorted(self._watcher.directories())

    def stop(self) -> None:
        self._poll.stop()
        self._debounce.stop()
        if self._watcher.directories():
            self._watcher.removePaths(self._watcher.directories())

    def _watch_missing(self) -> None:
        """Watch the folders not watched yet: one may be created later, or be replaced (a sync
        tool that restores a folder makes a new one the old watch does not follow)."""
        wanted = [f for f in self._folders if f not in self._watcher.directories()]
        existing = [f for f in wanted if Path(f).is_dir()]
        if existing:
            self._watcher.addPaths(existing)  # the ones it cannot watch are left to the poll

    def _on_watcher_directory_changed(self, _path: str) -> None:
        self._debounce.start()  # restarts: one look after the burst

    def _on_poll_timeout(self) -> None:
        self._watch_missing()
        self.changed.emit()
