"""The program library: built-in programs plus the user's program files, and lookup by id or file.

User programs live as ``*.json`` files in a folder given by the caller. A damaged file is left
alone and reported; it never hides the other programs.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path

from calftimer.core.conflicts import conflict_base_name
from calftimer.core.i18n import _
from calftimer.core.programs import (
    BUILTIN_PROGRAMS,
    Program,
    ProgramFileError,
    load_program_file,
)


class UnknownProgramError(LookupError):
    """``--start`` named something that is neither a program id nor a readable program file.
    ``lists_programs``: the message already names the programs there are."""

    def __init__(self, message: str, *, lists_programs: bool = False) -> None:
        super().__init__(message)
        self.lists_programs = lists_programs


@dataclass(frozen=True)
class ProgramLibrary:
    programs: tuple[Program, ...]
    problems: tuple[ProgramFileError, ...] = field(default=())

    @classmethod
    def load(cls, programs_dir: Path | None) -> ProgramLibrary:
        programs = list(BUILTIN_PROGRAMS)
        problems: list[ProgramFileError] = []
        taken = {p.id for p in programs}
        try:
            paths = sorted(programs_dir.glob("*.json")) if programs_dir is not None else []
        except OSError as exc:  # a folder path too long for the system, or not searchable
            reason = exc.strerror or str(exc)
            problem = ProgramFileError(
                _shown(programs_dir or Path()), [_("cannot read: {reason}").format(reason=reason)]
            )
            return cls(tuple(programs), (problem,))
        if paths:
            # A sync tool's conflict copy ("my-day (X's conflicted copy ...).json") sorts before
            # the original; read originals first so the user's own file keeps its id.
            paths.sort(key=lambda p: conflict_base_name(p.name) is not None)
            for path in paths:
                try:
                    program = load_program_file(path)
                except ProgramFileError as exc:
                    problems.append(exc)
                    continue
                if program.id in taken:
                    why = (
                        _("is a sync conflict copy of another program file; it was left alone")
                        if conflict_base_name(path.name)
                        else _("id: {id!r} is already used by another program").format(
                            id=program.id
                        )
                    )
                    problems.append(ProgramFileError(path.name, [why]))
                    continue
                taken.add(program.id)
                programs.append(program)
        return cls(tuple(programs), tuple(problems))

    @property
    def ids(self) -> list[str]:
        return [p.id for p in self.programs]

    def get(self, program_id: str) -> Program | None:
        return next((p for p in self.programs if p.id == program_id), None)

    def resolve(self, spec: str) -> Program:
        """A program id, or a path to a program file. Raises UnknownProgramError or
        ProgramFileError with a message a user can act on."""
        program = self.get(spec)
        if program is not None:
            return program
        path = Path(spec).expanduser()
        try:
            os.lstat(path)
            exists = True
        except FileNotFoundError:
            exists = False
        except (OSError, ValueError):  # too long, through a file, a NUL in the name...
            exists = True  # the loader says why it cannot be read
        if path.suffix.lower() == ".json" or exists or "/" in spec or "\\" in spec:
            if not exists:
                raise UnknownProgramError(_("no program file at {path}").format(path=_shown(path)))
            return load_program_file(path)
        raise UnknownProgramError(
            _("unknown program {spec!r}; the programs are: {programs}").format(
                spec=spec, programs=", ".join(self.ids)
            ),
            lists_programs=True,
        )


def _shown(path: Path, limit: int = 200) -> str:
    """A path for a one-line message: very long ones are shortened in the middle."""
    text = str(path)
    return text if len(text) <= limit else f"{text[: limit // 2]}…{text[-limit // 2 :]}"
