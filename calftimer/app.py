"""Composition root: command line, paths, QApplication and wiring. Nothing imports this module.

``main(argv) -> int`` serves both the ``calftimer`` launcher and ``python -m calftimer``. Commands
that need no window (``programs``, ``--version``, errors in ``--start``) never import Qt, so they
work over SSH and on machines without a display.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence

from calftimer import __version__
from calftimer.core.library import ProgramLibrary, UnknownProgramError
from calftimer.core.programs import Program, ProgramFileError
from calftimer.core.timeline import estimated_duration_ms, format_duration
from calftimer.paths import ENV_DATA_DIR, AppPaths, resolve_paths

EXIT_USAGE = 2


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="calftimer",
        description="A hands-free coach for runners' calf training.",
        epilog="Run without a command to open the window. "
        "Not medical advice: see a clinician for persistent pain.",
    )
    parser.add_argument("--version", action="version", version=f"calftimer {__version__}")
    parser.add_argument(
        "--data-dir",
        metavar="DIR",
        help=f"keep programs and history in DIR (also the {ENV_DATA_DIR} environment variable)",
    )
    parser.add_argument(
        "--start",
        metavar="ID|FILE",
        help="open the window and start this program at once (a program id or a program file)",
    )
    commands = parser.add_subparsers(dest="command", metavar="COMMAND")
    commands.add_parser("programs", help="list the built-in and saved programs, then exit")
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(list(sys.argv[1:] if argv is None else argv))
    paths = resolve_paths(args.data_dir)
    library = ProgramLibrary.load(paths.programs_dir)

    if args.command == "programs":
        return _print_programs(library)

    start: Program | None = None
    if args.start:
        try:
            start = library.resolve(args.start)
        except UnknownProgramError as exc:
            print(f"calftimer: {exc}", file=sys.stderr)
            return EXIT_USAGE
        except ProgramFileError as exc:
            print(f"calftimer: cannot load the program file:\n{exc}", file=sys.stderr)
            print(f"The programs are: {', '.join(library.ids)}", file=sys.stderr)
            return EXIT_USAGE
    return _run_window(paths, library, start)


def _print_programs(library: ProgramLibrary) -> int:
    rows = [
        (
            p.id,
            p.name,
            format_duration(estimated_duration_ms(p)),
            "built-in" if p.builtin else "saved",
        )
        for p in library.programs
    ]
    widths = [max(len(r[i]) for r in [("ID", "NAME", "TIME", "KIND"), *rows]) for i in range(4)]
    for row in [("ID", "NAME", "TIME", "KIND"), *rows]:
        print("  ".join(cell.ljust(w) for cell, w in zip(row, widths, strict=True)).rstrip())
    for problem in library.problems:
        print(f"warning: skipped a damaged program file:\n{problem}", file=sys.stderr)
    return 0


def _run_window(paths: AppPaths, library: ProgramLibrary, start: Program | None) -> int:
    # Qt is imported only here, after everything that can fail fast without a window.
    from PySide6.QtWidgets import QApplication

    from calftimer.core.clock import monotonic_ms
    from calftimer.gui.main_window import MainWindow

    app = QApplication.instance() or QApplication([sys.argv[0] if sys.argv else "calftimer"])
    app.setApplicationName("calftimer")
    app.setApplicationVersion(__version__)
    window = MainWindow(library, monotonic_ms, paths)
    window.show()
    if start is not None:
        window.start_program(start)
    return int(app.exec())
