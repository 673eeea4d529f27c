"""One calftimer per data folder: a second launch hands over its arguments and exits; a lock
left by a killed process never blocks the next start. Uses real processes and sockets."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from calftimer.gui.single_instance import SingleInstance

SECOND_LAUNCH = textwrap.dedent(
    """
    import sys
    from pathlib import Path
    from PySide6.QtCore import QCoreApplication
    from calftimer.gui.single_instance import SingleInstance
    app = QCoreApplication([])
    instance = SingleInstance(Path(sys.argv[1]))
    if "--say-trying" in sys.argv:
        print("trying", flush=True)
    try:
        first = instance.acquire(sys.argv[2:])
    except RuntimeError as exc:
        print("error", exc)
        raise SystemExit(3)
    print("first" if first else "handed-over", flush=True)
    if first and "--hold" in sys.argv:
        print("holding", flush=True)
        sys.stdin.readline()
    """
)


def launch(
    data_dir: Path, *args: str, hold: bool = False, say_trying: bool = False
) -> subprocess.Popen[str]:
    env = dict(os.environ, QT_QPA_PLATFORM="offscreen")
    extra = ["--hold"] if hold else []
    extra += ["--say-trying"] if say_trying else []
    return subprocess.Popen(
        [sys.executable, "-c", SECOND_LAUNCH, str(data_dir), *args, *extra],
        stdout=subprocess.PIPE,
        stdin=subprocess.PIPE,
        text=True,
        env=env,
    )


@pytest.mark.slow
def test_a_second_launch_hands_its_arguments_to_the_running_instance(qtbot, tmp_path) -> None:
    first = SingleInstance(tmp_path)
    assert first.acquire([])
    try:
        with qtbot.waitSignal(first.activated, timeout=15_000) as handed:
            second = launch(tmp_path, "--start", "foundation")
            # The event loop keeps running inside waitSignal, so the server can answer.
        qtbot.waitUntil(lambda: second.poll() is not None, timeout=15_000)
        out, _ = second.communicate(timeout=15)
        assert second.returncode == 0
        assert out.strip() == "handed-over"
        assert handed.args[0][-2:] == ["--start", "foundation"]
    finally:
        first.release()


@pytest.mark.slow
def test_a_lock_left_by_a_killed_instance_does_not_block_the_next_start(tmp_path) -> None:
    holder = launch(tmp_path, hold=True)
    assert holder.stdout is not None
    assert holder.stdout.readline().strip() == "first"
    assert holder.stdout.readline().strip() == "holding"
    os.kill(holder.pid, signal.SIGKILL)
    holder.wait(timeout=10)
    assert (tmp_path / "calftimer.lock").exists()  # the file stays; its OS lock died with it
    fresh = SingleInstance(tmp_path)
    try:
        assert fresh.acquire([])
    finally:
        fresh.release()


def test_different_data_folders_do_not_collide(tmp_path) -> None:
    a, b = SingleInstance(tmp_path / "a"), SingleInstance(tmp_path / "b")
    try:
        assert a.acquire([]) and b.acquire([])
    finally:
        a.release()
        b.release()


@pytest.mark.slow
def test_a_second_launch_without_a_display_hands_over_and_exits(qtbot, tmp_path) -> None:
    """Started over SSH from a phone: no display, yet --start reaches the running window."""
    first = SingleInstance(tmp_path)
    assert first.acquire([])
    env = {k: v for k, v in os.environ.items() if k not in ("DISPLAY", "WAYLAND_DISPLAY")}
    env.pop("QT_QPA_PLATFORM", None)  # a real launcher: no offscreen fallback
    try:
        with qtbot.waitSignal(first.activated, timeout=20_000) as handed:
            second = subprocess.Popen(
                [
                    sys.executable,
                    "-m",
                    "calftimer",
                    "--data-dir",
                    str(tmp_path),
                    "--start",
                    "isometric",
                ],
                stdout=subprocess.PIPE,
                stderr=subprocess.PIPE,
                text=True,
                env=env,
            )
        qtbot.waitUntil(lambda: second.poll() is not None, timeout=20_000)
        out, err = second.communicate(timeout=10)
        assert second.returncode == 0, err
        assert "already running" in out
        assert handed.args[0][-2:] == ["--start", "isometric"]
    finally:
        first.release()


@pytest.mark.slow
def test_a_hand_over_before_the_app_is_ready_is_answered_and_acted_on_once_ready(
    qtbot, tmp_path
) -> None:
    """The first instance answers at once, but starts nothing before it can record it."""
    first = SingleInstance(tmp_path)
    assert first.take_lock()
    first.hold_until_ready()
    first.listen()
    received: list[list[str]] = []
    first.activated.connect(received.append)
    second = launch(tmp_path, "--start", "foundation")
    try:
        qtbot.waitUntil(lambda: second.poll() is not None, timeout=15_000)
        out, _ = second.communicate(timeout=15)
        assert second.returncode == 0
        assert out.strip() == "handed-over"
        assert received == []  # acknowledged, but held: the history is not open yet
        first.mark_ready()
        assert [argv[-2:] for argv in received] == [["--start", "foundation"]]
    finally:
        if second.poll() is None:
            second.kill()
            second.communicate(timeout=10)
        first.release()


@pytest.mark.slow
def test_a_second_launch_retries_until_a_first_that_listens_late_answers(qtbot, tmp_path) -> None:
    """Where the socket cannot listen as the lock is taken (Windows' named pipes, tried here
    on this system), the second launch keeps trying until the first listens."""
    first = SingleInstance(tmp_path, listen_early=False)
    assert first.take_lock()
    second = launch(tmp_path, "--start", "isometric", say_trying=True)
    try:
        assert second.stdout is not None
        assert second.stdout.readline().strip() == "trying"
        qtbot.wait(300)  # the first is still starting: nobody listens (the gap under test)
        assert second.poll() is None, "the second launch must wait for the first"
        with qtbot.waitSignal(first.activated, timeout=15_000) as handed:
            first.listen()
        qtbot.waitUntil(lambda: second.poll() is not None, timeout=15_000)
        out, _ = second.communicate(timeout=15)
        assert second.returncode == 0
        assert out.strip() == "handed-over"
        assert handed.args[0][-3:-1] == ["--start", "isometric"]
    finally:
        if second.poll() is None:
            second.kill()
            second.communicate(timeout=10)
        first.release()


def test_a_second_launch_gives_up_at_its_deadline_with_growing_pauses(qapp, tmp_path) -> None:
    """Nobody ever answers: the launch stops trying when its time is up (injected clock),
    pausing between attempts for longer each time, never past the deadline."""
    now = [100.0]
    pauses: list[float] = []

    def pause(seconds: float) -> None:
        pauses.append(seconds)
        now[0] += seconds

    lonely = SingleInstance(tmp_path, clock=lambda: now[0], pause=pause)
    with pytest.raises(RuntimeError, match="did not answer"):
        lonely.hand_over(["--start", "foundation"], wait_s=2.0)
    assert now[0] == pytest.approx(102.0)
    assert pauses[:5] == pytest.approx([0.02, 0.04, 0.08, 0.16, 0.25])
    assert max(pauses) <= 0.25
    assert len(pauses) < 15  # a handful of attempts, not a busy loop
