"""A machine without Qt's sound module (no libpulse0) and a sound thread that hangs: nothing may
abort, hang or print a traceback.

On such a machine the README's test command used to end with exit 134: a sound output started
its audio thread, the thread's first sound failed on the import of QtMultimedia, its shut-down
failed on the same import, and the still-running thread was deleted as Python exited, which
makes Qt abort the process.

The child processes here lose the module the way such a machine does: its import fails with
the loader's message (a ``sitecustomize`` put first on ``PYTHONPATH`` raises it for
``PySide6.QtMultimedia`` and ``PySide6.QtTextToSpeech``, which loads the same library).
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest

from calftimer import __version__
from tests.realaudio import poll_until

ABORT_SIGNS = ("Fatal", "Aborted", "Traceback", "QThread: Destroyed", "core dumped")

BLOCK_SOUND_MODULES = '''
import importlib.abc
import sys

BLOCKED = ("PySide6.QtMultimedia", "PySide6.QtTextToSpeech")


class NoSoundModules(importlib.abc.MetaPathFinder):
    """What a machine without libpulse0 says when Qt's sound or speech module is imported."""

    def find_spec(self, name, path=None, target=None):
        if name in BLOCKED or name.startswith(tuple(b + "." for b in BLOCKED)):
            raise ImportError(
                "libpulse.so.0: cannot open shared object file: No such file or directory",
                name=name,
            )
        return None


sys.meta_path.insert(0, NoSoundModules())
'''


def without_sound_modules(tmp_path: Path) -> dict[str, str]:
    """The environment of a child process in which Qt's sound and speech modules fail to load."""
    site = tmp_path / "no-sound-site"
    site.mkdir()
    (site / "sitecustomize.py").write_text(BLOCK_SOUND_MODULES, encoding="utf-8")
    env = {k: v for k, v in os.environ.items() if not k.startswith("CALFTIMER_")}
    env.update(
        PYTHONPATH=os.pathsep.join([str(site), env.get("PYTHONPATH", "")]).rstrip(os.pathsep),
        QT_QPA_PLATFORM="offscreen",
        HOME=str(tmp_path / "home"),
    )
    (tmp_path / "home").mkdir()
    return env


def wait_for(condition: Callable[[], bool], timeout_s: float, what: str) -> None:
    """Poll ``condition`` (a file another process writes) until it holds."""
    if not poll_until(condition, timeout_s, every_s=0.05):
        raise AssertionError(f"{what} did not happen within {timeout_s} s")


def finished_sessions(data: Path) -> list[dict[str, object]]:
    found = []
    for path in (data / "history" / "sessions").glob("*.json"):
        try:
            session = json.loads(path.read_text(encoding="utf-8"))["session"]
        except (OSError, ValueError, KeyError):
            continue  # not written yet (docs/data-format.md: one session per file)
        if session.get("status") == "finished":
            found.append(session)
    return found


@pytest.mark.slow
def test_without_the_sound_module_a_session_runs_silently_and_ctrl_c_quits_cleanly(
    tmp_path,
) -> None:
    env = without_sound_modules(tmp_path)
    data = tmp_path / "data"
    data.mkdir()
    # The shortest session there is: 5 s to get ready, one 1-second hold on one leg.
    (data / "settings.json").write_text(
        json.dumps({"kind": "calftimer.settings", "schema_version": 1, "prepare_s": 5}),
        encoding="utf-8",
    )
    program = tmp_path / "one-hold.json"
    program.write_text(
        json.dumps(
            {
                "kind": "calftimer.program",
                "version": 1,
                "id": "one-hold",
                "name": "One hold",
                "blocks": [
                    {"exercise": "isometric_calf_hold", "sets": 1, "target": 1, "sides": "left"}
                ],
            }
        ),
        encoding="utf-8",
    )
    app = subprocess.Popen(
        [sys.executable, "-m", "calftimer", "--data-dir", str(data), "--start", str(program)],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        wait_for(lambda: bool(finished_sessions(data)) or app.poll() is not None, 60, "the end")
        assert app.poll() is None, "calftimer ended by itself: " + app.communicate()[1]
        # Ctrl+C in the terminal that started it.
        app.send_signal(signal.SIGINT)
        _out, err = app.communicate(timeout=30)
    finally:
        if app.poll() is None:
            app.kill()
            app.communicate()
    assert app.returncode == 0, err
    assert not [sign for sign in ABORT_SIGNS if sign in err], err
    (session,) = finished_sessions(data)
    assert session["program_id"] == "one-hold"
    assert [s["exercise"] for s in session["sets"]] == ["isometric_calf_hold"]


@pytest.mark.slow
def test_without_the_sound_module_the_self_check_names_what_is_missing(tmp_path) -> None:
    result = subprocess.run(
        [sys.executable, "-m", "calftimer", "--self-check"],
        env=without_sound_modules(tmp_path),
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert result.returncode == 1
    assert result.stdout.splitlines() == [
        f"calftimer {__version__} self-check FAILED at sound output: Qt's multimedia module "
        "does not load: libpulse.so.0: cannot open shared object file: No such file or "
        "directory; install libpulse0 (Debian/Ubuntu)"
    ]
    assert not [sign for sign in ABORT_SIGNS if sign in result.stderr], result.stderr


SOUND_OUTPUT_WITHOUT_THE_MODULE = """
from PySide6.QtWidgets import QApplication

app = QApplication([])
from calftimer.gui.audio import SoundUnavailableError, create_sound_output
from calftimer.gui.sound.engine import SoundEngine
from calftimer.resources import sounds_folder

print("app:", type(create_sound_output("standard")).__name__, flush=True)
try:
    output = SoundEngine(sounds_folder("standard"))
except SoundUnavailableError as exc:
    print("refused:", exc, flush=True)
else:
    print("started", flush=True)
    output.close()
"""


@pytest.mark.slow
def test_a_sound_output_without_the_sound_module_refuses_to_start_and_the_process_exits(
    tmp_path,
) -> None:
    result = subprocess.run(
        [sys.executable, "-c", SOUND_OUTPUT_WITHOUT_THE_MODULE],
        env=without_sound_modules(tmp_path),
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    app_line, refused = result.stdout.splitlines()
    assert app_line == "app: SilentOutput"  # the window flashes instead
    assert refused.startswith("refused: Sound is off: Qt's sound module could not load")
    assert "Install libpulse0" in refused
    assert not [sign for sign in ABORT_SIGNS if sign in result.stderr], result.stderr


HUNG_AUDIO_THREAD = """
import os
import sys
import tempfile
from pathlib import Path

from PySide6.QtWidgets import QApplication

app = QApplication([])
from calftimer.gui.sound.engine import SoundEngine

# A sound file that never finishes reading (a FIFO nobody writes, as a file on a hung network
# drive would be): the sound thread stops inside it for good.
folder = Path(tempfile.mkdtemp())
os.mkfifo(folder / "go.wav")
output = SoundEngine(folder)
output.close()  # gives up on the thread after its wait
print("closed", flush=True)
sys.exit(0)
"""


@pytest.mark.slow
def test_an_audio_thread_that_never_stops_does_not_abort_the_exit(tmp_path) -> None:
    """Needs Qt's sound module (libpulse0), as the app does; no sound device."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("PULSE")}
    env.update(QT_QPA_PLATFORM="offscreen", PULSE_SERVER="unix:/nonexistent")
    result = subprocess.run(
        [sys.executable, "-c", HUNG_AUDIO_THREAD],
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert result.stdout.splitlines() == ["closed"], result.stdout + result.stderr
    # It says so and exits with a failure status, but never aborts (134) or hangs.
    assert result.returncode == 1, result.stderr
    assert "calftimer: the calftimer-sound thread did not stop; exiting without it" in (
        result.stderr
    )
    assert not [sign for sign in ABORT_SIGNS if sign in result.stderr], result.stderr


QUIT_WITHOUT_CLOSING = """
import sys

from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QApplication

app = QApplication([])
from calftimer.gui.sound.engine import SoundEngine
from calftimer.resources import sounds_folder

output = SoundEngine(sounds_folder("standard"))
# The application quits with the engine still open (a second Ctrl+C, or a harness ending the
# event loop): nothing closed the window, so nothing closed the engine.
QTimer.singleShot(300, app.quit)
app.exec()
print("quit", flush=True)
sys.exit(0)
"""


@pytest.mark.slow
def test_quitting_the_application_with_the_engine_open_does_not_abort(tmp_path) -> None:
    """Needs Qt's sound module (libpulse0), as the app does; no sound device."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("PULSE")}
    env.update(QT_QPA_PLATFORM="offscreen", PULSE_SERVER="unix:/nonexistent")
    result = subprocess.run(
        [sys.executable, "-c", QUIT_WITHOUT_CLOSING],
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert result.stdout.splitlines() == ["quit"], result.stdout + result.stderr
    assert result.returncode == 0, result.stderr
    assert not [sign for sign in ABORT_SIGNS if sign in result.stderr], result.stderr
