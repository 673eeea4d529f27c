"""The layers hold: the import-linter contracts in pyproject.toml (the core is pure Python;
app > self-check and desktop install > gui > core; the window imports neither the driver, the
cue player nor the recorder), checked on the real package and shown to catch an offender."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

import calftimer
import calftimer.core

ROOT = Path(__file__).resolve().parents[1]
CORE = Path(calftimer.core.__file__).parent
QT_AND_FRIENDS = ("PySide6", "shiboken6", "pyqtgraph", "platformdirs", "numpy")


def lint_imports(cwd: Path, env_path: Path | None = None) -> subprocess.CompletedProcess[str]:
    env = None
    if env_path is not None:
        import os

        env = {**os.environ, "PYTHONPATH": str(env_path)}
    return subprocess.run(
        [
            sys.executable,
            "-c",
            "import sys; from importlinter.cli import lint_imports_command as run; sys.exit(run())",
            "--no-cache",
        ],
        cwd=cwd,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
        env=env,
    )


@pytest.mark.slow
def test_every_import_contract_is_kept() -> None:
    result = lint_imports(ROOT)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "3 kept, 0 broken" in result.stdout


@pytest.mark.slow
def test_the_contracts_catch_an_offender(tmp_path: Path) -> None:
    """A copy of the package where the core imports Qt and the window imports the driver: both
    contracts break, naming the import."""
    copy = tmp_path / "calftimer"
    shutil.copytree(Path(calftimer.__file__).parent, copy, ignore=shutil.ignore_patterns("*.wav"))
    shutil.copy(ROOT / "pyproject.toml", tmp_path / "pyproject.toml")
    timeline = copy / "core" / "timeline.py"
    timeline.write_text(timeline.read_text() + "\nfrom PySide6.QtCore import QTimer\n")
    window = copy / "gui" / "main_window.py"
    window.write_text(window.read_text() + "\nfrom calftimer.gui.driver import SessionDriver\n")
    result = lint_imports(tmp_path, env_path=tmp_path)
    assert result.returncode != 0
    assert "calftimer.core.timeline -> PySide6" in result.stdout
    assert "calftimer.gui.main_window -> calftimer.gui.driver" in result.stdout


def test_importing_the_whole_core_loads_no_qt() -> None:
    """Catches imports made at run time too: load every core module in a clean interpreter."""
    modules = sorted("calftimer.core." + p.stem for p in CORE.glob("*.py") if p.stem != "__init__")
    code = (
        "import importlib, sys\n"
        f"for m in {modules!r}: importlib.import_module(m)\n"
        f"bad = [m for m in sys.modules if m.split('.')[0] in {QT_AND_FRIENDS!r}]\n"
        "print(','.join(bad))\n"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, timeout=60
    )
    assert out.stdout.strip() == ""
