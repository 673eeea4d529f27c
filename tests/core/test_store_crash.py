"""Crash consistency with real processes: SIGKILL a process that records sets, at random moments.

A worker (``store_worker.py crash``) opens the store and records sets in a loop, printing each
id only after ``add_set`` (or ``merge_sessions``, ``begin_session``, ``end_session``) returned.
The test kills it with SIGKILL at a random moment, reaps it, opens the store and checks that
every printed record is there, that nothing was reported damaged, and that the temp files the
kill left behind were cleaned up. The data folder is reused, so the history grows from kill to
kill. To keep the test short, workers are forked from a warm fork server (``store_worker.py
zygote``, which has imported only calftimer.core) instead of starting an interpreter each time
(every 50th kill still does), and two lanes with a data folder each run side by side.
"""

from __future__ import annotations

import contextlib
import os
import random
import signal
import socket
import subprocess
import sys
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import BinaryIO

import pytest

from calftimer.core.store import Store

pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(sys.platform == "win32", reason="SIGKILL is POSIX"),
]

REPO = Path(__file__).resolve().parents[2]
WORKER = Path(__file__).with_name("store_worker.py")
KILLS = 200  # the issue asks for at least 200
LANES = 2


@dataclass
class Lane:
    root: Path
    seed: int
    kills: int = 0
    killed_after_output: int = 0
    killed_during_startup: int = 0
    lines: int = 0
    temp_files_left: int = 0
    sets: set[str] = field(default_factory=set)
    sessions: set[str] = field(default_factory=set)
    finished: set[str] = field(default_factory=set)


def worker_env() -> dict[str, str]:
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(REPO), env.get("PYTHONPATH")]))
    return env


def temp_files(root: Path) -> list[Path]:
    history = root / "history"
    return list(history.rglob(".*.tmp")) if history.is_dir() else []


class Zygote:
    """A warm fork server (``store_worker.py zygote``): each worker is a fresh child process
    forked after the imports, so a kill costs milliseconds instead of an interpreter start."""

    def __init__(self, env: dict[str, str]) -> None:
        self.sock, theirs = socket.socketpair(socket.AF_UNIX, socket.SOCK_DGRAM)
        self.proc = subprocess.Popen(
            [sys.executable, str(WORKER), "zygote", str(theirs.fileno())],
            pass_fds=[theirs.fileno()],
            stdin=subprocess.DEVNULL,
            stdout=subprocess.DEVNULL,
            env=env,
        )
        theirs.close()
        self.sock.settimeout(60)

    def fork(self, root: Path, seed: int) -> tuple[int, BinaryIO]:
        read_end, write_end = os.pipe()
        try:
            socket.send_fds(self.sock, [f"fork {root} {seed}".encode()], [write_end])
        finally:
            os.close(write_end)  # the child holds the only write end: EOF when it dies
        return int(self.sock.recv(64)), os.fdopen(read_end, "rb")

    def wait(self, pid: int) -> int:
        self.sock.send(f"wait {pid}".encode())
        return int(self.sock.recv(64))

    def close(self) -> None:
        with contextlib.suppress(OSError):
            self.sock.send(b"quit")
        try:
            self.proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()
        self.sock.close()


def kill_once(lane: Lane, rng: random.Random, zygote: Zygote, env: dict[str, str]) -> None:
    seed = rng.randrange(2**32)
    proc = None
    if lane.kills % 50 == 0:  # now and then a worker in a brand-new interpreter
        proc = subprocess.Popen(
            [sys.executable, str(WORKER), "crash", str(lane.root), str(seed)],
            stdin=subprocess.DEVNULL,
            stdout=subprocess.PIPE,
            env=env,
        )
        assert proc.stdout is not None
        pid, stdout = proc.pid, proc.stdout
    else:
        pid, stdout = zygote.fork(lane.root, seed)
    head: list[bytes] = []
    how = rng.random()
    try:
        if how < 0.15:  # anywhere from the start, Store.open included
            time.sleep(rng.uniform(0.0, 0.03))
        elif how < 0.6:  # a random moment after the first save returned
            head.append(stdout.readline())
            time.sleep(rng.uniform(0.0, 0.06))
        else:  # right after a random number of saves returned
            for _ in range(rng.randint(1, 40)):
                head.append(stdout.readline())
    finally:
        os.kill(pid, signal.SIGKILL)
        rest = stdout.read()
        stdout.close()
        # Reap it before opening the store: a zombie still "owns" its temp files.
        code = proc.wait() if proc is not None else zygote.wait(pid)
    assert code == -signal.SIGKILL, f"the worker exited with {code} before the kill"
    out = b"".join(head) + rest
    lines = [line.split() for line in out.decode().split("\n")[:-1]]  # complete lines only
    lane.kills += 1
    lane.lines += len(lines)
    if lines:
        lane.killed_after_output += 1
    else:
        lane.killed_during_startup += 1
    for kind, *ids in lines:
        if kind == "S":
            lane.sets.add(ids[1])
        elif kind == "M":
            lane.sessions.add(ids[0])
            lane.sets.update(ids[1:])
        elif kind == "B":
            lane.sessions.add(ids[0])
        elif kind == "E":
            lane.finished.add(ids[0])
        else:
            raise AssertionError(f"unexpected worker output {kind!r}")


def check_store(lane: Lane) -> None:
    lane.temp_files_left += len(temp_files(lane.root))
    store = Store.open(lane.root)
    assert store.notices == [], [n.message for n in store.notices]
    assert not (lane.root / "damaged").exists()
    missing = lane.sets - {r["id"] for s in store.sessions() for r in s["sets"]}
    assert not missing, f"{len(missing)} saved sets lost after kill {lane.kills}"
    sessions = {s["id"]: s for s in store.sessions()}
    assert lane.sessions <= set(sessions)
    assert all(sessions[sid]["status"] == "finished" for sid in lane.finished)
    # The killed worker's temp files were adopted or removed; none break or linger.
    assert temp_files(lane.root) == []


def run_lane(lane: Lane, kills: int, errors: list[BaseException]) -> None:
    rng = random.Random(lane.seed)
    env = worker_env()
    zygote = Zygote(env)
    try:
        for _ in range(kills):
            kill_once(lane, rng, zygote, env)
            check_store(lane)
    except BaseException as exc:  # reported by the main thread
        errors.append(exc)
    finally:
        zygote.close()


def test_sigkill_at_random_moments_never_loses_a_saved_record(tmp_path: Path) -> None:
    lanes = [Lane(tmp_path / f"lane{n}", seed=20261115 + n) for n in range(LANES)]
    errors: list[BaseException] = []
    threads = [
        threading.Thread(target=run_lane, args=(lane, KILLS // LANES, errors)) for lane in lanes
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    if errors:
        raise errors[0]

    assert sum(lane.kills for lane in lanes) >= KILLS
    # The kills really landed at different moments: during start-up, and mid-recording with
    # a save in flight (a temp file left behind) many times over.
    assert sum(lane.killed_during_startup for lane in lanes) > 0
    assert sum(lane.killed_after_output for lane in lanes) > KILLS // 2
    assert sum(lane.temp_files_left for lane in lanes) > 0
    for lane in lanes:
        store = Store.open(lane.root)
        assert len(lane.sets) > 10 * lane.kills // 2  # the history grew across the kills
        assert lane.sets <= {r["id"] for s in store.sessions() for r in s["sets"]}
    print(
        "crash test:",
        *(
            f"{lane.root.name}: {lane.kills} kills ({lane.killed_during_startup} in start-up), "
            f"{len(lane.sets)} sets saved, {lane.temp_files_left} temp files left by kills"
            for lane in lanes
        ),
        sep="\n  ",
    )
