"""One running calftimer per data folder: a second launch hands over to the first and exits.

The first instance holds an OS lock on ``<data>/calftimer.lock`` (released by the OS if the
process dies, so a crash never leaves a stale lock) and listens on a local socket. A second
launch fails to take the lock, connects to the socket, sends its arguments (for example
``--start foundation``) and exits; the first raises its window and acts on them.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
from pathlib import Path
from typing import IO, TYPE_CHECKING

from PySide6.QtCore import QObject, Signal

if TYPE_CHECKING:
    from PySide6.QtNetwork import QLocalServer, QLocalSocket

from calftimer.core.atomic import try_lock

LOCK_NAME = "calftimer.lock"
CONNECT_TIMEOUT_MS = 1500


def server_name(data_dir: Path) -> str:
    """A socket name unique to this user and data folder."""
    who = str(os.getuid()) if hasattr(os, "getuid") else os.environ.get("USERNAME", "")
    digest = hashlib.sha256(f"{who}:{data_dir.resolve()}".encode()).hexdigest()[:16]
    return f"calftimer-{digest}"


class SingleInstance(QObject):
    """``acquire()`` once at start-up: True means this is the only instance and it listens."""

    activated = Signal(list)  # the arguments a second launch handed over

    def __init__(self, data_dir: Path, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._data_dir = data_dir
        self._name = server_name(data_dir)
        self._lock_handle: IO[bytes] | None = None
        self._server: QLocalServer | None = None

    def acquire(self, argv: list[str]) -> bool:
        """Become the running instance, or pass ``argv`` to the one that is and return False."""
        if not self.take_lock():
            self.hand_over(argv)
            return False
        self.listen()
        return True

    def take_lock(self) -> bool:
        """Take the OS lock (no Qt needed, so it can come before any window); False if another
        calftimer holds it."""
        self._data_dir.mkdir(parents=True, exist_ok=True)
        handle = open(self._data_dir / LOCK_NAME, "a+b")  # noqa: SIM115  (held for our life)
        if not try_lock(handle):
            handle.close()
            return False
        handle.seek(0)
        handle.truncate()
        handle.write(str(os.getpid()).encode())
        handle.flush()
        self._lock_handle = handle
        return True

    def hand_over(self, argv: list[str]) -> None:
        """Pass ``argv`` to the running calftimer (needs a QCoreApplication, not a display)."""
        if not self._hand_over(argv):
            raise RuntimeError(
                f"calftimer is already running with the data folder {self._data_dir}, "
                "but it did not answer. Close it (or wait a moment) and try again."
            )

    def listen(self) -> None:
        """Answer later launches; the app calls this after its first paint."""
        from PySide6.QtNetwork import QLocalServer

        # A socket file left by a crashed instance would make listen() fail: the lock proves
        # nobody owns it now, so remove it first.
        QLocalServer.removeServer(self._name)
        self._server = QLocalServer(self)
        self._server.newConnection.connect(self._on_server_new_connection)
        if not self._server.listen(self._name):
            # Still the only instance (we hold the lock); just unreachable by a second launch.
            self._server = None

    def release(self) -> None:
        if self._server is not None:
            self._server.close()
            self._server = None
        if self._lock_handle is not None:
            with contextlib.suppress(OSError):
                self._lock_handle.close()
            self._lock_handle = None

    def _hand_over(self, argv: list[str]) -> bool:
        from PySide6.QtNetwork import QLocalSocket

        socket = QLocalSocket()
        socket.connectToServer(self._name)
        if not socket.waitForConnected(CONNECT_TIMEOUT_MS):
            return False
        socket.write(json.dumps({"argv": argv}).encode() + b"\n")
        socket.flush()
        # waitForBytesWritten is False when flush() already sent everything: not an error.
        socket.waitForBytesWritten(CONNECT_TIMEOUT_MS)
        answer = b""
        while b"\n" not in answer and socket.waitForReadyRead(CONNECT_TIMEOUT_MS):
            answer += bytes(socket.readAll().data())
        socket.disconnectFromServer()
        return answer.startswith(b"ok")

    def _on_server_new_connection(self) -> None:
        if self._server is None:
            return  # closed while the connection was queued
        while (socket := self._server.nextPendingConnection()) is not None:
            self._answer(socket)

    def _answer(self, socket: QLocalSocket) -> None:
        """Read the one line a second launch sends and acknowledge it.

        Done synchronously: the client writes as soon as it connects, so this waits
        milliseconds. The socket stays a child of the server and goes with it; deleting it
        from its own signal handlers crashed in tests.
        """
        line = b""
        while b"\n" not in line and (socket.bytesAvailable() or socket.waitForReadyRead(500)):
            line += bytes(socket.readAll().data())
        try:
            argv = json.loads(line).get("argv", [])
            if not isinstance(argv, list):
                raise ValueError
        except (ValueError, AttributeError):
            socket.write(b"error\n")
            socket.waitForBytesWritten(200)
            socket.disconnectFromServer()
            return
        socket.write(b"ok\n")
        socket.flush()
        socket.waitForBytesWritten(200)  # a few bytes on a local socket: effectively instant
        socket.disconnectFromServer()
        self.activated.emit([str(a) for a in argv])
