"""Durable file writes: temp file in the same folder, fsync, ``os.replace``, fsync the folder.

A reader sees either the old file or the new one, never a mix, and once ``write_atomic``
returns the new content survives a crash or power loss. On Windows, antivirus and sync tools
briefly hold files open, so the replace is retried a bounded number of times.

``write_to_user_path`` is for a path the user typed or picked (an export): it writes through
a symbolic link to the file it points to, writes into a pipe or a device (``/dev/null``, a
terminal) as it is, and only ever replaces a regular file.
"""

from __future__ import annotations

import contextlib
import errno
import itertools
import os
import stat
import sys
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import IO

from calftimer.core.i18n import _

REPLACE_ATTEMPTS = 10
REPLACE_BACKOFF_S = 0.05
TEMP_SUFFIX = ".tmp"
_counter = itertools.count()


def temp_path_for(path: Path) -> Path:
    """A unique hidden temp name beside ``path`` (same folder, so replace is atomic)."""
    return path.with_name(f".{path.name}.{os.getpid()}.{next(_counter)}{TEMP_SUFFIX}")


def is_temp_file(path: Path) -> bool:
    return path.name.startswith(".") and path.name.endswith(TEMP_SUFFIX)


def write_atomic(
    path: Path,
    data: bytes,
    *,
    replace: Callable[[Path, Path], None] = os.replace,
    sleep: Callable[[float], None] = time.sleep,
    mode: int | None = None,
) -> None:
    """Write ``data`` to ``path`` so that it is complete and on disk when this returns.
    ``mode`` sets the new file's permission bits (the default follows the umask)."""
    tmp = temp_path_for(path)
    try:
        with open(tmp, "wb") as handle:
            handle.write(data)
            handle.flush()
            if mode is not None:
                os.chmod(tmp, mode)
            os.fsync(handle.fileno())
        replace_with_retry(tmp, path, replace=replace, sleep=sleep)
    except BaseException:
        with contextlib.suppress(OSError):
            tmp.unlink()
        raise
    fsync_dir(path.parent)


def write_to_user_path(path: Path, data: bytes) -> Path:
    """Write ``data`` where the user asked, replacing nothing that is not a regular file.

    - a new name or a regular file: written atomically (as ``write_atomic``), keeping the
      permission bits of the file it replaces;
    - a symbolic link (or a chain of them): the file it points to is written, atomically, with
      the temp file beside that file; the link stays a link;
    - a named pipe or a character device (``/dev/null``, ``/dev/stdout``, a terminal): written
      in place, as ``cat > PATH`` would; a pipe that nobody reads is refused, not waited for;
    - a folder, a socket or a block device: refused with an OSError.

    Returns the path of what was written (the link's target for a link).
    """
    try:
        st: os.stat_result | None = os.stat(path)  # follows links, as the user means
    except FileNotFoundError:
        st = None  # a new file, or a link to a file not there yet (it is created)
    if st is not None and not stat.S_ISREG(st.st_mode):
        if stat.S_ISFIFO(st.st_mode) or stat.S_ISCHR(st.st_mode):
            _write_in_place(path, data)
            return path
        if stat.S_ISDIR(st.st_mode):
            raise IsADirectoryError(errno.EISDIR, os.strerror(errno.EISDIR), str(path))
        raise OSError(
            errno.EINVAL,
            _("not a file, a pipe or a character device: calftimer does not write there"),
            str(path),
        )
    real = Path(os.path.realpath(path))
    keep_mode = stat.S_IMODE(st.st_mode) if st is not None else None
    write_atomic(real, data, replace=_replace_regular_only, mode=keep_mode)
    return real


def _replace_regular_only(src: Path, dst: Path) -> None:
    """``os.replace`` that refuses when ``dst`` became something other than a regular file
    since it was looked at (a pipe or a device must never be swapped for a file)."""
    try:
        st = os.lstat(dst)
    except FileNotFoundError:
        pass
    else:
        if not stat.S_ISREG(st.st_mode):
            raise OSError(errno.EEXIST, _("it is no longer a regular file; nothing was replaced"))
    os.replace(src, dst)


_WRITE_FLAGS = (
    os.O_WRONLY
    | getattr(os, "O_NONBLOCK", 0)  # open() of a pipe nobody reads fails instead of waiting
    | getattr(os, "O_NOCTTY", 0)
    | getattr(os, "O_CLOEXEC", 0)
    | getattr(os, "O_BINARY", 0)
)


def _write_in_place(path: Path, data: bytes) -> None:
    try:
        fd = os.open(path, _WRITE_FLAGS)
    except OSError as exc:
        if exc.errno == errno.ENXIO:  # a named pipe with no reader
            raise OSError(
                errno.ENXIO, _("it is a named pipe and nothing is reading from it"), str(path)
            ) from exc
        raise
    try:
        if sys.platform != "win32":
            import fcntl

            # Blocking from here on, like any writer into a pipe, so a slow reader gets it all.
            flags = fcntl.fcntl(fd, fcntl.F_GETFL)
            fcntl.fcntl(fd, fcntl.F_SETFL, flags & ~os.O_NONBLOCK)
        view = memoryview(data)
        while view:
            view = view[os.write(fd, view) :]
    finally:
        os.close(fd)


def replace_with_retry(
    src: Path,
    dst: Path,
    *,
    replace: Callable[[Path, Path], None] = os.replace,
    sleep: Callable[[float], None] = time.sleep,
    attempts: int = REPLACE_ATTEMPTS,
) -> None:
    """``os.replace`` that rides out a file briefly locked by another program (Windows)."""
    for attempt in range(attempts):
        try:
            replace(src, dst)
            return
        except PermissionError:
            if attempt == attempts - 1:
                raise
            sleep(REPLACE_BACKOFF_S * (attempt + 1))


def fsync_dir(folder: Path) -> None:
    """Make a rename inside ``folder`` durable (a no-op where folders cannot be opened)."""
    if sys.platform == "win32":
        return
    try:
        fd = os.open(folder, os.O_RDONLY)
    except OSError:
        return
    try:
        with contextlib.suppress(OSError):  # some file systems cannot fsync a folder
            os.fsync(fd)
    finally:
        os.close(fd)


@contextlib.contextmanager
def interprocess_lock(path: Path) -> Iterator[IO[bytes]]:
    """An exclusive advisory lock on ``path`` held for the ``with`` block.

    The operating system drops it when the holder dies, so a crash never leaves it stuck.
    """
    path.parent.mkdir(parents=True, exist_ok=True)
    handle = open(path, "a+b")  # noqa: SIM115  (closed below, after unlocking)
    try:
        _lock(handle)
        yield handle
    finally:
        with contextlib.suppress(OSError):
            _unlock(handle)
        handle.close()


def try_lock(handle: IO[bytes]) -> bool:
    """Take the lock without waiting; False if another process holds it."""
    try:
        _lock(handle, blocking=False)
    except OSError:
        return False
    return True


if sys.platform == "win32":  # pragma: no cover - exercised on Windows only
    import msvcrt

    def _lock(handle: IO[bytes], blocking: bool = True) -> None:
        handle.seek(0)
        mode = msvcrt.LK_LOCK if blocking else msvcrt.LK_NBLCK
        while True:
            try:
                msvcrt.locking(handle.fileno(), mode, 1)
                return
            except OSError:
                if not blocking:
                    raise

    def _unlock(handle: IO[bytes]) -> None:
        handle.seek(0)
        msvcrt.locking(handle.fileno(), msvcrt.LK_UNLCK, 1)

else:
    import fcntl

    def _lock(handle: IO[bytes], blocking: bool = True) -> None:
        flags = fcntl.LOCK_EX if blocking else fcntl.LOCK_EX | fcntl.LOCK_NB
        fcntl.flock(handle.fileno(), flags)

    def _unlock(handle: IO[bytes]) -> None:
        fcntl.flock(handle.fileno(), fcntl.LOCK_UN)
