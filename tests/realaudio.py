"""Real sound servers for tests and benchmarks, a recorder of what they played, and onsets.

Two private sound servers with the same shape: ``PulseServer`` (a PulseAudio daemon) and
``PipeWireServer`` (a PipeWire daemon with WirePlumber, the sound server of current Linux
desktops). ``with PulseServer(["cues"]) as server:`` starts one with a null sink per name (a sink
that plays into nothing) in its own ``XDG_RUNTIME_DIR``, with no system or user configuration,
and stops it at the end. ``server.env`` is what a subprocess needs to play to it; it also sets
``QT_AUDIO_BACKEND``, so Qt uses that server's own client library. ``server.record(sink)`` records
exactly what applications sent to a sink, sample for sample (``parec`` on its monitor, or
``pw-record`` capturing the sink); ``server.streams()`` and ``server.watch_streams()`` say which
playback streams reached the server, through which client library (to prove that Qt really used
its PipeWire backend, for one). ``open_server(kind, sinks)`` starts either by name.

Each server starts its processes in one process group of its own and ends the whole group when it
stops, even if starting failed halfway; then it checks /proc that none is left.

The PipeWire is not the system's: Qt 6.11 needs libpipewire 0.3.75 or newer and Debian 12 has
0.3.65, so ``bootstrap.py --test`` fetches a current one (bookworm-backports) into a folder of this
checkout and unpacks it there without installing anything (or this module does, on first use).

``segments`` finds where sound starts and ends in a recording; ``match`` lines a schedule up with
onsets. Used by ``tests/gui/test_real_audio.py``, ``tests/test_realaudio.py``,
``benchmarks/cue_timing.py`` and ``packaging/build.py``.
"""

from __future__ import annotations

import contextlib
import ctypes
import importlib.util
import json
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
from array import array
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from types import ModuleType
from typing import IO, Any

from calftimer.gui.sound.stream_requests import STREAM_REQUESTS

ROOT = Path(__file__).resolve().parents[1]
RATE = 48_000
FRAME = RATE // 1000  # samples per millisecond
SERVERS = ("pulseaudio", "pipewire")  # the kinds open_server starts; what QT_AUDIO_BACKEND names
# PipeWire's graph runs in quanta of 1024 frames at 48 kHz here (its default, and its minimum on
# a virtual machine). The recorder asks for exactly that: asking for more (pw-record's default is
# 100 ms) raises the whole graph's quantum to 2048 frames and changes what is measured.
PIPEWIRE_QUANTUM = 1024
START_TIMEOUT_S = 10
STOP_TIMEOUT_S = 5


def poll_until(condition: Callable[[], bool], timeout_s: float, every_s: float = 0.02) -> bool:
    """Check ``condition`` every ``every_s`` until it holds (True) or ``timeout_s`` has passed
    (False): for another process's progress (a socket appearing, a process ending), which
    sends this one no event to wait on."""
    deadline = time.monotonic() + timeout_s
    while not condition():
        if time.monotonic() > deadline:
            return False
        time.sleep(every_s)
    return True


class SoundServerError(RuntimeError):
    """The sound server or the recorder could not start; the message says why."""


@dataclass(frozen=True)
class Stream:
    """A playback stream an application opened on a private server.

    ``via`` is the client library it came through: ``"pipewire"`` (libpipewire itself, as Qt's
    PipeWire backend uses it), ``"pipewire-pulse"`` (the PulseAudio protocol served by PipeWire)
    or ``"pulseaudio"`` (a PulseAudio daemon's own). ``sinks`` are the sinks it played into."""

    pid: int | None  # application.process.id
    application: str  # application.name
    name: str  # the stream's node or media name
    media_class: str  # "Stream/Output/Audio" for playback
    via: str
    sinks: tuple[str, ...]


# ------------------------------------------------------------------------------- processes


class ProcessGroup:
    """The processes a server started, in one process group: stopping ends them all, and then
    /proc is checked for any member left (a child one of them forked, say).

    Each one is also killed by the kernel when the thread that started it ends (Linux's
    parent-death signal): a test run killed outright (SIGKILL, a CI timeout) runs no ``finally``,
    and would otherwise leave its daemons running. So start them from a thread that outlives the
    server (the main thread, as the tests and benchmarks do)."""

    def __init__(self, label: str) -> None:
        self.label = label
        self.pgid: int | None = None
        self.started: list[subprocess.Popen[bytes]] = []

    def start(
        self, command: list[str], env: dict[str, str], **options: Any
    ) -> subprocess.Popen[bytes]:
        try:
            process = subprocess.Popen(
                command,
                env=env,
                process_group=self.pgid or 0,
                stdin=subprocess.DEVNULL,
                preexec_fn=_die_with_parent,
                **options,
            )
        except OSError as exc:  # the program is missing, or the group is gone (all have died)
            raise SoundServerError(f"{self.label}: could not start {command[0]}: {exc}") from exc
        if self.pgid is None:
            self.pgid = process.pid
        self.started.append(process)
        return process

    def members(self) -> list[int]:
        """The processes still in the group (zombies included: they are not reaped yet)."""
        return [pid for pid, pgid in _process_groups() if pgid == self.pgid] if self.pgid else []

    def stop(self) -> list[int]:
        """SIGTERM to the group, SIGKILL after ``STOP_TIMEOUT_S``; returns the processes that
        were still there after that (killed now; a bug to report)."""
        if self.pgid is None:
            return []
        with contextlib.suppress(ProcessLookupError):
            os.killpg(self.pgid, signal.SIGTERM)
        deadline = time.monotonic() + STOP_TIMEOUT_S
        for process in self.started:
            with contextlib.suppress(subprocess.TimeoutExpired):
                process.wait(max(0.0, deadline - time.monotonic()))
        with contextlib.suppress(ProcessLookupError):
            os.killpg(self.pgid, signal.SIGKILL)  # whatever did not end on SIGTERM
        for process in self.started:
            process.wait()
        left = [pid for pid in self.members() if not _is_zombie(pid)]
        self.pgid, self.started = None, []
        return left


PR_SET_PDEATHSIG = 1  # <linux/prctl.h>
_LIBC = ctypes.CDLL(None, use_errno=True) if sys.platform.startswith("linux") else None


def _die_with_parent() -> None:
    """In the child, before it runs its program: SIGKILL when the starting thread ends."""
    if _LIBC is not None:
        _LIBC.prctl(PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0)


def _process_groups() -> Iterator[tuple[int, int]]:
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                stat = (entry / "stat").read_text()
            except OSError:
                continue  # it ended meanwhile
            fields = stat[stat.rindex(")") + 2 :].split()  # after "pid (comm) "
            yield int(entry.name), int(fields[2])


def _is_zombie(pid: int) -> bool:
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return True  # gone
    return stat[stat.rindex(")") + 2] == "Z"


def processes_using(folder: Path) -> list[int]:
    """Processes (other than this one) whose command line or environment names ``folder``:
    what a private server and its clients leave running if they are not ended."""
    needle = str(folder).encode()
    found = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit() or int(entry.name) == os.getpid():
            continue
        try:
            if (
                needle in (entry / "cmdline").read_bytes()
                or needle in (entry / "environ").read_bytes()
            ):
                found.append(int(entry.name))
        except OSError:
            continue  # ended meanwhile, or not ours to read
    return [pid for pid in found if not _is_zombie(pid)]


# ---------------------------------------------------------------------------------- servers


class SoundServer:
    """What both servers share: the private folder, the process group, recording, playing and
    stopping. Subclasses start the daemon (``_start``) and know their tools."""

    kind = ""

    def __init__(self, sinks: list[str]) -> None:
        if not sinks:
            raise SoundServerError(f"{self.kind}: give at least one sink name")
        self.sinks = sinks
        self.env: dict[str, str] = {}
        self.started_s = 0.0  # how long the start took
        self._dir = Path(tempfile.mkdtemp(prefix=f"calftimer-{self.kind}-"))
        self._dir.chmod(0o700)
        self._processes = ProcessGroup(self.kind)

    @property
    def folder(self) -> Path:
        """The private folder: runtime directory, configuration, logs."""
        return self._dir

    @property
    def pids(self) -> list[int]:
        """Every process the server has started (daemons, recorders, stream watchers), ended
        or not; all of them are ended when the server stops."""
        return [process.pid for process in self._processes.started]

    def __enter__(self) -> SoundServer:
        began = time.monotonic()
        try:
            self._start()
        except BaseException:
            self._stop()
            raise
        self.started_s = time.monotonic() - began
        return self

    def __exit__(self, *exc: object) -> None:
        left = self._stop()
        if left and exc[0] is None:
            raise SoundServerError(f"{self.kind}: processes {left} outlived the server's stop")

    def _stop(self) -> list[int]:
        left = self._processes.stop()
        # What the server's clients started and left behind, daemonised out of our process
        # group: speech-dispatcher, which an app choosing the system voice spawns in the
        # private runtime folder and which outlives it (it ignores SIGTERM).
        for pid in processes_using(self._dir):
            with contextlib.suppress(OSError):
                os.kill(pid, signal.SIGKILL)
        shutil.rmtree(self._dir, ignore_errors=True)
        return left

    def _start(self) -> None:
        raise NotImplementedError

    def _wait(
        self, what: str, ready: Any, daemon: subprocess.Popen[bytes], log: Path | None
    ) -> None:
        """Wait until ``ready()`` (the daemon is up) or fail saying why (its log's last lines)."""
        if poll_until(lambda: ready() or daemon.poll() is not None, START_TIMEOUT_S) and ready():
            return
        said = _tail(log) if log else ""
        state = (
            f"exited with {daemon.returncode}"
            if daemon.poll() is not None
            else f"not ready in {START_TIMEOUT_S} s"
        )
        raise SoundServerError(f"{what} did not start ({state}){': ' + said if said else ''}")

    def record(self, sink: str) -> Recording:
        """Record what is played into ``sink`` from now on (mono, 16 bit, ``RATE``)."""
        if sink not in self.sinks:
            raise SoundServerError(f"{self.kind}: no sink {sink!r} (sinks: {self.sinks})")
        return Recording(self._processes, self._record_command(sink), self._tool_env(), sink)

    def play(self, wav: Path, sink: str) -> None:
        """Play a WAV file into ``sink`` with the server's own player; returns when it ends."""
        result = subprocess.run(
            self._play_command(wav, sink),
            env=self._tool_env(),
            capture_output=True,
            text=True,
            timeout=60,
            stdin=subprocess.DEVNULL,
        )
        if result.returncode != 0:
            raise SoundServerError(f"{self.kind}: could not play {wav}: {result.stderr.strip()}")

    def apply(self) -> None:
        """Point this process's future sound clients at the server (for in-process use)."""
        os.environ.update(self.env)

    def streams(self) -> list[Stream]:
        """The playback streams on the server now."""
        raise NotImplementedError

    @contextlib.contextmanager
    def watch_streams(self) -> Iterator[StreamWatch]:
        """``with server.watch_streams() as watch: ...``; then ``watch.streams`` lists every
        playback stream that appeared meanwhile, even one that has ended since."""
        raise NotImplementedError
        yield  # pragma: no cover

    def _tool_env(self) -> dict[str, str]:
        """What the harness's own tools (recorders, players, pactl) run with: the server's
        variables, without the stream requests a SoundEngine made in this process (they are
        calftimer's, and pw-play would ask the graph for calftimer's quantum)."""
        env = {k: v for k, v in os.environ.items() if k not in STREAM_REQUESTS}
        return {**env, **self.env}

    def _record_command(self, sink: str) -> list[str]:
        raise NotImplementedError

    def _play_command(self, wav: Path, sink: str) -> list[str]:
        raise NotImplementedError


class PulseServer(SoundServer):
    """``with PulseServer(["cues"]) as server:``: a PulseAudio daemon, a null sink per name."""

    kind = "pulseaudio"

    def _start(self) -> None:
        missing = [
            tool for tool in ("pulseaudio", "parec", "pactl", "paplay") if not shutil.which(tool)
        ]
        if missing:
            raise SoundServerError(
                f"{', '.join(missing)} not installed (apt install pulseaudio pulseaudio-utils)"
            )
        env = dict(os.environ)
        env.update(XDG_RUNTIME_DIR=str(self._dir), HOME=str(self._dir))
        env.pop("PULSE_SERVER", None)
        socket = self._dir / "pulse" / "native"
        log = self._dir / "pulseaudio.log"
        command = [
            "pulseaudio",
            "-n",  # no default.pa: nothing but what is loaded here
            "--daemonize=no",
            "--exit-idle-time=-1",
            "--disallow-exit",
            "--log-target=stderr",
            "--log-level=error",
            "--load=module-native-protocol-unix auth-anonymous=1",
            *(
                f"--load=module-null-sink sink_name={name} rate={RATE} channels=1"
                for name in self.sinks
            ),
        ]
        with log.open("wb") as errors:
            daemon = self._processes.start(command, env, stdout=subprocess.DEVNULL, stderr=errors)
        self._wait("pulseaudio", socket.exists, daemon, log)
        self.env = {
            "XDG_RUNTIME_DIR": str(self._dir),
            "PULSE_SERVER": f"unix:{socket}",
            "QT_AUDIO_BACKEND": "pulseaudio",
        }
        result = self._pactl("set-default-sink", self.sinks[0])
        if result.returncode != 0:
            raise SoundServerError(f"pactl could not reach pulseaudio: {result.stderr.strip()}")

    def _pactl(self, *args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            ["pactl", *args], env=self._tool_env(), capture_output=True, text=True, timeout=10
        )

    def _record_command(self, sink: str) -> list[str]:
        return [
            "parec",
            f"--device={sink}.monitor",
            "--raw",
            "--format=s16le",
            f"--rate={RATE}",
            "--channels=1",
            "--latency-msec=5",
        ]

    def _play_command(self, wav: Path, sink: str) -> list[str]:
        return ["paplay", f"--device={sink}", str(wav)]

    def streams(self) -> list[Stream]:
        sinks = self._pactl("-f", "json", "list", "sinks")
        inputs = self._pactl("-f", "json", "list", "sink-inputs")
        if sinks.returncode or inputs.returncode:
            raise SoundServerError(f"pactl could not list streams: {inputs.stderr.strip()}")
        names = {s["index"]: s["name"] for s in json.loads(sinks.stdout)}
        return [_pulse_stream(i, names) for i in json.loads(inputs.stdout)]

    @contextlib.contextmanager
    def watch_streams(self) -> Iterator[StreamWatch]:
        # ``pactl subscribe`` says when a stream appears (not what it is): list the streams then.
        watch = StreamWatch()
        subscriber = self._processes.start(
            ["pactl", "subscribe"],
            self._tool_env(),
            stdout=subprocess.PIPE,
            stderr=subprocess.DEVNULL,
        )
        seen: dict[int, Stream] = {}

        def follow() -> None:
            assert subscriber.stdout is not None
            for line in subscriber.stdout:
                if b"'new' on sink-input" in line:
                    with contextlib.suppress(
                        SoundServerError, ValueError, subprocess.SubprocessError
                    ):
                        for stream in self._stream_entries():
                            seen.setdefault(stream[0], stream[1])

        reader = threading.Thread(target=follow, name="pactl-subscribe", daemon=True)
        reader.start()
        try:
            yield watch
        finally:
            subscriber.terminate()
            subscriber.wait(STOP_TIMEOUT_S)
            reader.join(STOP_TIMEOUT_S)
            watch.streams = list(seen.values())

    def _stream_entries(self) -> list[tuple[int, Stream]]:
        sinks = self._pactl("-f", "json", "list", "sinks")
        inputs = self._pactl("-f", "json", "list", "sink-inputs")
        names = {s["index"]: s["name"] for s in json.loads(sinks.stdout or "[]")}
        return [(i["index"], _pulse_stream(i, names)) for i in json.loads(inputs.stdout or "[]")]


def _pulse_stream(entry: dict[str, Any], sink_names: dict[int, str]) -> Stream:
    props = entry.get("properties", {})
    pid = props.get("application.process.id")
    return Stream(
        pid=int(pid) if pid else None,
        application=props.get("application.name", ""),
        name=props.get("media.name", ""),
        media_class="Stream/Output/Audio",  # a sink input is a playback stream
        via="pulseaudio",
        sinks=(sink_names.get(entry.get("sink", -1), "?"),),
    )


@dataclass
class StreamWatch:
    """Filled when its ``watch_streams`` block ends."""

    streams: list[Stream] = field(default_factory=list)

    def of(self, pid: int) -> list[Stream]:
        """The streams process ``pid`` opened."""
        return [s for s in self.streams if s.pid == pid]


# ------------------------------------------------------------------------------- PipeWire


@dataclass(frozen=True)
class PipeWireKit:
    """The private PipeWire that ``bootstrap.py --test`` fetched (see ``pipewire_kit``)."""

    root: Path  # the packages, unpacked
    libdir: Path
    pipewire: str  # versions, as the packages give them
    wireplumber: str
    debs_bytes: int

    def program(self, name: str) -> str:
        return str(self.root / "usr" / "bin" / name)


def _bootstrap() -> ModuleType:
    spec = importlib.util.spec_from_file_location("calftimer_bootstrap", ROOT / "bootstrap.py")
    if spec is None or spec.loader is None:
        raise SoundServerError(f"cannot load {ROOT / 'bootstrap.py'}")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def pipewire_kit() -> PipeWireKit:
    """The private PipeWire, fetched now if ``bootstrap.py --test`` has not (once, ~6 MB)."""
    bootstrap = _bootstrap()
    folder = bootstrap.pipewire_kit()
    found = bootstrap.read_kit(folder)
    if not found:
        problem = bootstrap.fetch_pipewire(folder)
        found = bootstrap.read_kit(folder)
        if problem or not found:
            raise SoundServerError(problem or f"no private PipeWire in {folder}")
    root = folder / "root"
    return PipeWireKit(
        root=root,
        libdir=root / str(found["libdir"]),
        pipewire=str(found["pipewire"]),
        wireplumber=str(found["wireplumber"]),
        debs_bytes=int(found.get("debs_bytes", 0)),  # type: ignore[call-overload]
    )


# PipeWire's own configuration, plus: no D-Bus (no session bus is needed), none of the modules
# that look for a desktop (X11 bell, JACK, portal), and the null sinks.
PIPEWIRE_CONF = """\
context.properties = {{
    support.dbus = false
    module.x11.bell = false
    module.jackdbus-detect = false
    module.portal = false
}}
context.objects = [
{sinks}
]
"""
NULL_SINK = """\
    {{ factory = adapter
      args = {{
        factory.name = support.null-audio-sink
        node.name = "{name}"
        node.description = "{name}"
        media.class = Audio/Sink
        audio.rate = {rate}
        audio.channels = 1
        audio.position = [ MONO ]
        object.linger = true
      }}
    }}"""
# WirePlumber's desktop profile without hardware, D-Bus, logind or saved state: it links streams
# to sinks (its policy) and keeps the default sink, nothing else.
WIREPLUMBER_PROFILE = "calftimer-test"
WIREPLUMBER_CONF = f"""\
wireplumber.profiles = {{
  {WIREPLUMBER_PROFILE} = {{
    inherits = [ main, mixin.systemwide-session, mixin.stateless ]
    hardware.audio = disabled
    hardware.bluetooth = disabled
    hardware.video-capture = disabled
    support.dbus = disabled
  }}
}}
"""


class PipeWireServer(SoundServer):
    """``with PipeWireServer(["cues"]) as server:``: a PipeWire daemon and WirePlumber, from
    the private kit, with one null sink per name; the first is the default sink."""

    kind = "pipewire"

    def _start(self) -> None:
        self.kit = kit = pipewire_kit()
        run = self._dir / "run"
        config = self._dir / "config"
        for folder in (
            run,
            config / "pipewire" / "pipewire.conf.d",
            config / "wireplumber" / "wireplumber.conf.d",
            self._dir / "home",
        ):
            folder.mkdir(parents=True)
        run.chmod(0o700)
        shipped = kit.root / "usr" / "share" / "pipewire"
        for name in ("pipewire.conf", "client.conf"):
            shutil.copyfile(shipped / name, config / "pipewire" / name)
        sinks = "\n".join(NULL_SINK.format(name=name, rate=RATE) for name in self.sinks)
        (config / "pipewire" / "pipewire.conf.d" / "calftimer.conf").write_text(
            PIPEWIRE_CONF.format(sinks=sinks)
        )
        (config / "wireplumber" / "wireplumber.conf.d" / "calftimer.conf").write_text(
            WIREPLUMBER_CONF
        )
        library_path = os.pathsep.join(
            p for p in (str(kit.libdir), os.environ.get("LD_LIBRARY_PATH", "")) if p
        )
        # What any client of this server needs (the app, pw-record, pw-dump): the kit's library,
        # plugins and modules, the client configuration, the socket. PULSE_SERVER names a socket
        # that does not exist, so a client that fell back to PulseAudio would reach nothing.
        self.env = {
            "LD_LIBRARY_PATH": library_path,
            "SPA_PLUGIN_DIR": str(kit.libdir / "spa-0.2"),
            "PIPEWIRE_MODULE_DIR": str(kit.libdir / "pipewire-0.3"),
            "PIPEWIRE_CONFIG_DIR": str(config / "pipewire"),
            "PIPEWIRE_RUNTIME_DIR": str(run),
            "PIPEWIRE_REMOTE": "pipewire-0",
            "XDG_RUNTIME_DIR": str(run),
            "PULSE_SERVER": f"unix:{run / 'no-pulseaudio-here'}",
            "QT_AUDIO_BACKEND": "pipewire",
        }
        # The daemons: no user or system configuration (their search paths all point here),
        # no session bus.
        daemon_env = {
            **os.environ,
            **self.env,
            "HOME": str(self._dir / "home"),
            "XDG_CONFIG_HOME": str(config),
            "XDG_CONFIG_DIRS": str(config),
            "XDG_DATA_HOME": str(self._dir / "home"),
            "XDG_DATA_DIRS": str(kit.root / "usr" / "share"),
            "XDG_STATE_HOME": str(self._dir / "home"),
            "WIREPLUMBER_CONFIG_DIR": os.pathsep.join(
                (str(config / "wireplumber"), str(kit.root / "usr" / "share" / "wireplumber"))
            ),
            "WIREPLUMBER_DATA_DIR": str(kit.root / "usr" / "share" / "wireplumber"),
            "WIREPLUMBER_MODULE_DIR": str(kit.libdir / "wireplumber-0.5"),
            "DBUS_SESSION_BUS_ADDRESS": f"unix:path={run / 'no-session-bus'}",
        }
        daemon_env.pop("DBUS_SYSTEM_BUS_ADDRESS", None)
        pipewire_log = self._dir / "pipewire.log"
        with pipewire_log.open("wb") as log:
            daemon = self._processes.start(
                [kit.program("pipewire")], daemon_env, stdout=log, stderr=subprocess.STDOUT
            )
        self._wait("pipewire", (run / "pipewire-0").exists, daemon, pipewire_log)
        wireplumber_log = self._dir / "wireplumber.log"
        with wireplumber_log.open("wb") as log:
            manager = self._processes.start(
                [kit.program("wireplumber"), "--profile", WIREPLUMBER_PROFILE],
                daemon_env,
                stdout=log,
                stderr=subprocess.STDOUT,
            )
        # Ready when WirePlumber keeps the default sink: then it links streams too. The first
        # sink is made the default (as PulseServer does).
        self._wait(
            "wireplumber", lambda: self._default_sink() is not None, manager, wireplumber_log
        )
        chosen = subprocess.run(
            [
                kit.program("pw-metadata"),
                "-n",
                "default",
                "0",
                "default.configured.audio.sink",
                json.dumps({"name": self.sinks[0]}),
                "Spa:String:JSON",
            ],
            env=self._tool_env(),
            capture_output=True,
            text=True,
            timeout=10,
        )
        if chosen.returncode != 0:
            raise SoundServerError(
                f"pw-metadata could not set the default sink: {chosen.stderr.strip()}"
            )
        self._wait(
            "wireplumber", lambda: self._default_sink() == self.sinks[0], manager, wireplumber_log
        )

    def _dump(self) -> list[dict[str, Any]]:
        result = subprocess.run(
            [self.kit.program("pw-dump"), "--no-colors"],
            env=self._tool_env(),
            capture_output=True,
            text=True,
            timeout=10,
        )
        if result.returncode != 0:
            raise SoundServerError(f"pw-dump failed: {result.stderr.strip()}")
        return json.loads(result.stdout or "[]")

    def _default_sink(self) -> str | None:
        for item in self._dump():
            if (item.get("props") or {}).get("metadata.name") == "default":
                for entry in item.get("metadata") or []:
                    if entry.get("key") == "default.audio.sink":
                        value = entry.get("value")
                        return value.get("name") if isinstance(value, dict) else None
        return None

    def _record_command(self, sink: str) -> list[str]:
        return [
            self.kit.program("pw-record"),
            f"--target={sink}",
            "--properties={ stream.capture.sink = true node.name = calftimer-recorder }",
            f"--latency={PIPEWIRE_QUANTUM}",  # in frames: never more than the graph's quantum
            f"--rate={RATE}",
            "--channels=1",
            "--format=s16",
            "--raw",
            "-",
        ]

    def _play_command(self, wav: Path, sink: str) -> list[str]:
        return [
            self.kit.program("pw-play"),
            f"--target={sink}",
            f"--latency={PIPEWIRE_QUANTUM}",
            str(wav),
        ]

    def apply(self) -> None:
        """As ``SoundServer.apply``; also loads the kit's libpipewire now, since the loader reads
        ``LD_LIBRARY_PATH`` only when a process starts (Qt finds it then by its name)."""
        super().apply()
        ctypes.CDLL(str(self.kit.libdir / "libpipewire-0.3.so.0"), mode=ctypes.RTLD_GLOBAL)

    def streams(self) -> list[Stream]:
        graph = PipeWireGraph()
        graph.update(self._dump())
        return graph.streams(current_only=True)

    @contextlib.contextmanager
    def watch_streams(self) -> Iterator[StreamWatch]:
        # pw-dump --monitor prints the graph, then every object that changes, as it happens.
        watch = StreamWatch()
        with tempfile.TemporaryFile() as out:
            monitor = self._processes.start(
                [self.kit.program("pw-dump"), "--monitor", "--no-colors"],
                self._tool_env(),
                stdout=out,
                stderr=subprocess.DEVNULL,
            )
            try:
                yield watch
            finally:
                monitor.send_signal(signal.SIGINT)
                try:
                    monitor.wait(STOP_TIMEOUT_S)
                except subprocess.TimeoutExpired:
                    monitor.kill()
                    monitor.wait()
                out.seek(0)
                graph = PipeWireGraph()
                for batch in _json_values(out.read().decode(errors="replace")):
                    graph.update(batch)
                watch.streams = graph.streams(current_only=False)


def _json_values(text: str) -> Iterator[Any]:
    """The JSON values written one after the other in ``text`` (a cut-off last one is dropped)."""
    decoder = json.JSONDecoder()
    at = 0
    while True:
        while at < len(text) and text[at].isspace():
            at += 1
        if at >= len(text):
            return
        try:
            value, at = decoder.raw_decode(text, at)
        except ValueError:
            return
        yield value


class PipeWireGraph:
    """PipeWire's objects as ``pw-dump`` reports them, followed through changes: every playback
    stream node that ever appeared, with its client and the sinks it was linked to."""

    def __init__(self) -> None:
        self.objects: dict[int, dict[str, Any]] = {}
        self._records: list[dict[str, Any]] = []  # one per stream node, in order of appearance
        self._live: dict[int, dict[str, Any]] = {}  # node id -> its record, while it exists

    def update(self, batch: list[dict[str, Any]]) -> None:
        """Take in one ``pw-dump`` batch: objects added or changed, ``{"id": N, "info": null}``
        for one removed. Links are taken last, once the nodes they join are known."""
        links = []
        for item in batch:
            kind = str(item.get("type", ""))
            if item.get("info") is None and not kind:
                self.objects.pop(item["id"], None)
                self._live.pop(item["id"], None)
            elif kind.endswith(":Link"):
                links.append(item)
            else:
                self.objects[item["id"]] = item
                if kind.endswith(":Node"):
                    self._take_node(item)
        for link in links:
            self.objects[link["id"]] = link
            info = link.get("info") or {}
            record = self._live.get(info.get("output-node-id", -1))
            sink = _props(self.objects.get(info.get("input-node-id", -1)))
            if record is not None and str(sink.get("media.class", "")).startswith("Audio/Sink"):
                record["sinks"].add(sink.get("node.name", "?"))

    def _take_node(self, item: dict[str, Any]) -> None:
        props = _props(item)
        if not str(props.get("media.class", "")).startswith("Stream/"):
            return
        record = self._live.get(item["id"])
        if record is None:
            record = self._live[item["id"]] = {"id": item["id"], "sinks": set()}
            self._records.append(record)
        record["node"] = props
        client = _props(self.objects.get(props.get("client.id", -1)))
        if client:
            record["client"] = client

    def streams(self, *, current_only: bool) -> list[Stream]:
        """The playback streams: those that exist now, or all that ever appeared."""
        records = list(self._live.values()) if current_only else self._records
        found = []
        for record in records:
            node, client = record.get("node", {}), record.get("client", {})
            if not str(node.get("media.class", "")).startswith("Stream/Output"):
                continue
            # The client's socket says who it is: the process on the other end of the socket
            # (the kernel's word, not the application's) and the protocol it speaks.
            # libpipewire speaks protocol-native; pipewire-pulse's clients, protocol-pulse.
            api = client.get("client.api") or node.get("client.api")
            protocol = client.get("pipewire.protocol", "")
            pid = (
                client.get("pipewire.sec.pid")
                or client.get("application.process.id")
                or node.get("application.process.id")
            )
            if api == "pipewire-pulse" or protocol == "protocol-pulse":
                via = "pipewire-pulse"
            elif protocol == "protocol-native":
                via = "pipewire"
            else:
                via = f"pipewire ({protocol or 'unknown protocol'})"
            found.append(
                Stream(
                    pid=int(pid) if pid else None,
                    application=client.get("application.name", ""),
                    name=node.get("node.name", ""),
                    media_class=node.get("media.class", ""),
                    via=via,
                    sinks=tuple(sorted(record["sinks"])),
                )
            )
        return found


def _props(item: dict[str, Any] | None) -> dict[str, Any]:
    return ((item or {}).get("info") or {}).get("props") or {}


# --------------------------------------------------------------------------- either server


def open_server(kind: str, sinks: list[str]) -> SoundServer:
    """A server of ``kind`` (one of ``SERVERS``), not started yet: use it in a ``with``."""
    classes: dict[str, type[SoundServer]] = {"pulseaudio": PulseServer, "pipewire": PipeWireServer}
    if kind not in classes:
        raise SoundServerError(f"no sound server {kind!r} (one of {', '.join(SERVERS)})")
    return classes[kind](sinks)


class Recording:
    """A recorder (``parec``, ``pw-record``) writing raw mono 16-bit samples at ``RATE`` to a
    file; ``stop()`` returns them. It runs in its server's process group, so it ends with the
    server at the latest."""

    def __init__(
        self, group: ProcessGroup, command: list[str], env: dict[str, str], sink: str
    ) -> None:
        handle, name = tempfile.mkstemp(prefix="calftimer-rec-", suffix=".raw")
        os.close(handle)
        self._path = Path(name)
        tool = Path(command[0]).name
        with self._path.open("wb") as out:  # the recorder keeps its own copy of the descriptor
            self._process = group.start(command, env, stdout=out, stderr=subprocess.PIPE)
        # Nothing is written until the stream runs; a silent sink still streams zeros.
        process = self._process
        started = poll_until(
            lambda: self._path.stat().st_size >= 2 * RATE // 10 or process.poll() is not None,
            START_TIMEOUT_S,
            every_s=0.01,
        )
        if not started or process.poll() is not None:
            err = _read_all(process.stderr)
            process.kill()
            process.wait()
            self._path.unlink()
            raise SoundServerError(f"{tool} did not record from {sink}: {err or 'no data'}")

    def stop(self) -> array[int]:
        self._process.send_signal(signal.SIGINT)
        try:
            self._process.wait(STOP_TIMEOUT_S)
        except subprocess.TimeoutExpired:
            self._process.kill()
            self._process.wait()
        if self._process.stderr is not None:
            self._process.stderr.close()
        samples = array("h")
        data = self._path.read_bytes()
        self._path.unlink()
        samples.frombytes(data[: len(data) // 2 * 2])
        if sys.byteorder == "big":
            samples.byteswap()
        return samples


def _read_all(stream: IO[bytes] | None) -> str:
    return stream.read().decode(errors="replace").strip() if stream is not None else ""


def _tail(log: Path, lines: int = 3) -> str:
    try:
        text = log.read_text(errors="replace")
    except OSError:
        return ""
    return " | ".join(line.strip() for line in text.splitlines()[-lines:] if line.strip())


# ----------------------------------------------------------------------------------- onsets


@dataclass(frozen=True)
class Segment:
    """Where a sound starts and ends in a recording, in ms from its first sample."""

    start_ms: float
    end_ms: float


def segments(samples: array[int], *, threshold: int = 600, min_gap_ms: int = 120) -> list[Segment]:
    """Stretches of sound separated by at least ``min_gap_ms`` below ``threshold``.

    A start is the first sample above the threshold (to the sample, so 1/48 ms); an end is the
    last one. Gaps inside one sound (a chime's two notes, the pauses between a phrase's words)
    are shorter than ``min_gap_ms`` and do not split it."""
    found: list[Segment] = []
    start = last = -1
    gap = min_gap_ms * FRAME
    loud = threshold
    for i, s in enumerate(samples):
        if s > loud or s < -loud:
            if start < 0 or i - last > gap:
                if start >= 0:
                    found.append(Segment(start / FRAME, last / FRAME))
                start = i
            last = i
    if start >= 0:
        found.append(Segment(start / FRAME, last / FRAME))
    return found


@dataclass(frozen=True)
class Matched:
    """The result of lining up scheduled instants with recorded onsets (see ``match``)."""

    errors_ms: list[float]  # per matched sound but the first: interval heard minus scheduled
    dropped: int  # scheduled sounds with no onset
    extra: int  # onsets that belong to no scheduled sound


def match(scheduled_ms: list[int], onsets: list[Segment], window_ms: float = 240) -> Matched:
    """Walk the schedule in order, pairing each sound with the onset nearest to where it should
    be heard after the previous one: ``previous onset + scheduled gap``, within ``window_ms``
    (under half of the shortest gap, 500 ms at 120 bpm). The first scheduled sound pairs with
    the first onset. Measuring each sound from the one before keeps a timer that has drifted
    from being counted as dropping every later sound; the drift shows in the errors."""
    if not scheduled_ms or not onsets:
        return Matched([], len(scheduled_ms), len(onsets))
    starts = [o.start_ms for o in onsets]
    used = {0}
    errors: list[float] = []
    previous_due, previous_onset = scheduled_ms[0], starts[0]
    next_free = 1
    for due in scheduled_ms[1:]:
        expected = previous_onset + (due - previous_due)
        best = None
        for j in range(next_free, len(starts)):
            if starts[j] > expected + window_ms:
                break
            if abs(starts[j] - expected) <= window_ms and (
                best is None or abs(starts[j] - expected) < abs(starts[best] - expected)
            ):
                best = j
        if best is None:
            continue  # dropped: the next sound is measured from the last one heard
        used.add(best)
        errors.append(starts[best] - expected)
        previous_due, previous_onset = due, starts[best]
        next_free = best + 1
    matched = len(errors) + 1
    return Matched(errors, len(scheduled_ms) - matched, len(onsets) - len(used))
