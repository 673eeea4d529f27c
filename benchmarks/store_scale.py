"""History store at scale: calftimer's store vs one indented JSON file rewritten on every save.

What it measures
----------------
The script writes a realistic history of ``--years`` (default 20) years x one session a day x
``--sets-per-session`` (default 20) sets, about 146,000 sets, straight into the store's layout in
a temporary folder: one compact ``history/months/YYYY-MM.json`` archive per past month
(``{"kind": "calftimer.month", "schema_version": 2, "month": ..., "sessions": [...]}``, the bytes
``Store._write_file`` would write) and one ``history/sessions/<id>.json`` file per session of the
current month. Sessions follow the built-in programs (their compiled work sets, cycled to the
wanted number of sets) and are built with the store's own ``set_doc``; about one in 28 is a
heel-rise test with a test result, some carry pain ratings, a few were abandoned. Writing the
history is not measured.

Then, side by side in the same run:

* **calftimer** (``calftimer.core.store.Store``):

  - *cold load*: ``Store.open`` on the generated folder, timed inside a fresh Python process
    (imports excluded), ``--loads`` times (default 5); the median is reported. The page cache
    cannot be dropped without root, so this is a warm-cache cold start of a new process. Each
    child also records its peak memory, times the parts of a load on their own (reading the
    files, ``json.loads``, ``validate_session``) and times a second ``Store.open`` with the
    cyclic garbage collector switched off, so a slow load can be explained;
  - *save of one set*: ``Store.add_set`` into a session, ``--saves`` times (default 200); each
    call is durable when it returns (backup rotation, temp file, fsync, ``os.replace``, fsync of
    the folder, under the inter-process lock). A new session is begun (not timed) every
    ``--sets-per-session`` saves, so the rewritten session file has a realistic size. The same
    is measured on a small history (the last 30 days), interleaved a session at a time with the
    large one, to show that the cost does not depend on the size of the history;
  - *full export* (median of 3): ``calftimer.core.exchange.export_json`` (the full JSON backup)
    and ``export_csv``, both written with ``write_atomic`` (temp file, fsync, replace, fsync
    folder). Without that module the equivalent is timed and the report says so: every session
    from ``Store.sessions()`` in one compact JSON document written with ``write_atomic``;
  - *disk size* of the ``history`` folder (file bytes and allocated blocks).

* **baseline**: what a naive app does. All sessions in ONE ``json.dump(indent=2)`` file; each save
  appends a set to the data in memory and rewrites the whole file in place (``json.dump``,
  flush, fsync). ``--baseline-saves`` saves (default 5: each one takes seconds) give p50/p95;
  its load (``json.load`` in a fresh process, no validation, median of ``--loads``) and its size
  are measured the same way.

Targets for calftimer (issue 3): save of one set p95 <= 10 ms and independent of the history's
size; load <= 300 ms. The script prints a table with both sides and the ratios (baseline /
calftimer); ``--json`` prints all figures as JSON instead. ``--profile`` also runs ``Store.open``
under cProfile in this process and prints the top functions by cumulative and by own time.
"Independent of the history's size" is judged as: the large history's median save is at most
1.5 times the small one's, or at most 0.5 ms above it (fsync times on a shared disk vary).

Run from the repository root::

    python benchmarks/store_scale.py                    # 20 years, about 40 s
    python benchmarks/store_scale.py --years 2 --json   # quick

The data lives in a temporary folder under ``$TMPDIR`` (``/tmp`` by default); fsync cost depends
on that file system, so say which it was when you quote the figures.
"""

from __future__ import annotations

import argparse
import cProfile
import gc
import importlib
import io
import json
import math
import os
import platform
import pstats
import random
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Sequence
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from pathlib import Path
from types import ModuleType
from typing import Any

# ``python benchmarks/store_scale.py`` puts benchmarks/ (not the repo root) on sys.path.
REPO_ROOT = Path(__file__).resolve().parent.parent
try:
    import calftimer  # noqa: F401
except ImportError:
    sys.path.insert(0, str(REPO_ROOT))

from stats import json_safe, percentile  # noqa: E402  (benchmarks/stats.py, beside this)

from calftimer.core.atomic import write_atomic  # noqa: E402
from calftimer.core.exercise import Mode  # noqa: E402
from calftimer.core.history import (  # noqa: E402
    SCHEMA_VERSION,
    PainDoc,
    SessionDoc,
    TestResultDoc,
    iso,
    month_of,
    new_id,
    set_doc,
    validate_session,
)
from calftimer.core.programs import BUILTIN_PROGRAMS  # noqa: E402
from calftimer.core.session import EndedBy, SetRecord  # noqa: E402
from calftimer.core.store import MONTH_KIND, SESSION_KIND, Store  # noqa: E402
from calftimer.core.timeline import Timeline, WorkSet, compile_program  # noqa: E402

TARGET_SAVE_P95_MS = 10.0
TARGET_LOAD_MS = 300.0
# "Independent of history size": the large history's median save is within this factor of the
# small one's, or this many ms (fsync times on a shared virtual disk vary by tens of percent).
INDEPENDENCE_FACTOR = 1.5
INDEPENDENCE_SLACK_MS = 0.5
SMALL_HISTORY_DAYS = 30
SEED = 20261127
MS = 1000.0

# ------------------------------------------------------------------------------ generation


def _timelines() -> dict[str, Timeline]:
    return {p.id: compile_program(p) for p in BUILTIN_PROGRAMS}


def _pick_program(day: int, rng: random.Random) -> str:
    if day % 28 == 0:
        return "heel-rise-test"
    return rng.choices(("foundation", "alfredson", "isometric"), (5, 3, 2))[0]


def make_record(
    ws: WorkSet, started_at: datetime, rng: random.Random, set_number: int | None = None
) -> SetRecord:
    """A completed set as the session would report it: mostly as planned, sometimes short."""
    duration_ms = max(ws.duration_ms, 1000)
    if ws.mode is Mode.TEST:
        done, ended_by = rng.randint(12, 35), EndedBy.USER
        duration_ms = done * 2000
    elif rng.random() < 0.05:
        done, ended_by = rng.randint(0, ws.target), EndedBy.SKIP
        duration_ms = duration_ms * max(done, 1) // max(ws.target, 1)
    else:
        done, ended_by = ws.target, EndedBy.TIME
    tut_ms = (
        duration_ms
        if ws.mode in (Mode.TIME, Mode.DISTANCE)
        else done * (ws.tempo.rep_ms() if ws.tempo else 2000)
    )
    ended_at = started_at + timedelta(milliseconds=duration_ms)
    # A history of real users: loads vary from session to session, as programs get edited.
    work = replace(
        ws,
        set_number=ws.set_number if set_number is None else set_number,
        load_kg=ws.load_kg + rng.choice((0.0, 0.0, 2.5, 5.0, 10.0)),
    )
    return SetRecord(
        work=work,
        done=done,
        time_under_tension_ms=tut_ms,
        started_mono_ms=ws.start_ms,
        ended_mono_ms=ws.start_ms + duration_ms,
        started_at=started_at,
        ended_at=ended_at,
        ended_by=ended_by,
    )


def make_session(
    day_start: datetime,
    program_id: str,
    timelines: dict[str, Timeline],
    sets: int,
    rng: random.Random,
) -> SessionDoc:
    """One session of ``sets`` sets that follows a built-in program (its work sets cycled)."""
    timeline = timelines[program_id]
    started = day_start.replace(hour=5, minute=0) + timedelta(minutes=rng.randint(0, 14 * 60))
    started = started.replace(second=rng.randint(0, 59), microsecond=rng.randint(0, 999) * 1000)
    work = timeline.work_sets
    loop_ms = timeline.duration_ms + 60_000
    docs = []
    for i in range(sets):
        ws = work[i % len(work)]
        at = started + timedelta(milliseconds=(i // len(work)) * loop_ms + ws.start_ms)
        docs.append(set_doc(make_record(ws, at, rng)))
    status = "abandoned" if rng.random() < 0.03 else "finished"
    ended = datetime.fromisoformat(docs[-1]["ended_at"]) if docs else started
    session = SessionDoc(
        id=new_id(),
        program_id=program_id,
        program_name=timeline.program_name,
        started_at=iso(started),
        ended_at=iso(ended + timedelta(seconds=5)),
        status=status,
        sets=docs,
        tests=[],
        pain=[],
    )
    if program_id == "heel-rise-test":
        session["tests"].append(
            TestResultDoc(
                id=new_id(),
                left_reps=rng.randint(15, 35),
                right_reps=rng.randint(15, 35),
                heel_height_cm=rng.choice((None, 5.0, 6.5, 7.0)),
                recorded_at=iso(ended),
            )
        )
    if rng.random() < 0.3:
        session["pain"].append(
            PainDoc(id=new_id(), when="during", rating=rng.randint(0, 4), recorded_at=iso(ended))
        )
    if rng.random() < 0.15:
        morning = (ended + timedelta(days=1)).replace(hour=6, minute=rng.randint(0, 59))
        session["pain"].append(
            PainDoc(
                id=new_id(), when="next_morning", rating=rng.randint(0, 3), recorded_at=iso(morning)
            )
        )
    return session


def _compact(payload: dict[str, Any]) -> bytes:
    """The bytes ``Store._write_file`` writes."""
    return json.dumps(payload, ensure_ascii=False, separators=(",", ":")).encode()


def generate_history(
    root: Path, days: int, sets_per_session: int, now: datetime, seed: int = SEED
) -> list[SessionDoc]:
    """Write ``days`` daily sessions ending yesterday into the store layout under ``root``;
    past months go to month archives, this month's sessions to their own files."""
    rng = random.Random(seed)
    timelines = _timelines()
    today = now.replace(hour=0, minute=0, second=0, microsecond=0)
    sessions = [
        make_session(
            today - timedelta(days=d), _pick_program(d, rng), timelines, sets_per_session, rng
        )
        for d in range(days, 0, -1)
    ]
    sessions.sort(key=lambda s: s["started_at"])
    months_dir = root / "history" / "months"
    sessions_dir = root / "history" / "sessions"
    months_dir.mkdir(parents=True, exist_ok=True)
    sessions_dir.mkdir(parents=True, exist_ok=True)
    this_month = now.strftime("%Y-%m")
    by_month: dict[str, list[SessionDoc]] = {}
    for session in sessions:
        month = month_of(session)
        if month >= this_month:
            payload = {"kind": SESSION_KIND, "schema_version": SCHEMA_VERSION, "session": session}
            (sessions_dir / f"{session['id']}.json").write_bytes(_compact(payload))
        else:
            by_month.setdefault(month, []).append(session)
    for month, items in by_month.items():
        payload = {
            "kind": MONTH_KIND,
            "schema_version": SCHEMA_VERSION,
            "month": month,
            "sessions": items,
        }
        (months_dir / f"{month}.json").write_bytes(_compact(payload))
    return sessions


def write_baseline(path: Path, sessions: list[SessionDoc]) -> None:
    data = {"schema_version": SCHEMA_VERSION, "sessions": sessions}
    with open(path, "w", encoding="utf-8") as handle:
        json.dump(data, handle, indent=2, ensure_ascii=False)


# ------------------------------------------------------------------------------- measuring


def folder_size(folder: Path) -> dict[str, int]:
    files = size = blocks = 0
    for dirpath, _dirs, names in os.walk(folder):
        for name in names:
            st = os.stat(os.path.join(dirpath, name))
            files += 1
            size += st.st_size
            blocks += getattr(st, "st_blocks", 0) * 512
    return {"files": files, "bytes": size, "allocated_bytes": blocks or size}


def file_size(path: Path) -> dict[str, int]:
    st = path.stat()
    return {"files": 1, "bytes": st.st_size, "allocated_bytes": getattr(st, "st_blocks", 0) * 512}


def _max_rss_mb() -> float:
    """Peak resident memory of this process so far (NaN where unknown)."""
    try:
        import resource
    except ImportError:  # Windows
        return math.nan
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return peak / 1e6 if sys.platform == "darwin" else peak / 1e3  # bytes on macOS, else KiB


def _child(args: list[str]) -> dict[str, Any]:
    """Run this script in a fresh interpreter in child mode and return what it printed."""
    out = subprocess.run(
        [sys.executable, str(Path(__file__).resolve()), "--child", *args],
        check=True,
        capture_output=True,
        text=True,
        cwd=REPO_ROOT,
    )
    result: dict[str, Any] = json.loads(out.stdout)
    return result


def child_load_store(root: Path) -> dict[str, Any]:
    """In a fresh process: time Store.open, then the parts of a load on their own."""
    # What the app waits for at start-up: Store.open reads the session files and the recent
    # months; the window then reads the rest on its writer thread (ensure_loaded).
    t0 = time.perf_counter()
    store = Store.open(root)
    open_s = time.perf_counter() - t0
    t0 = time.perf_counter()
    store.ensure_loaded()
    full_s = open_s + time.perf_counter() - t0
    rss_mb = _max_rss_mb()
    sets, notices = store.set_count(), [n.message for n in store.notices]
    del store
    gc.collect()
    files = sorted((root / "history" / "months").glob("*.json"))
    files += sorted((root / "history" / "sessions").glob("*.json"))
    t0 = time.perf_counter()
    raws = [p.read_bytes() for p in files]
    t1 = time.perf_counter()
    docs = [json.loads(raw.decode("utf-8")) for raw in raws]
    t2 = time.perf_counter()
    problems = 0
    for doc in docs:
        for i, session in enumerate(doc["sessions"] if "sessions" in doc else [doc["session"]]):
            problems += len(validate_session(session, f"sessions[{i}]"))
    t3 = time.perf_counter()
    return {
        "open_s": open_s,
        "full_s": full_s,
        "rss_mb": rss_mb,
        "sets": sets,
        "notices": notices,
        "read_s": t1 - t0,
        "json_loads_s": t2 - t1,
        "validate_s": t3 - t2,
        "problems": problems,
        "files": len(files),
    }


def child_load_baseline(path: Path) -> dict[str, Any]:
    t0 = time.perf_counter()
    with open(path, encoding="utf-8") as handle:
        data = json.load(handle)
    open_s = time.perf_counter() - t0
    return {
        "open_s": open_s,
        "rss_mb": _max_rss_mb(),
        "sets": sum(len(s["sets"]) for s in data["sessions"]),
    }


def measure_loads(kind: str, target: Path, runs: int) -> dict[str, Any]:
    results = [_child([kind, str(target)]) for _ in range(runs)]
    summary: dict[str, Any] = {
        "runs": runs,
        "median_ms": statistics.median(r["open_s"] for r in results) * MS,
        "min_ms": min(r["open_s"] for r in results) * MS,
        "max_ms": max(r["open_s"] for r in results) * MS,
        "peak_rss_mb": statistics.median(r["rss_mb"] for r in results),
        "sets": results[0]["sets"],
    }
    if kind == "load-store":
        for key in ("full_s", "read_s", "json_loads_s", "validate_s"):
            summary[key.removesuffix("_s") + "_median_ms"] = (
                statistics.median(r[key] for r in results) * MS
            )
        summary["notices"] = results[0]["notices"]
        summary["problems"] = results[0]["problems"]
        summary["files"] = results[0]["files"]
    return summary


class SaveRun:
    """Durable ``Store.add_set`` calls on one store; a new (untimed) session every
    ``sets_per_session`` saves, so the rewritten session file keeps a realistic size."""

    def __init__(self, root: Path, sets_per_session: int, seed: int) -> None:
        self.store = Store.open(root)
        self.history_sets = self.store.set_count()
        self.rng = random.Random(seed)
        self.timeline = _timelines()["foundation"]
        # A set's id follows from its session and its place in the program, so a session takes
        # at most one set per work set (21 in "foundation"); more would replace earlier ones.
        self.sets_per_session = min(sets_per_session, len(self.timeline.work_sets))
        self.times_ms: list[float] = []
        self.session_id = ""
        self.started = datetime.now(UTC)

    def save(self) -> None:
        k = len(self.times_ms) % self.sets_per_session
        if k == 0:
            self.end()
            self.started = datetime.now(UTC)
            self.session_id = self.store.begin_session(
                self.timeline.program_id, self.timeline.program_name, self.started
            )
        ws = self.timeline.work_sets[k % len(self.timeline.work_sets)]
        record = make_record(ws, self.started + timedelta(milliseconds=ws.start_ms), self.rng)
        t0 = time.perf_counter()
        self.store.add_set(self.session_id, record)
        self.times_ms.append((time.perf_counter() - t0) * MS)

    def end(self) -> None:
        if self.session_id:
            self.store.end_session(self.session_id, "finished", datetime.now(UTC))
            self.session_id = ""

    def summary(self) -> dict[str, Any]:
        self.end()
        assert self.store.set_count() == self.history_sets + len(self.times_ms)
        ms = self.times_ms
        return {
            "saves": len(ms),
            "history_sets": self.history_sets,
            "p50_ms": percentile(ms, 50),
            "p95_ms": percentile(ms, 95),
            "max_ms": max(ms),
            "mean_ms": statistics.fmean(ms),
        }


def measure_saves(roots: Sequence[Path], saves: int, sets_per_session: int) -> list[dict[str, Any]]:
    """``saves`` saves on each store, interleaved a session at a time so that the machine's
    ups and downs (a shared disk) hit every store alike."""
    runs = [SaveRun(root, sets_per_session, SEED + 1 + i) for i, root in enumerate(roots)]
    while len(runs[0].times_ms) < saves:
        for one in runs:
            for _ in range(min(sets_per_session, saves - len(one.times_ms))):
                one.save()
    return [one.summary() for one in runs]


def _timed(fn: Callable[[], Any], runs: int) -> float:
    times = []
    for _ in range(runs):
        t0 = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t0)
    return statistics.median(times) * MS


def measure_export(root: Path, out_dir: Path, runs: int = 3) -> dict[str, Any]:
    """A full export, median of ``runs``: ``calftimer.core.exchange`` when it is there (JSON
    backup and CSV), else the equivalent JSON (every session, compact, ``write_atomic``)."""
    store = Store.open(root)
    json_path, csv_path = out_dir / "export.json", out_dir / "export.csv"
    result: dict[str, Any] = {"runs": runs}
    exchange: ModuleType | None
    try:
        exchange = importlib.import_module("calftimer.core.exchange")
    except ImportError:
        exchange = None
    if exchange is not None and hasattr(exchange, "export_json"):
        result["method"] = "calftimer.core.exchange.export_json / export_csv"
        result["import_limit_bytes"] = getattr(exchange, "MAX_IMPORT_BYTES", None)
        ms = _timed(lambda: exchange.export_json(json_path, store, BUILTIN_PROGRAMS), runs)
        result["json"] = {"median_ms": ms, "bytes": json_path.stat().st_size}
        if hasattr(exchange, "export_csv"):
            ms = _timed(lambda: exchange.export_csv(csv_path, store), runs)
            result["csv"] = {"median_ms": ms, "bytes": csv_path.stat().st_size}
    else:
        result["method"] = "equivalent (no calftimer.core.exchange): json.dumps + write_atomic"

        def export() -> None:
            payload = {
                "kind": "calftimer.backup",
                "schema_version": SCHEMA_VERSION,
                "exported_at": iso(datetime.now(UTC)),
                "sessions": store.sessions(),
            }
            write_atomic(json_path, _compact(payload))

        ms = _timed(export, runs)
        result["json"] = {"median_ms": ms, "bytes": json_path.stat().st_size}
    return result


def measure_baseline_saves(path: Path, saves: int) -> dict[str, Any]:
    """Append a set and rewrite the one indented file in place with fsync, ``saves`` times."""
    with open(path, encoding="utf-8") as handle:
        data = json.load(handle)
    rng = random.Random(SEED + 2)
    timeline = _timelines()["foundation"]
    last = data["sessions"][-1]
    times: list[float] = []
    for i in range(saves):
        ws = timeline.work_sets[i % len(timeline.work_sets)]
        record = make_record(ws, datetime.now(UTC), rng)
        doc = set_doc(record)
        t0 = time.perf_counter()
        last["sets"].append(doc)
        with open(path, "w", encoding="utf-8") as handle:
            json.dump(data, handle, indent=2, ensure_ascii=False)
            handle.flush()
            os.fsync(handle.fileno())
        times.append(time.perf_counter() - t0)
    ms = [t * MS for t in times]
    return {
        "saves": saves,
        "p50_ms": percentile(ms, 50),
        "p95_ms": percentile(ms, 95),
        "max_ms": max(ms),
        "mean_ms": statistics.fmean(ms),
    }


def profile_open(root: Path, top: int = 25) -> str:
    profiler = cProfile.Profile()
    profiler.enable()
    Store.open(root)
    profiler.disable()
    out = io.StringIO()
    pstats.Stats(profiler, stream=out).sort_stats("cumulative").print_stats(top)
    out.write("\n")
    pstats.Stats(profiler, stream=out).sort_stats("tottime").print_stats(top)
    return out.getvalue()


# ------------------------------------------------------------------------------------- run


def run(args: argparse.Namespace, log: Any) -> dict[str, Any]:
    days = round(args.years * 365)
    now = datetime.now(UTC)
    base_tmp = Path(tempfile.mkdtemp(prefix="calftimer-store-scale-"))
    try:
        big, small = base_tmp / "large", base_tmp / "small"
        baseline_file = base_tmp / "baseline" / "history.json"
        baseline_file.parent.mkdir(parents=True)
        log(f"generating {days} days x {args.sets_per_session} sets in {base_tmp} ...")
        t0 = time.perf_counter()
        sessions = generate_history(big, days, args.sets_per_session, now)
        total_sets = sum(len(s["sets"]) for s in sessions)
        write_baseline(baseline_file, sessions)
        del sessions
        generate_history(small, min(SMALL_HISTORY_DAYS, days), args.sets_per_session, now)
        log(f"  {total_sets} sets written in {time.perf_counter() - t0:.1f} s")

        store_size = folder_size(big / "history")
        baseline_size = file_size(baseline_file)
        month_files = len(list((big / "history" / "months").glob("*.json")))
        session_files = len(list((big / "history" / "sessions").glob("*.json")))

        log(f"cold load x {args.loads} (fresh processes) ...")
        store_load = measure_loads("load-store", big, args.loads)
        baseline_load = measure_loads("load-baseline", baseline_file, args.loads)
        if store_load["sets"] != total_sets or store_load["notices"]:
            raise RuntimeError(f"generated history did not load cleanly: {store_load}")

        profile = ""
        if args.profile:
            log("profiling Store.open ...")
            profile = profile_open(big)

        log(f"saves: {args.saves} on the large history, {args.saves} on the small one ...")
        saves_large, saves_small = measure_saves([big, small], args.saves, args.sets_per_session)
        log("export ...")
        export = measure_export(big, base_tmp)
        log(f"baseline: {args.baseline_saves} saves of the one indented file ...")
        baseline_saves = measure_baseline_saves(baseline_file, args.baseline_saves)
    finally:
        shutil.rmtree(base_tmp, ignore_errors=True)

    independent = saves_large["p50_ms"] <= max(
        INDEPENDENCE_FACTOR * saves_small["p50_ms"], saves_small["p50_ms"] + INDEPENDENCE_SLACK_MS
    )
    return {
        "config": {
            "years": args.years,
            "days": days,
            "sets_per_session": args.sets_per_session,
            "sets": total_sets,
            "month_files": month_files,
            "session_files": session_files,
            "saves": args.saves,
            "baseline_saves": args.baseline_saves,
            "loads": args.loads,
            "small_history_days": min(SMALL_HISTORY_DAYS, days),
            "data_dir": str(base_tmp),
        },
        "calftimer": {
            "load": store_load,
            "save_large": saves_large,
            "save_small": saves_small,
            "export": export,
            "disk": store_size,
        },
        "baseline": {"load": baseline_load, "save": baseline_saves, "disk": baseline_size},
        "ratios": {
            "save_p50": baseline_saves["p50_ms"] / saves_large["p50_ms"],
            "save_p95": baseline_saves["p95_ms"] / saves_large["p95_ms"],
            "load": baseline_load["median_ms"] / store_load["median_ms"],
            "disk": baseline_size["bytes"] / store_size["bytes"],
            "save_large_over_small_p50": saves_large["p50_ms"] / saves_small["p50_ms"],
            "save_large_over_small_p95": saves_large["p95_ms"] / saves_small["p95_ms"],
        },
        "targets": {
            "save_p95_le_10ms": max(saves_large["p95_ms"], saves_small["p95_ms"])
            <= TARGET_SAVE_P95_MS,
            "save_independent_of_history": independent,
            "load_le_300ms": store_load["median_ms"] <= TARGET_LOAD_MS,
        },
        "environment": {
            "python": platform.python_version(),
            "platform": platform.platform(),
            "cpus": os.cpu_count(),
        },
        "profile": profile,
    }


def _mb(n: int) -> str:
    return f"{n / 1e6:.1f} MB"


def print_report(r: dict[str, Any]) -> None:
    cfg, cal, base, ratio = r["config"], r["calftimer"], r["baseline"], r["ratios"]
    print(
        f"calftimer history store: {cfg['years']:g} years x 1 session a day x "
        f"{cfg['sets_per_session']} sets = {cfg['sets']} sets "
        f"({cfg['month_files']} month files, {cfg['session_files']} session files)"
    )
    load, sl, ss, bs = cal["load"], cal["save_large"], cal["save_small"], base["save"]
    export = cal["export"]
    rows = [
        (
            f"start-up load (Store.open), median of {cfg['loads']}",
            f"{load['median_ms']:.0f} ms",
            f"{base['load']['median_ms']:.0f} ms",
            f"{ratio['load']:.2f}x",
        ),
        (
            "whole history in memory (+ensure_loaded)",
            f"{load['full_median_ms']:.0f} ms",
            f"{base['load']['median_ms']:.0f} ms",
            f"{base['load']['median_ms'] / load['full_median_ms']:.2f}x",
        ),
        (
            f"save one set p50 ({cfg['saves']} / {cfg['baseline_saves']} saves)",
            f"{sl['p50_ms']:.2f} ms",
            f"{bs['p50_ms']:.0f} ms",
            f"{ratio['save_p50']:.0f}x",
        ),
        (
            "save one set p95",
            f"{sl['p95_ms']:.2f} ms",
            f"{bs['p95_ms']:.0f} ms",
            f"{ratio['save_p95']:.0f}x",
        ),
        ("save one set max", f"{sl['max_ms']:.2f} ms", f"{bs['max_ms']:.0f} ms", ""),
        (
            f"save p50 / p95, small history ({cfg['small_history_days']} days)",
            f"{ss['p50_ms']:.2f} / {ss['p95_ms']:.2f} ms",
            "",
            "",
        ),
        (
            f"full export, JSON (median of {export['runs']})",
            f"{export['json']['median_ms']:.0f} ms",
            "",
            "",
        ),
        *(
            [
                (
                    f"full export, CSV (median of {export['runs']})",
                    f"{export['csv']['median_ms']:.0f} ms",
                    "",
                    "",
                )
            ]
            if "csv" in export
            else []
        ),
        (
            "disk size",
            _mb(cal["disk"]["bytes"]),
            _mb(base["disk"]["bytes"]),
            f"{ratio['disk']:.2f}x",
        ),
    ]
    print(f"  {'':46}{'calftimer':>17}{'baseline':>12}{'ratio':>8}")
    for label, a, b, c in rows:
        print(f"  {label:46}{a:>17}{b:>12}{c:>8}")
    print(
        f"  load parts (timed separately, median): read {load['read_median_ms']:.0f} ms, "
        f"json.loads {load['json_loads_median_ms']:.0f} ms, validate_session "
        f"{load['validate_median_ms']:.0f} ms; peak memory after the full load "
        f"{load['peak_rss_mb']:.0f} MB (baseline {base['load']['peak_rss_mb']:.0f} MB)"
    )
    print(
        f"  save cost large/small history: p50 {ratio['save_large_over_small_p50']:.2f}x, "
        f"p95 {ratio['save_large_over_small_p95']:.2f}x"
    )
    sizes = ", ".join(
        f"{kind.upper()} {_mb(export[kind]['bytes'])}" for kind in ("json", "csv") if kind in export
    )
    limit = export.get("import_limit_bytes")
    print(
        f"  export: {export['method']}; files {sizes}"
        + (f" (import refuses files over {_mb(limit)})" if limit else "")
    )
    verdict = {True: "met", False: "MISSED"}
    t = r["targets"]
    print(
        f"  targets: save p95 <= {TARGET_SAVE_P95_MS:g} ms: {verdict[t['save_p95_le_10ms']]}; "
        f"independent of history (large p50 <= {INDEPENDENCE_FACTOR:g}x small or "
        f"+{INDEPENDENCE_SLACK_MS:g} ms): "
        f"{verdict[t['save_independent_of_history']]}; load <= {TARGET_LOAD_MS:g} ms: "
        f"{verdict[t['load_le_300ms']]}"
    )
    if r["profile"]:
        print("\nStore.open under cProfile:\n" + r["profile"])


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--years", type=float, default=20, help="years of history (20)")
    parser.add_argument("--sets-per-session", type=int, default=20, help="sets a session (20)")
    parser.add_argument("--saves", type=int, default=200, help="timed calftimer saves (200)")
    parser.add_argument("--baseline-saves", type=int, default=5, help="timed baseline saves (5)")
    parser.add_argument("--loads", type=int, default=5, help="cold loads, fresh processes (5)")
    parser.add_argument("--profile", action="store_true", help="cProfile one Store.open")
    parser.add_argument("--json", action="store_true", help="print the figures as JSON")
    parser.add_argument("--child", nargs=2, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.child:
        kind, target = args.child
        fn = child_load_store if kind == "load-store" else child_load_baseline
        print(json.dumps(fn(Path(target))))
        return 0
    if args.years <= 0 or args.sets_per_session < 1 or args.saves < 1 or args.loads < 1:
        parser.error("--years, --sets-per-session, --saves and --loads must be positive")
    if args.baseline_saves < 1:
        parser.error("--baseline-saves must be positive")

    def log(message: str) -> None:
        print(message, file=sys.stderr, flush=True)

    result = run(args, log)
    if args.json:
        print(json.dumps(json_safe(result), indent=2))
    else:
        print_report(result)
    return 0


if __name__ == "__main__":
    sys.exit(main())
