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
import re
import shlex
import shutil
import subprocess
import sys
import tempfile
import urllib.parse
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
    Need("libxss1", "lib:libXss.so.1", "keeping an X11 screen awake without D-Bus"),
)
# What the whole test suite needs besides: the tests use these for real and never skip them.
TEST = (
    Need("pulseaudio", "cmd:pulseaudio", "the real-audio tests' private sound server", PIPEWIRE),
    Need("pulseaudio-utils", "cmd:parec", "recording that sound server (parec, pactl)"),
    Need("espeak-ng", "cmd:espeak-ng", "rebuilding the built-in voice to compare it"),
    Need("speech-dispatcher", "cmd:speech-dispatcher", "the system voice's real test (service)"),
    Need("speech-dispatcher-espeak-ng", "", "the system voice's real test (a voice for it)"),
    Need("dbus-daemon|dbus", "cmd:dbus-daemon", "the keep-awake test's private session bus"),
    Need("playerctl", "cmd:playerctl", "pressing the media remote's buttons in its tests"),
    Need("desktop-file-utils", "cmd:desktop-file-validate", "checking the launcher entry"),
    Need("appstream", "cmd:appstreamcli", "checking the AppStream data"),
    Need("xvfb", "cmd:Xvfb", "a real X screen for the window tests"),
    Need("x11-utils", "cmd:xwininfo", "reading a real window's properties"),
    Need("xdotool", "cmd:xdotool", "the soak's keys to the real window (benchmarks/soak.py)"),
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
    return set(parse_candidate_versions(policy_output))


def parse_candidate_versions(policy_output: str) -> dict[str, str]:
    """Each package ``apt-cache policy`` (LC_ALL=C) gives an install candidate, with its version."""
    available: dict[str, str] = {}
    current = None
    for line in policy_output.splitlines():
        if line and not line[0].isspace() and line.endswith(":"):
            current = line[:-1]
        elif current and line.strip().startswith("Candidate:"):
            candidate = line.split(":", 1)[1].strip()
            if candidate != "(none)":
                available[current] = candidate
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


# ---------------------------------------------------------- a private PipeWire for the tests

# The real-audio tests play every scenario through PipeWire too, the sound server of current
# Linux desktops. Qt 6.11's PipeWire backend needs libpipewire 0.3.75 or newer (it calls
# pw_check_library_version); Debian 12 has 0.3.65, with which Qt falls back to PulseAudio without
# a word. So a current PipeWire and WirePlumber (on Debian 12 from bookworm-backports: 1.4 and
# 0.5) are fetched with `apt-get download` into the kit folder and unpacked there with
# `dpkg-deb -x`. Nothing is installed, and the system's apt sources and state are left as they
# are (apt works on a private copy of the sources, lists and cache in the kit folder), so the
# system keeps its sound server and every other test the Qt backend it had. tests/realaudio.py
# runs the daemons from the kit (PipeWireServer).
PIPEWIRE_KIT_ENV = "CALFTIMER_PIPEWIRE_KIT"  # another folder for the kit (to share it)
PIPEWIRE_KIT_FORMAT = 1
PIPEWIRE_MIN_VERSION = (0, 3, 75)
# Fetched with the libraries they need that the system lacks ...
PIPEWIRE_LIBRARIES = (
    "pipewire-bin",  # the daemon, pw-record, pw-play, pw-dump, pw-metadata
    "libpipewire-0.3-0t64|libpipewire-0.3-0",
    "libpipewire-0.3-modules",
    "libspa-0.2-modules",
    "libwireplumber-0.5-0",  # 0.5: tests/realaudio.py writes its configuration format
)
# ... and these alone: the daemons' configuration, and WirePlumber. Their other dependencies
# serve a system service (a user account, init scripts, a session bus), which the private daemons
# the tests start do not use.
PIPEWIRE_DAEMONS = ("pipewire", "wireplumber")
DEBIAN_KEYRING = "/usr/share/keyrings/debian-archive-keyring.gpg"


def pipewire_kit() -> Path:
    """The folder the private PipeWire is fetched into and run from."""
    return Path(os.environ.get(PIPEWIRE_KIT_ENV) or ROOT / ".cache" / "pipewire")


def read_kit(kit: Path) -> dict[str, object]:
    """The kit's description (``kit.json``) when the kit is complete; {} otherwise."""
    try:
        found = json.loads((kit / "kit.json").read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    if not isinstance(found, dict) or found.get("format") != PIPEWIRE_KIT_FORMAT:
        return {}
    programs = ("pipewire", "wireplumber", "pw-record", "pw-play", "pw-dump", "pw-metadata")
    return found if all((kit / "root" / "usr" / "bin" / p).exists() for p in programs) else {}


def version_tuple(version: str) -> tuple[int, ...]:
    """The upstream version's leading numbers: ``1:1.4.2-1~bpo12+1`` is (1, 4, 2)."""
    upstream = version.split(":", 1)[-1].rsplit("-", 1)[0]
    numbers = re.match(r"\d+(\.\d+)*", upstream)
    return tuple(int(n) for n in numbers.group().split(".")) if numbers else ()


def parse_print_uris(output: str) -> dict[str, str]:
    """Name and version of each package ``apt-get --print-uris install`` would download (its
    lines read ``'URI' NAME_VERSION_ARCH.deb SIZE HASH``; an epoch's colon is ``%3a``)."""
    found = {}
    for line in output.splitlines():
        parts = line.split()
        if len(parts) >= 2 and parts[1].endswith(".deb") and parts[1].count("_") == 2:
            name, version, _arch = parts[1][: -len(".deb")].split("_")
            found[name] = urllib.parse.unquote(version)
    return found


def backports_source(index_targets: str, codename: str, keyring: str | None) -> str:
    """A deb822 source for ``codename``-backports on the mirror this system uses for
    ``codename`` (from ``apt-get indextargets --format '$(REPO_URI) $(RELEASE)'``); "" if none."""
    for line in index_targets.splitlines():
        parts = line.split()
        if len(parts) == 2 and parts[1] == codename:
            lines = [
                "Types: deb",
                f"URIs: {parts[0]}",
                f"Suites: {codename}-backports",
                "Components: main",
            ]
            lines += [f"Signed-By: {keyring}"] if keyring else []
            return "\n".join(lines) + "\n"
    return ""


def os_release() -> dict[str, str]:
    """The fields of /etc/os-release (ID, VERSION_CODENAME, ...)."""
    for path in ("/etc/os-release", "/usr/lib/os-release"):
        try:
            text = Path(path).read_text(encoding="utf-8")
        except OSError:
            continue
        fields = {}
        for line in text.splitlines():
            key, sep, value = line.partition("=")
            if sep:
                fields[key.strip()] = value.strip().strip("\"'")
        return fields
    return {}


def last_error(output: str) -> str:
    """The line of apt's output that says what went wrong (its last ``E:`` line)."""
    lines = [line.strip() for line in output.splitlines() if line.strip()]
    errors = [line for line in lines if line.startswith("E:")]
    return (errors or lines or ["no output"])[-1]


def fetch_pipewire(kit: Path, dry_run: bool = False) -> str:
    """Fetch the private PipeWire into ``kit`` unless it is there; "" when it is ready,
    otherwise what is missing, in one line."""
    found = read_kit(kit)
    if found:
        say(
            f"PipeWire {found['pipewire']} and WirePlumber {found['wireplumber']} for the "
            f"real-audio tests are in {kit} already"
        )
        return ""
    if not has_apt() or not shutil.which("dpkg-deb"):
        return (
            "no private PipeWire for the real-audio tests: it is fetched with apt-get and "
            "dpkg-deb (Debian, Ubuntu), which this system lacks"
        )
    release = os_release()
    codename = release.get("VERSION_CODENAME", "")
    backports = f"{codename}-backports" if release.get("ID") == "debian" and codename else ""
    source = backports or "this system's apt sources"
    if dry_run:
        say(
            f"would fetch PipeWire and WirePlumber from {source} for the real-audio tests "
            f"with apt-get download into {kit} (unpacked there, not installed)"
        )
        return ""
    import fcntl  # Linux only, as this step is

    kit.parent.mkdir(parents=True, exist_ok=True)
    with open(kit.parent / f".{kit.name}.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)  # another run fetching it now: wait for that one
        if read_kit(kit):
            return ""
        work = Path(tempfile.mkdtemp(prefix=f".{kit.name}-", dir=kit.parent))
        try:
            problem = _fetch_kit_into(work, kit, codename, backports)
            if problem:
                return f"no private PipeWire for the real-audio tests: {problem}"
            shutil.rmtree(work / "apt")  # its package lists (about 20 MB) are not needed again
            if kit.exists():
                shutil.rmtree(kit)
            work.rename(kit)
        finally:
            shutil.rmtree(work, ignore_errors=True)
    return ""


def _fetch_kit_into(work: Path, kit: Path, codename: str, backports: str) -> str:
    """Fetch and unpack the kit in ``work`` (renamed ``kit`` after); "" or what went wrong."""
    apt_dir = work / "apt"
    parts = apt_dir / "sources.list.d"
    for folder in (parts, apt_dir / "preferences.d", apt_dir / "lists" / "partial"):
        folder.mkdir(parents=True)
    (apt_dir / "cache" / "archives" / "partial").mkdir(parents=True)
    env = dict(os.environ, LC_ALL="C", DEBIAN_FRONTEND="noninteractive")

    def run(*command: str, cwd: Path | None = None) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            command, capture_output=True, text=True, env=env, cwd=cwd, stdin=subprocess.DEVNULL
        )

    # The system's own sources, copied (PipeWire's libraries come from them), and backports.
    where = run(
        "apt-config", "shell", "LIST", "Dir::Etc::sourcelist/f", "PARTS", "Dir::Etc::sourceparts/d"
    )
    configured = dict(line.split("=", 1) for line in where.stdout.splitlines() if "=" in line)
    system_list = Path(configured.get("LIST", "'/etc/apt/sources.list'").strip("'"))
    system_parts = Path(configured.get("PARTS", "'/etc/apt/sources.list.d/'").strip("'"))
    sources_list = apt_dir / "sources.list"
    if system_list.is_file():
        shutil.copyfile(system_list, sources_list)
    else:
        sources_list.write_text("", encoding="utf-8")
    for source in sorted(system_parts.glob("*")):
        if source.suffix in (".list", ".sources") and source.is_file():
            shutil.copyfile(source, parts / source.name)
    options = [
        f"-oDir::Etc::sourcelist={sources_list}",
        f"-oDir::Etc::sourceparts={parts}",
        f"-oDir::Etc::preferences={apt_dir / 'preferences'}",
        f"-oDir::Etc::preferencesparts={apt_dir / 'preferences.d'}",
        f"-oDir::State::Lists={apt_dir / 'lists'}",
        f"-oDir::Cache={apt_dir / 'cache'}",
        # As root: download as root, not as _apt (who cannot write in this folder).
        "-oAPT::Sandbox::User=root",
    ]
    if backports:
        targets = run(
            "apt-get",
            *options,
            "indextargets",
            "--no-release-info",
            "--format",
            "$(REPO_URI) $(RELEASE)",
        )
        keyring = DEBIAN_KEYRING if Path(DEBIAN_KEYRING).exists() else None
        entry = backports_source(targets.stdout, codename, keyring)
        if not entry:
            return f"this system's apt sources name no Debian mirror for {codename}"
        (parts / "calftimer-backports.sources").write_text(entry, encoding="utf-8")
    update = run("apt-get", *options, "-q", "update")
    target = ["-t", backports] if backports else []
    groups = [name.split("|") for name in PIPEWIRE_LIBRARIES + PIPEWIRE_DAEMONS]
    policy = run("apt-cache", *options, *target, "policy", *[n for g in groups for n in g])
    versions = parse_candidate_versions(policy.stdout)
    names = choose(groups, set(versions))
    lacking = [name for name in names if name not in versions]
    if lacking:
        why = (
            f" (apt-get update: {last_error(update.stdout + update.stderr)})"
            if update.returncode
            else ""
        )
        return f"the apt sources offer no {' '.join(lacking)}{why}"
    pipewire, wireplumber = versions[names[1]], versions["wireplumber"]
    if version_tuple(pipewire) < PIPEWIRE_MIN_VERSION:
        return f"the apt sources offer PipeWire {pipewire}; Qt 6.11 needs 0.3.75 or newer"
    libraries = names[: len(PIPEWIRE_LIBRARIES)]
    closure = run(
        "apt-get",
        *options,
        *target,
        "-qq",
        "--print-uris",
        "install",
        "--no-install-recommends",
        "--no-remove",
        *libraries,
    )
    if closure.returncode != 0:
        return f"apt-get cannot resolve what PipeWire needs: {last_error(closure.stderr)}"
    wanted = {name: versions[name] for name in names} | parse_print_uris(closure.stdout)
    say(
        f"fetching PipeWire {pipewire} and WirePlumber {wireplumber} from {backports or 'apt'} "
        f"for the real-audio tests: {len(wanted)} packages, unpacked into {kit}, not installed"
    )
    debs = work / "debs"
    debs.mkdir()
    download = run(
        "apt-get",
        *options,
        "-q",
        "download",
        *[f"{n}={v}" for n, v in sorted(wanted.items())],
        cwd=debs,
    )
    if download.returncode != 0:
        return f"apt-get download failed: {last_error(download.stderr)}"
    root = work / "root"
    for deb in sorted(debs.glob("*.deb")):
        unpacked = run("dpkg-deb", "-x", str(deb), str(root))
        if unpacked.returncode != 0:
            return f"dpkg-deb could not unpack {deb.name}: {last_error(unpacked.stderr)}"
    library = next(iter(sorted(root.glob("usr/lib/**/libpipewire-0.3.so.0"))), None)
    if library is None:
        return "the fetched packages hold no libpipewire-0.3.so.0"
    size = sum(deb.stat().st_size for deb in debs.glob("*.deb"))
    description = {
        "format": PIPEWIRE_KIT_FORMAT,
        "pipewire": pipewire,
        "wireplumber": wireplumber,
        "from": backports or "the system's apt sources",
        "libdir": str(library.parent.relative_to(root)),
        "debs": sorted(deb.name for deb in debs.glob("*.deb")),
        "debs_bytes": size,
    }
    (work / "kit.json").write_text(json.dumps(description, indent=1), encoding="utf-8")
    say(f"fetched {len(description['debs'])} packages, {size / 1e6:.1f} MB")
    return ""


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

    kit_problem = ""  # the real-audio tests' private PipeWire (fetched, never installed)
    if args.test and sys.platform.startswith("linux"):
        kit_problem = fetch_pipewire(pipewire_kit(), args.dry_run)

    if not make_venv(args.dry_run) or not pip_install(extras, args.dry_run):
        return 1
    if missing_packages:
        say(f"still missing from the system: {missing_packages}")
    if kit_problem:
        say(f"still missing: {kit_problem}")
    if missing_packages or kit_problem:
        return 1
    if not args.dry_run:
        say("ready")
    return 0


if __name__ == "__main__":
    sys.exit(main())
