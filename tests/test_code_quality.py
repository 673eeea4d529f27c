"""Lint, format and strict typing of the core run with the suite, so CI enforces them."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]


def run(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", *args],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )


@pytest.mark.slow
def test_ruff_finds_nothing() -> None:
    lint = run("ruff", "check", "calftimer", "tests", "benchmarks")
    assert lint.returncode == 0, lint.stdout + lint.stderr
    fmt = run("ruff", "format", "--check", "calftimer", "tests", "benchmarks")
    assert fmt.returncode == 0, fmt.stdout + fmt.stderr


@pytest.mark.slow
def test_core_passes_strict_mypy() -> None:
    typed = run("mypy", "--no-incremental")
    assert typed.returncode == 0, typed.stdout + typed.stderr
    assert "Success" in typed.stdout
