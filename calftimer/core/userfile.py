"""Reading a file whose path came from the user or from a folder the user controls: a program
file for ``--start``, a backup to import, the program folder, the history and settings files.

Such a path can name anything: a folder, a named pipe that never delivers a byte, ``/dev/zero``
that never ends, a name too long for the system. ``read_user_file`` reads only regular files
(checked before opening and again on the open handle, opened without blocking so a pipe swapped
in between cannot hang us), never more than a limit plus one byte, and turns every operating
system error into a ``UserFileError`` whose message fits on one line. With ``decompress`` a
gzip file is read as a stream, and the limit applies to what it holds, checked while
decompressing, so a small file that inflates without end (a "gzip bomb") is refused before it
fills memory.
"""

from __future__ import annotations

import contextlib
import errno
import gzip
import os
import stat
import zlib
from collections.abc import Iterator
from pathlib import Path
from typing import BinaryIO, Literal

from calftimer.core.i18n import _, format_number

GZIP_MAGIC = b"\x1f\x8b"
CHUNK = 1 << 20
SHOWN_NAME = 80

Why = Literal["os", "type", "size", "format"]


class UserFileError(Exception):
    """A file that cannot be read; ``problem`` says why in one line, without the file's name.

    ``why`` is ``"os"`` (the system refused: missing, no permission, name too long...),
    ``"type"`` (not a regular file), ``"size"`` (over the limit) or ``"format"`` (a damaged gzip
    stream). ``errno`` is the system's error number for ``"os"``.
    """

    def __init__(self, path: Path, problem: str, why: Why, err: int | None = None) -> None:
        super().__init__(f"{display_name(path)}: {problem}")
        self.path = path
        self.problem = problem
        self.why = why
        self.errno = err


def display_name(path: Path) -> str:
    """The file's name for a message, shortened in the middle when very long."""
    name = path.name or str(path)
    if len(name) > SHOWN_NAME:
        half = SHOWN_NAME // 2 - 1
        name = f"{name[:half]}…{name[-half:]}"
    return name


def format_size(limit: int) -> str:
    if limit >= 1_000_000:
        return _("{size} MB").format(size=f"{limit / 1_000_000:g}")
    return _("{size} kB").format(size=f"{limit / 1000:g}")


def _kind_of(mode: int) -> str:
    if stat.S_ISDIR(mode):
        return _("is a folder, not a regular file")
    if stat.S_ISFIFO(mode):
        return _("is a named pipe (FIFO), not a regular file")
    if stat.S_ISCHR(mode) or stat.S_ISBLK(mode):
        return _("is a device, not a regular file")
    if stat.S_ISSOCK(mode):
        return _("is a socket, not a regular file")
    return _("is not a regular file")


def _os_error(path: Path, exc: OSError) -> UserFileError:
    reason = exc.strerror or str(exc) or type(exc).__name__
    return UserFileError(
        path, _("cannot read the file: {reason}").format(reason=reason), "os", exc.errno
    )


def _not_regular(path: Path, mode: int) -> UserFileError:
    return UserFileError(path, _kind_of(mode), "type")


_OPEN_FLAGS = (
    os.O_RDONLY
    | getattr(os, "O_NONBLOCK", 0)  # a pipe swapped in after the check must not block open()
    | getattr(os, "O_NOCTTY", 0)
    | getattr(os, "O_CLOEXEC", 0)
    | getattr(os, "O_BINARY", 0)
)


@contextlib.contextmanager
def open_user_file(path: Path) -> Iterator[tuple[BinaryIO, int]]:
    """The open regular file at ``path`` and its size; raises UserFileError otherwise."""
    try:
        before = os.stat(path)
        if not stat.S_ISREG(before.st_mode):
            raise _not_regular(path, before.st_mode)
        fd = os.open(path, _OPEN_FLAGS)
    except OSError as exc:
        raise _os_error(path, exc) from exc
    except ValueError as exc:  # a NUL character in the name
        raise UserFileError(
            path, _("cannot read the file: {reason}").format(reason=exc), "os"
        ) from exc
    try:
        try:
            now = os.fstat(fd)
        except OSError as exc:
            raise _os_error(path, exc) from exc
        if not stat.S_ISREG(now.st_mode):
            raise _not_regular(path, now.st_mode)
        handle = os.fdopen(fd, "rb")
    except BaseException:
        os.close(fd)
        raise
    with handle:
        yield handle, now.st_size


def read_user_file(path: Path, limit: int, *, decompress: bool = False) -> bytes:
    """The bytes of the regular file ``path``, at most ``limit`` of them (UserFileError if it
    holds more). With ``decompress``, a gzip file's content is returned instead, its size checked
    against ``limit`` while it is decompressed."""
    with open_user_file(path) as (handle, size):
        try:
            head = handle.read(2) if decompress else b""
            if decompress and head == GZIP_MAGIC:
                handle.seek(0)
                return _gunzip(path, handle, limit)
            if size > limit:
                raise _too_large(path, limit, size)
            # One read of the reported size in the usual case; then chunks, for a file that
            # grew since, or one whose size the system reports as 0 (/proc).
            parts = [head, handle.read(max(0, min(size, limit) + 1 - len(head)))]
            total = sum(map(len, parts))
            while total <= limit and (chunk := handle.read(min(CHUNK, limit + 1 - total))):
                parts.append(chunk)
                total += len(chunk)
            data = b"".join(parts)
        except OSError as exc:
            raise _os_error(path, exc) from exc
    if len(data) > limit:  # grew since stat, or a file whose size the system does not report
        raise _too_large(path, limit)
    return data


def _too_large(path: Path, limit: int, size: int | None = None) -> UserFileError:
    if size is None:
        problem = _("file is larger than the limit of {limit}")
    else:
        problem = _("file is {size} bytes; the limit is {limit}")
    return UserFileError(
        path, problem.format(size=format_number(size or 0), limit=format_size(limit)), "size"
    )


def _gunzip(path: Path, handle: BinaryIO, limit: int) -> bytes:
    """Two passes over the compressed stream: the first only counts what it holds (nothing is
    kept, so a gzip bomb costs time, not memory), the second keeps it, still counting."""
    for keep in (False, True):
        handle.seek(0)
        out = bytearray()
        held = 0
        try:
            with gzip.GzipFile(fileobj=handle, mode="rb") as stream:
                while chunk := stream.read(CHUNK):
                    held += len(chunk)
                    if held > limit:
                        raise UserFileError(
                            path,
                            _("the compressed file holds more than the limit of {limit}").format(
                                limit=format_size(limit)
                            ),
                            "size",
                        )
                    if keep:
                        out += chunk
        except (EOFError, zlib.error, gzip.BadGzipFile) as exc:
            raise UserFileError(
                path,
                _("not a readable gzip file ({reason})").format(
                    reason=exc or _("it ends too early")
                ),
                "format",
            ) from exc
    return bytes(out)


def is_missing(exc: UserFileError) -> bool:
    return exc.why == "os" and exc.errno == errno.ENOENT
