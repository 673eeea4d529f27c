"""Lint, format and strict typing of the core run with the suite, so CI enforces them, and no
behaviour depends on ``assert``."""

from __future__ import annotations

import ast
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
    lint = run("ruff", "check", "calftimer", "tests", "benchmarks", "bootstrap.py")
    assert lint.returncode == 0, lint.stdout + lint.stderr
    fmt = run("ruff", "format", "--check", "calftimer", "tests", "benchmarks", "bootstrap.py")
    assert fmt.returncode == 0, fmt.stdout + fmt.stderr


@pytest.mark.slow
def test_core_passes_strict_mypy() -> None:
    typed = run("mypy", "--no-incremental")
    assert typed.returncode == 0, typed.stdout + typed.stderr
    assert "Success" in typed.stdout


def asserts_outside_type_checking(tree: ast.AST) -> list[int]:
    """Line numbers of the ``assert`` statements of a module, except under ``if TYPE_CHECKING``
    (never run, so nothing can depend on them)."""
    found: list[int] = []

    def visit(node: ast.AST) -> None:
        if isinstance(node, ast.If) and "TYPE_CHECKING" in ast.unparse(node.test):
            for child in node.orelse:
                visit(child)
            return
        if isinstance(node, ast.Assert):
            found.append(node.lineno)
        for child in ast.iter_child_nodes(node):
            visit(child)

    visit(tree)
    return found


def test_no_behaviour_depends_on_assert() -> None:
    """The bundle is built with ``optimize=1`` (packaging/calftimer.spec), which strips every
    ``assert``: a check that must hold is an ``if`` that raises."""
    found = []
    for path in sorted((ROOT / "calftimer").rglob("*.py")):
        name = path.relative_to(ROOT).as_posix()
        tree = ast.parse(path.read_text(encoding="utf-8"), filename=name)
        found += [f"{name}:{line}" for line in asserts_outside_type_checking(tree)]
    assert found == [], "assert statements (stripped from the bundle): " + ", ".join(found)


def test_the_assert_check_finds_asserts_and_skips_type_checking_blocks() -> None:
    tree = ast.parse(
        "from typing import TYPE_CHECKING\n"
        "if TYPE_CHECKING:\n"
        "    assert False\n"
        "def f(x):\n"
        "    assert x is not None\n"
        "    return x\n"
    )
    assert asserts_outside_type_checking(tree) == [5]
