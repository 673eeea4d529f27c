#!/usr/bin/env python3
"""Set up calftimer from a source checkout: system packages, a virtual environment, calftimer.

    python3 bootstrap.py              what the app needs; then .venv/bin/calftimer
    python3 bootstrap.py --test       and what the whole test suite needs; then pytest
    python3 bootstrap.py --package    and what packaging/build.py needs (the Linux bundle)
    python3 bootstrap.py --dry-run    only say what it would do
    python3 bootstrap.py --list       print the system packages of the chosen sets and exit

On Debian, Ubuntu and their derivatives the missing system packages are installed with apt-get
(as root, or through sudo: sudo may ask for a password when run from a terminal, never
otherwise). Elsewhere it names the libraries and programs that are missing and goes on with what
it can do itself: the virtual environment in ``.venv`` and ``pip install -e .`` into it.

Running it again is quick: what is installed is checked (dpkg, a stamp file in ``.venv``) and
nothing is done twice. It never waits for input it cannot get: apt-get runs non-interactively and
sudo only prompts on a terminal.

The package sets below are the one list of what calftimer needs from the system: ``.ci/run``,
the README and the tests use them from here.

Standard library only, and written for any Python 3 so that an old one gets a clear message.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import platform
import shlex
import shutil
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent
VENV = ROOT / ".venv"
STAMP_NAME = "calftimer-bootstrap.json"  # in .venv: what this script installed, and from what
MIN_PYTHON = (3, 11)
APT_LOCK_WAIT_S = 120  # another apt (unattended upgrades) holds the lock: wait this long at most


class Need:
    """One system package: its Debian/Ubuntu names (alternatives, the newer name first), what
    proves it is there on other systems (``lib:SONAME`` or ``cmd:PROGRAM``), why, and the
    packages beside which it is never installed (``unless``: it would replace them)."""

    def __init__(self, debian: str, probe: str, why: str, unless: str = "") -> None:
        self.debian = debian.split("|")
        self.probe = probe  # "" : nothing to look for elsewhere
        self.why = why
        self.unless = unless.split("|") if unless else []


# Installing pulseaudio where PipeWire is the sound server (Debian 12's and Ubuntu 24.04's
# desktops) makes apt remove PipeWire's audio packages and even the GNOME meta-package.
PIPEWIRE = "pipewire-pulse|pipewire-audio"


# What the window needs: the Qt wheels from PyPI bring Qt itself but load these from the system.
RUN = (
    Need("libegl1", "lib:libEGL.so.1", "Qt's graphics"),
    Need("libgl1", "lib:libGL.so.1", "Qt's graphics"),
    Need("libfontconfig1", "lib:libfontconfig.so.1", "fonts"),
    Need("fonts-dejavu-core", "", "a font to draw text with (a bare system has none)"),
    Need("libxkbcommon0", "lib:libxkbcommon.so.0", "the keyboard"),
    Need("libdbus-1-3", "lib:libdbus-1.so.3", "Qt's D-Bus (keeping the screen awake)"),
    Need("libglib2.0-0t64|libglib2.0-0", "lib:libglib-2.0.so.0", "Qt's event loop"),
    Need("libxkbcommon-x11-0", "lib:libxkbcommon-x11.so.0", "the window on X11"),
    Need("libxcb-cursor0", "lib:libxcb-cursor.so.0", "the window on X11"),
    Need("libxcb-icccm4", "lib:libxcb-icccm.so.4", "the window on X11"),
    Need("libxcb-image0", "lib:libxcb-image.so.0", "the window on X11"),
    Need("libxcb-keysyms1", "lib:libxcb-keysyms.so.1", "the window on X11"),
    Need("libxcb-randr0", "lib:libxcb-randr.so.0", "the window on X11"),
    Need("libxcb-render-util0", "lib:libxcb-render-util.so.0", "the window on X11"),
    Need("libxcb-shape0", "lib:libxcb-shape.so.0", "the window on X11"),
    Need("libxcb-xinerama0", "lib:libxcb-xinerama.so.0", "the window on X11"),
    Need("libxcb-xkb1", "lib:libxcb-xkb.so.1", "the window on X11"),
    Need("libpulse0", "lib:libpulse.so.0", "sound and speech (Qt's multimedia module)"),
)
# What the whole test suite needs besides: the tests use these for real and never skip them.
TEST = (
    Need("pulseaudio", "cmd:pulseaudio", "the real-audio tests' private sound server", PIPEWIRE),
    Need("pulseaudio-utils", "cmd:parec", "recording that sound server (parec, pactl)"),
    Need("espeak-ng", "cmd:espeak-ng", "rebuilding the built-in voice to compare it"),
    Need("speech-dispatcher", "cmd:speech-dispatcher", "the system voice's real test (service)"),
    Need("speech-dispatcher-espeak-ng", "", "the system voice's real test (a voice for it)"),
    Need("dbus-daemon|dbus", "cmd:dbus-daemon", "the keep-awake test's private session bus"),
    Need("desktop-file-utils", "cmd:desktop-file-validate", "checking the launcher entry"),
    Need("appstream", "cmd:appstreamcli", "checking the AppStream data"),
    Need("xvfb", "cmd:Xvfb", "a real X screen for the window tests"),
    Need("x11-utils", "cmd:xwininfo", "reading a real window's properties"),
)
# What packaging/build.py needs besides: it lists unused libraries with readelf and listens to
# the bundle through a private PulseAudio.
PACKAGE = (
    Need("binutils", "cmd:readelf", "listing the bundle's libraries"),
    Need("pulseaudio", "cmd:pulseaudio", "listening to the bundle play", PIPEWIRE),
    Need("pulseaudio-utils", "cmd:parec", "listening to the bundle play"),
)
SETS = {"run": RUN, "test": TEST, "package": PACKAGE}
EXTRAS = {"run": "", "test": "test", "package": "package"}


def say(message: str) -> None:
    print(f"bootstrap: {message}", flush=True)


# ------------------------------------------------------------------------------ what is needed


def wanted(sets: list[str]) -> list[Need]:
    """The needs of ``sets``, each package once, in order."""
    seen: set[str] = set()
    needs = []
    for name in sets:
        for need in SETS[name]:
            if need.debian[0] not in seen:
                seen.add(need.debian[0])
                needs.append(need)
    return needs


def has_apt() -> bool:
    return sys.platform.startswith("linux") and bool(
        shutil.which("apt-get") and shutil.which("dpkg-query")
    )


def distro_python_on_apt() -> bool:
    """This Python is the distribution's own (so apt's pythonX.Y-venv is what its venv needs)."""
    return sys.base_prefix == "/usr" and Path(sys.executable).resolve().parent == Path("/usr/bin")


def venv_package() -> str:
    """The package that gives this Python ``venv`` with pip on Debian and Ubuntu."""
    return f"python{sys.version_info[0]}.{sys.version_info[1]}-venv"


DPKG_FORMAT = "${Package} ${db:Status-Abbrev}\\n"


def parse_installed(dpkg_output: str) -> set[str]:
    """The packages that ``dpkg-query -W -f=DPKG_FORMAT`` lists as installed ("ii")."""
    installed = set()
    for line in dpkg_output.splitlines():
        parts = line.split()
        if len(parts) >= 2 and parts[1].startswith("ii"):
            installed.add(parts[0].split(":")[0])  # libfoo:amd64 is libfoo
    return installed


def dpkg_installed(names: list[str]) -> set[str]:
    """Which of ``names`` dpkg says are installed (one call for all of them)."""
    if not names:
        return set()
    result = subprocess.run(
        ["dpkg-query", "-W", f"-f={DPKG_FORMAT}", *names],
        capture_output=True,
        text=True,
        stdin=subprocess.DEVNULL,
        check=False,
    )
    return parse_installed(result.stdout)


def missing_on_apt(needs: list[Need], with_venv: bool) -> tuple[list[list[str]], list[str]]:
    """The needs not installed, each as its list of alternative names; and what is left out
    because it would replace something installed (said as a sentence each)."""
    groups = [n.debian for n in needs]
    if with_venv:
        groups.insert(0, [venv_package()])
    blockers = [name for n in needs for name in n.unless]
    installed = dpkg_installed([name for group in groups for name in group] + blockers)
    missing, left_out = [], []
    for need in needs:
        if installed.intersection(need.debian):
            continue
        present = [name for name in need.unless if name in installed]
        if present:
            left_out.append(
                f"{need.debian[0]} is not installed: it would replace {', '.join(present)} "
                f"(this system's sound server); {need.why} will not work here."
            )
        else:
            missing.append(need.debian)
    if with_venv and venv_package() not in installed:
        missing.insert(0, [venv_package()])
    return missing, sorted(set(left_out))


def library_names() -> set[str]:
    """Every shared library name the dynamic loader knows (``ldconfig -p``)."""
    for ldconfig in ("ldconfig", "/sbin/ldconfig", "/usr/sbin/ldconfig"):
        path = shutil.which(ldconfig) or (ldconfig if os.path.exists(ldconfig) else None)
        if path:
            result = subprocess.run(
                [path, "-p"], capture_output=True, text=True, check=False, stdin=subprocess.DEVNULL
            )
            return {line.split()[0] for line in result.stdout.splitlines()[1:] if line.strip()}
    return set()


def missing_by_probe(needs: list[Need]) -> list[Need]:
    """On systems without apt: the needs whose library or program is not found."""
    libraries = library_names()
    missing = []
    for need in needs:
        kind, _, name = need.probe.partition(":")
        if not name:
            continue  # nothing to look for (fonts: every desktop system has some)
        found = name in libraries if kind == "lib" else shutil.which(name) is not None
        if not found:
            missing.append(need)
    return missing


# --------------------------------------------------------------------------- installing (apt)


def root_prefix(euid: int | None, interactive: bool, sudo: str | None) -> list[str] | None:
    """What to put before a command to run it as root: nothing (we are root), ``sudo`` (from a
    terminal, where it may ask for the password), ``sudo -n`` (anywhere else: it must never
    wait for a password nobody can type), or None when there is no way."""
    if euid == 0:
        return []
    if sudo is None:
        return None
    return ["sudo"] if interactive else ["sudo", "-n"]


def parse_candidates(policy_output: str) -> set[str]:
    """The packages ``apt-cache policy`` (LC_ALL=C) gives an install candidate."""
    available: set[str] = set()
    current = None
    for line in policy_output.splitlines():
        if line and not line[0].isspace() and line.endswith(":"):
            current = line[:-1]
        elif current and line.strip().startswith("Candidate:"):
            candidate = line.split(":", 1)[1].strip()
            available |= {current} if candidate != "(none)" else set()
    return available


def choose(groups: list[list[str]], available: set[str]) -> list[str]:
    """One name per group: the first alternative apt can install (libglib2.0-0t64 on Ubuntu
    24.04 and Debian 13, libglib2.0-0 on Debian 12); the first name when apt knows none."""
    return [next((n for n in group if n in available), group[0]) for group in groups]


def apt_install(groups: list[list[str]], dry_run: bool) -> bool:
    """Install one package of each group with apt-get; False (having said why) if it cannot."""
    wanted_names = " ".join(group[0] for group in groups)
    euid = os.geteuid() if hasattr(os, "geteuid") else None
    interactive = sys.stdin is not None and sys.stdin.isatty()
    prefix = root_prefix(euid, interactive, shutil.which("sudo"))
    by_hand = f"sudo apt-get update && sudo apt-get install {wanted_names}"
    if prefix is None:
        say(
            "installing the missing system packages needs root, and this user has no sudo. "
            f"Ask an administrator to run:\n    {by_hand}\nthen run this again."
        )
        return False
    env = dict(os.environ, DEBIAN_FRONTEND="noninteractive", LC_ALL="C")
    update = [*prefix, "apt-get", "-q", "update"]
    # --no-remove: apt stops rather than remove anything this system has (see PIPEWIRE).
    install = [*prefix, "apt-get", "install", "-y", "-q", "--no-install-recommends", "--no-remove"]
    install.append(f"-oDPkg::Lock::Timeout={APT_LOCK_WAIT_S}")
    if dry_run:
        say(f"would run: {shlex.join(update)}")
        say(f"would run: {shlex.join(install)} {wanted_names}")
        return True
    if prefix == ["sudo", "-n"] and not _run_quietly(["sudo", "-n", "true"]):
        say(
            "installing the missing system packages needs root; sudo wants a password and "
            f"there is no terminal to type it in. Run:\n    {by_hand}\nthen run this again."
        )
        return False
    if prefix == ["sudo"]:
        say("sudo may ask for your password to install system packages")
    if subprocess.run(update, env=env, stdin=subprocess.DEVNULL, check=False).returncode != 0:
        # One unreachable source fails the update; the others may still have what we need.
        say("apt-get update reported errors (above); trying the install anyway")
    policy = subprocess.run(
        ["apt-cache", "policy", *[name for group in groups for name in group]],
        capture_output=True,
        text=True,
        env=env,
        stdin=subprocess.DEVNULL,
        check=False,
    )
    names = choose(groups, parse_candidates(policy.stdout))
    say(f"installing system packages: {' '.join(names)}")
    if subprocess.run([*install, *names], env=env, stdin=subprocess.DEVNULL).returncode != 0:
        say(
            f"apt-get install failed (see above). Install them yourself, then run this again:"
            f"\n    sudo apt-get update && sudo apt-get install {' '.join(names)}"
        )
        return False
    return True


def _run_quietly(command: list[str]) -> bool:
    return (
        subprocess.run(
            command, capture_output=True, stdin=subprocess.DEVNULL, check=False
        ).returncode
        == 0
    )


# ------------------------------------------------------------------------ the virtual environment


def venv_python() -> Path:
    return VENV / ("Scripts/python.exe" if os.name == "nt" else "bin/python")


def venv_works() -> bool:
    """``.venv`` exists, its Python runs, is new enough and has pip."""
    python = venv_python()
    if not python.exists():
        return False
    check = f"import sys, pip; sys.exit(0 if sys.version_info[:2] >= {MIN_PYTHON!r} else 3)"
    result = subprocess.run(
        [str(python), "-c", check], capture_output=True, stdin=subprocess.DEVNULL, check=False
    )
    return result.returncode == 0


def make_venv(dry_run: bool) -> bool:
    if venv_works():
        return True
    clear = VENV.exists()
    command = [sys.executable, "-m", "venv", *(["--clear"] if clear else []), str(VENV)]
    if dry_run:
        say(f"would run: {shlex.join(command)}")
        return True
    say(("remaking" if clear else "making") + f" the virtual environment {VENV}")
    result = subprocess.run(command, stdin=subprocess.DEVNULL, check=False)
    if result.returncode != 0 or not venv_works():
        say(
            f"could not make the virtual environment with {sys.executable}. On Debian and "
            f"Ubuntu it needs the package {venv_package()}."
        )
        return False
    return True


def stamp_wanted(extras: list[str]) -> dict[str, object]:
    pyproject = (ROOT / "pyproject.toml").read_bytes()
    return {
        "pyproject_sha256": hashlib.sha256(pyproject).hexdigest(),
        "extras": sorted(extras),
    }


def read_stamp() -> dict[str, object]:
    try:
        stamp = json.loads((VENV / STAMP_NAME).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    return stamp if isinstance(stamp, dict) else {}


def already_installed(extras: list[str]) -> bool:
    """calftimer is installed in ``.venv`` from this pyproject.toml with at least ``extras``."""
    if not venv_python().exists():
        return False
    stamp = read_stamp()
    if stamp.get("pyproject_sha256") != stamp_wanted(extras)["pyproject_sha256"]:
        return False
    done = stamp.get("extras")
    if not isinstance(done, list) or not set(extras) <= set(done):
        return False
    # And it still imports from this checkout (the folder may have moved).
    probe = subprocess.run(
        # -I: not from the current folder, which may be this checkout, installed or not.
        [str(venv_python()), "-I", "-c", "import calftimer; print(calftimer.__file__)"],
        capture_output=True,
        text=True,
        stdin=subprocess.DEVNULL,
        check=False,
    )
    return probe.returncode == 0 and Path(probe.stdout.strip()).parent == ROOT / "calftimer"


def pip_install(extras: list[str], dry_run: bool) -> bool:
    if already_installed(extras):
        say(
            "calftimer is installed in .venv already"
            + (f" (with {', '.join(extras)})" if extras else "")
        )
        return True
    target = "." + (f"[{','.join(extras)}]" if extras else "")
    command = [
        str(venv_python()),
        "-m",
        "pip",
        "install",
        "-q",
        "--disable-pip-version-check",
        "-e",
        target,
    ]
    if dry_run:
        say(f"would run: {shlex.join(command)}")
        return True
    say(
        f"installing calftimer and its Python packages into .venv: pip install -e {target!r} "
        "(a few hundred MB the first time)"
    )
    stamp = VENV / STAMP_NAME
    previous = read_stamp()
    kept: list[str] = []
    if previous.get("pyproject_sha256") == stamp_wanted([])["pyproject_sha256"]:
        kept = [str(e) for e in previous.get("extras") or []]  # still installed from before
    if stamp.exists():
        stamp.unlink()  # until pip has succeeded
    result = subprocess.run(command, cwd=ROOT, stdin=subprocess.DEVNULL, check=False)
    if result.returncode != 0:
        say("pip could not install calftimer (see its message above)")
        return False
    stamp.write_text(json.dumps(stamp_wanted(sorted({*extras, *kept}))), encoding="utf-8")
    return True


# ------------------------------------------------------------------------------------- reporting


def explain_elsewhere(missing: list[Need], manager: str | None) -> str:
    """What to install on a system without apt, said exactly: the library or program needed,
    and the command that installs it for ``manager`` (dnf, zypper, pacman or None)."""
    lines = ["these libraries and programs are missing here:"]
    for need in missing:
        kind, _, name = need.probe.partition(":")
        what = name if kind == "lib" else f"the program {name}"
        lines.append(f"    {what}  ({need.why}; Debian/Ubuntu: {need.debian[-1]})")
    libs = [n.probe[4:] for n in missing if n.probe.startswith("lib:")]
    cmds = [n.probe[4:] for n in missing if n.probe.startswith("cmd:")]
    # dnf and zypper install whatever provides a library or a file, by that name.
    provides = [f"{lib}()(64bit)" for lib in libs] + [f"/usr/bin/{c}" for c in cmds]
    if manager in ("dnf", "zypper"):
        lines.append(f"Install them with:\n    sudo {manager} install {shlex.join(provides)}")
    elif manager == "pacman":
        files = libs + [f"usr/bin/{c}" for c in cmds]
        lines.append(
            "Find the packages that hold them with `pacman -F FILE` (after `sudo pacman -Fy`), "
            f"for: {' '.join(files)}"
        )
    else:
        lines.append("Install them with your system's package manager.")
    return "\n".join(lines)


def check_python() -> bool:
    if sys.version_info[:2] < MIN_PYTHON:
        say(
            f"calftimer needs Python {MIN_PYTHON[0]}.{MIN_PYTHON[1]} or newer; this is "
            f"{platform.python_version()} ({sys.executable}). Run this script with a newer "
            "python3."
        )
        return False
    return True


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="bootstrap.py",
        description="Set up calftimer from this checkout: system packages (apt), .venv, pip.",
    )
    parser.add_argument("--test", action="store_true", help="also what the test suite needs")
    parser.add_argument("--package", action="store_true", help="also what packaging/build.py needs")
    parser.add_argument("--dry-run", action="store_true", help="only say what would be done")
    parser.add_argument(
        "--list", action="store_true", help="print the Debian/Ubuntu packages of the sets and exit"
    )
    args = parser.parse_args(argv)
    sets = ["run"] + (["test"] if args.test else []) + (["package"] if args.package else [])
    needs = wanted(sets)
    if args.list:
        print(" ".join(need.debian[0] for need in needs))
        return 0
    if not check_python():
        return 1
    extras = [EXTRAS[name] for name in sets if EXTRAS[name]]

    missing_packages = ""  # said again at the end, after pip's output
    if has_apt():
        with_venv = distro_python_on_apt() and not venv_works()
        groups, left_out = missing_on_apt(needs, with_venv)
        for sentence in left_out:
            say(sentence)
        if groups and not apt_install(groups, args.dry_run):
            if with_venv and [venv_package()] in groups and not venv_works():
                return 1  # no venv without it, and the message said how to get it
            names = " ".join(g[0] for g in groups)
            missing_packages = f"{names} (sudo apt-get install {names})"
    elif sys.platform.startswith("linux"):
        lacking = missing_by_probe(needs)
        if lacking:
            manager = next((m for m in ("dnf", "zypper", "pacman") if shutil.which(m)), None)
            say(explain_elsewhere(lacking, manager))
            missing_packages = ", ".join(n.probe.partition(":")[2] for n in lacking)
    elif args.test:
        # Windows and macOS: the Qt wheels bring everything the app needs, but some tests run
        # Linux programs.
        tools = ", ".join(n.probe[4:] for n in TEST if n.probe.startswith("cmd:"))
        say(
            f"note: the real-audio, voice, keep-awake and launcher-entry tests run Linux "
            f"programs ({tools}); here they fail or skip. The rest of the suite runs."
        )

    if not make_venv(args.dry_run) or not pip_install(extras, args.dry_run):
        return 1
    if missing_packages:
        say(f"still missing from the system: {missing_packages}")
        return 1
    if not args.dry_run:
        say("ready")
    return 0


if __name__ == "__main__":
    sys.exit(main())
