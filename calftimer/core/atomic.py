"""Durable file writes: temp file in the same folder, fsync, ``os.replace``, fsync the folder.

A reader sees either the old file or the new one, never a mix, and once ``write_atomic``
returns the new content survives a crash or power loss. On Windows, antivirus and sync tools
briefly hold files open, so the replace is retried a bounded number of times.
"""

from __future__ import annotations

import contextlib
import itertools
import os
import sys
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import IO

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
) -> None:
    """Write ``data`` to ``path`` so that it is complete and on disk when this returns."""
    tmp = temp_path_for(path)
    try:
        with open(tmp, "wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        replace_with_retry(tmp, path, replace=replace, sleep=sleep)
    except BaseException:
        with contextlib.suppress(OSError):
            tmp.unlink()
        raise
    fsync_dir(path.parent)


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
