"""The user's program folder: save, delete to a trash folder (so deleting can be undone), restore,
duplicate, rename, import and export program files, and the editor's validation.

The folder (``AppPaths.programs_dir``) holds one ``<id>.json`` per program in the documented
program file format. A deleted program is never erased: its file is moved to ``.trash/`` inside
the folder as ``<id>-<stamp>.json``, which the library does not read (it reads ``*.json`` of the
folder itself only), and restoring moves the very same file back.

Validation is the file loader's own: ``validate_program`` runs the program through
``program_to_dict`` and ``program_from_dict``, so the editor shows exactly the messages a program
file with the same content would get (``blocks[2].tempo: one rep must last ...``).
"""

from __future__ import annotations

import contextlib
import re
from collections.abc import Callable, Iterable
from dataclasses import replace
from datetime import UTC, datetime
from pathlib import Path

from calftimer.core.atomic import fsync_dir, replace_with_retry, write_atomic, write_to_user_path
from calftimer.core.i18n import N_, _
from calftimer.core.programs import (
    BUILTIN_BY_ID,
    MAX_FILE_BYTES,
    NAME_MAX,
    Program,
    ProgramFileError,
    default_block,
    load_program_file,
    program_from_dict,
    program_json_bytes,
    program_to_dict,
)
from calftimer.core.userfile import UserFileError, read_user_file

TRASH_DIR = ".trash"
ID_MAX = 40
COPY_SUFFIX = "-copy"
NEW_PROGRAM_ID = "my-program"
NEW_PROGRAM_NAME = N_("My program")  # the name a new program starts with, in the user's language
NEW_PROGRAM_EXERCISE = "double_leg_calf_raise"


def user_program_path(folder: Path, program_id: str) -> Path:
    return folder / f"{program_id}.json"


def trash_dir(folder: Path) -> Path:
    return folder / TRASH_DIR


# ----------------------------------------------------------------------------- validation


def validate_program(program: Program) -> list[str]:
    """Every problem the program file loader would report for ``program`` (``[]`` if none).

    Messages are ``<field path>: <message>`` without a file name, e.g.
    ``blocks[2].sets: must be an integer from 1 to 20``.
    """
    try:
        program_from_dict(program_to_dict(program), _file_name(program.id))
    except ProgramFileError as exc:
        return list(exc.problems)
    return []


def _check(program: Program) -> None:
    problems = validate_program(program)
    if problems:
        raise ProgramFileError(_file_name(program.id), problems)


def _file_name(program_id: str) -> str:
    return f"{program_id}.json"


# ------------------------------------------------------------------------------------ ids


def unique_id(base: str, existing: Iterable[str]) -> str:
    """``base`` made into a valid program id, then ``<base>-2``, ``<base>-3``... until it is not
    in ``existing``. The numbered ids are shortened to stay within 40 characters."""
    taken = set(existing)
    slug = re.sub(r"[^a-z0-9-]+", "-", base.lower()).strip("-")[:ID_MAX].rstrip("-")
    slug = slug or "program"
    if slug not in taken:
        return slug
    n = 2
    while (candidate := _numbered(slug, n)) in taken:
        n += 1
    return candidate


def _numbered(base: str, n: int) -> str:
    # The same shape as the import of a backup uses for a clashing id (exchange._numbered_id).
    suffix = f"-{n}"
    return base[: ID_MAX - len(suffix)].rstrip("-") + suffix


def folder_ids(folder: Path) -> set[str]:
    """The ids taken by files in the program folder (damaged files included: their name is
    taken even though the library could not load them)."""
    if not folder.is_dir():
        return set()
    return {p.stem for p in folder.glob("*.json")}


# ------------------------------------------------------------------ programs as values


def new_program(existing_ids: Iterable[str], name: str | None = None) -> Program:
    """A new user program with one block (a program needs at least one) and a free id."""
    taken = set(existing_ids) | set(BUILTIN_BY_ID)
    if name is None:
        name = _(NEW_PROGRAM_NAME)
    return Program(
        id=unique_id(name if name != _(NEW_PROGRAM_NAME) else NEW_PROGRAM_ID, taken),
        name=name,
        description="",
        blocks=(default_block(NEW_PROGRAM_EXERCISE, rest_after_s=0),),
    )


def duplicate_program(program: Program, existing_ids: Iterable[str]) -> Program:
    """An editable copy: id ``<id>-copy`` (``-copy-2``... when taken), name ``Copy of <name>``."""
    taken = set(existing_ids) | set(BUILTIN_BY_ID) | {program.id}
    base = program.id[: ID_MAX - len(COPY_SUFFIX)].rstrip("-") + COPY_SUFFIX
    name = _("Copy of {name}").format(name=program.local_name)[:NAME_MAX].rstrip()
    return replace(program, id=unique_id(base, taken), name=name, builtin=False)


def rename_program(program: Program, new_name: str) -> Program:
    """The program with a new display name; the id (and so the file name) stays.

    Raises ValueError with the loader's message (``name: must be ...``) for an empty or too long
    name, and for a built-in program, which is read-only.
    """
    if program.builtin:
        raise ValueError(
            _("{name} is built in and read-only; duplicate it to rename it").format(
                name=program.local_name
            )
        )
    renamed = replace(program, name=new_name.strip())
    problems = [p for p in validate_program(renamed) if p.startswith("name:")]
    if problems:
        raise ValueError("\n".join(problems))
    return renamed


# ----------------------------------------------------------------------- the folder


def save_user_program(folder: Path, program: Program) -> Path:
    """Write ``program`` durably as ``<folder>/<id>.json`` (replacing its earlier version).

    Raises ProgramFileError (nothing written) if the program is invalid or uses a built-in
    program's id, and ValueError for a built-in program.
    """
    if program.builtin:
        raise ValueError(
            _("{name} is built in and read-only; duplicate it to change it").format(
                name=program.local_name
            )
        )
    if program.id in BUILTIN_BY_ID:
        raise ProgramFileError(
            _file_name(program.id),
            ["id: " + _("{id} is already used by another program").format(id=repr(program.id))],
        )
    _check(program)
    data = program_json_bytes(program)  # what the loader reads back, or ProgramFileError
    folder.mkdir(parents=True, exist_ok=True)
    path = user_program_path(folder, program.id)
    write_atomic(path, data)
    return path


def delete_user_program(
    folder: Path, program_id: str, *, now: Callable[[], datetime] | None = None
) -> Path:
    """Move ``<folder>/<id>.json`` to ``<folder>/.trash/<id>-<stamp>.json`` and return where it
    went, so the caller can offer to undo. Raises FileNotFoundError if there is no such file."""
    source = user_program_path(folder, program_id)
    if not source.is_file():
        raise FileNotFoundError(
            _("no saved program {id} in {folder}").format(id=repr(program_id), folder=folder)
        )
    trash = trash_dir(folder)
    trash.mkdir(parents=True, exist_ok=True)
    stamp = (now or _utc_now)().strftime("%Y%m%dT%H%M%S")
    target = trash / f"{program_id}-{stamp}.json"
    n = 2
    while target.exists():  # two deletes of the same id within one second
        target = trash / f"{program_id}-{stamp}-{n}.json"
        n += 1
    replace_with_retry(source, target)
    fsync_dir(trash)
    fsync_dir(folder)
    return target


def restore_user_program(trash_path: Path, folder: Path) -> Program:
    """Bring a deleted program back from the trash and return it.

    The file is moved back unchanged as ``<folder>/<id>.json``. If a file of that id has been
    saved since (or the id is a built-in program's), the program is saved under the first free
    ``<id>-2``, ``<id>-3``... instead and the trash file removed. Raises ProgramFileError if the
    trash file is damaged (it is then left where it is).
    """
    program = load_program_file(trash_path)
    taken = folder_ids(folder) | set(BUILTIN_BY_ID)
    if program.id in taken:
        program = replace(program, id=unique_id(program.id, taken))
        save_user_program(folder, program)
        trash_path.unlink()
        return program
    folder.mkdir(parents=True, exist_ok=True)
    replace_with_retry(trash_path, user_program_path(folder, program.id))
    fsync_dir(folder)
    fsync_dir(trash_path.parent)
    return program


def _utc_now() -> datetime:
    return datetime.now(UTC)


# ---------------------------------------------------------------- import and export


def export_program_file(program: Program, path: Path) -> None:
    """Write ``program`` (built-in or not) to a path the user chose, in the program file format.

    Raises ProgramFileError (nothing written) if the program is invalid, so an exported file
    always loads again.
    """
    _check(program)
    write_to_user_path(path, program_json_bytes(program))


def import_program_file(path: Path, folder: Path, existing_ids: Iterable[str]) -> Program:
    """Load a program file and save it into the program folder; return the saved program.

    Errors are the loader's (``ProgramFileError``: ``<file>: <field path>: <message>``, the same
    as the command line's), and nothing is written then. An id already taken (``existing_ids``,
    a built-in program or a file in the folder) gets the first free ``<id>-2``, ``<id>-3``...;
    a program identical to the one already saved under its id is not saved twice.
    """
    program = load_program_file(path)
    saved = user_program_path(folder, program.id)
    with contextlib.suppress(UserFileError):
        if read_user_file(saved, MAX_FILE_BYTES) == program_json_bytes(program):
            return program
    taken = set(existing_ids) | folder_ids(folder) | set(BUILTIN_BY_ID)
    if program.id in taken:
        program = replace(program, id=unique_id(program.id, taken))
    save_user_program(folder, program)
    return program
