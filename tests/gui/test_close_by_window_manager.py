"""Closing the window with the window manager's close button mid-session asks, as Esc does.

Offscreen Qt cannot produce the spontaneous close event a window manager causes, so this runs
the real window on a real X server (Xvfb) in a subprocess (close_by_window_manager.py) and sends
it WM_DELETE_WINDOW through the server, as a close button does."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from calftimer.gui.stop_question import QUESTION, TITLE

SCRIPT = Path(__file__).with_name("close_by_window_manager.py")
ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def x_display():
    """A private Xvfb; its display name. Ended (SIGKILL if need be) whatever happens."""
    if shutil.which("Xvfb") is None:
        pytest.skip("Xvfb is not installed")
    read, write = os.pipe()
    server = subprocess.Popen(
        # -noreset: a server resetting after its last client left drops one that connects then.
        [
            "Xvfb",
            "-displayfd",
            str(write),
            "-screen",
            "0",
            "1366x768x24",
            "-nolisten",
            "tcp",
            "-noreset",
        ],
        pass_fds=(write,),
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    os.close(write)
    try:
        with os.fdopen(read) as pipe:
            number = pipe.readline().strip()  # written once the server accepts clients
        if not number:
            pytest.skip("Xvfb did not start")
        yield f":{number}"
    finally:
        server.kill()
        server.wait(timeout=10)


@pytest.mark.slow
def test_the_close_button_asks_pauses_and_go_on_keeps_the_session(x_display, tmp_path) -> None:
    env = {
        **os.environ,
        "DISPLAY": x_display,
        "QT_QPA_PLATFORM": "xcb",
        "PYTHONPATH": str(ROOT),
    }
    env.pop("WAYLAND_DISPLAY", None)
    try:
        run = subprocess.run(
            [sys.executable, str(SCRIPT), str(tmp_path)],
            env=env,
            capture_output=True,
            text=True,
            timeout=60,
        )
    except subprocess.TimeoutExpired as exc:  # run() has killed it
        pytest.fail(f"the window did not quit: {exc.stderr}")
    if run.returncode != 0 and "xcb" in run.stderr:
        pytest.skip(f"Qt's xcb platform cannot start here: {run.stderr[-300:]}")
    assert run.returncode == 0, run.stderr
    seen = json.loads(run.stdout.strip().splitlines()[-1])
    assert seen["before"] == "running"
    first, second = seen["questions"]
    for asked in (first, second):
        assert (asked["title"], asked["text"]) == (TITLE, QUESTION)  # the question Esc asks
        assert asked["state"] == "paused"  # nothing runs on behind it
    assert seen["after_go_on"] == {"visible": True, "state": "running"}  # not closed
    assert seen["after_stop"] == {"visible": False, "state": "abandoned"}  # "Stop" quits
    assert seen["saved"] == [["abandoned", 1]]  # keeping the set begun
