"""The program library's commands: new, duplicate, edit, delete and undo, import and export a
program file, and reading the programs folder again.

It owns the loaded ``ProgramLibrary`` (built-in programs plus the user's files) and the list of
deleted files Ctrl+Z brings back; the home page only shows the programs and says which one is
selected. A program file that cannot be read gets a notice naming its path and why, withdrawn
once the file is fixed or gone.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from pathlib import Path

from PySide6.QtCore import QObject, Signal
from PySide6.QtWidgets import QFileDialog

from calftimer.core.i18n import _
from calftimer.core.library import ProgramLibrary
from calftimer.core.program_files import (
    delete_user_program,
    duplicate_program,
    export_program_file,
    folder_ids,
    import_program_file,
    new_program,
    restore_user_program,
    save_user_program,
    unique_id,
)
from calftimer.core.programs import Program, ProgramFileError
from calftimer.core.timeline import CompileOptions
from calftimer.gui.home_page import HomePage
from calftimer.gui.shell import Shell


class ProgramCommands(QObject):
    library_changed = Signal(object)  # ProgramLibrary, after every reload

    def __init__(
        self,
        library: ProgramLibrary,
        home: HomePage,
        shell: Shell,
        options: Callable[[], CompileOptions],
        parent: QObject | None = None,
    ) -> None:
        super().__init__(parent)
        self._library = library
        self._home = home
        self._shell = shell
        self._options = options
        self._deleted: list[Path] = []  # trash files, newest last: Ctrl+Z brings each back
        self.post_problems()

    @property
    def library(self) -> ProgramLibrary:
        return self._library

    @property
    def folder(self) -> Path:
        return self._shell.paths.programs_dir

    def ids(self) -> set[str]:
        """Every id in use: loaded programs and files in the folder (even unreadable ones)."""
        return {p.id for p in self._library.programs} | folder_ids(self.folder)

    def is_own(self, program: Program) -> bool:
        """A program of the user's, saved in the programs folder (not built in)."""
        return not program.builtin and program.id in folder_ids(self.folder)

    # ------------------------------------------------------------------ commands

    def new(self) -> None:
        self._edit_and_save(new_program(self.ids()))

    def duplicate_selected(self) -> None:
        program = self._home.selected_program()
        if program is not None:
            self._edit_and_save(duplicate_program(program, self.ids()))

    def edit_selected(self) -> None:
        program = self._home.selected_program()
        if program is not None:
            self._edit_and_save(program)

    def delete_selected(self) -> None:
        program = self._home.selected_program()
        if program is None:
            return
        if program.builtin:
            self._shell.say(_("Built-in programs cannot be deleted."))
            return
        try:
            self._deleted.append(delete_user_program(self.folder, program.id))
        except OSError as exc:
            self._shell.warn(_("The program was not deleted"), str(exc))
            return
        self.reload()
        self._shell.say(
            _("Deleted “{name}”. Ctrl+Z brings it back.").format(name=program.local_name)
        )

    def undo_delete(self) -> None:
        if not self._deleted:
            self._shell.say(_("Nothing to undo."))
            return
        try:
            program = restore_user_program(self._deleted[-1], self.folder)
        except (OSError, ProgramFileError) as exc:
            self._shell.warn(_("The program could not be restored"), str(exc))
            return
        self._deleted.pop()
        self.reload(select=program.id)
        self._shell.say(_("Restored “{name}”.").format(name=program.local_name))

    def import_file(self, source: Path | None = None) -> None:
        if source is None:
            chosen, _unused = QFileDialog.getOpenFileName(
                self._shell.window,
                _("Import a program file"),
                str(Path.home()),
                _("calftimer programs (*.json);;All files (*)"),
            )
            if not chosen:
                return
            source = Path(chosen)
        try:
            program = import_program_file(source, self.folder, self.ids())
        except ProgramFileError as exc:
            self._shell.warn(
                _("The program was not imported"),
                _("{exc}\n\nNothing was changed.").format(exc=exc),
            )
            return
        except OSError as exc:
            self._shell.warn(_("The program was not imported"), str(exc))
            return
        self.reload(select=program.id)
        self._shell.say(
            _("Imported “{name}” as {id}.").format(name=program.local_name, id=program.id)
        )

    def export_selected(self, target: Path | None = None) -> None:
        program = self._home.selected_program()
        if program is None:
            return
        if target is None:
            chosen, _unused = QFileDialog.getSaveFileName(
                self._shell.window,
                _("Export the program"),
                str(Path.home() / f"{program.id}.json"),
                _("calftimer programs (*.json)"),
            )
            if not chosen:
                return
            target = Path(chosen)
        try:
            export_program_file(program, target)
        except (OSError, ValueError) as exc:
            self._shell.warn(_("The program was not exported"), str(exc))
            return
        self._shell.say(
            _("Saved “{name}” to {target}.").format(name=program.local_name, target=target)
        )

    # ------------------------------------------------------------------ files

    def save(self, program: Program, *, failure: str | None = None) -> bool:
        """Write ``program`` into the programs folder; on failure say why (titled ``failure``,
        by default "The program was not saved")."""
        if failure is None:
            failure = _("The program was not saved")
        try:
            save_user_program(self.folder, program)
        except (OSError, ValueError, ProgramFileError) as exc:
            self._shell.warn(failure, str(exc))
            return False
        return True

    def remove(self, program_id: str, *, failure: str) -> bool:
        """Delete the user's program ``program_id`` (to the folder's trash)."""
        try:
            delete_user_program(self.folder, program_id)
        except OSError as exc:
            self._shell.warn(failure, str(exc))
            return False
        return True

    def reload(self, select: str | None = None) -> None:
        """Read the programs folder again (after an edit or import) and refresh the picker,
        keeping the selection (or selecting ``select``)."""
        self._library = ProgramLibrary.load(self.folder)
        self.post_problems()
        self._home.set_programs(self._library.programs, select)
        self.library_changed.emit(self._library)

    def post_problems(self) -> None:
        """One notice per program file that could not be read, with its path and why; a file
        fixed (or removed) since takes its notice with it."""
        notices = self._shell.notices
        wanted = {}
        for problem in self._library.problems:
            path = self.folder / problem.source
            reasons = "\n".join(f"• {p}" for p in problem.problems) or _("• unreadable")
            wanted[f"program-file:{problem.source}"] = (
                _(
                    "The program file {path} could not be read and was left alone:\n{reasons}"
                ).format(path=path, reasons=reasons),
                _("Program file {file} could not be read: {problem}").format(
                    file=problem.source, problem=problem.problems[0]
                )
                if problem.problems
                else _("Program file {file} could not be read.").format(file=problem.source),
            )
        notices.withdraw_where(lambda key: key.startswith("program-file:") and key not in wanted)
        for key, (text, summary) in wanted.items():
            notices.post(key, "warning", text, summary=summary)

    # ------------------------------------------------------------------ internals

    def _edit_and_save(self, program: Program) -> None:
        from calftimer.gui.program_editor import ProgramEditorDialog

        dialog = ProgramEditorDialog(
            program,
            self._shell.window,
            existing_ids=self.ids(),
            options=self._options(),
            weight_unit=self._shell.settings.current.weight_unit,
        )
        if not dialog.exec():
            return
        edited = dialog.program()
        if edited.builtin:
            return
        if edited.id not in folder_ids(self.folder):
            # A new program (or copy) is named by the user in the editor: its id, used by
            # --start and as its file name, follows that name ("Morning holds" -> morning-holds).
            others = self.ids() - {edited.id}
            edited = replace(edited, id=unique_id(edited.name, others))
        if not self.save(edited):
            return
        self.reload(select=edited.id)
        self._shell.say(
            _("Saved “{name}” (start it with --start {id}).").format(name=edited.name, id=edited.id)
        )
