"""``calftimer install-desktop``: put calftimer in the current user's launcher (Linux and BSD).

Copies, under ``$XDG_DATA_HOME`` (``~/.local/share``) or ``--prefix``/share:

- ``applications/<APP_ID>.desktop``, with ``Exec`` pointing at the calftimer that runs this
  command (a bundle, a virtual environment's launcher or ``python -m calftimer``), so the entry
  works even when calftimer is not on ``PATH``, and from the home folder where launchers start
  it (a source checkout that was never installed is put on ``PYTHONPATH``);
- ``icons/hicolor/<N>x<N>/apps/<APP_ID>.png`` and ``icons/hicolor/scalable/apps/<APP_ID>.svg``;
- ``metainfo/<APP_ID>.metainfo.xml``, which software centres read.

Desktops watch these folders, so the entry appears within seconds. No cache is rebuilt on
purpose: an ``icon-theme.cache`` in the user's icon folder hides icons that other apps add
later. ``--uninstall`` removes exactly those files. A file already there that calftimer did not
write is not overwritten: the command stops and names it. Qt-free, so it runs over SSH too.
"""

from __future__ import annotations

import os
import shlex
import sys
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

from calftimer import APP_ID
from calftimer.core.atomic import write_atomic
from calftimer.core.i18n import _, n_
from calftimer.resources import ICON_SIZES, desktop_folder, icons_folder

MARK = "X-Calftimer-Installed=true"  # says a .desktop file was written by this command


class InstallError(Exception):
    """A file is missing from the installation, or is someone else's; nothing was changed."""


@dataclass(frozen=True)
class Placement:
    source: Path
    target: Path


def share_dir(prefix: Path | None, environ: Mapping[str, str] | None = None) -> Path:
    env = os.environ if environ is None else environ
    if prefix is not None:
        return prefix.expanduser().resolve() / "share"
    if env.get("XDG_DATA_HOME"):
        return Path(env["XDG_DATA_HOME"]).expanduser()
    return Path.home() / ".local" / "share"


def placements(share: Path) -> list[Placement]:
    icons, desktop = icons_folder(), desktop_folder()
    files = [
        Placement(desktop / f"{APP_ID}.desktop", share / "applications" / f"{APP_ID}.desktop"),
        Placement(
            desktop / f"{APP_ID}.metainfo.xml", share / "metainfo" / f"{APP_ID}.metainfo.xml"
        ),
        Placement(
            icons / f"{APP_ID}.svg",
            share / "icons" / "hicolor" / "scalable" / "apps" / f"{APP_ID}.svg",
        ),
    ]
    for n in ICON_SIZES:
        relative = Path("hicolor") / f"{n}x{n}" / "apps" / f"{APP_ID}.png"
        files.append(Placement(icons / relative, share / "icons" / relative))
    return files


def launch_command(argv0: str | None = None, executable: str | None = None) -> list[str]:
    """How the launcher entry should start this calftimer.

    A bundle (PyInstaller sets ``sys.frozen``) or an installed ``calftimer`` script starts
    itself by its absolute path; a ``python -m calftimer`` run is started the same way. Paths
    are made absolute but symlinks are kept: a virtual environment's ``python`` is a symlink to
    the base interpreter, which lacks the environment's packages.
    """
    argv0 = sys.argv[0] if argv0 is None else argv0
    executable = sys.executable if executable is None else executable
    if getattr(sys, "frozen", False):
        return [os.path.abspath(executable)]
    script = Path(argv0)
    if script.name in ("calftimer", "calftimer.exe") and script.exists():
        return [os.path.abspath(script)]
    return [os.path.abspath(executable), "-m", "calftimer"]


# What ``python -m calftimer`` imports besides calftimer (pyproject.toml's dependencies).
DEPENDENCIES = ("PySide6", "pyqtgraph", "platformdirs")
PROBE = (
    "import importlib.util, calftimer\n"
    "print(calftimer.__file__)\n"
    f"print(' '.join(m for m in {DEPENDENCIES!r} if importlib.util.find_spec(m) is None))\n"
)


def runnable_from_anywhere(command: list[str], package_dir: Path | None = None) -> list[str]:
    """``command`` as a launcher can run it: from the user's home, not from this folder.

    ``python -m calftimer`` run in a source checkout that was never installed finds calftimer
    only because it runs in the checkout; started by the launcher (in the home folder) the same
    command failed with "No module named calftimer". Such a command gets the checkout on
    ``PYTHONPATH`` (through ``env``). An interpreter that lacks calftimer's libraries cannot be
    helped: ``InstallError`` says what to run instead."""
    if list(command[1:]) != ["-m", "calftimer"]:
        return command  # a bundle or an installed launcher: absolute and self-contained
    import calftimer

    here = (package_dir or Path(calftimer.__file__).parent).resolve()
    found, missing = _probe(command[0], None)
    if found == here and not missing:
        return command
    pythonpath = str(here.parent)
    found, missing = _probe(command[0], pythonpath)
    if found != here or missing:
        lacking = missing or ["calftimer"]
        raise InstallError(
            _(
                "{python} cannot run calftimer outside {folder} (it lacks {lacking}). Run "
                "install-desktop with the calftimer of the environment it is installed in, for "
                "example .venv/bin/calftimer install-desktop (nothing was changed)"
            ).format(python=command[0], folder=Path.cwd(), lacking=", ".join(lacking))
        )
    return ["env", f"PYTHONPATH={pythonpath}", *command]


def _probe(python: str, pythonpath: str | None) -> tuple[Path | None, list[str]]:
    """Where ``python`` started from the home folder finds calftimer, and which of its
    libraries it lacks; (None, []) when calftimer does not import at all."""
    import subprocess

    env = {k: v for k, v in os.environ.items() if k != "PYTHONPATH"}
    if pythonpath is not None:
        env["PYTHONPATH"] = pythonpath
    home = Path.home()
    try:
        result = subprocess.run(
            [python, "-c", PROBE],
            cwd=home if home.is_dir() else Path("/"),
            env=env,
            capture_output=True,
            text=True,
            timeout=60,
            check=False,
        )
    except (OSError, subprocess.TimeoutExpired):
        return None, []
    lines = result.stdout.splitlines()
    if result.returncode != 0 or not lines:
        return None, []
    return Path(lines[0]).resolve().parent, (lines[1].split() if len(lines) > 1 else [])


def desktop_entry_text(template: str, command: Sequence[str]) -> str:
    """The shipped .desktop file with every ``Exec=calftimer`` run through ``command``, and
    the mark that says this command wrote it at the end of the main group."""
    quoted = " ".join(_desktop_quote(part) for part in command)
    lines: list[str] = []
    for line in template.splitlines():
        if line.startswith("[Desktop Action") and MARK not in lines:
            while lines and not lines[-1]:
                lines.pop()
            lines += [MARK, ""]
        if line.startswith("Exec=calftimer"):
            line = "Exec=" + quoted + line[len("Exec=calftimer") :]
        lines.append(line)
    if MARK not in lines:
        lines.append(MARK)
    return "\n".join(lines) + "\n"


def _desktop_quote(part: str) -> str:
    """Quote one Exec argument as the Desktop Entry spec asks (and escape ``%``)."""
    part = part.replace("%", "%%")
    if part and all(c.isalnum() or c in "/._-+,:=@" for c in part):
        return part
    quoted = '"' + "".join("\\" + c if c in '"`$\\' else c for c in part) + '"'
    # The Exec value is also a string value: each backslash is written twice more.
    return quoted.replace("\\", "\\\\")


def _ours(target: Path) -> bool:
    """Written by this command (so it may be replaced or removed)?"""
    if target.suffix == ".desktop":
        try:
            return MARK in target.read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError):
            return False
    return True  # icons and metainfo are named by our id; nobody else writes them


def install(share: Path, command: Sequence[str], *, run_tools: bool = True) -> list[Path]:
    plan = placements(share)
    for item in plan:
        if not item.source.is_file():
            raise InstallError(
                _("{file}: missing from this calftimer installation").format(file=item.source)
            )
        if item.target.exists() and not _ours(item.target):
            raise InstallError(
                _(
                    "{file}: already exists and was not written by calftimer; move it away "
                    "first (nothing was changed)"
                ).format(file=item.target)
            )
    written = []
    for item in plan:
        item.target.parent.mkdir(parents=True, exist_ok=True)
        if item.target.suffix == ".desktop":
            text = desktop_entry_text(item.source.read_text(encoding="utf-8"), command)
            write_atomic(item.target, text.encode("utf-8"))
        else:
            write_atomic(item.target, item.source.read_bytes())
        written.append(item.target)
    return written


def uninstall(share: Path) -> list[Path]:
    """Remove what ``install`` wrote. Nothing at all when the launcher entry there is not
    ours: the icons then belong to whoever put that entry in place."""
    plan = placements(share)
    entry = plan[0].target
    if entry.exists() and not _ours(entry):
        raise InstallError(
            _("{file}: was not written by calftimer install-desktop; nothing was removed").format(
                file=entry
            )
        )
    removed = []
    for item in plan:
        if item.target.exists() and _ours(item.target):
            item.target.unlink()
            removed.append(item.target)
    return removed


def run(prefix: str | None, *, remove: bool) -> int:
    """The ``install-desktop`` command: 0 on success, 1 with a message naming the file."""
    if sys.platform in ("win32", "darwin"):
        print(
            _(
                "calftimer: install-desktop is for Linux and BSD desktops; on Windows and macOS "
                "the installer adds calftimer to the Start menu or Applications."
            ),
            file=sys.stderr,
        )
        return 1
    share = share_dir(Path(prefix) if prefix else None)
    try:
        if remove:
            removed = uninstall(share)
            print(
                n_(
                    "Removed {n} file from {folder}.",
                    "Removed {n} files from {folder}.",
                    len(removed),
                ).format(n=len(removed), folder=share)
                if removed
                else _("Nothing to remove.")
            )
            return 0
        command = runnable_from_anywhere(launch_command())
        written = install(share, command)
    except (InstallError, OSError) as exc:
        print(f"calftimer: {exc}", file=sys.stderr)
        return 1
    icons = len(written) - 2
    print(
        n_(
            "Installed the launcher entry, {n} icon and the AppStream data under {folder}.\n"
            "The entry starts: {command}\nRemove them with: calftimer install-desktop --uninstall",
            "Installed the launcher entry, {n} icons and the AppStream data under {folder}.\n"
            "The entry starts: {command}\nRemove them with: calftimer install-desktop --uninstall",
            icons,
        ).format(n=icons, folder=share, command=shlex.join(command))
    )
    return 0
