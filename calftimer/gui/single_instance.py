"""One running calftimer per data folder: a second launch hands over to the first and exits.

The first instance holds an OS lock on ``<data>/calftimer.lock`` (released by the OS if the
process dies, so a crash never leaves a stale lock) and listens on a local socket. A second
launch fails to take the lock, connects to the socket, sends its arguments (for example
``--start foundation``) and exits; the first raises its window and acts on them.

The first instance holds the lock long before it can act (its window, sounds and history load
first). So, on Unix, the socket is bound and listening the moment the lock is taken: a second
launch in that gap connects at once and waits, up to ``HAND_OVER_WAIT_S`` on the monotonic
clock, for the answer, which comes as soon as the first's event loop runs. Hand-overs that
arrive before the app says it is ready (``hold_until_ready``) are acknowledged and kept, then
acted on by ``mark_ready``. Where the socket cannot listen that early (Windows' named pipes),
the second launch retries connecting with a growing pause until the same deadline.
"""

from __future__ import annotations

import contextlib
import os
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import IO, TYPE_CHECKING, Any

from PySide6.QtCore import QObject, Signal

if TYPE_CHECKING:
    from PySide6.QtNetwork import QLocalServer, QLocalSocket

from calftimer.core.atomic import try_lock
from calftimer.core.i18n import _

LOCK_NAME = "calftimer.lock"
CONNECT_TIMEOUT_MS = 1500
# How long a second launch waits for the first to answer: the first may still be starting (its
# window is built and its history opened before its event loop runs).
HAND_OVER_WAIT_S = 8.0
# Pauses between connection attempts where the socket cannot listen at once (see above).
RETRY_FIRST_PAUSE_S = 0.02
RETRY_MAX_PAUSE_S = 0.25


def server_name(data_dir: Path) -> str:
    """A socket name unique to this user and data folder."""
    who = str(os.getuid()) if hasattr(os, "getuid") else os.environ.get("USERNAME", "")
    digest = _sha256(f"{who}:{data_dir.resolve()}".encode()).hexdigest()[:16]
    return f"calftimer-{digest}"


def _sha256(data: bytes) -> Any:
    """SHA-256 from CPython's own C module where there is one: the name is needed before the
    window's first paint, and ``hashlib`` (OpenSSL) takes ~2.5 ms to import there. The digest
    is the same either way."""
    try:
        from _sha256 import sha256  # type: ignore[import-not-found]  # Python 3.11
    except ImportError:
        try:
            from _sha2 import sha256  # type: ignore[import-not-found]  # Python 3.12 and later
        except ImportError:
            from hashlib import sha256
    return sha256(data)


class SingleInstance(QObject):
    """``acquire()`` once at start-up: True means this is the only instance and it listens."""

    activated = Signal(list)  # the arguments a second launch handed over

    def __init__(
        self,
        data_dir: Path,
        parent: QObject | None = None,
        *,
        clock: Callable[[], float] = time.monotonic,
        pause: Callable[[float], None] = time.sleep,
        listen_early: bool = sys.platform != "win32",
    ) -> None:
        super().__init__(parent)
        self._data_dir = data_dir
        self._name = server_name(data_dir)
        self._lock_handle: IO[bytes] | None = None
        self._server: QLocalServer | None = None
        self._early_socket: int | None = None  # a listening descriptor for the server to adopt
        self._held: list[list[str]] | None = None  # hand-overs kept until mark_ready()
        self._clock = clock  # seconds, monotonic
        self._pause = pause
        self._listen_early_wanted = listen_early

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
        self._listen_early()
        return True

    def _listen_early(self) -> None:
        """Listen on the socket right away (Unix), before Qt's server exists: a second launch
        connecting now is queued by the system and answered once the event loop runs."""
        # The C module behind ``socket``: this runs before the first paint, and it imports in
        # 0.4 ms where ``socket`` takes 3 ms.
        import _socket

        if not self._listen_early_wanted or not hasattr(_socket, "AF_UNIX"):
            return  # named pipes: listen() makes them; a second launch retries until then
        from PySide6.QtCore import QDir  # where QLocalServer puts the socket of a plain name

        path = os.path.join(QDir.tempPath(), self._name)
        sock = _socket.socket(_socket.AF_UNIX, _socket.SOCK_STREAM)
        try:
            # A socket file left by a crashed instance: the lock proves nobody owns it now.
            with contextlib.suppress(FileNotFoundError):
                os.unlink(path)
            sock.bind(path)
            sock.listen(16)
            sock.setblocking(False)  # as Qt's own listening sockets are
        except OSError:
            sock.close()  # too long a path, say: listen() tries Qt's way later
            return
        self._early_socket = sock.detach()

    def hold_until_ready(self) -> None:
        """Acknowledge hand-overs at once but keep them until ``mark_ready``: the app cannot
        start a program before its history is open."""
        if self._held is None:
            self._held = []

    def mark_ready(self) -> None:
        """Act on the hand-overs kept so far (in order) and on later ones as they come."""
        held, self._held = self._held or [], None
        for argv in held:
            self.activated.emit(argv)

    def hand_over(self, argv: list[str], wait_s: float = HAND_OVER_WAIT_S) -> None:
        """Pass ``argv`` to the running calftimer (needs a QCoreApplication, not a display),
        waiting up to ``wait_s`` for it to answer: it may still be starting."""
        if not self._hand_over_by(argv, self._clock() + wait_s):
            raise RuntimeError(
                _(
                    "calftimer is already running with the data folder {folder}, but it did "
                    "not answer. Close it (or wait a moment) and try again."
                ).format(folder=self._data_dir)
            )

    def listen(self) -> None:
        """Answer later launches (needs a QCoreApplication); the app calls this as soon as it
        has one."""
        from PySide6.QtNetwork import QLocalServer

        self._server = QLocalServer(self)
        self._server.newConnection.connect(self._on_server_new_connection)
        early, self._early_socket = self._early_socket, None
        if early is not None and self._server.listen(early):
            return  # connections queued since the lock was taken are answered now
        if early is not None:
            with contextlib.suppress(OSError):
                os.close(early)
        # A socket file left by a crashed instance would make listen() fail: the lock proves
        # nobody owns it now, so remove it first.
        QLocalServer.removeServer(self._name)
        if not self._server.listen(self._name):
            # Still the only instance (we hold the lock); just unreachable by a second launch.
            self._server = None

    def release(self) -> None:
        if self._early_socket is not None:  # locked but never listened: a start that failed
            with contextlib.suppress(OSError):
                os.close(self._early_socket)
            self._early_socket = None
        if self._server is not None:
            self._server.close()
            self._server = None
        if self._lock_handle is not None:
            with contextlib.suppress(OSError):
                self._lock_handle.close()
            self._lock_handle = None

    def _ms_left(self, deadline: float) -> int:
        return max(0, int((deadline - self._clock()) * 1000))

    def _hand_over_by(self, argv: list[str], deadline: float) -> bool:
        """Connect (retrying while nobody listens yet), send ``argv``, wait for "ok"; all
        before ``deadline`` on the monotonic clock."""
        from PySide6.QtNetwork import QLocalSocket

        socket = QLocalSocket()
        pause = RETRY_FIRST_PAUSE_S
        while True:
            socket.connectToServer(self._name)
            if socket.waitForConnected(min(CONNECT_TIMEOUT_MS, max(1, self._ms_left(deadline)))):
                break
            socket.abort()
            left = deadline - self._clock()
            if left <= 0:
                return False
            # Nobody listens yet (the first is still starting): no way to be told when it
            # does, so try again after a pause that grows, never past the deadline.
            self._pause(min(pause, left))
            pause = min(pause * 2, RETRY_MAX_PAUSE_S)
        import json

        socket.write(json.dumps({"argv": argv}).encode() + b"\n")
        socket.flush()
        # waitForBytesWritten is False when flush() already sent everything: not an error.
        socket.waitForBytesWritten(max(1, self._ms_left(deadline)))
        answer = b""
        # Blocks on the socket itself: the answer wakes it as soon as the first's loop runs.
        while b"\n" not in answer and (left_ms := self._ms_left(deadline)) > 0:
            if not socket.waitForReadyRead(left_ms):
                break
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
        import json

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
        if self._held is not None:
            self._held.append([str(a) for a in argv])  # acted on by mark_ready()
            return
        self.activated.emit([str(a) for a in argv])


def start_argument(argv: list[str]) -> str | None:
    """The value of ``--start ID|FILE`` or ``--start=ID|FILE`` in a second launch's arguments."""
    for i, arg in enumerate(argv):
        if arg == "--start" and i + 1 < len(argv):
            return argv[i + 1]
        if arg.startswith("--start="):
            return arg.split("=", 1)[1]
    return None
