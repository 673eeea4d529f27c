"""The command line given hostile paths, run as a user runs it: a real process each time.

Whatever it is given (a named pipe, ``/dev/zero``, a folder, a name too long for the system,
a path through a file), the command answers at once with one line naming the file and exits 2:
no hang, no traceback, and nothing changed in the data folder. Each process runs under a
deadline and a memory cap and is killed by the test if it overruns either.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from calftimer.core.programs import BUILTIN_BY_ID, program_to_dict
from tests.core.test_exchange import snapshot

pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(sys.platform == "win32", reason="named pipes, /dev/zero, rlimits"),
]

REPO = Path(__file__).resolve().parents[1]
DEADLINE_S = 30
MEMORY_CAP = 2 << 30  # reading /dev/zero without limit would pass this in about a second


def run_cli(*args: str, data: Path) -> subprocess.CompletedProcess[str]:
    """``python -m calftimer --data-dir DATA ARGS`` with a deadline and a memory cap."""
    import resource

    def cap_memory() -> None:
        resource.setrlimit(resource.RLIMIT_AS, (MEMORY_CAP, MEMORY_CAP))

    env = dict(os.environ, QT_QPA_PLATFORM="offscreen")
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(REPO), env.get("PYTHONPATH")]))
    env.pop("CALFTIMER_DATA_DIR", None)
    with subprocess.Popen(
        [sys.executable, "-m", "calftimer", "--data-dir", str(data), *args],
        stdin=subprocess.DEVNULL,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=env,
        preexec_fn=cap_memory,
    ) as proc:
        try:
            out, err = proc.communicate(timeout=DEADLINE_S)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.communicate()
            pytest.fail(f"calftimer {' '.join(args)[:80]} still ran after {DEADLINE_S} s")
    return subprocess.CompletedProcess(proc.args, proc.returncode, out, err)


def assert_refused(result: subprocess.CompletedProcess[str], *expected: str) -> None:
    assert result.returncode == 2, result.stderr
    assert "Traceback" not in result.stderr
    for text in expected:
        assert text in result.stderr


@pytest.fixture
def data(tmp_path: Path) -> Path:
    folder = tmp_path / "data"
    (folder / "programs").mkdir(parents=True)
    return folder


@pytest.mark.parametrize("command", [["--start"], ["import"], ["import", "--dry-run"]])
def test_a_named_pipe_is_refused_at_once(tmp_path: Path, data: Path, command: list[str]) -> None:
    pipe = tmp_path / "program.json"
    os.mkfifo(pipe)
    before = snapshot(data)
    cmd = [command[0], str(pipe), *command[1:]]
    assert_refused(run_cli(*cmd, data=data), "program.json: is a named pipe (FIFO)")
    assert snapshot(data) == before


@pytest.mark.parametrize("command", [["--start"], ["import", "--dry-run"]])
def test_dev_zero_is_refused_at_once(data: Path, command: list[str]) -> None:
    cmd = [command[0], "/dev/zero", *command[1:]]
    assert_refused(run_cli(*cmd, data=data), "zero: is a device, not a regular file")


@pytest.mark.parametrize("command", [["--start"], ["import"], ["import", "--dry-run"]])
@pytest.mark.parametrize(
    ("name", "reason"),
    [
        ("x" * 5000 + ".json", "File name too long"),
        ("folder/" + "y" * 300 + ".json", "File name too long"),
        ("a-file.json/program.json", "Not a directory"),
    ],
    ids=["5000-chars", "long-part", "through-a-file"],
)
def test_impossible_paths_get_the_system_s_reason_in_one_line(
    tmp_path: Path, data: Path, command: list[str], name: str, reason: str
) -> None:
    (tmp_path / "folder").mkdir()
    (tmp_path / "a-file.json").write_text("{}")
    cmd = [command[0], str(tmp_path / name), *command[1:]]
    result = run_cli(*cmd, data=data)
    assert_refused(result, f"cannot read the file: {reason}")
    assert max(len(line) for line in result.stderr.splitlines()) < 400


def test_pipes_in_the_data_folder_never_hang_the_commands(tmp_path: Path, data: Path) -> None:
    """A pipe where a program, a history month or the settings file should be."""
    os.mkfifo(data / "programs" / "mine.json")
    months = data / "history" / "months"
    months.mkdir(parents=True)
    os.mkfifo(months / "2026-01.json")
    os.mkfifo(data / "settings.json")
    good = program_to_dict(BUILTIN_BY_ID["isometric"]) | {"id": "other", "name": "Other"}
    (data / "programs" / "other.json").write_text(json.dumps(good))

    listed = run_cli("programs", data=data)
    assert listed.returncode == 0 and "other" in listed.stdout
    assert "mine.json: is a named pipe (FIFO), not a regular file" in listed.stderr

    exported = run_cli("export", "--format", "json", "-o", str(tmp_path / "b.json"), data=data)
    assert exported.returncode == 0, exported.stderr
    assert "2026-01.json" in exported.stderr and "is a named pipe" in exported.stderr
    assert (months / "2026-01.json").is_fifo()  # left as it is, not "repaired"


@pytest.mark.parametrize(
    ("folder", "reason"),
    [("d" * 5000, "File name too long"), ("a-file.json/data", "Not a directory")],
)
@pytest.mark.parametrize("command", [["programs"], ["import", "x.json", "--dry-run"]])
def test_an_impossible_data_folder_is_refused_in_one_line(
    tmp_path: Path, folder: str, reason: str, command: list[str]
) -> None:
    (tmp_path / "a-file.json").write_text("{}")
    result = run_cli(*command, data=tmp_path / folder)
    assert_refused(result, "cannot use the data folder", reason)
    assert len(result.stderr.splitlines()) == 1
