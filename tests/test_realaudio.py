"""The real-audio harness (tests/realaudio.py) checked against itself, on both sound servers.

What the real-audio tests rely on: a sound played into a private server's null sink is recorded
sample for sample (its onset and length to the sample); the app's kind of client (Qt's backend for
that server) is seen on that server and nowhere else; PipeWire's graph keeps its 1024-frame
quantum while it is recorded; and a server leaves no process behind, whether it stopped normally,
a test failed inside it, or it failed while starting. The servers are real (PulseAudio, and a
private PipeWire 1.4 with WirePlumber 0.5); nothing here skips.
"""

from __future__ import annotations

import math
import os
import re
import shutil
import subprocess
import sys
import wave
from array import array
from pathlib import Path
from typing import Any

import pytest

from tests.realaudio import (
    FRAME,
    RATE,
    PipeWireGraph,
    PipeWireServer,
    PulseServer,
    SoundServer,
    SoundServerError,
    open_server,
    pipewire_kit,
    poll_until,
    processes_using,
    segments,
)

pytestmark = [pytest.mark.slow, pytest.mark.sound_sinks("out", "other")]
ROOT = Path(__file__).resolve().parents[1]

# A test signal: 300 ms of silence, a 200 ms tone, 700 ms of silence, a 400 ms tone, 300 ms of
# silence. Where the tones start and end is known to the sample.
LAYOUT_MS = [(0, 300), (880, 200), (0, 700), (440, 400), (0, 300)]
TONES_MS = [(300, 500), (1200, 1600)]  # (start, end) of each tone in the file


def write_signal(path: Path) -> array[int]:
    samples = array("h")
    for hz, ms in LAYOUT_MS:
        n = ms * FRAME
        samples.extend(
            int(12_000 * math.sin(2 * math.pi * hz * i / RATE)) if hz else 0 for i in range(n)
        )
    with wave.open(str(path), "wb") as out:
        out.setnchannels(1)
        out.setsampwidth(2)
        out.setframerate(RATE)
        out.writeframes(samples.tobytes())
    return samples


def test_a_tone_played_into_a_sink_is_recorded_sample_for_sample(
    sound_server: SoundServer, tmp_path: Path
) -> None:
    played = write_signal(tmp_path / "signal.wav")
    recording = sound_server.record("out")
    other = sound_server.record("other")
    sound_server.play(tmp_path / "signal.wav", "out")
    heard, elsewhere = recording.stop(), other.stop()

    found = segments(heard, min_gap_ms=120)
    assert len(found) == 2, found
    first, second = found
    # Each tone as long as it is in the file, and the second where it belongs after the first:
    # to within 1 ms (the first and last samples above the threshold are a fraction of a sine
    # period inside the tone).
    for segment, (start, end) in zip(found, TONES_MS, strict=True):
        assert abs((segment.end_ms - segment.start_ms) - (end - start)) <= 1, segment
    assert abs((second.start_ms - first.start_ms) - (TONES_MS[1][0] - TONES_MS[0][0])) <= 1
    # And the very samples that were played: lined up on the first tone's onset, the recording
    # equals the file (16-bit in, 16-bit out; a step of 1 allowed for PipeWire's float mixing).
    # The onset is the first sample above the threshold, a sample or two into the sine: the
    # alignment is the one within 3 samples of it where the two agree best.
    onset = round(first.start_ms * FRAME) - TONES_MS[0][0] * FRAME
    expected = played[250 * FRAME : 1650 * FRAME]

    def worst_step(offset: int) -> int:
        window = heard[offset + 250 * FRAME : offset + 1650 * FRAME]
        assert len(window) == len(expected), "the recording ended before the signal"
        return max(abs(a - b) for a, b in zip(window, expected, strict=True))

    assert min(worst_step(onset + shift) for shift in range(-3, 4)) <= 1
    # Nothing leaked into the other sink.
    assert segments(elsewhere) == []


PROBE = """\
import sys
from PySide6.QtCore import QCoreApplication, QTimer, QUrl
from PySide6.QtMultimedia import QSoundEffect

app = QCoreApplication(["calftimer-tone-probe"])
effect = QSoundEffect()


def status_changed():
    if effect.status() == QSoundEffect.Status.Ready:
        effect.play()
    elif effect.status() == QSoundEffect.Status.Error:
        app.exit(3)


effect.statusChanged.connect(status_changed)
effect.playingChanged.connect(lambda: effect.isPlaying() or app.quit())
effect.setSource(QUrl.fromLocalFile(sys.argv[1]))
QTimer.singleShot(10_000, lambda: app.exit(4))  # never hang
sys.exit(app.exec())
"""


def run_probe(server: SoundServer, folder: Path, **env: str) -> subprocess.CompletedProcess[str]:
    """Play the test signal with Qt (one QSoundEffect), as the app plays its sounds."""
    write_signal(folder / "signal.wav")
    (folder / "probe.py").write_text(PROBE)
    return subprocess.run(
        [sys.executable, str(folder / "probe.py"), str(folder / "signal.wav")],
        env={**os.environ, **server.env, "QT_QPA_PLATFORM": "offscreen", **env},
        capture_output=True,
        text=True,
        timeout=60,
    )


def test_a_qt_client_reaches_the_server_through_that_servers_own_library(
    sound_server: SoundServer, tmp_path: Path
) -> None:
    recording = sound_server.record("out")
    with sound_server.watch_streams() as watch:
        probe = run_probe(sound_server, tmp_path)
    heard = recording.stop()
    assert probe.returncode == 0, probe.stderr
    # Qt's backend for this server: on PipeWire its PipeWire backend (libpipewire), on
    # PulseAudio libpulse; on the default sink, the first.
    streams = [s for s in watch.streams if s.application != "pw-record"]
    assert streams, f"no stream seen on {sound_server.kind}"
    assert {s.via for s in streams} == {sound_server.kind}, streams
    assert {s.sinks for s in streams} == {("out",)}, streams
    assert {s.media_class for s in streams} == {"Stream/Output/Audio"}
    assert len(segments(heard, min_gap_ms=120)) == 2  # and it was heard


def test_a_client_that_falls_back_to_pulseaudio_reaches_nothing_from_the_private_pipewire(
    tmp_path: Path,
) -> None:
    # The PipeWire server's env points PulseAudio clients at a socket that does not exist: a
    # Qt that fell back to PulseAudio would play nowhere (not to the user's own server), and the
    # stream check would see no stream. So a stream seen is a PipeWire client's.
    with PipeWireServer(["out"]) as server:
        recording = server.record("out")
        with server.watch_streams() as watch:
            probe = run_probe(server, tmp_path, QT_AUDIO_BACKEND="pulseaudio")
        heard = recording.stop()
    assert probe.returncode != 0  # no device to play on
    assert [s for s in watch.streams if s.name != "calftimer-recorder"] == []
    assert segments(heard) == []


def graph_quantum(server: PipeWireServer, sink: str) -> int:
    """The quantum the sink (the graph's driver) runs at now, as pw-top shows it."""
    top = subprocess.run(
        [server.kit.program("pw-top"), "--batch-mode", "--iterations=2"],
        env={**os.environ, **server.env},
        capture_output=True,
        text=True,
        timeout=30,
    )
    rows = [line.split() for line in top.stdout.splitlines()]
    quanta = [int(row[2]) for row in rows if len(row) > 3 and row[-1] == sink and row[2].isdigit()]
    if not quanta:
        raise AssertionError(f"{sink} not in pw-top's output:\n{top.stdout}")
    return quanta[-1]


def test_recording_pipewire_keeps_its_graph_at_1024_frames(tmp_path: Path) -> None:
    write_signal(tmp_path / "signal.wav")
    with PipeWireServer(["out"]) as server:
        recording = server.record("out")
        player = subprocess.Popen(
            [server.kit.program("pw-play"), "--target=out", "--latency=1024"]
            + [str(tmp_path / "signal.wav")] * 3,
            env=server._tool_env(),
        )
        try:
            quantum = graph_quantum(server, "out")
        finally:
            player.wait(30)
            recording.stop()
    # pw-record's default latency (100 ms) would raise it to 2048 for everything playing.
    assert quantum == 1024


@pytest.mark.parametrize("kind", ["pulseaudio", "pipewire"])
def test_a_server_leaves_no_process_behind_however_it_ends(kind: str, tmp_path: Path) -> None:
    write_signal(tmp_path / "signal.wav")
    # Stopped normally, with a recorder and a stream watch still running.
    with open_server(kind, ["out"]) as server:
        folder = server.folder
        recording = server.record("out")
        with server.watch_streams():
            server.play(tmp_path / "signal.wav", "out")
        recording.stop()
        server.record("out")  # left running: the server ends it
        pids = server.pids
        assert len(pids) >= 3  # the daemon(s) and the recorders
    assert [pid for pid in pids if Path(f"/proc/{pid}").exists()] == []
    assert processes_using(folder) == []
    assert not folder.exists()

    # A test that fails inside the block.
    with pytest.raises(ZeroDivisionError), open_server(kind, ["out"]) as server:
        folder, pids = server.folder, server.pids
        1 / 0  # noqa: B018
    assert [pid for pid in pids if Path(f"/proc/{pid}").exists()] == []
    assert processes_using(folder) == []

    # A start that fails halfway, after the daemons are up.
    server_class = {"pulseaudio": PulseServer, "pipewire": PipeWireServer}[kind]

    class FailsWhileStarting(server_class):  # type: ignore[misc,valid-type]
        def _start(self) -> None:
            super()._start()
            self.started_pids = self.pids
            raise SoundServerError("failed after the daemons started")

    failing = FailsWhileStarting(["out"])
    with pytest.raises(SoundServerError, match="failed after"), failing:
        pass
    assert failing.started_pids
    assert [pid for pid in failing.started_pids if Path(f"/proc/{pid}").exists()] == []
    assert processes_using(failing.folder) == []


def test_without_a_private_pipewire_the_error_says_what_is_missing_in_one_line(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # No kit yet, and no apt to fetch one with (PATH holds nothing).
    monkeypatch.setenv("CALFTIMER_PIPEWIRE_KIT", str(tmp_path / "kit"))
    monkeypatch.setenv("PATH", str(tmp_path))
    with pytest.raises(SoundServerError) as raised:
        pipewire_kit()
    message = str(raised.value)
    assert "\n" not in message
    assert re.search(r"no private PipeWire .*apt-get and dpkg-deb", message), message
    assert not (tmp_path / "kit").exists()


def pw_dump_client(object_id: int, pid: int, protocol: str, **props: object) -> dict[str, Any]:
    return {
        "id": object_id,
        "type": "PipeWire:Interface:Client",
        "info": {
            "props": {
                "pipewire.protocol": protocol,
                "pipewire.sec.pid": pid,
                "application.process.id": 1,  # what an application says: not trusted
                **props,
            }
        },
    }


def pw_dump_node(object_id: int, name: str, media_class: str, client: int = 0) -> dict[str, Any]:
    props: dict[str, object] = {"node.name": name, "media.class": media_class}
    if client:
        props["client.id"] = client
    return {"id": object_id, "type": "PipeWire:Interface:Node", "info": {"props": props}}


def pw_dump_link(object_id: int, output: int, input_: int) -> dict[str, Any]:
    return {
        "id": object_id,
        "type": "PipeWire:Interface:Link",
        "info": {"output-node-id": output, "input-node-id": input_},
    }


def test_pipewire_streams_are_told_apart_by_the_protocol_of_their_client() -> None:
    graph = PipeWireGraph()
    graph.update(
        [
            pw_dump_node(30, "out", "Audio/Sink"),
            pw_dump_client(40, 1234, "protocol-native"),  # Qt's PipeWire backend
            pw_dump_client(41, 5678, "protocol-pulse", **{"client.api": "pipewire-pulse"}),
            pw_dump_node(50, "calftimer", "Stream/Output/Audio", client=40),
            pw_dump_node(51, "calftimer-pulse", "Stream/Output/Audio", client=41),
            pw_dump_node(52, "recorder", "Stream/Input/Audio", client=40),
            pw_dump_link(60, 50, 30),
            pw_dump_link(61, 51, 30),
        ]
    )
    graph.update([{"id": 51, "info": None}])  # the pulse stream ends
    streams = graph.streams(current_only=False)
    assert [(s.pid, s.name, s.via, s.sinks) for s in streams] == [
        (1234, "calftimer", "pipewire", ("out",)),
        (5678, "calftimer-pulse", "pipewire-pulse", ("out",)),
    ]
    assert [s.name for s in graph.streams(current_only=True)] == ["calftimer"]


KILLED_RUNNER = """\
import sys, time
sys.path.insert(0, sys.argv[2])
from tests.realaudio import open_server
with open_server(sys.argv[1], ["out"]) as server:
    server.record("out")
    print(server.folder, flush=True)
    time.sleep(60)  # killed before this ends: no finally, no __exit__
"""


@pytest.mark.parametrize("kind", ["pulseaudio", "pipewire"])
def test_a_run_killed_outright_takes_its_server_with_it(kind: str, tmp_path: Path) -> None:
    (tmp_path / "runner.py").write_text(KILLED_RUNNER)
    runner = subprocess.Popen(
        [sys.executable, str(tmp_path / "runner.py"), kind, str(ROOT)],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        assert runner.stdout is not None
        folder = Path(runner.stdout.readline().strip())
        assert folder.name, runner.communicate(timeout=30)[1]
        assert processes_using(folder), "the server is running"
    finally:
        runner.kill()  # as a CI timeout or the OOM killer would: SIGKILL
        runner.wait()
    # The kernel signals them at once; they take a moment to exit.
    poll_until(lambda: not processes_using(folder), 5)
    left = processes_using(folder)
    shutil.rmtree(folder, ignore_errors=True)  # what the server's stop would have removed
    assert left == [], f"{kind} processes outlived the run that started them"
