"""Launch to the window mapped on X, seen from outside: calftimer as installed vs a bare window;
and launch to calftimer's window answering a key.

What it measures
----------------
The moment a user sees a window is when the X server maps it. This script starts a private
Xvfb, listens on it as an ordinary X client (``SubstructureNotify`` on the root window, through
``libX11`` with ctypes: no change to the app and nothing injected into it), and times each
launch from just before ``subprocess.Popen`` to the ``MapNotify`` of its first top-level window:

* **calftimer**: installed as a user installs it, ``pip install --no-deps --target DIR .`` (a
  real copy with its own ``.pyc`` files, not the editable checkout), started as its launcher
  does (``calftimer.app:main``, no arguments) with a new, empty home folder per run, so its
  data and settings go to the platform's default folders there (``--theme`` writes a settings
  file choosing that theme first);
* **bare**: a bare PySide6 window, a ``QWidget`` holding one ``QLabel``, 1100 x 720, shown and
  ``exec()``-ed; same interpreter, same Qt.

Both run on a throwaway virtual environment of this interpreter that sees its packages (PySide6)
but runs none of its ``.pth`` start-up hooks: an editable install of the checkout adds a finder
that costs ~10 ms per start, which a user's installed copy does not have.

A first frame can be shown early and filled later, so the map alone could flatter a start that
shows an empty window. The second figure is for that: once calftimer's window is mapped, the
script gives it the keyboard focus (``XSetInputFocus``) and presses ``?`` through the XTEST
extension every 5 ms, as a user would, until the window answers by mapping its keyboard
shortcuts dialog. That needs the window's actions and the home page built and the event loop
free: **launch to answering a key**.

Runs alternate (calftimer, bare, bare, calftimer, ...) after one uncounted warm-up pair, and each
child is killed once its window is mapped, or calftimer's once it has answered (or after
``--timeout``). It prints the median (min, max) of each and the ratio of the medians of the map.
Target (issue 13): at most 1.3.

``benchmarks/startup.py`` measures a neighbouring instant from inside the process (the first
*paint*, through a wrapper that watches Qt's events, offscreen by default); the map comes a few
ms before the first paint, and this script needs no wrapper, so it is the figure a user sees.

Run from the repository root (needs ``Xvfb``; ``bootstrap.py --test`` installs it)::

    python benchmarks/first_map.py              # 12 pairs, about 30 s after the install
    python benchmarks/first_map.py --runs 20 --json
    python benchmarks/first_map.py --theme dark
"""

from __future__ import annotations

import argparse
import ctypes
import ctypes.util
import json
import os
import select
import shutil
import statistics
import subprocess
import sys
import sysconfig
import tempfile
import time
import venv
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(Path(__file__).resolve().parent))
from xscreen import private_xvfb  # noqa: E402  (benchmarks/xscreen.py, beside this)

SUBSTRUCTURE_NOTIFY_MASK = 1 << 19
MAP_NOTIFY = 19
XK_QUESTION, XK_SHIFT_L = 0x3F, 0xFFE1
REVERT_TO_PARENT = 2
KEY_EVERY_S = 0.005

CALFTIMER = "import sys\nfrom calftimer.app import main\nsys.exit(main(sys.argv[1:]))\n"
SETTINGS = {"kind": "calftimer.settings", "schema_version": 1}
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
    """An X client on the root window that reports each top-level window being mapped, and
    types on the keyboard (XTEST) as a user would."""

    def __init__(self, display: str) -> None:
        name = ctypes.util.find_library("X11") or "libX11.so.6"
        self._x = ctypes.cdll.LoadLibrary(name)
        self._xtst = ctypes.cdll.LoadLibrary(ctypes.util.find_library("Xtst") or "libXtst.so.6")
        self._xtst.XTestFakeKeyEvent.argtypes = [
            ctypes.c_void_p,
            ctypes.c_uint,
            ctypes.c_int,
            ctypes.c_ulong,
        ]
        self._x.XKeysymToKeycode.argtypes = [ctypes.c_void_p, ctypes.c_ulong]
        self._x.XKeysymToKeycode.restype = ctypes.c_ubyte
        self._x.XSetInputFocus.argtypes = [
            ctypes.c_void_p,
            ctypes.c_ulong,
            ctypes.c_int,
            ctypes.c_ulong,
        ]
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

    def wait_for_map(self, timeout_s: float) -> tuple[int, int] | None:
        """``time.monotonic_ns()`` when the next top-level window is mapped, and that window;
        None if none is within ``timeout_s``. Override-redirect windows (menus, tool tips)
        do not count."""
        event = XEvent()
        deadline = time.monotonic() + timeout_s
        while True:
            while self._x.XPending(self._dpy):
                self._x.XNextEvent(self._dpy, ctypes.byref(event))
                # XMapEvent on LP64: the window at byte 40, override_redirect at byte 48.
                if event.type == MAP_NOTIFY and not event.pad[6] & 0xFFFFFFFF:
                    return time.monotonic_ns(), event.pad[5]
            left = deadline - time.monotonic()
            if left <= 0:
                return None
            select.select([self._fd], [], [], left)

    def press_question_mark_until_a_window_maps(self, window: int, timeout_s: float) -> int | None:
        """Focus ``window``, then press ``?`` every few ms until another top-level window is
        mapped; ``time.monotonic_ns()`` of that map, or None."""
        self._x.XSetInputFocus(self._dpy, window, REVERT_TO_PARENT, 0)
        shift = self._x.XKeysymToKeycode(self._dpy, XK_SHIFT_L)
        question = self._x.XKeysymToKeycode(self._dpy, XK_QUESTION)
        deadline = time.monotonic() + timeout_s
        while time.monotonic() < deadline:
            for code, down in ((shift, 1), (question, 1), (question, 0), (shift, 0)):
                self._xtst.XTestFakeKeyEvent(self._dpy, code, down, 0)
            self._x.XFlush(self._dpy)
            mapped = self.wait_for_map(KEY_EVERY_S)
            if mapped is not None:
                return mapped[0]
        return None

    def close(self) -> None:
        self._x.XCloseDisplay(self._dpy)


def clean_interpreter(folder: Path) -> str:
    """A virtual environment of this interpreter whose only start-up hook puts this
    interpreter's packages on the path (the ``.pth`` files there, an editable install's
    finder among them, are not run)."""
    venv.EnvBuilder(with_pip=False, symlinks=os.name != "nt").create(folder)
    python = folder / ("Scripts/python.exe" if os.name == "nt" else "bin/python")
    ask = "import sysconfig; print(sysconfig.get_paths()['purelib'])"
    site = Path(subprocess.run([python, "-c", ask], capture_output=True, text=True).stdout.strip())
    ours = sorted({sysconfig.get_paths()["purelib"], sysconfig.get_paths()["platlib"]})
    (site / "packages-of-the-measuring-interpreter.pth").write_text("\n".join(ours) + "\n")
    return str(python)


def install_calftimer(target: Path, source: Path = ROOT) -> None:
    """``pip install .`` as a user would, into ``target`` (the dependencies come from this
    interpreter's site-packages). From a copy of ``source``: the build leaves a ``build``
    folder behind, which must not land in the checkout (ruff would take it for a package)."""
    copy = target.with_name("source")
    skip = shutil.ignore_patterns(".git", ".venv", "build", "*.egg-info", "__pycache__")
    shutil.copytree(source, copy, ignore=skip)
    subprocess.run(
        [sys.executable, "-m", "pip", "install", "-q", "--no-deps", "--target", str(target), "."],
        cwd=copy,
        check=True,
    )
    # Compiled as an installer compiles them, once: each start reads .pyc files.
    subprocess.run(
        [sys.executable, "-m", "compileall", "-q", str(target / "calftimer")], check=True
    )


def launch(
    python: str,
    code: str,
    env: dict[str, str],
    watch: MapWatch,
    timeout_s: float,
    *,
    key: bool = False,
) -> tuple[float | None, float | None]:
    """Milliseconds from just before Popen to the map of the child's first window, and (with
    ``key``) to its answer to ``?``."""
    watch.drain()
    started = time.monotonic_ns()
    child = subprocess.Popen(
        [python, "-c", code],
        cwd=env["HOME"],  # not the checkout: ``-c`` puts the working folder first on the path
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    answered = None
    try:
        mapped = watch.wait_for_map(timeout_s)
        if mapped is not None and key:
            answered = watch.press_question_mark_until_a_window_maps(mapped[1], timeout_s)
    finally:
        child.kill()
        child.wait()
    return (
        None if mapped is None else (mapped[0] - started) / 1e6,
        None if answered is None else (answered - started) / 1e6,
    )


def summary(values: list[float]) -> dict[str, float]:
    return {
        "median": round(statistics.median(values), 1),
        "min": round(min(values), 1),
        "max": round(max(values), 1),
    }


def run(
    runs: int, timeout_s: float, theme: str | None = None, source: Path = ROOT
) -> dict[str, object]:
    results: dict[str, list[float]] = {"calftimer": [], "bare": [], "key": []}
    with tempfile.TemporaryDirectory(prefix="calftimer-first-map-") as tmp:
        install = Path(tmp) / "install"
        install_calftimer(install, source)
        python = clean_interpreter(Path(tmp) / "venv")
        with private_xvfb("1366x768x24") as display:
            watch = MapWatch(display)
            base = {
                k: v
                for k, v in os.environ.items()
                if not k.startswith(("QT_", "CALFTIMER", "XDG_"))
            }
            base.update(DISPLAY=display, QT_QPA_PLATFORM="xcb", PYTHONPATH=str(install))
            base.pop("PYTHONDONTWRITEBYTECODE", None)
            order = ["calftimer", "bare"]
            try:
                for i in range(runs + 1):  # the first pair warms the caches, uncounted
                    for name in order if i % 2 == 0 else reversed(order):
                        home = Path(tmp) / f"home-{i}-{name}"  # new default data folders
                        home.mkdir()
                        if theme is not None:
                            settings = home / ".config" / "calftimer" / "settings.json"
                            settings.parent.mkdir(parents=True)  # as platformdirs says
                            settings.write_text(json.dumps({**SETTINGS, "theme": theme}))
                        env = {**base, "HOME": str(home)}
                        code = CALFTIMER if name == "calftimer" else BARE
                        key = name == "calftimer"
                        ms, key_ms = launch(python, code, env, watch, timeout_s, key=key)
                        if ms is None or (key and key_ms is None):
                            raise SystemExit(f"{name}: no window or no answer in {timeout_s} s")
                        if i > 0:
                            results[name].append(ms)
                            if key_ms is not None:
                                results["key"].append(key_ms)
            finally:
                watch.close()
    calftimer, bare = summary(results["calftimer"]), summary(results["bare"])
    return {
        "runs": runs,
        "theme": theme or "system (no settings file)",
        "calftimer_ms": calftimer,
        "bare_ms": bare,
        "ratio": round(calftimer["median"] / bare["median"], 2),
        "calftimer_answers_a_key_ms": summary(results["key"]),
        "python": sys.version.split()[0],
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--runs", type=int, default=12, help="measured pairs (12)")
    parser.add_argument("--timeout", type=float, default=30.0, help="per launch, seconds (30)")
    parser.add_argument("--json", action="store_true", help="print the figures as JSON")
    parser.add_argument(
        "--theme", choices=("light", "dark"), help="calftimer's settings choose this theme"
    )
    parser.add_argument(
        "--source",
        type=Path,
        default=ROOT,
        help="install calftimer from this checkout instead (e.g. an older commit's worktree)",
    )
    args = parser.parse_args()
    result = run(args.runs, args.timeout, args.theme, args.source)
    if args.json:
        print(json.dumps(result))
        return 0
    for name in ("calftimer", "bare"):
        s = result[f"{name}_ms"]
        assert isinstance(s, dict)
        print(f"{name:>9}: launch to window mapped {s['median']} ms ({s['min']}-{s['max']})")
    print(f"    ratio: {result['ratio']} (target: at most 1.3)")
    k = result["calftimer_answers_a_key_ms"]
    assert isinstance(k, dict)
    print(f"calftimer: launch to answering a key {k['median']} ms ({k['min']}-{k['max']})")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
