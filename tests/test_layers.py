"""The core stays Qt-free: no module under calftimer/core imports Qt, pyqtgraph or platformdirs."""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

import calftimer.core

CORE = Path(calftimer.core.__file__).parent
FORBIDDEN = (
    "PySide6",
    "shiboken6",
    "pyqtgraph",
    "platformdirs",
    "numpy",
    "calftimer.gui",
    "calftimer.app",
    "calftimer.paths",
)


def imported_modules(path: Path) -> set[str]:
    names: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"), str(path))):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.add(node.module)
    return names


def test_no_core_module_imports_qt_or_platform_libraries() -> None:
    offenders = []
    for path in sorted(CORE.rglob("*.py")):
        for name in imported_modules(path):
            if any(name == f or name.startswith(f + ".") for f in FORBIDDEN):
                offenders.append(f"{path.relative_to(CORE.parent)} imports {name}")
    assert offenders == []


def test_importing_the_whole_core_loads_no_qt() -> None:
    """Catches indirect imports too: load every core module in a clean interpreter."""
    modules = sorted("calftimer.core." + p.stem for p in CORE.glob("*.py") if p.stem != "__init__")
    code = (
        "import importlib, sys\n"
        f"for m in {modules!r}: importlib.import_module(m)\n"
        f"bad = [m for m in sys.modules if m.split('.')[0] in {FORBIDDEN[:5]!r}]\n"
        "print(','.join(bad))\n"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, timeout=60
    )
    assert out.stdout.strip() == ""


def test_the_layer_check_would_catch_an_offender(tmp_path: Path) -> None:
    bad = tmp_path / "bad.py"
    bad.write_text("from PySide6.QtCore import QTimer\nimport platformdirs\n")
    assert {"PySide6.QtCore", "platformdirs"} <= imported_modules(bad)
