"""Subprocess entry point for the store's multi-process and crash tests (no Qt, core only).

Run as ``python tests/core/store_worker.py MODE DATA_DIR ...`` with the repository on
``PYTHONPATH``. Every line is printed and flushed only *after* the store call it reports has
returned, so the parent may treat each printed id as durably saved.

Modes:

``writer DATA_DIR TAG N MONTH``
    Opens the store, prints ``ready``, waits for one line on stdin (a start barrier), then
    records N sets into its own new session and after each set merges one imported session
    into the archive of MONTH. Prints ``S <session> <set>`` per set, ``M <session> <set>`` per
    merged session, ``E <session>`` when its session is finished and ``done`` at the end.

``crash DATA_DIR SEED``
    Continues the newest running session (or begins one) and records sets until killed. Every
    seventh set it also merges an imported two-set session into one of three month archives,
    and now and then it finishes its session and begins another. Prints ``B <session>``,
    ``S <session> <set>``, ``M <session> <set> <set>`` and ``E <session>``.

``opener DATA_DIR PAUSE``
    Opens the store and prints ``opened <sessions> <sets>``. With PAUSE ``1`` it stops as soon
    as it starts repairing a damaged file (it has read it and found it damaged, and is about to
    copy it to damaged/), prints ``recovering`` and
    waits for one line on stdin before going on. Whenever it finds the write lock taken by
    another process it prints ``waiting for the lock`` before waiting for it.

``zygote FD``
    A fork server for the crash test: imports the store once, then serves datagrams on the
    Unix socket FD. ``fork DATA_DIR SEED`` (with a pipe's write end attached) forks a child
    that runs ``crash`` with that pipe as stdout and replies with the child's pid;
    ``wait PID`` reaps the child and replies with its exit code (``-9`` after SIGKILL);
    ``quit`` ends. Forking from a warm process saves the interpreter start-up per kill.

The helpers (``make_record``, ``imported_session``) are also imported by the tests.
"""

from __future__ import annotations

import contextlib
import os
import random
import socket
import sys
import traceback
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from calftimer.core.exercise import Mode, Tempo
from calftimer.core.history import SessionDoc, new_session, set_doc
from calftimer.core.programs import Side
from calftimer.core.session import EndedBy, SetRecord
from calftimer.core.store import Store
from tests.set_records import work_set


def make_record(
    started_at: datetime,
    *,
    set_number: int = 1,
    exercise_id: str = "single_leg_calf_raise",
    mode: Mode = Mode.REPS,
    side: Side = Side.LEFT,
    planned: int = 15,
    done: int = 15,
    load_kg: float = 0.0,
    tempo: Tempo | None = Tempo(2, 1, 2, 0),  # noqa: B008  (frozen, immutable)
    seconds: float = 40.0,
    work_index: int | None = None,
) -> SetRecord:
    """A completed set that started at ``started_at`` and lasted ``seconds``. Its place in
    the program (``work_index``, which its id follows from) is ``set_number - 1`` unless given."""
    ms = int(seconds * 1000)
    work = work_set(
        index=set_number - 1 if work_index is None else work_index,
        exercise_id=exercise_id,
        mode=mode,
        set_number=set_number,
        sets=3,
        side=side,
        target=planned,
        load_kg=load_kg,
        tempo=tempo,
    )
    return SetRecord(
        work=work,
        done=done,
        time_under_tension_ms=ms if mode is Mode.TIME else ms - 1000,
        started_mono_ms=0,
        ended_mono_ms=ms,
        started_at=started_at,
        ended_at=started_at + timedelta(milliseconds=ms),
        ended_by=EndedBy.TIME,
    )


def imported_session(started_at: datetime, sets: int = 1, *, name: str = "Import") -> SessionDoc:
    """A finished session as it would arrive from an import or another device."""
    session = new_session("alfredson", name, started_at)
    for n in range(1, sets + 1):
        session["sets"].append(
            set_doc(make_record(started_at + timedelta(minutes=n), set_number=n))
        )
    session["status"] = "finished"
    session["ended_at"] = session["sets"][-1]["ended_at"] if sets else session["started_at"]
    return session


def place(n: int) -> dict[str, int]:
    """The ``n``-th set (from 0) of a long run: its own id, and a set number within the 1-20
    a program can have (the store refuses any other)."""
    return {"work_index": n, "set_number": n % 20 + 1}


def _say(line: str) -> None:
    sys.stdout.write(line + "\n")
    sys.stdout.flush()


def writer(root: Path, tag: str, n: int, month: str) -> None:
    store = Store.open(root)
    _say("ready")
    sys.stdin.readline()  # the parent starts every writer at once
    sid = store.begin_session(f"writer-{tag}", f"Writer {tag}", datetime.now(UTC))
    base = datetime.fromisoformat(f"{month}-01T06:00:00+00:00")
    for i in range(n):
        doc = store.add_set(sid, make_record(datetime.now(UTC), **place(i)))
        _say(f"S {sid} {doc['id']}")
        other = imported_session(base + timedelta(hours=i), name=f"{tag}-{i}")
        store.merge_sessions([other])
        _say(f"M {other['id']} {other['sets'][0]['id']}")
    store.end_session(sid, "finished", datetime.now(UTC))
    _say(f"E {sid}")
    _say("done")


def crash(root: Path, seed: int) -> None:
    rng = random.Random(seed)
    store = Store.open(root)
    running = [s for s in store.sessions() if s["status"] == "running"]
    sid = running[-1]["id"] if running else None
    if sid is not None and rng.random() < 0.2:
        store.end_session(sid, "finished", datetime.now(UTC))
        _say(f"E {sid}")
        sid = None
    if sid is None:
        sid = store.begin_session("crash", "Crash test", datetime.now(UTC))
        _say(f"B {sid}")
    # A set's id follows from its session and place in it (a redone set replaces itself), so
    # a worker continuing a session numbers its sets after the ones already saved.
    already = len(store.session(sid)["sets"])
    for i in range(1, 20_000):  # bounded in case the parent dies without killing us
        mode = Mode.TIME if i % 5 == 0 else Mode.REPS
        record = make_record(datetime.now(UTC), mode=mode, done=i % 20, **place(already + i - 1))
        doc = store.add_set(sid, record)
        _say(f"S {sid} {doc['id']}")
        if i % 7 == 0:
            month = rng.choice(("2025-01", "2025-02", "2025-03"))
            started = datetime.fromisoformat(f"{month}-{rng.randint(1, 28):02d}T07:00:00+00:00")
            other = imported_session(started, sets=2)
            store.merge_sessions([other])
            _say(f"M {other['id']} {other['sets'][0]['id']} {other['sets'][1]['id']}")
        if rng.random() < 0.03:
            store.end_session(sid, "finished", datetime.now(UTC))
            _say(f"E {sid}")
            sid = store.begin_session("crash", "Crash test", datetime.now(UTC))
            _say(f"B {sid}")


def opener(root: Path, pause: bool) -> None:
    import calftimer.core.store as store_module
    from calftimer.core.atomic import interprocess_lock, try_lock

    real_lock = interprocess_lock

    @contextlib.contextmanager
    def reporting_lock(path: Path) -> Iterator[Any]:
        with open(path, "a+b") as probe:
            if try_lock(probe):
                probe.close()  # closing drops the probe's lock: nothing is held from here
            else:
                _say("waiting for the lock")
        with real_lock(path) as handle:
            yield handle

    store_module.interprocess_lock = reporting_lock  # type: ignore[assignment]
    if pause:
        real_quarantine = Store._quarantine

        def paused_quarantine(self: Store, *args: Any, **kwargs: Any) -> Any:
            _say("recovering")
            sys.stdin.readline()
            return real_quarantine(self, *args, **kwargs)

        Store._quarantine = paused_quarantine  # type: ignore[method-assign]
    store = Store.open(root)
    sessions = store.sessions()
    _say(f"opened {len(sessions)} {sum(len(s['sets']) for s in sessions)}")


def zygote(fd: int) -> None:
    sock = socket.socket(fileno=fd)
    while True:
        msg, fds, _, _ = socket.recv_fds(sock, 4096, 1)
        command, *args = msg.decode().split() or ["quit"]
        if command == "fork":
            pid = os.fork()
            if pid == 0:  # the child: stdout is the pipe the parent reads
                code = 0
                try:
                    sock.close()
                    os.dup2(fds[0], 1)
                    os.close(fds[0])
                    crash(Path(args[0]), int(args[1]))
                except BaseException:
                    traceback.print_exc()
                    code = 1
                finally:
                    os._exit(code)
            os.close(fds[0])
            sock.send(str(pid).encode())
        elif command == "wait":
            _, status = os.waitpid(int(args[0]), 0)
            sock.send(str(os.waitstatus_to_exitcode(status)).encode())
        else:
            return


def main(argv: list[str]) -> None:
    mode = argv[0]
    if mode == "writer":
        writer(Path(argv[1]), argv[2], int(argv[3]), argv[4])
    elif mode == "crash":
        crash(Path(argv[1]), int(argv[2]))
    elif mode == "opener":
        opener(Path(argv[1]), argv[2] == "1")
    elif mode == "zygote":
        zygote(int(argv[1]))
    else:
        raise SystemExit(f"unknown mode {mode!r}")


if __name__ == "__main__":
    main(sys.argv[1:])
