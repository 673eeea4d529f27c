"""Start-up from inside: launch to the first paint of calftimer vs a bare PySide6 window with one
label, and launch to calftimer's program list painted.

What it measures
----------------
Each run starts a fresh Python process (the interpreter running this script) through a small
wrapper (``python -c CHILD_CODE``) and times it to the moment its first window has been painted:

* **calftimer**: the real application, exactly as ``python -m calftimer`` starts it (the
  wrapper runs the ``calftimer`` package as ``__main__`` with ``runpy``; a plain launch, no
  arguments), with a new, empty temporary data folder per run in ``CALFTIMER_DATA_DIR``;
* **bare**: a bare PySide6 window: a ``QWidget`` holding one ``QLabel`` in a layout, the same
  size as calftimer's main window (1100 x 720), shown and ``exec()``-ed.

The runs alternate (calftimer then bare, then bare then calftimer, ...) after ``--warmup`` pairs
that are not counted (they fill the page cache and the ``.pyc`` cache). The children write and
read compiled modules in a private temporary folder (``PYTHONPYCACHEPREFIX``, with
``PYTHONDONTWRITEBYTECODE`` removed), as an installed application reads its ``.pyc`` files;
``--no-pyc-cache`` keeps the caller's settings instead (with ``PYTHONDONTWRITEBYTECODE=1`` every
start then compiles calftimer's modules from source).

How "first paint" is detected without changing calftimer: the wrapper's first statement reads
the monotonic clock, then it replaces ``PySide6.QtWidgets.QApplication`` with a subclass that
installs an event filter on itself as soon as it is constructed (calftimer imports
``QApplication`` inside ``_run_window``, after the wrapper, so it gets the subclass). The filter
waits for the first ``QEvent.Paint`` delivered to any widget and posts a
zero-delay timer; that timer fires once the whole paint pass of the window (children and the
flush to the backing store) has finished: that instant is the *first paint*. calftimer's
first frame comes before its home page (a staged start: calftimer.gui.window_frame), so for
calftimer the filter stays until a widget named ``programList`` is painted too: the *program
list painted*. The child prints one JSON line with its timestamps and exits. The wrapper itself
imports no more of Qt than it needs (not the ``Qt`` namespace, whose enums cost ~15 ms to make:
that is the app's to pay or not).

Times come from ``time.monotonic_ns()`` (``CLOCK_MONOTONIC``, the same clock in every process on
Linux and macOS; ``QueryPerformanceCounter`` on Windows), so the parent can subtract the instant
just before ``subprocess.Popen`` from the child's own timestamps without any pipe latency:

* **launch to first paint**: from just before ``Popen`` to the first paint (interpreter start,
  imports, ``QApplication``, window construction, first paint);
* **launch to program list painted**: calftimer's home page is on screen (the whole window);
* **in-process**: from the wrapper's first statement to the first paint (no interpreter start);
* **interpreter start**: from ``Popen`` to the wrapper's first statement;
* **QApplication at**: from the first statement to the end of ``QApplication.__init__``;
* the peak RSS of the child at its first paint.

It prints the median (and min / max) of each over ``--runs`` runs per side (default 12) and the
ratio of the medians (calftimer / bare). Target (issue 4): a launch-to-first-paint ratio of at
most 1.5. Issue 13's target (at most 1.3) is on ``benchmarks/first_map.py``: launch to the window
*mapped*, seen by an X client, with calftimer installed as a user installs it. Offscreen, this
script overstates calftimer's first paint: a ``QMainWindow``, even an empty one, is painted
~30 ms after ``show()`` there, a bare ``QWidget`` ~6 ms after (on an X server both wait ~35 ms
for the expose). See BENCHMARKS.md.

The window system: ``QT_QPA_PLATFORM=offscreen`` (no screen needed; an explicitly set
``QT_QPA_PLATFORM`` is kept). With ``--xvfb`` and an ``Xvfb`` binary on the ``PATH``, the
children paint on a private Xvfb screen through the ``xcb`` platform instead (closer to a
desktop; falls back to offscreen with a notice when Xvfb is missing).

``--profile`` adds one calftimer start under ``-X importtime`` (the slowest imports) and one
under cProfile up to the first paint (the functions that take the time).

Run from the repository root::

    python benchmarks/startup.py                # 12 runs each, about 10 s
    python benchmarks/startup.py --runs 20 --json
    python benchmarks/startup.py --xvfb --profile

``benchmarks/session_cpu.py`` reuses the wrapper (``run_child``) to measure CPU and memory.
"""

from __future__ import annotations

import argparse
import contextlib
import io
import json
import os
import platform
import pstats
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any

REPO_ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(Path(__file__).resolve().parent))
from xscreen import private_xvfb  # noqa: E402  (benchmarks/xscreen.py, beside this)

MARKER = "calftimer-probe:"
WINDOW_SIZE = (1100, 720)  # calftimer's MainWindow.resize(); the bare window gets the same
TARGET_RATIO = 1.5
NS_PER_MS = 1_000_000

# The wrapper every child runs as ``python -c CHILD_CODE CONFIG_JSON``. Its first statement reads
# the clock. CONFIG: mode ("calftimer" | "bare"), args (calftimer's command line), size,
# hold_s (0: exit at the first paint; > 0: measure CPU and memory for that long after it, see
# session_cpu.py), hold_after_s (wait this long after the first paint before measuring),
# setup (Python run just before calftimer, e.g. to swap its sound output) and profile (a path:
# cProfile up to the first paint is dumped there).
CHILD_CODE = r"""
import time
T0 = time.monotonic_ns()
import json
import os
import sys

CONFIG = json.loads(sys.argv[1])
if CONFIG.get("profile"):
    import cProfile
    PROFILER = cProfile.Profile()
    PROFILER.enable()

import PySide6.QtWidgets as QtWidgets
# Not Qt itself: its namespace of enums costs ~15 ms the first time it is touched, and that is
# the app's to pay (or not) before its first paint, not the wrapper's.
from PySide6.QtCore import QEvent, QObject, QTimer

try:
    import resource
except ImportError:  # Windows
    resource = None

RESULT = {"mode": CONFIG["mode"], "pid": os.getpid(), "t0_ns": T0}


def peak_rss_kib():
    if resource is None:
        return None
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return peak // 1024 if sys.platform == "darwin" else peak  # bytes on macOS, KiB on Linux


def current_rss_kib():
    try:
        with open("/proc/self/statm") as f:
            return int(f.read().split()[1]) * os.sysconf("SC_PAGE_SIZE") // 1024
    except OSError:
        return None


def thread_cpu_ticks():
    # {tid: [name, utime + stime in clock ticks]} from /proc (Linux only; {} elsewhere).
    threads = {}
    try:
        tids = os.listdir("/proc/self/task")
    except OSError:
        return threads
    for tid in tids:
        try:
            with open(f"/proc/self/task/{tid}/stat") as f:
                stat = f.read()
            with open(f"/proc/self/task/{tid}/comm") as f:
                name = f.read().strip()
        except OSError:
            continue
        fields = stat[stat.rindex(")") + 2 :].split()
        threads[tid] = [name, int(fields[11]) + int(fields[12])]
    return threads


def usage():
    out = {"mono_ns": time.monotonic_ns(), "cpu_ns": time.process_time_ns()}
    if resource is not None:
        ru = resource.getrusage(resource.RUSAGE_SELF)
        out["user_s"] = ru.ru_utime
        out["sys_s"] = ru.ru_stime
        out["vol_ctx"] = ru.ru_nvcsw
        out["invol_ctx"] = ru.ru_nivcsw
    out["threads"] = thread_cpu_ticks()
    return out


def report(code=0):
    for widget in QtWidgets.QApplication.topLevelWidgets():
        session = getattr(widget, "session", None)  # calftimer's MainWindow: a session running?
        if session is not None:
            RESULT["session_state"] = str(session.state)
            conductor = getattr(widget, "conductor", None)
            output = None if conductor is None else conductor.output
            RESULT["output"] = None if output is None else type(output).__name__
            RESULT["output_problem"] = None if output is None else output.problem
    RESULT["peak_rss_kib"] = peak_rss_kib()
    RESULT["rss_kib"] = current_rss_kib()
    print("MARKER" + json.dumps(RESULT), flush=True)
    QtWidgets.QApplication.exit(code)


def finish_hold():
    RESULT["hold_end"] = usage()
    report()


def painted():
    RESULT["frame_ns"] = time.monotonic_ns()
    RESULT["peak_rss_at_paint_kib"] = peak_rss_kib()
    if CONFIG.get("profile"):
        PROFILER.disable()
        PROFILER.dump_stats(CONFIG["profile"])
    whole_window_painted()


def home_painted():
    RESULT["home_ns"] = time.monotonic_ns()
    whole_window_painted()


def whole_window_painted():
    # calftimer's first frame may come before its home page: it counts as there once its
    # program list has been painted too.
    if "frame_ns" not in RESULT or (CONFIG["mode"] == "calftimer" and "home_ns" not in RESULT):
        return
    if not CONFIG.get("hold_s"):
        report()
        return
    if CONFIG.get("hold_after_s"):
        QTimer.singleShot(round(CONFIG["hold_after_s"] * 1000), start_hold)
    else:
        start_hold()


def start_hold():
    from PySide6.QtCore import Qt

    RESULT["hold_start"] = usage()
    timer = QTimer(QtWidgets.QApplication.instance())
    timer.setSingleShot(True)
    timer.setTimerType(Qt.TimerType.PreciseTimer)
    timer.timeout.connect(finish_hold)
    timer.start(round(CONFIG["hold_s"] * 1000))


class FirstPaint(QObject):
    def eventFilter(self, obj, event):
        if event.type() == QEvent.Type.Paint and isinstance(obj, QtWidgets.QWidget):
            if "paint_ns" not in RESULT:
                RESULT["paint_ns"] = time.monotonic_ns()
                window = obj.window()
                RESULT["window"] = type(window).__name__
                RESULT["window_size"] = [window.width(), window.height()]
                QTimer.singleShot(0, painted)  # runs once this paint pass (and its flush) is done
            if obj.objectName() == "programList" and "home_paint_ns" not in RESULT:
                RESULT["home_paint_ns"] = time.monotonic_ns()  # calftimer's home page
                QTimer.singleShot(0, home_painted)
            if "home_paint_ns" in RESULT or CONFIG["mode"] == "bare":
                QtWidgets.QApplication.instance().removeEventFilter(self)
        return False


class ProbeApplication(QtWidgets.QApplication):
    def __init__(self, *args):
        super().__init__(*args)
        RESULT["qapp_ns"] = time.monotonic_ns()
        RESULT["qpa"] = self.platformName()
        self._first_paint = FirstPaint()
        self.installEventFilter(self._first_paint)


QtWidgets.QApplication = ProbeApplication

if CONFIG["mode"] == "bare":
    app = QtWidgets.QApplication([sys.argv[0]])
    window = QtWidgets.QWidget()
    window.setWindowTitle("bare PySide6 window")
    layout = QtWidgets.QVBoxLayout(window)
    layout.addWidget(QtWidgets.QLabel("calftimer"))
    window.resize(*CONFIG["size"])
    window.show()
    sys.exit(app.exec())
else:
    import runpy

    if CONFIG.get("setup"):
        exec(CONFIG["setup"], {"__name__": "calftimer_probe_setup"})
    sys.argv = [sys.argv[0], *CONFIG["args"]]
    runpy.run_module("calftimer", run_name="__main__", alter_sys=True)
""".replace("MARKER", MARKER)


# ------------------------------------------------------------------------------- children


@contextlib.contextmanager
def display_env(xvfb: bool, pyc_cache: bool = True) -> Iterator[dict[str, str]]:
    """The environment for the children: the repo on PYTHONPATH and a window system.

    Offscreen unless QT_QPA_PLATFORM is set; with ``xvfb`` (and Xvfb installed) a private Xvfb
    screen on the xcb platform for as long as the context lasts. With ``pyc_cache`` the children
    write and read compiled modules in a private temporary folder (``PYTHONPYCACHEPREFIX``, and
    ``PYTHONDONTWRITEBYTECODE`` removed), as an installed application reads its ``.pyc`` files;
    the first child fills it.
    """
    env = dict(os.environ)
    env.pop("CALFTIMER_DATA_DIR", None)  # every child gets its own (run_child)
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(REPO_ROOT), env.get("PYTHONPATH")]))
    with contextlib.ExitStack() as stack:
        if pyc_cache:
            env.pop("PYTHONDONTWRITEBYTECODE", None)
            env["PYTHONPYCACHEPREFIX"] = stack.enter_context(
                tempfile.TemporaryDirectory(prefix="calftimer-bench-pyc-")
            )
        binary = shutil.which("Xvfb") if xvfb else None
        if xvfb and binary is None:
            print("note: Xvfb is not on the PATH: using QT_QPA_PLATFORM=offscreen", file=sys.stderr)
        if binary is None:
            env.setdefault("QT_QPA_PLATFORM", "offscreen")
        else:
            env["DISPLAY"] = stack.enter_context(private_xvfb("1920x1080x24"))
            env["QT_QPA_PLATFORM"] = "xcb"
        yield env


def run_child(
    mode: str,
    env: dict[str, str],
    *,
    app_args: Sequence[str] = (),
    hold_s: float = 0,
    hold_after_s: float = 0,
    setup: str = "",
    profile: Path | None = None,
    python_flags: Sequence[str] = (),
    timeout_s: float = 60,
) -> dict[str, Any]:
    """Start one fresh child (``mode`` "calftimer" or "bare") and return what it reported.

    calftimer gets ``--data-dir`` with a new temporary folder (deleted afterwards) plus
    ``app_args``; ``setup`` is Python the child runs just before calftimer, and the measurement
    of ``hold_s`` begins ``hold_after_s`` after the first paint. Adds ``launch_ns`` (just before
    Popen) and, with ``python_flags`` such as ``-X importtime``, the child's stderr as
    ``stderr``.
    """
    with tempfile.TemporaryDirectory(prefix="calftimer-bench-") as data_dir:
        config = {
            "mode": mode,
            "args": list(app_args),
            "size": list(WINDOW_SIZE),
            "hold_s": hold_s,
            "hold_after_s": hold_after_s,
            "setup": setup,
            "profile": str(profile) if profile else None,
        }
        command = [sys.executable, *python_flags, "-c", CHILD_CODE, json.dumps(config)]
        launch_ns = time.monotonic_ns()
        proc = subprocess.Popen(
            command,
            cwd=REPO_ROOT,
            env={**env, "CALFTIMER_DATA_DIR": data_dir},  # no --data-dir: a plain launch
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        try:
            out, err = proc.communicate(timeout=timeout_s + hold_after_s + hold_s)
        except subprocess.TimeoutExpired:
            proc.kill()
            out, err = proc.communicate()
            raise RuntimeError(f"{mode} child timed out; its stderr:\n{err[-3000:]}") from None
    lines = [line for line in out.splitlines() if line.startswith(MARKER)]
    if proc.returncode != 0 or not lines:
        raise RuntimeError(
            f"{mode} child failed (exit {proc.returncode}); stdout:\n{out[-2000:]}\n"
            f"stderr:\n{err[-3000:]}"
        )
    result: dict[str, Any] = json.loads(lines[-1][len(MARKER) :])
    result["launch_ns"] = launch_ns
    if python_flags:
        result["stderr"] = err
    if not launch_ns <= result["t0_ns"] <= result["frame_ns"]:
        raise RuntimeError("the child's clock does not match ours: is CLOCK_MONOTONIC shared?")
    return result


def startup_figures(child: dict[str, Any]) -> dict[str, Any]:
    """The start-up figures of one child, in milliseconds (and KiB)."""
    return {
        "launch_to_paint_ms": (child["frame_ns"] - child["launch_ns"]) / NS_PER_MS,
        "in_process_ms": (child["frame_ns"] - child["t0_ns"]) / NS_PER_MS,
        "interpreter_ms": (child["t0_ns"] - child["launch_ns"]) / NS_PER_MS,
        "qapp_ms": (child["qapp_ns"] - child["t0_ns"]) / NS_PER_MS,
        "paint_pass_ms": (child["frame_ns"] - child["paint_ns"]) / NS_PER_MS,
        "launch_to_home_ms": (child["home_ns"] - child["launch_ns"]) / NS_PER_MS
        if "home_ns" in child
        else None,
        "peak_rss_at_paint_kib": child.get("peak_rss_at_paint_kib"),
        "window": child.get("window"),
        "qpa": child.get("qpa"),
    }


# ----------------------------------------------------------------------------------- run

FIGURES = (
    ("launch to first paint (ms)", "launch_to_paint_ms", "{:.0f}"),
    ("launch to program list painted (ms)", "launch_to_home_ms", "{:.0f}"),
    ("in-process: first statement to paint (ms)", "in_process_ms", "{:.0f}"),
    ("interpreter start (ms)", "interpreter_ms", "{:.0f}"),
    ("QApplication ready at (ms)", "qapp_ms", "{:.0f}"),
    ("first paint pass (ms)", "paint_pass_ms", "{:.1f}"),
    ("peak RSS at first paint (MiB)", "peak_rss_at_paint_mib", "{:.1f}"),
)


def summarise(runs: list[dict[str, Any]]) -> dict[str, Any]:
    """Median / min / max of every numeric figure over the runs of one side."""
    out: dict[str, Any] = {}
    for _label, key, _fmt in FIGURES:
        if key == "peak_rss_at_paint_mib":
            values = [r["peak_rss_at_paint_kib"] / 1024 for r in runs if r["peak_rss_at_paint_kib"]]
        else:
            values = [r[key] for r in runs if r.get(key) is not None]
        if values:
            out[key] = {
                "median": statistics.median(values),
                "min": min(values),
                "max": max(values),
            }
    return out


def run(runs: int, warmup: int, xvfb: bool, pyc_cache: bool, progress: bool) -> dict[str, Any]:
    samples: dict[str, list[dict[str, Any]]] = {"calftimer": [], "bare": []}
    with display_env(xvfb, pyc_cache) as env:
        for i in range(warmup + runs):
            order = ("calftimer", "bare") if i % 2 == 0 else ("bare", "calftimer")
            for mode in order:
                figures = startup_figures(run_child(mode, env))
                if i >= warmup:
                    samples[mode].append(figures)
            if progress:
                done = max(0, i + 1 - warmup)
                print(f"\r  run {done}/{runs}", end="", file=sys.stderr, flush=True)
        if progress:
            print(file=sys.stderr)
        qpa = env["QT_QPA_PLATFORM"]
    windows = sorted({r["window"] for r in samples["calftimer"]})
    cal = summarise(samples["calftimer"])
    bare = summarise(samples["bare"])
    ratio = cal["launch_to_paint_ms"]["median"] / bare["launch_to_paint_ms"]["median"]
    return {
        "config": {
            "runs": runs,
            "warmup_pairs": warmup,
            "qpa": qpa,
            "window_size": WINDOW_SIZE,
            "bytecode": bytecode_note(pyc_cache),
        },
        "calftimer_first_window": windows,
        "calftimer": cal,
        "bare": bare,
        "ratio_launch_to_paint": ratio,
        "ratio_in_process": cal["in_process_ms"]["median"] / bare["in_process_ms"]["median"],
        "target_ratio": TARGET_RATIO,
        "target_met": ratio <= TARGET_RATIO,
        "samples": samples,
        "environment": environment(qpa),
    }


def bytecode_note(pyc_cache: bool) -> str:
    if pyc_cache:
        return "private warm .pyc cache"
    if os.environ.get("PYTHONDONTWRITEBYTECODE"):
        return "no .pyc written (PYTHONDONTWRITEBYTECODE is set)"
    return "the caller's .pyc settings"


def environment(qpa: str) -> dict[str, Any]:
    version = subprocess.run(
        [
            sys.executable,
            "-c",
            "import PySide6, PySide6.QtCore as c; print(PySide6.__version__, c.qVersion())",
        ],
        capture_output=True,
        text=True,
        check=False,
    ).stdout.split()
    return {
        "python": platform.python_version(),
        "pyside6": version[0] if version else None,
        "qt": version[1] if len(version) > 1 else None,
        "platform": platform.platform(),
        "cpus": os.cpu_count(),
        "qpa": qpa,
        "load_average": os.getloadavg() if hasattr(os, "getloadavg") else None,
    }


def print_report(result: dict[str, Any]) -> None:
    cfg = result["config"]
    print(
        f"calftimer start-up: {cfg['runs']} runs each, alternating, after {cfg['warmup_pairs']} "
        f"warm-up pair(s); QT_QPA_PLATFORM={cfg['qpa']}; {cfg['bytecode']}; first calftimer "
        "window painted: "
        f"{', '.join(result['calftimer_first_window'])}"
    )
    print(f"  {'median (min - max)':44}{'calftimer':>22}{'bare window':>22}")
    for label, key, fmt in FIGURES:
        cells = []
        for side in ("calftimer", "bare"):
            fig = result[side].get(key)
            if fig is None:
                cells.append("n/a")
                continue
            cells.append(
                f"{fmt.format(fig['median'])} ({fmt.format(fig['min'])}-{fmt.format(fig['max'])})"
            )
        print(f"  {label:44}{cells[0]:>22}{cells[1]:>22}")
    verdict = "met" if result["target_met"] else "MISSED"
    print(
        f"  ratio of medians, launch to first paint: {result['ratio_launch_to_paint']:.2f}x "
        f"(target <= {TARGET_RATIO:g}: {verdict}); in-process only: "
        f"{result['ratio_in_process']:.2f}x"
    )


# ------------------------------------------------------------------------------- profile


def profile_startup(pyc_cache: bool, top: int = 25) -> None:
    """One calftimer start under -X importtime and one under cProfile; print the top entries."""
    with display_env(False, pyc_cache) as env:
        run_child("calftimer", env)  # fills the .pyc cache
        child = run_child("calftimer", env, python_flags=("-X", "importtime"))
        with tempfile.TemporaryDirectory(prefix="calftimer-bench-prof-") as folder:
            stats_path = Path(folder) / "startup.prof"
            run_child("calftimer", env, profile=stats_path)
            stream = io.StringIO()
            stats = pstats.Stats(str(stats_path), stream=stream)
            stats.sort_stats("cumulative").print_stats(r"calftimer[/\\]", top)
            stats.strip_dirs().sort_stats("tottime").print_stats(top)
    print("\n-X importtime: slowest imports (cumulative, ms) up to the first paint")
    rows = []
    for line in child["stderr"].splitlines():
        match = re.match(r"import time:\s+(\d+) \|\s+(\d+) \|( *)(\S+)", line)
        if match:
            rows.append((int(match.group(2)) / 1000, len(match.group(3)) // 2, match.group(4)))
    for cumulative_ms, depth, name in sorted(rows, reverse=True)[:top]:
        print(f"  {cumulative_ms:8.1f}  {'  ' * depth}{name}")
    print(
        "\ncProfile, first statement to first paint: calftimer's functions by cumulative time,"
        " then all functions by own time (cProfile slows Python code about 1.5-2x)"
    )
    print(stream.getvalue())


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--runs", type=int, default=12, help="measured runs per side (12)")
    parser.add_argument("--warmup", type=int, default=1, help="uncounted pairs first (1)")
    parser.add_argument("--xvfb", action="store_true", help="paint on a private Xvfb screen")
    parser.add_argument("--profile", action="store_true", help="also profile one calftimer start")
    parser.add_argument(
        "--no-pyc-cache",
        action="store_true",
        help="keep the caller's bytecode settings instead of a private warm .pyc cache",
    )
    parser.add_argument("--json", action="store_true", help="print the figures as JSON")
    args = parser.parse_args(argv)
    if args.runs < 1 or args.warmup < 0:
        parser.error("--runs must be at least 1 and --warmup at least 0")
    pyc_cache = not args.no_pyc_cache
    result = run(args.runs, args.warmup, args.xvfb, pyc_cache, progress=not args.json)
    if args.json:
        print(json.dumps(result, indent=2))
    else:
        print_report(result)
    if args.profile:
        profile_startup(pyc_cache)
    return 0


if __name__ == "__main__":
    sys.exit(main())
