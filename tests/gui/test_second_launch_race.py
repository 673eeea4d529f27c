"""Two real ``python -m calftimer`` processes started close together on one data folder.

The first holds the single-instance lock from its first moments, long before its window and
history are ready. A second launch in that gap must still hand its ``--start`` over (waiting a
bounded time for the first to answer) and the first must start that program once it can record
it. Everything here is observed from outside: exit codes, printed lines, files on disk.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

WAIT_MS = 30_000  # generous: two Qt processes starting on a shared, loaded machine


def started_programs(data_dir: Path) -> list[str]:
    """The program of every session file the running app has written so far."""
    found = []
    for path in (data_dir / "history" / "sessions").glob("*.json"):
        try:
            doc = json.loads(path.read_bytes())
        except (OSError, ValueError):
            continue  # being replaced right now: read again at the next poll
        found.append(doc["session"]["program_id"])
    return found


def lock_holder(data_dir: Path) -> str:
    try:
        return (data_dir / "calftimer.lock").read_text()
    except OSError:
        return ""


# A second launch that has done its imports and waits for a line on stdin: then it runs the
# same main() as ``python -m calftimer`` at once, so a test can place it to the millisecond
# (a cold Python start alone takes longer than the gap under test).
PRIMED_LAUNCH = textwrap.dedent(
    """
    import sys
    import calftimer.app, calftimer.gui.main_window, calftimer.gui.single_instance
    import PySide6.QtNetwork, PySide6.QtWidgets
    args = sys.argv[1:]
    print("primed", flush=True)
    sys.stdin.readline()
    sys.argv = ["calftimer", *args]
    sys.exit(calftimer.app.main(args))
    """
)


@pytest.fixture
def launch(tmp_path) -> Iterator[Callable[..., subprocess.Popen[str]]]:
    """Start ``python -m calftimer --data-dir <tmp> ARGS`` offscreen; every process started is
    ended when the test ends, whatever happened."""
    processes: list[subprocess.Popen[str]] = []
    env = dict(os.environ, QT_QPA_PLATFORM="offscreen")
    env.pop("CALFTIMER_DATA_DIR", None)

    def start(*args: str, primed: bool = False) -> subprocess.Popen[str]:
        how = ["-c", PRIMED_LAUNCH] if primed else ["-m", "calftimer"]
        process = subprocess.Popen(
            [sys.executable, *how, "--data-dir", str(tmp_path / "data"), *args],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
            env=env,
        )
        processes.append(process)
        return process

    yield start
    for process in processes:
        if process.poll() is None:
            process.kill()
        process.communicate(timeout=10)


@pytest.mark.slow
@pytest.mark.parametrize("delay_ms", [0, 100, 200])
def test_a_second_launch_while_the_first_is_still_starting_hands_over_its_program(
    qtbot, tmp_path, launch, delay_ms
) -> None:
    data_dir = tmp_path / "data"
    second = launch("--start", "foundation", primed=True)
    assert second.stdout is not None and second.stdin is not None
    assert second.stdout.readline().strip() == "primed"
    first = launch()
    # The moment the first holds the lock (its pid is in the lock file): from here until its
    # window and history are ready, a second launch used to find nobody answering.
    qtbot.waitUntil(lambda: lock_holder(data_dir) == str(first.pid), timeout=WAIT_MS)
    if delay_ms:
        qtbot.wait(delay_ms)  # the gap under test, not a wait for a result
    second.stdin.write("go\n")
    second.stdin.flush()
    qtbot.waitUntil(lambda: second.poll() is not None, timeout=WAIT_MS)
    out, err = second.communicate(timeout=10)
    assert second.returncode == 0, err
    assert "already running" in out and "handed over" in out, out
    # The first really starts the program: its session file appears on disk.
    qtbot.waitUntil(lambda: started_programs(data_dir) == ["foundation"], timeout=WAIT_MS)
    assert first.poll() is None, "the first calftimer must keep running"


@pytest.mark.slow
def test_two_launches_at_the_same_moment_end_with_one_window_running_the_program(
    qtbot, tmp_path, launch
) -> None:
    """Started together, either may win the lock: the other hands over and exits 0."""
    data_dir = tmp_path / "data"
    plain = launch()
    starting = launch("--start", "isometric")
    qtbot.waitUntil(
        lambda: (plain.poll() is not None) or (starting.poll() is not None), timeout=WAIT_MS
    )
    ended = plain if plain.poll() is not None else starting
    running = starting if ended is plain else plain
    out, err = ended.communicate(timeout=10)
    assert ended.returncode == 0, err
    assert "already running" in out, out
    if ended is starting:
        assert "--start isometric was handed over" in out, out
    qtbot.waitUntil(lambda: started_programs(data_dir) == ["isometric"], timeout=WAIT_MS)
    assert running.poll() is None
