"""Composition root: command line, paths, QApplication and wiring. Nothing imports this module.

``main(argv) -> int`` serves both the ``calftimer`` launcher and ``python -m calftimer``. Commands
that need no window (``programs``, ``export``, ``import``, ``--where``, ``--version``, errors in
``--start``) never import Qt, so they work over SSH and on machines without a display.

A plain launch (no arguments: the launcher, a double click) is a staged start: no argument
parser, and until the window's first frame is painted nothing but what that frame shows (see
calftimer.gui.window_frame); the program library, the settings, the home page and every part of
the window are loaded right after the first paint, the history and the sounds after the next
one. So the module imports the core where it is used, not here.
"""

from __future__ import annotations

import contextlib
import errno
import os
import sys
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any, BinaryIO

from calftimer import APP_ID, __version__
from calftimer.core.i18n import N_, _, format_number, n_
from calftimer.paths import ENV_DATA_DIR, AppPaths, resolve_paths

if TYPE_CHECKING:
    import argparse

    from calftimer.core.library import ProgramLibrary
    from calftimer.core.programs import Program
    from calftimer.core.store import BackgroundWriter, Store
    from calftimer.core.theme_setting import EarlyChoices
    from calftimer.gui.keep_awake import KeepAwake
    from calftimer.gui.remote import MediaRemotePort

EXIT_USAGE = 2
# How long the staged start waits for the window to be painted before going on anyway.
PAINT_WAIT_MS = 2000


def build_parser() -> argparse.ArgumentParser:
    import argparse

    parser = argparse.ArgumentParser(
        prog="calftimer",
        description=_("A hands-free coach for runners' calf training."),
        epilog=_(
            "Run without a command to open the window. Not medical advice: see a clinician "
            "for persistent pain."
        ),
    )
    parser.add_argument("--version", action="version", version=f"calftimer {__version__}")
    # --data-dir works before or after a command ("calftimer programs --data-dir X" too).
    data_dir = argparse.ArgumentParser(add_help=False)
    data_dir.add_argument(
        "--data-dir",
        metavar="DIR",
        default=argparse.SUPPRESS,
        help=_(
            "keep programs and history in DIR (also the {ENV_DATA_DIR} environment variable)"
        ).format(ENV_DATA_DIR=ENV_DATA_DIR),
    )
    parser.add_argument(
        "--data-dir",
        metavar="DIR",
        help=_(
            "keep programs and history in DIR (also the {ENV_DATA_DIR} environment variable)"
        ).format(ENV_DATA_DIR=ENV_DATA_DIR),
    )
    parser.add_argument(
        "--start",
        metavar="ID|FILE",
        help=_("open the window and start this program at once (a program id or a program file)"),
    )
    parser.add_argument(
        "--fullscreen",
        action="store_true",
        help=_("open full screen; sessions run in focus mode (with --start: at once)"),
    )
    parser.add_argument(
        "--self-check",
        action="store_true",
        help=_(
            "check this installation offscreen in a temporary folder (programs, history, "
            "sounds, window), print one line and exit: 0 when all is well"
        ),
    )
    parser.add_argument(
        "--where",
        action="store_true",
        help=_("print the data folder and where that choice comes from, then exit"),
    )
    commands = parser.add_subparsers(dest="command", metavar="COMMAND")
    commands.add_parser(
        "programs", parents=[data_dir], help=_("list the built-in and saved programs, then exit")
    )
    export = commands.add_parser(
        "export",
        parents=[data_dir],
        help=_("write the history to a file: a full JSON backup or a CSV with one row per set"),
    )
    export.add_argument("--format", choices=("json", "csv"), required=True, help=_("file format"))
    export.add_argument(
        "-o",
        "--output",
        metavar="FILE",
        help=_(
            "where to write; a name ending in .gz is gzip-compressed, - is standard output "
            "(default: ./calftimer-export-YYYYMMDD.json, .json.gz above 50 MB, or .csv)"
        ),
    )
    imp = commands.add_parser(
        "import",
        parents=[data_dir],
        help=_("merge a JSON backup or add a program file; shows what it adds first"),
    )
    imp.add_argument(
        "file", metavar="FILE", help=_("a calftimer backup (.json or .json.gz) or program file")
    )
    imp.add_argument(
        "--dry-run", action="store_true", help=_("only show what would be added, change nothing")
    )
    desktop = commands.add_parser(
        "install-desktop",
        help=_("add calftimer to this user's application launcher (Linux), with its icon"),
    )
    desktop.add_argument(
        "--uninstall", action="store_true", help=_("remove what install-desktop added")
    )
    desktop.add_argument(
        "--prefix",
        metavar="DIR",
        help=_("install under DIR/share instead of ~/.local/share ($XDG_DATA_HOME)"),
    )
    for each in (parser, *commands.choices.values()):
        _translate_builtin_help(each)
    return parser


def _translate_builtin_help(parser: argparse.ArgumentParser) -> None:
    """argparse words -h and --version in Python's own catalog, not ours: give them ours (the
    same English). Its headings ("usage:", "options:") and errors stay Python's."""
    import argparse

    for action in parser._actions:
        if isinstance(action, argparse._HelpAction):
            action.help = _("show this help message and exit")
        elif isinstance(action, argparse._VersionAction):
            action.help = _("show program's version number and exit")


def main(argv: Sequence[str] | None = None) -> int:
    _console_never_fails()
    arguments = list(sys.argv[1:] if argv is None else argv)
    early = _choose_language(arguments)  # before the parser: --help and every message in it
    if not arguments:
        return _open_window(None, None, early=early)  # the plain launch, as fast as it can be
    args = build_parser().parse_args(arguments)
    if args.self_check:
        from calftimer.self_check import run_self_check

        return run_self_check()
    if args.command == "install-desktop":
        from calftimer.desktop_install import run

        return run(args.prefix, remove=args.uninstall)
    if args.command is None and not args.where:
        return _open_window(args.data_dir, args.start, fullscreen=args.fullscreen, early=early)
    try:
        code = _run_command(args)
        sys.stdout.flush()  # here, not at exit, where a closed pipe would end in exit 120
        return code
    except OSError as exc:
        return _output_failed(exc)


def _run_command(args: argparse.Namespace) -> int:
    """``--where``, ``programs``, ``export`` and ``import``."""
    from calftimer.core.library import ProgramLibrary

    paths = _paths_or_say_why(args.data_dir, check=args.command is not None)
    if paths is None:
        return EXIT_USAGE
    if args.where:
        return _print_where(paths)
    library = ProgramLibrary.load(paths.programs_dir)
    if args.command == "programs":
        return _print_programs(library)
    if args.command == "export":
        return _export(paths, library, args.format, args.output)
    return _import(paths, library, Path(args.file), dry_run=args.dry_run)


def _choose_language(arguments: Sequence[str]) -> EarlyChoices:
    """Use the language of the settings ("" follows the system: LANGUAGE, LC_ALL, LC_MESSAGES,
    LANG; the window asks Qt when none is set). The settings file is found as the commands
    find it, from ``--data-dir`` or the environment; a folder that cannot be used is left to
    the command to report. Returns what the file chose (its theme too, for the window's first
    frame: the file is read once before the window)."""
    from calftimer.core import i18n
    from calftimer.core.theme_setting import EarlyChoices, early_choices

    data_dir: str | None = None
    for i, argument in enumerate(arguments):
        if argument == "--data-dir" and i + 1 < len(arguments):
            data_dir = arguments[i + 1]
        elif argument.startswith("--data-dir="):
            data_dir = argument.split("=", 1)[1]
    try:
        early = early_choices(resolve_paths(data_dir).settings_file)
    except (OSError, ValueError, ImportError):
        # ImportError: an interpreter without platformdirs (install-desktop run by the wrong
        # python says so itself, in the system's language).
        early = EarlyChoices()
    i18n.set_language(i18n.resolve_language(early.language, i18n.system_languages()).code)
    return early


def _output_failed(exc: OSError) -> int:
    """An error no command handled: in practice standard output going away
    (``calftimer programs | head``) or taking no more (a full disk); every file a command opens
    reports its own errors. No traceback: a broken pipe is the reader's choice and is not
    reported (exit 141, as a shell reports a tool ended by SIGPIPE); anything else is one line."""
    with contextlib.suppress(OSError, ValueError):
        # Python flushes standard output again at exit: point it somewhere that takes all.
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        os.close(devnull)
    if isinstance(exc, BrokenPipeError):
        return 141
    if exc.errno in (errno.ENOSPC, getattr(errno, "EDQUOT", None), errno.EFBIG, errno.EIO):
        print(
            _("calftimer: could not write to standard output: {reason}").format(
                reason=exc.strerror
            ),
            file=sys.stderr,
        )
    else:
        print(f"calftimer: {exc}", file=sys.stderr)
    return 1


def _paths_or_say_why(data_dir: str | None, *, check: bool = False) -> AppPaths | None:
    """The data paths; None, with the reason printed, for a data folder that cannot work."""
    try:
        paths = resolve_paths(data_dir)
        if check:
            _check_data_folder(paths.data_dir)
    except OSError as exc:
        where = _shown(data_dir or exc.filename or "")
        print(
            _("calftimer: cannot use the data folder {where}: {strerror}").format(
                where=where, strerror=exc.strerror
            ),
            file=sys.stderr,
        )
        return None
    return paths


def _open_window(
    data_dir: str | None,
    start_spec: str | None,
    *,
    fullscreen: bool = False,
    early: EarlyChoices,
) -> int:
    """The window, with ``--start``'s program running in it at once if one is given;
    ``early``: what the settings file chose for the first frame (read before the parser)."""
    paths = _paths_or_say_why(data_dir)
    if paths is None:
        return EXIT_USAGE
    library: ProgramLibrary | None = None  # without --start: loaded after the first paint
    start: Program | None = None
    if start_spec:
        from calftimer.core.library import ProgramLibrary, UnknownProgramError
        from calftimer.core.programs import ProgramFileError

        library = ProgramLibrary.load(paths.programs_dir)
        try:
            start = library.resolve(start_spec)
        except UnknownProgramError as exc:
            print(_("calftimer: {exc}").format(exc=exc), file=sys.stderr)
            if not exc.lists_programs:
                print(
                    _("The programs are: {programs}").format(programs=", ".join(library.ids)),
                    file=sys.stderr,
                )
            return EXIT_USAGE
        except ProgramFileError as exc:
            print(
                _("calftimer: cannot load the program file:\n{exc}").format(exc=exc),
                file=sys.stderr,
            )
            print(
                _("The programs are: {programs}").format(programs=", ".join(library.ids)),
                file=sys.stderr,
            )
            return EXIT_USAGE
    with _CloseOnSignals() as signals:
        return _run_window(
            paths, library, start, fullscreen=fullscreen, signals=signals, early=early
        )


def _check_data_folder(folder: Path) -> None:
    """Raise the system's OSError for a data folder path that can never work (too long, a
    loop of links, not searchable); a folder that does not exist yet is fine."""
    with contextlib.suppress(FileNotFoundError):
        os.stat(folder)


def _console_never_fails() -> None:
    """A file name that is not valid UTF-8 (Linux passes it on as it is) must print as escapes,
    not end the command with a UnicodeEncodeError."""
    for stream in (sys.stdout, sys.stderr):
        reconfigure = getattr(stream, "reconfigure", None)
        if reconfigure is not None:
            with contextlib.suppress(ValueError, OSError):  # a closed or odd stream
                reconfigure(errors="backslashreplace")


def _shown(path: Path | str, limit: int = 200) -> str:
    """A path for a one-line message: very long ones are shortened in the middle."""
    text = str(path)
    return text if len(text) <= limit else f"{text[: limit // 2]}…{text[-limit // 2 :]}"


def _print_programs(library: ProgramLibrary) -> int:
    from calftimer.core.timeline import estimated_duration_ms, format_duration

    rows = [
        (
            p.id,
            p.local_name,
            format_duration(estimated_duration_ms(p)),
            _("built-in") if p.builtin else _("saved"),
        )
        for p in library.programs
    ]
    head = (_("ID"), _("NAME"), _("TIME"), _("KIND"))
    widths = [max(len(r[i]) for r in [head, *rows]) for i in range(4)]
    for row in [head, *rows]:
        print("  ".join(cell.ljust(w) for cell, w in zip(row, widths, strict=True)).rstrip())
    for problem in library.problems:
        print(
            _("warning: skipped a damaged program file:\n{problem}").format(problem=problem),
            file=sys.stderr,
        )
    return 0


_WHERE_SOURCES = {
    "--data-dir": N_("the --data-dir flag"),
    ENV_DATA_DIR: N_("the CALFTIMER_DATA_DIR environment variable"),
    "default": N_("the default user data folder of this system"),
}


def _print_where(paths: AppPaths) -> int:
    print(paths.data_dir)
    print(_("(from {source})").format(source=_(_WHERE_SOURCES.get(paths.source, paths.source))))
    return 0


def _open_store(paths: AppPaths, *, write: bool = True) -> Store | None:
    """The history store, with its notices (recoveries, read-only) printed to stderr. With
    ``write=False`` nothing in the data folder is created or changed."""
    from calftimer.core.store import Store

    try:
        store = Store.open(paths.data_dir, write=write)
    except OSError as exc:
        print(
            _("calftimer: cannot open the history in {data_dir}: {exc}").format(
                data_dir=paths.data_dir, exc=exc
            ),
            file=sys.stderr,
        )
        return None
    for notice in store.notices:
        print(
            _("{level}: {message}").format(level=notice.level_word, message=notice.message),
            file=sys.stderr,
        )
    return store


def _export(paths: AppPaths, library: ProgramLibrary, fmt: str, output: str | None) -> int:
    from calftimer.core.exchange import ExportCheckError, export_csv, export_json
    from calftimer.core.texts import sessions_text, sets_text

    store = _open_store(paths)
    if store is None:
        return 1
    printed_notices = list(store.notices)
    to_stdout = output == "-"
    target: Path | BinaryIO | None = None  # None: the default name, chosen by the export
    if to_stdout:
        sys.stdout.flush()
        target = sys.stdout.buffer
    elif output is not None:
        target = Path(output).expanduser().absolute()
    # With -o - the file goes to standard output, so everything said goes to stderr.
    say = sys.stderr if to_stdout else sys.stdout
    try:
        if fmt == "json":
            summary = export_json(
                target, store, library.programs, settings_file=paths.settings_file
            )
        else:
            summary = export_csv(target, store, settings_file=paths.settings_file)
    except (OSError, ExportCheckError) as exc:
        where = _("standard output") if to_stdout else _shown(output or _("the export file"))
        reason = exc.strerror if isinstance(exc, OSError) and exc.strerror else exc
        print(
            _("calftimer: cannot write {where}: {reason}").format(where=where, reason=reason),
            file=sys.stderr,
        )
        return 1
    for notice in store.notices[len(printed_notices) :]:
        # Reading older months for the export can find (and repair) more: say so too.
        print(
            _("{level}: {message}").format(level=notice.level_word, message=notice.message),
            file=sys.stderr,
        )
    what = _("{sessions}, {sets}").format(
        sessions=sessions_text(summary.sessions), sets=sets_text(summary.sets)
    )
    if fmt == "json":
        saved = n_("{n} saved program", "{n} saved programs", summary.programs)
        what = _("{items}, {programs}").format(
            items=what, programs=saved.format(n=summary.programs)
        )
        for problem in library.problems:
            print(
                _("warning: a damaged program file was not exported:\n{problem}").format(
                    problem=problem
                ),
                file=sys.stderr,
            )
    where = _("standard output") if summary.path is None else str(summary.path)
    packed = (
        _(" (gzip-compressed, {size} MB)").format(size=format_number(summary.size / 1e6, 1))
        if summary.compressed
        else ""
    )
    print(
        _("Exported {what} to {where}{packed}").format(what=what, where=where, packed=packed),
        file=say,
    )
    return 0


def _import(paths: AppPaths, library: ProgramLibrary, file: Path, *, dry_run: bool) -> int:
    from calftimer.core.exchange import ImportRefusedError, apply_import, check_import

    # A dry run opens the history without writing: it must create and change nothing.
    store = _open_store(paths, write=not dry_run)
    if store is None:
        return 1
    try:
        preview = check_import(file.expanduser(), store, library.programs, paths.programs_dir)
        print("\n".join(preview.lines()))
        if dry_run:
            print(_("Dry run: nothing was changed."))
            return 0
        if preview.nothing_to_add:
            print(preview.nothing_to_add_text())
            return 0
        result = apply_import(preview, store, paths.programs_dir)
    except ImportRefusedError as exc:
        print(
            _("calftimer: cannot import {file}; nothing was changed:\n{exc}").format(
                file=_shown(file), exc=exc
            ),
            file=sys.stderr,
        )
        return EXIT_USAGE
    except (OSError, ValueError) as exc:
        print(_("calftimer: the import failed: {exc}").format(exc=exc), file=sys.stderr)
        return 1
    print(result.describe())
    return 0


def _after_first_paint(
    window: Any, callback: Callable[[], None], *, at_most_ms: int = PAINT_WAIT_MS
) -> None:
    """Run ``callback`` once ``window`` has been painted (the first time, or the next time
    after a change), or after ``at_most_ms`` if it is not painted by then.

    A zero-delay timer alone can run before the window system has even asked for the paint (on
    X11 the Expose event comes later), so this waits for the next Paint event of any widget in
    the window, then lets that paint pass finish. A window that is not painted at all (opened
    minimized, or on a desktop not shown) must still get its parts, its history and its sounds:
    hence the limit.
    """
    from PySide6.QtCore import QCoreApplication, QEvent, QObject, QTimer
    from PySide6.QtWidgets import QWidget

    app = QCoreApplication.instance()
    if app is None:
        raise RuntimeError("internal error: no QApplication to watch the first paint")
    done = False

    def run_once() -> None:
        nonlocal done
        if not done:
            done = True
            app.removeEventFilter(watcher)
            callback()

    class NextPaint(QObject):
        def eventFilter(self, watched: QObject, event: QEvent) -> bool:  # noqa: N802  (Qt)
            if (
                event.type() == QEvent.Type.Paint
                and isinstance(watched, QWidget)
                and watched.window() is window
            ):
                app.removeEventFilter(self)
                # Two hops: first let this paint pass (and anything else it queued) finish.
                QTimer.singleShot(0, self, lambda: QTimer.singleShot(0, self, run_once))
            return False

    watcher = NextPaint(window)  # a child of the window: its timers end with it
    app.installEventFilter(watcher)
    QTimer.singleShot(at_most_ms, watcher, run_once)


def _delete_now(widget: Any) -> None:
    """Destroy ``widget``'s C++ side and its children at once (not when Python collects it).

    The History chart's pyqtgraph views are closed first, as pyqtgraph means them to be: their
    items react to their parents going (a legend anchored to its plot), and deleted with the
    window they raised from their own handlers."""
    import shiboken6

    if not shiboken6.isValid(widget):
        return
    charts = sys.modules.get("pyqtgraph")  # loaded only if the History chart was made
    # Still being imported (the window closed while the chart loads): no view exists yet.
    views = getattr(charts, "GraphicsView", None)
    if views is not None:
        for view in widget.findChildren(views):
            view.close()
    shiboken6.delete(widget)


class _CloseOnSignals:
    """Ctrl+C in the terminal that started calftimer, or SIGTERM (a logout, ``kill``), closes
    the window as its close button does, so what was done is kept and calftimer exits 0; a
    second one quits at once. Before the window exists a signal just ends the start-up (exit
    128 + the signal's number), without a traceback.

    Python runs its signal handlers only between bytecodes, and Qt's event loop runs none while
    it waits (before this, Ctrl+C printed a KeyboardInterrupt traceback at the next timer and
    the window stayed). A wake-up socket watched by the event loop makes it run Python as soon
    as a signal arrives."""

    def __init__(self) -> None:
        import signal

        self.window: Any = None
        self._app: Any = None
        self._received = 0
        self._socket: tuple[Any, Any] | None = None
        self._previous_fd: int | None = None
        wanted = [signal.SIGINT] + ([signal.SIGTERM] if hasattr(signal, "SIGTERM") else [])
        self._previous = {sig: signal.signal(sig, self._on_signal) for sig in wanted}

    def watch_from(self, app: Any) -> None:
        """From now on a signal wakes ``app``'s event loop."""
        import signal

        from PySide6.QtCore import QSocketNotifier

        try:  # the C module: this runs before the first paint, and ``socket`` takes ~3 ms
            from _socket import socketpair
        except ImportError:  # Windows, where ``socket`` makes the pair itself
            from socket import socketpair
        reader, writer = socketpair()
        reader.setblocking(False)
        writer.setblocking(False)
        notifier = QSocketNotifier(reader.fileno(), QSocketNotifier.Type.Read, app)

        def drain() -> None:  # the handler itself has run by the time this Python runs
            with contextlib.suppress(OSError):
                reader.recv(512)

        notifier.activated.connect(drain)
        self._app, self._socket = app, (reader, writer)
        self._previous_fd = signal.set_wakeup_fd(writer.fileno(), warn_on_full_buffer=False)

    def __enter__(self) -> _CloseOnSignals:
        return self

    def __exit__(self, *exc: object) -> None:
        self.restore()

    def restore(self) -> None:
        """Put the previous handlers back (main() also runs inside other programs' tests)."""
        import signal

        for sig, handler in self._previous.items():
            # None: the handler was not Python's (then it was the default one).
            signal.signal(sig, signal.SIG_DFL if handler is None else handler)
        if self._socket is not None:
            signal.set_wakeup_fd(-1 if self._previous_fd is None else self._previous_fd)
            for end in self._socket:
                end.close()
            self._socket = None

    def _on_signal(self, signum: int, _frame: object) -> None:
        if self.window is None or self._app is None:
            raise SystemExit(128 + signum)
        from PySide6.QtCore import QTimer

        self._received += 1
        QTimer.singleShot(0, self.window.close if self._received == 1 else self._app.quit)


def _run_window(
    paths: AppPaths,
    library: ProgramLibrary | None,
    start: Program | None,
    *,
    fullscreen: bool = False,
    signals: _CloseOnSignals | None = None,
    early: EarlyChoices,
) -> int:
    """The window, shown in stages: its first frame at once, everything else after it is
    painted (``library`` is loaded then if it is None)."""
    # Qt is imported only here, after everything that can fail fast without a window; until
    # the first paint, only what the first frame needs (calftimer.gui.window_frame).
    from PySide6.QtWidgets import QApplication, QMessageBox

    from calftimer.gui.main_window import MainWindow
    from calftimer.gui.single_instance import SingleInstance

    def create_keep_awake() -> KeepAwake:
        from calftimer.gui.keep_awake import create_keep_awake as create

        return create()

    def create_media_remote(position_ms: Callable[[], int]) -> MediaRemotePort:
        from calftimer.gui.remote import create_media_remote as create

        return create(position_ms)

    instance = SingleInstance(paths.data_dir)
    try:
        first = instance.take_lock()
    except OSError as exc:
        print(
            _("calftimer: cannot use the data folder {data_dir}: {exc}").format(
                data_dir=paths.data_dir, exc=exc
            ),
            file=sys.stderr,
        )
        return 1
    if not first:
        # Another calftimer runs: hand it our arguments. No window and no display are needed
        # for that, so this also works when started over SSH from a phone.
        from PySide6.QtCore import QCoreApplication

        _core = QCoreApplication.instance() or QCoreApplication(sys.argv[:1])
        try:
            instance.hand_over(sys.argv[1:])
        except RuntimeError as exc:
            print(_("calftimer: {exc}").format(exc=exc), file=sys.stderr)
            return 1
        if start is not None:
            said = _(
                "calftimer is already running: --start {id} was handed over and its window was "
                "brought to the front."
            ).format(id=start.id)
        else:
            said = _("calftimer is already running: its window was brought to the front.")
        print(said)
        return 0

    from calftimer.gui.qt_logging import quiet_qt_chatter
    from calftimer.gui.sound.stream_requests import calm_stream_requests

    quiet_qt_chatter()  # before Qt's sound module loads (after the first paint)
    calm_stream_requests()  # before any thread starts (they read the environment)
    # argv[0] names the window's WM_CLASS on X11 (its instance part): "calftimer", as the
    # launcher entry's StartupWMClass says, and not "__main__.py" under python -m calftimer.
    app = QApplication.instance() or QApplication(["calftimer"])
    if signals is not None:
        signals.watch_from(app)
    app.setApplicationName("calftimer")
    app.setApplicationVersion(__version__)
    # Wayland matches the window to its launcher entry (name, icon, actions) by this id; on X11
    # Qt sets it as the window's _GTK_APPLICATION_ID, and WM_CLASS is "calftimer" (see above).
    app.setDesktopFileName(APP_ID)
    from calftimer.gui.app_icon import SMALL_SIZES, app_icon

    app.setWindowIcon(app_icon(SMALL_SIZES))  # every size after the first paint
    # The first frame already wears the chosen theme (a light frame would flash before a dark
    # one); the rest of the settings is read after the first paint.
    from calftimer.core import i18n
    from calftimer.gui.translation import install_qt_translator, qt_system_languages

    if not early.language and not i18n.system_languages():
        # No LANG: Windows and macOS tell their languages to Qt only.
        i18n.set_language(i18n.resolve_language("", qt_system_languages()).code)
    install_qt_translator(app)
    from calftimer.gui.collector import MainThreadCollector

    # Cycles are collected on this thread only, never on a worker (calftimer/gui/collector.py).
    MainThreadCollector(app).start()
    theme = early.theme
    if theme != "system":
        from calftimer.gui.theme import apply_theme

        apply_theme(app, theme)
    window = MainWindow.opening(paths)
    if signals is not None:
        signals.window = window
    if fullscreen and start is None:
        window.showFullScreen()
    else:
        window.restore_geometry()  # before show: it opens where the user left it
        window.show()
    writers: list[BackgroundWriter] = []

    def build_window() -> None:
        """After the first paint: the settings, the programs and everything in the window."""
        from calftimer.core.clock import boottime_clock, monotonic_ms
        from calftimer.core.library import ProgramLibrary
        from calftimer.core.settings import load_settings
        from calftimer.gui.notice_feeds import post_settings_notices

        if not window.isVisible():
            return  # closed already (by a signal, or at once by the user): nothing to build
        app.setWindowIcon(app_icon())
        settings, settings_notices = load_settings(paths.settings_file)
        if settings.theme != theme:  # the file was changed in the meantime
            from calftimer.gui.theme import apply_theme

            apply_theme(app, settings.theme)
        window.build(
            library or ProgramLibrary.load(paths.programs_dir),
            monotonic_ms,
            settings=settings,
            keep_awake=create_keep_awake,  # called when the first session starts
            sleep_clock=boottime_clock(),
            media_remote=create_media_remote,
        )
        # A damaged settings file fell back to defaults: said in the notice area until saved.
        post_settings_notices(window.notices, settings_notices)
        instance.activated.connect(window.on_second_launch)
        window.focus_on_start = fullscreen
        if not (fullscreen and start is None):
            window.restore_splitter(window.home.splitter)
        _after_first_paint(window, open_history)  # once the home page is on screen

    def open_history() -> None:
        """Once the home page is painted: open the history, load the sounds, then start
        --start's program at once."""
        from calftimer.core.store import BackgroundWriter, Store

        try:
            store = Store.open(paths.data_dir)
        except Exception as exc:  # any failure here must reach the user, not a console
            QMessageBox.critical(
                window,
                _("calftimer cannot open your history"),
                _(
                    "The data folder {data_dir} cannot be used: {exc}.\n\n"
                    "Check its permissions, or start calftimer with --data-dir to use another "
                    "folder."
                ).format(data_dir=paths.data_dir, exc=exc),
            )
            app.exit(1)
            return
        # A second launch since the lock was taken waits, connected (the socket has listened
        # since then; see SingleInstance), and is answered now. What it hands over (a --start)
        # is acted on once the history is attached: mark_ready() below.
        instance.hold_until_ready()
        instance.listen()
        writer = BackgroundWriter()
        writers.append(writer)
        window.attach_store(store, writer)
        from calftimer.gui.audio import create_sound_output

        # QtMultimedia loads here, after the home page is painted; the sounds load on its thread.
        window.attach_audio(create_sound_output(window.settings_hub.current.sound_theme, window))
        window.store_notices.post()
        window.history.load_in_background()
        window.history.preload()  # when idle: then Ctrl+H opens it at once
        if window.remote is not None:
            # Headset buttons and the desktop's media widget: after the first frame, since
            # joining the session bus can wait up to a second per call on a slow bus.
            window.remote.start()
        if start is not None:
            window.session.start(start)
        instance.mark_ready()  # what a second launch handed over meanwhile happens now

    _after_first_paint(window, build_window)
    event_loop_ended: list[bool] = []
    app.aboutToQuit.connect(lambda: event_loop_ended.append(True))
    try:
        return int(app.exec())
    finally:
        for writer in writers:
            writer.close()  # every queued save reaches the disk before the process ends
        instance.release()
        # The window and its children go now, while Python runs: left to the garbage
        # collector they could go while the interpreter finalizes, and the History chart's
        # pyqtgraph items, laid out once more as their scene is cleared, then call into a
        # dying interpreter (a segfault in 1 of 3 quits by Ctrl+C soon after the start).
        if event_loop_ended:
            _delete_now(window)
