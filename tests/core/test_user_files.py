"""Files at paths the user gives: reading only regular files, bounded, without blocking; and
writing an export through links, into pipes and devices, never replacing what is not a file.

Everything here uses real files, named pipes and links in a temporary folder. The system's
``/dev/null`` is only ever reached through a link in that folder and checked afterwards.
"""

from __future__ import annotations

import gzip
import os
import select
import stat
import sys
import threading
import zlib
from collections.abc import Iterator
from pathlib import Path

import pytest

from calftimer.app import main
from calftimer.core.atomic import write_to_user_path
from calftimer.core.userfile import UserFileError, read_user_file
from tests.core.test_exchange import history, store_with

posix_only = pytest.mark.skipif(sys.platform == "win32", reason="named pipes and devices")


# ------------------------------------------------------------------------- reading


def test_a_regular_file_is_read_up_to_its_limit(tmp_path: Path) -> None:
    path = tmp_path / "f.json"
    path.write_bytes(b"x" * 10)
    assert read_user_file(path, 10) == b"x" * 10
    with pytest.raises(UserFileError, match=r"f.json: file is 11 bytes; the limit is 0.01 kB"):
        path.write_bytes(b"x" * 11)
        read_user_file(path, 10)


@posix_only
@pytest.mark.parametrize(
    ("make", "message"),
    [
        (lambda p: p.mkdir(), "is a folder, not a regular file"),
        (lambda p: os.mkfifo(p), "is a named pipe (FIFO), not a regular file"),
        (lambda p: p.symlink_to("/dev/zero"), "is a device, not a regular file"),
    ],
    ids=["folder", "fifo", "dev-zero"],
)
def test_anything_but_a_regular_file_is_refused_at_once(
    tmp_path: Path, make: object, message: str
) -> None:
    path = tmp_path / "thing.json"
    make(path)  # type: ignore[operator]
    with pytest.raises(UserFileError) as refused:
        read_user_file(path, 1000)
    assert refused.value.problem == message and refused.value.why == "type"


@pytest.mark.parametrize(
    ("name", "reason"),
    [
        ("a" * 5000 + ".json", "File name too long"),
        ("missing.json", "No such file or directory"),
        ("file.json/inside.json", "Not a directory"),
    ],
)
def test_system_errors_become_one_line(tmp_path: Path, name: str, reason: str) -> None:
    (tmp_path / "file.json").write_text("{}")
    with pytest.raises(UserFileError) as refused:
        read_user_file(tmp_path / name, 1000)
    message = str(refused.value)
    assert "\n" not in message and message.endswith(f"cannot read the file: {reason}")
    assert len(message) < 200  # a 5000-character name is shortened in the middle


def bomb(path: Path, inflated: int) -> Path:
    """A gzip file of ``inflated`` zero bytes, made in chunks (a few kB on disk)."""
    packer = zlib.compressobj(9, zlib.DEFLATED, 31)
    chunk = bytes(1 << 20)
    with open(path, "wb") as out:
        for _ in range(inflated // len(chunk)):
            out.write(packer.compress(chunk))
        out.write(packer.flush())
    return path


def test_a_gzip_bomb_is_refused_without_filling_memory(tmp_path: Path) -> None:
    import tracemalloc

    path = bomb(tmp_path / "bomb.json.gz", 128 << 20)
    assert path.stat().st_size < 300_000
    tracemalloc.start()
    try:
        with pytest.raises(UserFileError, match=r"holds more than the limit of 32 MB") as refused:
            read_user_file(path, 32_000_000, decompress=True)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert refused.value.why == "size"
    assert peak < 8_000_000  # a chunk at a time: nothing near the 32 MB limit is kept


def test_a_gzip_file_is_read_as_what_it_holds(tmp_path: Path) -> None:
    content = b'{"kind": "calftimer.backup"}' * 1000
    path = tmp_path / "b.json.gz"
    path.write_bytes(gzip.compress(content))
    assert read_user_file(path, len(content), decompress=True) == content
    with pytest.raises(UserFileError, match="holds more than"):
        read_user_file(path, len(content) - 1, decompress=True)
    path.write_bytes(gzip.compress(content)[:-30])  # cut short
    with pytest.raises(UserFileError, match="not a readable gzip file"):
        read_user_file(path, len(content), decompress=True)


# ------------------------------------------------------------------------- writing


def test_a_symlink_is_written_through_and_stays_a_link(tmp_path: Path) -> None:
    real = tmp_path / "real" / "backup.json"
    real.parent.mkdir()
    real.write_bytes(b"old")
    real.chmod(0o600)
    link = tmp_path / "link.json"
    link.symlink_to(real)

    written = write_to_user_path(link, b"new")

    assert written == real
    assert link.is_symlink() and os.readlink(link) == str(real)
    assert real.read_bytes() == b"new"
    assert stat.S_IMODE(real.stat().st_mode) == 0o600  # the file's permissions are kept
    assert sorted(p.name for p in real.parent.iterdir()) == ["backup.json"]  # no temp left


def test_a_dangling_link_creates_its_target(tmp_path: Path) -> None:
    link = tmp_path / "link.json"
    link.symlink_to(tmp_path / "new.json")
    write_to_user_path(link, b"data")
    assert link.is_symlink() and (tmp_path / "new.json").read_bytes() == b"data"


@pytest.fixture
def fifo_reader(tmp_path: Path) -> Iterator[tuple[Path, list[bytes], threading.Thread]]:
    """A named pipe with a reader thread collecting what arrives; the test ends it."""
    path = tmp_path / "pipe"
    os.mkfifo(path)
    fd = os.open(path, os.O_RDONLY | os.O_NONBLOCK)  # a reader is there before any writer
    received: list[bytes] = []
    stop = threading.Event()

    def read() -> None:
        writer_seen = False
        while not stop.is_set():
            ready, _, _ = select.select([fd], [], [], 0.05)
            if not ready:
                continue
            chunk = os.read(fd, 65536)
            if chunk:
                received.append(chunk)
                writer_seen = True
            elif writer_seen:
                return  # the writer closed: end of file

    thread = threading.Thread(target=read, daemon=True)
    thread.start()
    try:
        yield path, received, thread
    finally:
        stop.set()
        thread.join(5)
        os.close(fd)


@posix_only
def test_a_named_pipe_is_written_into_and_stays_a_pipe(fifo_reader) -> None:
    path, received, thread = fifo_reader
    data = os.urandom(300_000)  # more than a pipe holds: the writer waits for the reader
    assert write_to_user_path(path, data) == path
    thread.join(10)
    assert b"".join(received) == data
    assert stat.S_ISFIFO(os.lstat(path).st_mode)


@posix_only
def test_a_named_pipe_nobody_reads_is_refused_at_once(tmp_path: Path) -> None:
    path = tmp_path / "pipe"
    os.mkfifo(path)
    with pytest.raises(OSError, match="nothing is reading from it"):
        write_to_user_path(path, b"data")
    assert stat.S_ISFIFO(os.lstat(path).st_mode)


@posix_only
def test_a_link_to_dev_null_writes_into_it_and_leaves_both_alone(tmp_path: Path) -> None:
    link = tmp_path / "null.json"
    link.symlink_to("/dev/null")
    assert write_to_user_path(link, b"data") == link
    assert link.is_symlink()
    assert stat.S_ISCHR(os.stat("/dev/null").st_mode)


@posix_only
def test_a_character_device_is_written_in_place_not_replaced(tmp_path: Path) -> None:
    """A device node of our own (root only), the same device as /dev/null."""
    node = private_device(tmp_path / "null", "/dev/null")
    write_to_user_path(node, b"data")
    assert stat.S_ISCHR(os.lstat(node).st_mode)


def test_a_folder_is_refused(tmp_path: Path) -> None:
    with pytest.raises(IsADirectoryError):
        write_to_user_path(tmp_path, b"data")


# --------------------------------------------------------------- export -o, as a user


def test_export_to_standard_output(tmp_path: Path, capsysbinary) -> None:
    store_with(tmp_path / "data", history(2))
    assert (
        main(["--data-dir", str(tmp_path / "data"), "export", "--format", "json", "-o", "-"]) == 0
    )
    captured = capsysbinary.readouterr()
    assert captured.out.startswith(b'{\n "kind": "calftimer.backup",')
    assert b"Exported 2 sessions" in captured.err  # the report never mixes into the data
    assert not (Path.cwd() / "-").exists()


@posix_only
def test_export_through_a_link_to_dev_null_keeps_the_link(tmp_path: Path, capsys) -> None:
    store_with(tmp_path / "data", history(1))
    link = tmp_path / "out.json"
    link.symlink_to("/dev/null")
    assert (
        main(["--data-dir", str(tmp_path / "data"), "export", "--format", "csv", "-o", str(link)])
        == 0
    )
    assert link.is_symlink() and stat.S_ISCHR(os.stat("/dev/null").st_mode)


@posix_only
def test_export_into_a_pipe_someone_reads(tmp_path: Path, fifo_reader, capsys) -> None:
    path, received, thread = fifo_reader
    store_with(tmp_path / "data", history(3))
    assert (
        main(["--data-dir", str(tmp_path / "data"), "export", "--format", "json", "-o", str(path)])
        == 0
    )
    thread.join(10)
    assert b"".join(received).startswith(b'{\n "kind": "calftimer.backup"')
    assert stat.S_ISFIFO(os.lstat(path).st_mode)


def private_device(path: Path, like: str) -> Path:
    """A device node of our own in the test's folder, the same device as ``like`` (root only):
    a regression must never be able to replace a real one under /dev."""
    try:
        os.mknod(path, stat.S_IFCHR | 0o666, os.stat(like).st_rdev)
        with open(path, "rb"):
            pass
    except OSError:
        pytest.skip("cannot make or open a device node here (not root, or nodev)")
    return path


@pytest.mark.parametrize(
    ("target", "reason"),
    [("folder", "Is a directory"), ("full", "No space left on device")],
)
def test_export_failures_are_one_line_and_write_nothing(
    tmp_path: Path, capsys, target: str, reason: str
) -> None:
    store_with(tmp_path / "data", history(1))
    (tmp_path / "folder").mkdir()
    if target == "full":
        private_device(tmp_path / "full", "/dev/full")
    out = str(tmp_path / target)
    assert (
        main(["--data-dir", str(tmp_path / "data"), "export", "--format", "json", "-o", out]) == 1
    )
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and err.strip().endswith(reason)
    assert list((tmp_path / "folder").iterdir()) == []
    if target == "full":
        assert stat.S_ISCHR(os.lstat(out).st_mode)
