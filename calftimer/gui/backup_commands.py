"""Backups from the window: export the history (JSON backup or CSV) and import a backup or a
program file.

The work is the core's (calftimer.core.exchange) and runs on the long-jobs thread, never on the
window's; the import is the same two steps the command line takes (``check_import``, then,
after the user has seen what it adds, ``apply_import``), with the same words.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QObject, Signal
from PySide6.QtWidgets import QFileDialog

from calftimer.core.i18n import _
from calftimer.core.texts import sessions_text, sets_text
from calftimer.gui.shell import Shell

if TYPE_CHECKING:
    from calftimer.core.exchange import ImportPreview
    from calftimer.core.programs import Program
    from calftimer.core.store import Store
    from calftimer.gui.jobs import Jobs


class BackupCommands(QObject):
    programs_imported = Signal()  # an import wrote program files: read the folder again
    finished = Signal()  # an export or import ended (the store may have notices to show)

    def __init__(
        self,
        shell: Shell,
        programs: Callable[[], list[Program]],
        parent: QObject | None = None,
    ) -> None:
        super().__init__(parent)
        self._shell = shell
        self._programs = programs
        self._store: Store | None = None
        self._jobs: Jobs | None = None  # exports and imports (long: their own thread)
        self._saves: Jobs | None = None  # the sets' writer: an export waits for it first

    def attach_history(self, store: Store, saves: Jobs, long_jobs: Jobs) -> None:
        self._store, self._saves, self._jobs = store, saves, long_jobs

    @property
    def can_export(self) -> bool:
        return self._store is not None

    @property
    def can_import(self) -> bool:
        return self._store is not None and not self._store.read_only

    # ------------------------------------------------------------------ export

    def export_history(self, fmt: str, target: Path | None = None) -> None:
        """Write a backup (json) or spreadsheet file (csv) on the long-jobs thread."""
        store, saves, jobs = self._store, self._saves, self._jobs
        if store is None or saves is None or jobs is None:
            return
        if target is None:
            default = Path.home() / f"calftimer-export-{datetime.now():%Y%m%d}.{fmt}"
            kind = (
                _("JSON backup (*.json);;Compressed JSON backup (*.json.gz)")
                if fmt == "json"
                else _("CSV spreadsheet (*.csv)")
            )
            chosen, _unused = QFileDialog.getSaveFileName(
                self._shell.window, _("Export history"), str(default), kind
            )
            if not chosen:
                return
            target = Path(chosen)
        programs = self._programs()
        settings_file = self._shell.paths.settings_file
        from calftimer.core.exchange import export_csv, export_json

        def job() -> Any:
            saves.flush()  # include every set saved so far (waits here, not in the window)
            if fmt == "json":
                return export_json(target, store, programs, settings_file=settings_file)
            return export_csv(target, store, settings_file=settings_file)

        def done(summary: Any, error: Exception | None) -> None:
            if error is not None:
                self._failed(
                    _("Export failed"), _("{target}: {error}").format(target=target, error=error)
                )
            else:
                self._shell.say(
                    _("Exported {sessions} and {sets} to {path}.").format(
                        sessions=sessions_text(summary.sessions),
                        sets=sets_text(summary.sets),
                        path=summary.path,
                    )
                )
            self.finished.emit()

        self._shell.say(_("Exporting…"))
        jobs.run(job, done)

    # ------------------------------------------------------------------ import

    def import_file(self, source: Path | None = None) -> None:
        """Check the file on the long-jobs thread, show what it adds, apply only if the user
        says so."""
        store, jobs = self._store, self._jobs
        if store is None or jobs is None or store.read_only:
            return
        if source is None:
            chosen, _unused = QFileDialog.getOpenFileName(
                self._shell.window,
                _("Import a backup or program"),
                str(Path.home()),
                _("calftimer files (*.json *.json.gz);;All files (*)"),
            )
            if not chosen:
                return
            source = Path(chosen)
        programs, folder = self._programs(), self._shell.paths.programs_dir
        from calftimer.core.exchange import ImportRefusedError, check_import

        def done(preview: Any, error: Exception | None) -> None:
            if isinstance(error, ImportRefusedError):
                self._failed(
                    _("Nothing was imported"),
                    _("{error}\n\nNothing was changed.").format(error=error),
                )
            elif error is not None:
                self._failed(
                    _("Import failed"), _("{source}: {error}").format(source=source, error=error)
                )
            else:
                self._confirm_and_apply(preview)

        self._shell.say(_("Checking {name}…").format(name=source.name))
        jobs.run(lambda: check_import(source, store, programs, folder), done)

    def _confirm_and_apply(self, preview: ImportPreview) -> None:
        from calftimer.core.exchange import apply_import

        store, jobs = self._store, self._jobs
        if store is None or jobs is None:
            return
        if preview.nothing_to_add:
            self._shell.say(preview.nothing_to_add_text())
            self.finished.emit()
            return
        text = "\n".join(preview.lines())
        if not self._shell.ask(_("Import?"), _("{text}\n\nImport it now?").format(text=text)):
            self._shell.say(_("Import cancelled; nothing was changed."))
            return
        folder = self._shell.paths.programs_dir

        def done(result: Any, error: Exception | None) -> None:
            if error is not None:
                self._failed(_("Import failed"), str(error))
                return
            self._shell.say(result.describe())
            if result.programs_written:
                self.programs_imported.emit()
            self.finished.emit()

        jobs.run(lambda: apply_import(preview, store, folder), done)

    def _failed(self, title: str, message: str) -> None:
        self._shell.say(title)
        self.finished.emit()
        self._shell.warn(title, message)
