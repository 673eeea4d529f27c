"""Running one of the tests' probe modules (``python -m tests.gui.<probe>``) in a process of its
own: the repository on its path, Qt offscreen, the caller's environment on top."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def probe_env(extra: dict[str, str]) -> dict[str, str]:
    return {**os.environ, **extra, "QT_QPA_PLATFORM": "offscreen", "PYTHONPATH": str(ROOT)}


def run_probe(
    module: str, extra_env: dict[str, str], timeout_s: float = 60
) -> subprocess.CompletedProcess[str]:
    """Run ``tests.gui.<module>`` to its end (killed after ``timeout_s``) and return what it
    printed."""
    return subprocess.run(
        [sys.executable, "-m", f"tests.gui.{module}"],
        cwd=ROOT,
        env=probe_env(extra_env),
        capture_output=True,
        text=True,
        timeout=timeout_s,
    )
