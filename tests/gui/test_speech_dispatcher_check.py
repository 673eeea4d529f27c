"""A running speech-dispatcher is asked a question, with a time limit, before Qt's engine is
made: one that does not answer would otherwise freeze the whole app (Qt's engine waits for it
holding Python's lock). Real unix sockets in a temporary folder stand in for it."""

from __future__ import annotations

import contextlib
import json
import socket
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from calftimer.gui.sound.speech import speech_dispatcher_problem, speech_dispatcher_socket
from tests.gui.probe_run import run_probe


@pytest.fixture
def short_dir() -> Iterator[Path]:
    # A unix socket's path must be short (108 bytes): pytest's tmp_path can be longer.
    import tempfile

    folder = Path(tempfile.mkdtemp(prefix="ct-sd-", dir="/tmp"))
    yield folder
    for item in folder.iterdir():
        item.unlink()
    folder.rmdir()


def serve(path: Path, reply: bytes | None) -> tuple[socket.socket, threading.Thread]:
    """A listening socket that answers each line with ``reply`` (None: never answers)."""
    server = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    server.bind(str(path))
    server.listen(1)

    def run() -> None:
        connection, _ = server.accept()
        with connection:
            connection.recv(256)
            if reply is not None:
                connection.sendall(reply)
            connection.settimeout(2)
            with contextlib.suppress(OSError):
                connection.recv(256)  # QUIT, or the client going away

    thread = threading.Thread(target=run, daemon=True)
    thread.start()
    return server, thread


def test_one_that_answers_is_used(short_dir: Path) -> None:
    path = short_dir / "speechd.sock"
    server, thread = serve(path, b"208 OK CLIENT NAME SET\r\n")
    try:
        assert speech_dispatcher_problem(path, timeout_s=5) is None
    finally:
        thread.join(5)
        server.close()


def test_one_that_does_not_answer_is_not_used_and_the_wait_is_bounded(short_dir: Path) -> None:
    path = short_dir / "speechd.sock"
    server, thread = serve(path, None)
    try:
        began = time.monotonic()
        problem = speech_dispatcher_problem(path, timeout_s=0.2)
        waited = time.monotonic() - began
    finally:
        server.close()
        thread.join(5)
    assert problem == "waited 0.2 s"  # the advice: "... but it did not answer (waited 0.2 s)"
    assert waited < 2


def test_an_error_answer_is_named(short_dir: Path) -> None:
    path = short_dir / "speechd.sock"
    server, thread = serve(path, b"510 ERR INVALID COMMAND\r\n")
    try:
        problem = speech_dispatcher_problem(path, timeout_s=5)
    finally:
        thread.join(5)
        server.close()
    assert problem == "510 ERR INVALID COMMAND"


def test_none_running_or_a_socket_left_behind_lets_libspeechd_start_one(short_dir: Path) -> None:
    assert speech_dispatcher_problem(short_dir / "absent.sock") is None
    stale = short_dir / "stale.sock"
    left = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    left.bind(str(stale))
    left.close()  # the file stays, nobody listens: connecting is refused
    assert stale.exists()
    assert speech_dispatcher_problem(stale) is None


def test_the_socket_is_found_as_libspeechd_finds_it() -> None:
    assert speech_dispatcher_socket({"SPEECHD_ADDRESS": "unix_socket:/run/x/sd.sock"}) == Path(
        "/run/x/sd.sock"
    )
    assert speech_dispatcher_socket({"SPEECHD_ADDRESS": "inet_socket:127.0.0.1:6560"}) is None
    assert speech_dispatcher_socket({"XDG_RUNTIME_DIR": "/run/user/1000"}) == Path(
        "/run/user/1000/speech-dispatcher/speechd.sock"
    )
    assert speech_dispatcher_socket({}) is None


def test_one_that_stops_answering_after_the_check_leaves_the_window_running(
    short_dir: Path,
) -> None:
    """It answers the check, then never answers libspeechd (as one whose voice module died
    did here): the speech thread waits, the window's thread goes on, and the system voice is
    given up after its start time-out, with the advice (``speechd_silent_probe``)."""
    path = short_dir / "speechd.sock"
    server = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    server.bind(str(path))
    server.listen(4)
    server.settimeout(30)
    held: list[socket.socket] = []

    def run() -> None:
        with contextlib.suppress(OSError):
            for answers in (True, False):
                connection, _ = server.accept()
                connection.recv(256)
                if answers:
                    connection.sendall(b"208 OK CLIENT NAME SET\r\n")
                    connection.close()
                else:
                    held.append(connection)  # read, never answered

    thread = threading.Thread(target=run, daemon=True)
    thread.start()
    try:
        result = run_probe("speechd_silent_probe", {"SPEECHD_ADDRESS": f"unix_socket:{path}"})
    finally:
        # Only now, with its client gone: libspeechd crashes when the other end hangs up mid-answer.
        for connection in held:
            connection.close()
        server.close()
        thread.join(5)
    assert result.returncode == 0, result.stderr[-3000:]
    report = json.loads(result.stdout.strip().splitlines()[-1])
    assert held, "libspeechd never connected after the check"
    assert report["state"] == "failed", report
    assert "did not answer (waited 1.5 s)" in report["advice"], report
    assert report["ticks"] >= 15, report  # the window's thread ran all along (30 in 1.5 s)
