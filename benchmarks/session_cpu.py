"""CPU and memory while a session runs: calftimer running a session, calftimer idle, a bare window.

What it measures
----------------
Three fresh processes, one after the other, each started through the wrapper of
``benchmarks/startup.py`` (``run_child``: a new temporary data folder per run in
``CALFTIMER_DATA_DIR``, the same window system and warm ``.pyc`` cache) and each measured for
``--seconds`` of real time (default 60) from its first painted window (calftimer's: once its
program list is painted too, as its first frame comes before the rest):

* **session**: the real application started as ``python -m calftimer --start foundation``
  (``--program`` picks another): the session starts as soon as the window is up and runs
  through the whole measurement (the foundation program lasts about 25 min);
* **idle**: the same window with no session (``python -m calftimer``);
* **bare**: the bare PySide6 window with one label of ``startup.py``, for the memory baseline.

Inside each child, at the first paint and again ``--seconds`` later (a precise single-shot
``QTimer``), the wrapper reads the process CPU time (``time.process_time_ns()``: every thread of
the process), ``resource.getrusage`` (user / system time, context switches, peak RSS
``ru_maxrss``) and, on Linux, each thread's CPU ticks from ``/proc/self/task/*/stat``. The
first-paint filter has removed itself by then, so the wrapper costs nothing while it measures.

It reports, for each process: CPU over the period as a percentage of one core (CPU time / real
time), split into user and system time and by thread; context switches per second; peak RSS
(``ru_maxrss``, whole life of the process) and RSS at the end; and whether calftimer's session
was still running at the end. ``--runs N`` repeats the three N times (interleaved) and reports
medians. Target (issue 4): at most 2 % of one core while a session runs. Peak RSS of the session
is compared with the bare window's.

Run from the repository root::

    python benchmarks/session_cpu.py                 # 3 x 60 s, about 3.5 min
    python benchmarks/session_cpu.py --seconds 20 --json

QT_QPA_PLATFORM is ``offscreen`` unless set (``--xvfb`` paints on a private Xvfb screen when
``Xvfb`` is installed). Offscreen painting is done by the CPU into an image, as on a desktop
without GPU acceleration; a compositor or GPU driver would move some of that cost elsewhere.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any

# ``python benchmarks/session_cpu.py`` puts benchmarks/ on sys.path; be explicit anyway.
sys.path.insert(0, str(Path(__file__).resolve().parent))

from startup import bytecode_note, display_env, environment, run_child

TARGET_CPU_PERCENT = 2.0
SIDES = ("session", "idle", "bare")
NS_PER_S = 1_000_000_000


def thread_cpu(start: dict[str, Any], end: dict[str, Any], wall_s: float) -> list[dict[str, Any]]:
    """Per-thread CPU (% of one core) over the period, busiest first (Linux only)."""
    ticks = os.sysconf("SC_CLK_TCK") if hasattr(os, "sysconf") else 100
    rows = []
    for tid, (name, end_ticks) in end["threads"].items():
        begin_ticks = start["threads"].get(tid, [name, 0])[1]
        rows.append(
            {
                "tid": int(tid),
                "name": name,
                "cpu_percent": 100 * (end_ticks - begin_ticks) / ticks / wall_s,
            }
        )
    return sorted(rows, key=lambda r: -r["cpu_percent"])


def figures(child: dict[str, Any]) -> dict[str, Any]:
    """CPU and memory figures of one child that held its window for a while."""
    start, end = child["hold_start"], child["hold_end"]
    wall_s = (end["mono_ns"] - start["mono_ns"]) / NS_PER_S
    cpu_s = (end["cpu_ns"] - start["cpu_ns"]) / NS_PER_S
    out: dict[str, Any] = {
        "wall_s": wall_s,
        "cpu_s": cpu_s,
        "cpu_percent": 100 * cpu_s / wall_s,
        "peak_rss_mib": child["peak_rss_kib"] / 1024 if child.get("peak_rss_kib") else None,
        "rss_end_mib": child["rss_kib"] / 1024 if child.get("rss_kib") else None,
        "session_state": child.get("session_state"),
        "threads": thread_cpu(start, end, wall_s),
    }
    if "user_s" in start:
        out["user_percent"] = 100 * (end["user_s"] - start["user_s"]) / wall_s
        out["sys_percent"] = 100 * (end["sys_s"] - start["sys_s"]) / wall_s
        switches = end["vol_ctx"] + end["invol_ctx"] - start["vol_ctx"] - start["invol_ctx"]
        out["context_switches_per_s"] = switches / wall_s
    return out


def median_of(runs: list[dict[str, Any]], key: str) -> float | None:
    values = [r[key] for r in runs if r.get(key) is not None]
    return statistics.median(values) if values else None


def run(seconds: float, runs: int, program: str, xvfb: bool, progress: bool) -> dict[str, Any]:
    samples: dict[str, list[dict[str, Any]]] = {side: [] for side in SIDES}
    with display_env(xvfb) as env:
        run_child("calftimer", env)  # fills the .pyc cache and the page cache; not counted
        run_child("bare", env)
        for i in range(runs):
            for side in SIDES:
                if progress:
                    print(f"  run {i + 1}/{runs}: {side} ({seconds:g} s)", file=sys.stderr)
                if side == "session":
                    child = run_child(
                        "calftimer", env, app_args=["--start", program], hold_s=seconds
                    )
                elif side == "idle":
                    child = run_child("calftimer", env, hold_s=seconds)
                else:
                    child = run_child("bare", env, hold_s=seconds)
                samples[side].append(figures(child))
        qpa = env["QT_QPA_PLATFORM"]
    summary: dict[str, Any] = {}
    for side, rows in samples.items():
        summary[side] = {
            key: median_of(rows, key)
            for key in (
                "cpu_percent",
                "user_percent",
                "sys_percent",
                "context_switches_per_s",
                "peak_rss_mib",
                "rss_end_mib",
                "wall_s",
            )
        }
        summary[side]["session_states"] = sorted({r["session_state"] or "no session" for r in rows})
        summary[side]["threads_first_run"] = rows[0]["threads"][:5]
    session_cpu = summary["session"]["cpu_percent"]
    peak, bare_peak = summary["session"]["peak_rss_mib"], summary["bare"]["peak_rss_mib"]
    return {
        "config": {
            "seconds": seconds,
            "runs": runs,
            "program": program,
            "qpa": qpa,
            "bytecode": bytecode_note(True),
        },
        **summary,
        "session_running_throughout": summary["session"]["session_states"] == ["running"],
        "peak_rss_ratio_session_vs_bare": peak / bare_peak if peak and bare_peak else None,
        "target_cpu_percent": TARGET_CPU_PERCENT,
        "target_met": session_cpu is not None and session_cpu <= TARGET_CPU_PERCENT,
        "samples": samples,
        "environment": environment(qpa),
    }


def _fmt(value: float | None, spec: str) -> str:
    return "n/a" if value is None else format(value, spec)


def print_report(result: dict[str, Any]) -> None:
    cfg = result["config"]
    print(
        f"calftimer CPU and memory: {cfg['seconds']:g} s after the first paint, "
        f"{cfg['runs']} run(s) each, program {cfg['program']!r}, "
        f"QT_QPA_PLATFORM={cfg['qpa']}"
    )
    rows = [
        ("CPU, % of one core", "cpu_percent", ".2f"),
        ("  user", "user_percent", ".2f"),
        ("  system", "sys_percent", ".2f"),
        ("context switches / s", "context_switches_per_s", ".0f"),
        ("peak RSS (MiB)", "peak_rss_mib", ".1f"),
        ("RSS at the end (MiB)", "rss_end_mib", ".1f"),
    ]
    print(f"  {'median':28}{'session':>12}{'idle':>12}{'bare window':>14}")
    for label, key, spec in rows:
        cells = [_fmt(result[side][key], spec) for side in SIDES]
        print(f"  {label:28}{cells[0]:>12}{cells[1]:>12}{cells[2]:>14}")
    print(f"  session state at the end: {', '.join(result['session']['session_states'])}")
    for side in SIDES:
        threads = result[side]["threads_first_run"]
        if threads:
            busiest = ", ".join(f"{t['name']} {t['cpu_percent']:.2f} %" for t in threads[:3])
            print(f"  busiest threads ({side}, run 1): {busiest}")
    ratio = result["peak_rss_ratio_session_vs_bare"]
    print(f"  peak RSS, session / bare window: {_fmt(ratio, '.2f')}x")
    verdict = "met" if result["target_met"] else "MISSED"
    print(
        f"  target: CPU <= {TARGET_CPU_PERCENT:g} % of one core while a session runs: {verdict} "
        f"({_fmt(result['session']['cpu_percent'], '.2f')} %)"
    )


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--seconds", type=float, default=60, help="measured time per run (60)")
    parser.add_argument("--runs", type=int, default=1, help="runs of each process (1)")
    parser.add_argument("--program", default="foundation", help="program to run (foundation)")
    parser.add_argument("--xvfb", action="store_true", help="paint on a private Xvfb screen")
    parser.add_argument("--json", action="store_true", help="print the figures as JSON")
    args = parser.parse_args(argv)
    if args.seconds <= 0 or args.runs < 1:
        parser.error("--seconds must be positive and --runs at least 1")
    result = run(args.seconds, args.runs, args.program, args.xvfb, progress=not args.json)
    if args.json:
        print(json.dumps(result, indent=2))
    else:
        print_report(result)
    return 0


if __name__ == "__main__":
    sys.exit(main())
