"""The command line: programs listing, --start errors, data folder, and a real launch."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from calftimer import APP_ID, __version__
from calftimer.app import main
from calftimer.core.programs import BUILTIN_BY_ID, program_to_dict
from calftimer.paths import resolve_paths


def saved_program(folder: Path, program_id: str = "my-day", **changes: object) -> Path:
    data = program_to_dict(BUILTIN_BY_ID["isometric"])
    data.update(id=program_id, name="My day", **changes)
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"{program_id}.json"
    path.write_text(json.dumps(data), encoding="utf-8")
    return path


def test_programs_lists_builtin_and_saved_programs_with_durations(tmp_path, capsys) -> None:
    saved_program(tmp_path / "programs")
    assert main(["--data-dir", str(tmp_path), "programs"]) == 0
    out = capsys.readouterr().out.splitlines()
    assert out[0].split() == ["ID", "NAME", "TIME", "KIND"]
    ids = [line.split()[0] for line in out[1:]]
    assert ids == ["foundation", "alfredson", "isometric", "heel-rise-test", "my-day"]
    assert out[-1].endswith("saved") and "min" in out[1]


def test_programs_reports_a_damaged_saved_file_and_lists_the_rest(tmp_path, capsys) -> None:
    saved_program(tmp_path / "programs")
    (tmp_path / "programs" / "broken.json").write_text("{ not json", encoding="utf-8")
    assert main(["--data-dir", str(tmp_path), "programs"]) == 0
    captured = capsys.readouterr()
    assert "my-day" in captured.out
    assert "broken.json: not valid JSON" in captured.err
    assert (tmp_path / "programs" / "broken.json").read_text() == "{ not json"  # left alone


def test_data_dir_comes_from_the_flag_then_the_environment(tmp_path) -> None:
    assert resolve_paths(str(tmp_path / "a"), {"CALFTIMER_DATA_DIR": "/x"}).data_dir == (
        tmp_path / "a"
    )
    env_paths = resolve_paths(None, {"CALFTIMER_DATA_DIR": str(tmp_path / "b")})
    assert env_paths.data_dir == tmp_path / "b" and env_paths.source == "CALFTIMER_DATA_DIR"
    default = resolve_paths(None, {})
    assert default.source == "default" and "calftimer" in str(default.data_dir)


def test_environment_data_dir_is_used_by_the_cli(tmp_path, capsys, monkeypatch) -> None:
    saved_program(tmp_path / "programs", "env-day")
    monkeypatch.setenv("CALFTIMER_DATA_DIR", str(tmp_path))
    assert main(["programs"]) == 0
    assert "env-day" in capsys.readouterr().out


def test_unknown_program_id_exits_2_and_lists_the_ids(tmp_path, capsys) -> None:
    assert main(["--data-dir", str(tmp_path), "--start", "fundation"]) == 2
    err = capsys.readouterr().err
    assert "unknown program 'fundation'" in err
    assert "foundation, alfredson, isometric, heel-rise-test" in err


def test_bad_program_file_exits_2_naming_file_and_field(tmp_path, capsys) -> None:
    path = tmp_path / "mine.json"
    data = program_to_dict(BUILTIN_BY_ID["foundation"])
    data["blocks"][2]["sets"] = 0
    path.write_text(json.dumps(data), encoding="utf-8")
    assert main(["--data-dir", str(tmp_path), "--start", str(path)]) == 2
    err = capsys.readouterr().err
    assert "mine.json: blocks[2].sets: must be an integer from 1 to 20" in err
    assert "foundation" in err


def test_missing_program_file_exits_2(tmp_path, capsys) -> None:
    assert main(["--data-dir", str(tmp_path), "--start", str(tmp_path / "nope.json")]) == 2
    assert "no program file at" in capsys.readouterr().err


def test_version_and_help(capsys) -> None:
    with pytest.raises(SystemExit) as done:
        main(["--version"])
    assert done.value.code == 0
    assert capsys.readouterr().out.strip() == f"calftimer {__version__}"
    with pytest.raises(SystemExit):
        main(["--help"])
    out = capsys.readouterr().out
    assert "--start ID|FILE" in out and "--data-dir DIR" in out and "programs" in out


def test_start_opens_the_window_and_runs_the_program_hands_free(qtbot, tmp_path) -> None:
    """main() end to end: the window appears with the program already running."""
    from PySide6.QtCore import QTimer
    from PySide6.QtWidgets import QApplication

    from calftimer.gui.main_window import MainWindow

    seen: dict[str, object] = {}
    checks = []

    def inspect() -> None:
        # With a sound device the session starts once the sounds are loaded (up to 3 s).
        windows = [w for w in QApplication.topLevelWidgets() if isinstance(w, MainWindow)]
        window = windows[0] if windows else None
        checks.append(1)
        if (window is None or window.session.state is None) and len(checks) < 100:
            QTimer.singleShot(100, inspect)
            return
        if window is not None and window.session.state is not None:
            seen["program"] = window.session.timeline.program_id
            seen["state"] = window.session.state
            seen["phase"] = window.session_view.phase_label.text()
            # What the desktop matches to the launcher entry, and the task bar's icon.
            seen["desktop_file"] = QApplication.desktopFileName()
            seen["icon_sizes"] = sorted(s.width() for s in window.windowIcon().availableSizes())
        # exit(), not quit() nor closing the window: either posts a Quit event, which, delivered
        # once this loop has ended, would end at once every event loop this process starts
        # later (the modal questions of the tests that follow returned without a user).
        QApplication.exit(0)  # always: a failed check must not leave the loop running

    QTimer.singleShot(300, inspect)
    assert main(["--data-dir", str(tmp_path), "--start", "heel-rise-test"]) == 0
    assert seen["program"] == "heel-rise-test"
    assert str(seen["state"]) == "running"
    assert seen["phase"] == "GET READY"
    assert seen["desktop_file"] == APP_ID
    assert seen["icon_sizes"] == [16, 24, 32, 48, 64, 128, 256, 512]


@pytest.mark.slow
def test_python_dash_m_runs_the_same_entry_point(tmp_path) -> None:
    env = dict(os.environ, QT_QPA_PLATFORM="offscreen", CALFTIMER_DATA_DIR=str(tmp_path))
    out = subprocess.run(
        [sys.executable, "-m", "calftimer", "programs"],
        capture_output=True,
        text=True,
        env=env,
        timeout=60,
        check=False,
    )
    assert out.returncode == 0, out.stderr
    assert "heel-rise-test" in out.stdout
    # Listing programs must not load Qt: it works over SSH and without a display.
    probe = subprocess.run(
        [
            sys.executable,
            "-c",
            "import sys; from calftimer.app import main; main(['programs']);"
            "print('QT' if any(m.startswith('PySide6') for m in sys.modules) else 'NOQT')",
        ],
        capture_output=True,
        text=True,
        env=env,
        timeout=60,
        check=True,
    )
    assert probe.stdout.strip().endswith("NOQT")


@pytest.mark.slow
def test_a_reader_that_stops_early_or_a_full_disk_gives_no_traceback(tmp_path: Path) -> None:
    """``calftimer programs | head -0`` and ``> /dev/full``: the reader closed the pipe, or the
    disk took nothing. No traceback either way; a full disk is said in one line."""
    env = {**os.environ, "CALFTIMER_DATA_DIR": str(tmp_path)}
    command = [sys.executable, "-m", "calftimer", "programs"]
    reader = subprocess.Popen(command, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    try:
        assert reader.stdout is not None and reader.stderr is not None
        reader.stdout.close()  # the reader is gone before the first line
        errors = reader.stderr.read().decode()
        assert reader.wait(60) == 141
    finally:
        reader.kill()
        reader.wait()
    assert errors == ""
    if Path("/dev/full").exists():
        with open("/dev/full", "wb") as full:
            done = subprocess.run(
                command, env=env, stdout=full, stderr=subprocess.PIPE, text=True, timeout=60
            )
        assert done.returncode == 1
        assert done.stderr.strip() == (
            "calftimer: could not write to standard output: No space left on device"
        )
