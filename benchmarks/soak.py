"""Soak: launch the real calftimer N times as a user does, stop each session at a random moment,
quit, and count every fault.

What one launch is
------------------
The venv's ``calftimer`` launcher (the program a user starts), with a fresh data folder
(``CALFTIMER_DATA_DIR``) holding a settings file that turns the built-in voice on
(``voice_engine: "clips"``), started as ``calftimer --start soak.json``: a short program of
three sets of two voiced reps with short rests, so that a stop can land in every state (the
get-ready with its announcement and its 3-2-1, a rep with its count, a rest with its next-set
phrase). On a private Xvfb screen and a private sound server (``--server pulseaudio`` or
``pipewire``, from ``tests/realaudio.py``), the script waits for the window to be mapped, waits a
random ``--stop-after`` time (seeded: ``--seed``), focuses the window, presses Esc and answers
the question "Stop the session?" with its Stop button (Alt+S), then presses Ctrl+Q and waits for
the process to end (``--timeout``; then it is killed with SIGKILL and counted as a hang).

What it counts
--------------
* exit status other than 0; ended by a signal (abort, segfault: a negative return code);
  hangs;
* fault lines on stderr: Qt's ``QSocketNotifier`` warnings, "cues may have been missed" (the old
  output's restart), any restart of the sound output, Python tracebacks, ``Fatal Python error``,
  glibc's ``malloc``/``corrupted``/``double free`` and ``QThread: Destroyed``;
* launches whose sound never reached the server (no playback stream of the app's process while
  the session ran): a soak that plays nothing proves nothing;
* where each stop landed (from the session the app saved: its start and end instant placed on
  the program's timeline), so the summary shows that every state was hit; a stop before the
  session began is counted too.

Any other line on stderr is listed once at the end (not a fault: chatter to look at).
The script prints one table and exits 1 when any fault count is not 0 (2 when it could not run:
no Xvfb, no xdotool, no sound server). Every process it starts ends, on Ctrl+C too.

Run from the repository root (real-time work: under the machine's lock)::

    .venv/bin/python benchmarks/soak.py --launches 100 --lock /work/realtime.lock
    .venv/bin/python benchmarks/soak.py --launches 5 --server pipewire   # quick
"""

from __future__ import annotations

import argparse
import contextlib
import fcntl
import json
import os
import random
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from xscreen import XvfbError, private_xvfb  # noqa: E402  (benchmarks/xscreen.py, beside this)

from tests.realaudio import SERVERS, SoundServer, SoundServerError, open_server  # noqa: E402

SINK = "soak"
WINDOW_NAME = "^calftimer$"
QUESTION_NAME = "^Stop the session\\?$"
MAP_TIMEOUT_S = 30.0
QUESTION_WAIT_S = 3.0
POLL_S = 0.05

# The program every launch starts: three sets of two reps at 1-0-1-0 with 3 s rests, so a stop
# within the first ~20 s of a session can land in the get-ready, a rep or a rest.
SOAK_PROGRAM = {
    "kind": "calftimer.program",
    "version": 1,
    "id": "soak",
    "name": "Soak",
    "blocks": [
        {
            "exercise": "seated_calf_raise",
            "sets": 3,
            "target": 2,
            "tempo": {"up": 1, "top": 0, "down": 1, "bottom": 0},
            "rest_s": 3,
        }
    ],
}
# The built-in voice on, the shortest get-ready, no screen-saver inhibition over D-Bus (there
# is no session bus on the private screen; a desktop has one).
SOAK_SETTINGS = {
    "kind": "calftimer.settings",
    "schema_version": 1,
    "voice_enabled": True,
    "voice_engine": "clips",
    "countdown_s": 3,
    "prepare_s": 5,
}

FAULTS: dict[str, re.Pattern[str]] = {
    "socket notifier": re.compile(r"QSocketNotifier"),
    "cues missed": re.compile(r"cues may have been missed", re.IGNORECASE),
    "restart": re.compile(r"restart", re.IGNORECASE),
    "traceback": re.compile(r"Traceback \(most recent call last\)|Fatal Python error"),
    "memory": re.compile(r"malloc|corrupted|double free|free\(\)", re.IGNORECASE),
    "thread destroyed": re.compile(r"QThread: Destroyed"),
}


@dataclass
class Launch:
    index: int
    stop_after_s: float
    returncode: int | None = None
    hung: bool = False
    faults: Counter[str] = field(default_factory=Counter)
    fault_lines: list[str] = field(default_factory=list)
    other_lines: list[str] = field(default_factory=list)
    stream_seen: bool = False
    asked: bool = False  # the stop question came up (a session was running)
    stopped_in: str = "?"
    seconds: float = 0.0
    problem: str = ""  # the script could not drive this launch (no window, ...)


class SoakError(RuntimeError):
    """The soak cannot run here (a tool is missing); the message says which."""


# ------------------------------------------------------------------------------ the screen


def xdotool(display: str, *args: str, timeout: float = 10) -> str:
    """Run xdotool on ``display``; its output ("" when it found nothing or failed)."""
    try:
        result = subprocess.run(
            ["xdotool", *args],
            env={**os.environ, "DISPLAY": display},
            capture_output=True,
            text=True,
            timeout=timeout,
            stdin=subprocess.DEVNULL,
        )
    except subprocess.TimeoutExpired:
        return ""
    return result.stdout.strip() if result.returncode == 0 else ""


def find_window(display: str, name: str) -> str:
    """The id of the visible window named ``name`` (a regular expression), or ""."""
    found = xdotool(display, "search", "--onlyvisible", "--name", name)
    return found.splitlines()[-1] if found else ""


def press(display: str, window: str, *keys: str) -> None:
    """Focus ``window`` (waiting until it has the focus), then press ``keys``."""
    xdotool(display, "windowfocus", "--sync", window, timeout=5)
    xdotool(display, "key", "--clearmodifiers", *keys)


# ------------------------------------------------------------------------------ one launch


def launch_once(
    index: int,
    stop_after_s: float,
    display: str,
    server: SoundServer,
    launcher: Path,
    timeout_s: float,
) -> Launch:
    result = Launch(index, stop_after_s)
    began = time.monotonic()
    with tempfile.TemporaryDirectory(prefix="calftimer-soak-") as folder_name:
        folder = Path(folder_name)
        data = folder / "data"
        data.mkdir()
        (data / "settings.json").write_text(json.dumps(SOAK_SETTINGS), encoding="utf-8")
        program = folder / "soak.json"
        program.write_text(json.dumps(SOAK_PROGRAM), encoding="utf-8")
        env = {
            **os.environ,
            **server.env,
            "DISPLAY": display,
            "QT_QPA_PLATFORM": "xcb",
            "CALFTIMER_DATA_DIR": str(data),
            # Qt's own per-user files (fonts cache, ...) go to the launch's folder too.
            "XDG_CONFIG_HOME": str(folder / "config"),
            "XDG_CACHE_HOME": str(folder / "cache"),
        }
        env.pop("QT_FATAL_WARNINGS", None)
        stderr_path = folder / "stderr.txt"
        with stderr_path.open("wb") as stderr:
            app = subprocess.Popen(
                [str(launcher), "--start", str(program)],
                env=env,
                stdin=subprocess.DEVNULL,
                stdout=stderr,
                stderr=subprocess.STDOUT,
                start_new_session=True,  # its own process group: ended whole, on any failure
            )
        try:
            drive(app, result, display, server, timeout_s)
        finally:
            if app.poll() is None:
                with contextlib.suppress(ProcessLookupError):
                    os.killpg(app.pid, signal.SIGKILL)
                app.wait()
            with contextlib.suppress(ProcessLookupError):
                os.killpg(app.pid, signal.SIGKILL)  # anything it left behind in its group
        if result.returncode is None:
            result.returncode = app.returncode
        classify(stderr_path.read_text(encoding="utf-8", errors="replace"), result)
        result.stopped_in = stopped_in(data)
    result.seconds = time.monotonic() - began
    return result


def drive(
    app: subprocess.Popen[bytes], result: Launch, display: str, server: SoundServer, timeout: float
) -> None:
    """Start, stop at ``result.stop_after_s``, quit; fills ``result``."""
    deadline = time.monotonic() + MAP_TIMEOUT_S
    window = ""
    while not window:
        if app.poll() is not None:
            result.problem = "exited before its window was mapped"
            return
        if time.monotonic() > deadline:
            result.problem = f"no window mapped in {MAP_TIMEOUT_S:.0f} s"
            result.hung = True
            return
        window = find_window(display, WINDOW_NAME)
        if not window:
            time.sleep(POLL_S)
    stop_at = time.monotonic() + result.stop_after_s
    while time.monotonic() < stop_at and app.poll() is None:
        if not result.stream_seen:
            result.stream_seen = has_stream(server, app.pid)
        time.sleep(min(0.2, max(0.0, stop_at - time.monotonic())))
    if app.poll() is not None:
        result.problem = "ended by itself before the stop"
        return
    if not result.stream_seen:
        result.stream_seen = has_stream(server, app.pid)
    press(display, window, "Escape")
    result.asked = answer_stop(display, QUESTION_WAIT_S)
    if not result.stream_seen:  # a session ran: its stream must be there by now
        result.stream_seen = has_stream(server, app.pid)
    press(display, window, "ctrl+q")
    deadline = time.monotonic() + timeout
    while app.poll() is None:
        if time.monotonic() > deadline:
            result.hung = True
            return
        # A session that began after the Esc (the stop came before its start) asks again.
        answer_stop(display, 0)
        time.sleep(POLL_S)


def answer_stop(display: str, wait_s: float) -> bool:
    """Answer "Stop the session?" with Stop if it comes up within ``wait_s``; True if it did."""
    deadline = time.monotonic() + wait_s
    while True:
        question = find_window(display, QUESTION_NAME)
        if question:
            press(display, question, "alt+s")
            gone = time.monotonic() + 5
            while find_window(display, QUESTION_NAME) == question and time.monotonic() < gone:
                time.sleep(POLL_S)
            return True
        if time.monotonic() >= deadline:
            return False
        time.sleep(POLL_S)


def has_stream(server: SoundServer, pid: int) -> bool:
    """Whether process ``pid`` has a playback stream on the server now."""
    try:
        return any(stream.pid == pid for stream in server.streams())
    except (SoundServerError, ValueError, subprocess.SubprocessError):
        return False


def classify(output: str, result: Launch) -> None:
    for line in output.splitlines():
        text = line.strip()
        if not text:
            continue
        hits = [name for name, pattern in FAULTS.items() if pattern.search(text)]
        for name in hits:
            result.faults[name] += 1
        if hits:
            result.fault_lines.append(text)
        else:
            result.other_lines.append(text)


def stopped_in(data: Path) -> str:
    """Where in the program the session was stopped: the kind of segment at (end - start) of
    the session the app saved; "not started" when it saved none."""
    from calftimer.core.programs import program_from_dict
    from calftimer.core.settings import load_settings
    from calftimer.core.timeline import compile_program

    sessions = []
    for path in (data / "history").rglob("*.json"):
        with contextlib.suppress(OSError, ValueError):
            found = json.loads(path.read_text(encoding="utf-8"))
            if found.get("kind") == "calftimer.session":
                sessions.append(found["session"])
            elif found.get("kind") == "calftimer.month":
                sessions.extend(found.get("sessions", []))
    if not sessions:
        return "not started"
    session = sessions[-1]
    if not session.get("ended_at"):
        return "running"
    elapsed_ms = (
        datetime.fromisoformat(session["ended_at"]) - datetime.fromisoformat(session["started_at"])
    ).total_seconds() * 1000
    settings, _ = load_settings(data / "settings.json")
    timeline = compile_program(
        program_from_dict(SOAK_PROGRAM, "soak.json"), settings.compile_options()
    )
    kind = "done"
    for segment in timeline.segments:
        if segment.start_ms <= elapsed_ms < segment.start_ms + segment.duration_ms:
            kind = str(segment.kind)
    return {"prepare": "get-ready", "up": "rep", "down": "rep"}.get(kind, kind)


# ------------------------------------------------------------------------------ the run


@contextlib.contextmanager
def held(lock: str | None) -> Iterator[None]:
    """``lock`` (a file) locked exclusively for the block; nothing when None."""
    if lock is None:
        yield
        return
    with open(lock, "a") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--launches", type=int, default=100, help="how many (default 100)")
    parser.add_argument(
        "--server", choices=("pulse", "pipewire", *SERVERS), default="pulse", help="sound server"
    )
    parser.add_argument("--seed", type=int, default=14, help="for the stop moments")
    parser.add_argument(
        "--stop-after",
        type=float,
        nargs=2,
        default=(0.5, 16.0),
        metavar=("MIN", "MAX"),
        help="stop this many seconds after the window is mapped (default 0.5 16: the get-ready, "
        "reps and rests of the soak program)",
    )
    parser.add_argument(
        "--timeout", type=float, default=15.0, help="seconds from Ctrl+Q to a hang (default 15)"
    )
    parser.add_argument("--verbose", action="store_true", help="a line per launch")
    parser.add_argument(
        "--lock",
        metavar="FILE",
        help="hold this lock (flock) during each launch, not between them: on a shared "
        "machine other real-time work runs between launches (e.g. /work/realtime.lock)",
    )
    args = parser.parse_args(argv)
    kind = "pulseaudio" if args.server == "pulse" else args.server
    launcher = Path(sys.executable).parent / "calftimer"
    if not launcher.exists():
        print(f"soak: no calftimer launcher beside {sys.executable} (pip install -e .)")
        return 2
    if not shutil.which("xdotool"):
        print("soak: xdotool is not installed (apt install xdotool)")
        return 2
    rng = random.Random(args.seed)
    launches: list[Launch] = []
    began = time.monotonic()
    # Ctrl+C and SIGTERM unwind through every ``finally`` below: the app, the server, the screen.
    signal.signal(signal.SIGTERM, lambda *_: (_ for _ in ()).throw(KeyboardInterrupt()))
    try:
        with private_xvfb("1280x800x24") as display, open_server(kind, [SINK]) as server:
            for index in range(1, args.launches + 1):
                delay = round(rng.uniform(*args.stop_after), 2)
                with held(args.lock):
                    launch = launch_once(index, delay, display, server, launcher, args.timeout)
                launches.append(launch)
                if args.verbose or launch.faults or launch.problem or launch.returncode != 0:
                    print(describe(launch), flush=True)
                elif index % 10 == 0:
                    print(f"soak: {index} of {args.launches} launched", file=sys.stderr, flush=True)
    except KeyboardInterrupt:
        print(f"soak: interrupted after {len(launches)} launches", file=sys.stderr)
        report(kind, launches, time.monotonic() - began)
        print(f"soak: INCOMPLETE ({len(launches)} of {args.launches} launches)")
        return 130
    except (SoakError, SoundServerError, XvfbError) as exc:
        print(f"soak: cannot run: {exc}")
        return 2
    return report(kind, launches, time.monotonic() - began)


def describe(launch: Launch) -> str:
    faults = ", ".join(f"{k} {v}" for k, v in launch.faults.items())
    parts = [
        f"#{launch.index:3d} stop at {launch.stop_after_s:5.2f} s in {launch.stopped_in:<11}",
        f"exit {launch.returncode}",
        "HANG" if launch.hung else "",
        "" if launch.stream_seen else "NO STREAM",
        faults,
        launch.problem,
    ]
    lines = ["  ".join(p for p in parts if p)]
    lines += [f"      | {line}" for line in launch.fault_lines[:8]]
    return "\n".join(lines)


def report(kind: str, launches: list[Launch], seconds: float) -> int:
    n = len(launches)
    counts = {
        "exit status != 0": sum(1 for x in launches if x.returncode not in (0, None) or x.hung),
        "killed by a signal": sum(1 for x in launches if (x.returncode or 0) < 0 and not x.hung),
        "hangs (SIGKILL)": sum(1 for x in launches if x.hung),
        "not driven": sum(1 for x in launches if x.problem),
        # A launch stopped before its session began (the engine still opening its stream,
        # up to 2 s on a first start) asks no question and may have no stream yet: not a fault.
        "no stream while a session ran": sum(1 for x in launches if x.asked and not x.stream_seen),
    }
    for name in FAULTS:
        counts[f"fault lines: {name}"] = sum(x.faults[name] for x in launches)
    places = Counter(x.stopped_in for x in launches)
    print()
    print(f"soak on {kind}: {n} launches in {seconds:.0f} s ({seconds / max(n, 1):.1f} s each)")
    width = max(len(k) for k in counts)
    for name, value in counts.items():
        print(f"  {name:<{width}}  {value:>4}{'  <-' if value else ''}")
    print(f"  stopped in: {', '.join(f'{k} {v}' for k, v in sorted(places.items()))}")
    print(f"  stop question answered: {sum(1 for x in launches if x.asked)} of {n}")
    chatter = Counter(line for x in launches for line in x.other_lines)
    if chatter:
        print("  other lines on stderr (launches):")
        for line, times in chatter.most_common(10):
            print(f"    {times:4d}  {line[:150]}")
    bad = any(counts.values()) or n == 0
    print("soak: FAIL" if bad else "soak: ok")
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())
