"""Launch to the window mapped on X, seen from outside: calftimer as installed vs a bare window.

What it measures
----------------
The moment a user sees a window is when the X server maps it. This script starts a private
Xvfb, listens on it as an ordinary X client (``SubstructureNotify`` on the root window, through
``libX11`` with ctypes: no change to the app and nothing injected into it), and times each
launch from just before ``subprocess.Popen`` to the ``MapNotify`` of its first top-level window:

* **calftimer**: installed as a user installs it, ``pip install --no-deps --target DIR .`` (a
  real copy with its own ``.pyc`` files, not the editable checkout), started as its launcher
  does (``calftimer.app:main``) with a new empty data folder per run;
* **bare**: a bare PySide6 window, a ``QWidget`` holding one ``QLabel``, 1100 x 720, shown and
  ``exec()``-ed; same interpreter, same Qt.

Runs alternate (calftimer, bare, bare, calftimer, ...) after one uncounted warm-up pair, and each
child is killed once its window is mapped (or after ``--timeout``). It prints the median (min,
max) of each and the ratio of the medians. Target (issue 13): at most 1.3.

``benchmarks/startup.py`` measures a neighbouring instant from inside the process (the first
*paint*, through a wrapper that watches Qt's events, offscreen by default); the map comes a few
ms before the first paint, and this script needs no wrapper, so it is the figure a user sees.

Run from the repository root (needs ``Xvfb``; ``bootstrap.py --test`` installs it)::

    python benchmarks/first_map.py              # 12 pairs, about 20 s after the install
    python benchmarks/first_map.py --runs 20 --json
"""

from __future__ import annotations

import argparse
import contextlib
import ctypes
import ctypes.util
import json
import os
import select
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SUBSTRUCTURE_NOTIFY_MASK = 1 << 19
MAP_NOTIFY = 19

CALFTIMER = "import sys\nfrom calftimer.app import main\nsys.exit(main(sys.argv[1:]))\n"
BARE = """
import sys
from PySide6.QtWidgets import QApplication, QLabel, QVBoxLayout, QWidget
app = QApplication(["bare"])
window = QWidget()
QVBoxLayout(window).addWidget(QLabel("calftimer"))
window.resize(1100, 720)
window.show()
sys.exit(app.exec())
"""


class XEvent(ctypes.Union):
    _fields_ = [("type", ctypes.c_int), ("pad", ctypes.c_long * 24)]


class MapWatch:
    """An X client on the root window that reports each top-level window being mapped."""

    def __init__(self, display: str) -> None:
        name = ctypes.util.find_library("X11") or "libX11.so.6"
        self._x = ctypes.cdll.LoadLibrary(name)
        self._x.XOpenDisplay.restype = ctypes.c_void_p
        self._x.XDefaultRootWindow.restype = ctypes.c_ulong
        self._x.XDefaultRootWindow.argtypes = [ctypes.c_void_p]
        self._x.XSelectInput.argtypes = [ctypes.c_void_p, ctypes.c_ulong, ctypes.c_long]
        self._x.XConnectionNumber.argtypes = [ctypes.c_void_p]
        self._x.XPending.argtypes = [ctypes.c_void_p]
        self._x.XNextEvent.argtypes = [ctypes.c_void_p, ctypes.POINTER(XEvent)]
        self._x.XFlush.argtypes = [ctypes.c_void_p]
        self._x.XCloseDisplay.argtypes = [ctypes.c_void_p]
        self._dpy = self._x.XOpenDisplay(display.encode())
        if not self._dpy:
            raise RuntimeError(f"cannot open X display {display}")
        root = self._x.XDefaultRootWindow(self._dpy)
        self._x.XSelectInput(self._dpy, root, SUBSTRUCTURE_NOTIFY_MASK)
        self._x.XFlush(self._dpy)
        self._fd = self._x.XConnectionNumber(self._dpy)

    def drain(self) -> None:
        event = XEvent()
        while self._x.XPending(self._dpy):
            self._x.XNextEvent(self._dpy, ctypes.byref(event))

    def wait_for_map(self, timeout_s: float) -> int | None:
        """``time.monotonic_ns()`` when the next top-level window is mapped, or None."""
        event = XEvent()
        deadline = time.monotonic() + timeout_s
        while True:
            while self._x.XPending(self._dpy):
                self._x.XNextEvent(self._dpy, ctypes.byref(event))
                if event.type == MAP_NOTIFY:
                    return time.monotonic_ns()
            left = deadline - time.monotonic()
            if left <= 0:
                return None
            select.select([self._fd], [], [], left)

    def close(self) -> None:
        self._x.XCloseDisplay(self._dpy)


@contextlib.contextmanager
def private_xvfb() -> Iterator[str]:
    binary = shutil.which("Xvfb")
    if binary is None:
        raise SystemExit("first_map.py needs Xvfb (python3 bootstrap.py --test installs it)")
    read_fd, write_fd = os.pipe()
    server = subprocess.Popen(
        [binary, "-displayfd", str(write_fd), "-screen", "0", "1366x768x24", "-nolisten", "tcp"],
        pass_fds=(write_fd,),
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    os.close(write_fd)
    try:
        with os.fdopen(read_fd) as pipe:
            number = pipe.readline().strip()
        if not number:
            raise SystemExit("Xvfb did not start")
        yield f":{number}"
    finally:
        server.terminate()
        try:
            server.wait(5)
        except subprocess.TimeoutExpired:
            server.kill()
            server.wait()


def install_calftimer(target: Path) -> None:
    """``pip install .`` as a user would, into ``target`` (the dependencies come from this
    interpreter's site-packages)."""
    subprocess.run(
        [sys.executable, "-m", "pip", "install", "-q", "--no-deps", "--target", str(target), "."],
        cwd=ROOT,
        check=True,
    )
    # Compiled as an installer compiles them, once: each start reads .pyc files.
    subprocess.run(
        [sys.executable, "-m", "compileall", "-q", str(target / "calftimer")], check=True
    )


def launch(
    code: str, args: list[str], env: dict[str, str], watch: MapWatch, timeout_s: float
) -> float | None:
    """Milliseconds from just before Popen to the map of the child's first window."""
    watch.drain()
    started = time.monotonic_ns()
    child = subprocess.Popen(
        [sys.executable, "-c", code, *args],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        mapped = watch.wait_for_map(timeout_s)
    finally:
        child.kill()
        child.wait()
    return None if mapped is None else (mapped - started) / 1e6


def summary(values: list[float]) -> dict[str, float]:
    return {
        "median": round(statistics.median(values), 1),
        "min": round(min(values), 1),
        "max": round(max(values), 1),
    }


def run(runs: int, timeout_s: float) -> dict[str, object]:
    results: dict[str, list[float]] = {"calftimer": [], "bare": []}
    with tempfile.TemporaryDirectory(prefix="calftimer-first-map-") as tmp:
        install = Path(tmp) / "install"
        install_calftimer(install)
        with private_xvfb() as display:
            watch = MapWatch(display)
            base = {k: v for k, v in os.environ.items() if not k.startswith(("QT_", "CALFTIMER"))}
            base.update(DISPLAY=display, QT_QPA_PLATFORM="xcb", PYTHONPATH=str(install))
            base.pop("PYTHONDONTWRITEBYTECODE", None)
            order = ["calftimer", "bare"]
            try:
                for i in range(runs + 1):  # the first pair warms the caches, uncounted
                    for name in order if i % 2 == 0 else reversed(order):
                        data = Path(tmp) / f"data-{i}-{name}"
                        env = {**base, "CALFTIMER_DATA_DIR": str(data), "HOME": tmp}
                        code, args = (CALFTIMER, []) if name == "calftimer" else (BARE, [])
                        ms = launch(code, args, env, watch, timeout_s)
                        if ms is None:
                            raise SystemExit(f"{name}: no window mapped within {timeout_s} s")
                        if i > 0:
                            results[name].append(ms)
            finally:
                watch.close()
    calftimer, bare = summary(results["calftimer"]), summary(results["bare"])
    return {
        "runs": runs,
        "calftimer_ms": calftimer,
        "bare_ms": bare,
        "ratio": round(calftimer["median"] / bare["median"], 2),
        "python": sys.version.split()[0],
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--runs", type=int, default=12, help="measured pairs (12)")
    parser.add_argument("--timeout", type=float, default=30.0, help="per launch, seconds (30)")
    parser.add_argument("--json", action="store_true", help="print the figures as JSON")
    args = parser.parse_args()
    result = run(args.runs, args.timeout)
    if args.json:
        print(json.dumps(result))
        return 0
    for name in ("calftimer", "bare"):
        s = result[f"{name}_ms"]
        assert isinstance(s, dict)
        print(f"{name:>9}: launch to window mapped {s['median']} ms ({s['min']}-{s['max']})")
    print(f"    ratio: {result['ratio']} (target: at most 1.3)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
