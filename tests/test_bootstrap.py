"""``bootstrap.py`` and the README's Quick start: two commands set up everything on a fresh
Debian or Ubuntu, a second run does nothing, and CI runs the README's test command as written.

The whole path on a real fresh machine (a Debian 12 chroot with nothing but python3) is checked
outside the suite, by ``freshroot.sh``; here apt is played by small fake programs on ``PATH``
that record what they were asked, so the suite never installs anything on the machine.
"""

from __future__ import annotations

import importlib.util
import json
import os
import re
import shutil
import subprocess
import sys
import textwrap
import time
from pathlib import Path
from types import ModuleType

import pytest

ROOT = Path(__file__).resolve().parents[1]


def load_bootstrap() -> ModuleType:
    spec = importlib.util.spec_from_file_location("bootstrap", ROOT / "bootstrap.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


bootstrap = load_bootstrap()


def quick_start_commands() -> list[str]:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    section = readme.split("## Quick start", 1)[1].split("\n## ", 1)[0]
    block = section.split("```sh\n", 1)[1].split("```", 1)[0]
    return [line for line in block.splitlines() if line.strip()]


# ------------------------------------------------------------------------------- the README


def test_the_quick_start_is_two_commands_that_set_up_then_launch_or_test() -> None:
    launch, test = quick_start_commands()
    assert launch == "python3 bootstrap.py && .venv/bin/calftimer"
    # The launched program is the last segment: what runs once the set-up is done.
    assert test == (
        "python3 bootstrap.py --test && QT_QPA_PLATFORM=offscreen .venv/bin/python -m pytest"
    )


def test_ci_runs_the_readmes_test_command_and_keeps_no_package_list_of_its_own() -> None:
    ci = (ROOT / ".ci" / "run").read_text(encoding="utf-8")
    extract = ci.split("test_command=$(", 1)[1].split("README.md)", 1)[0] + "README.md"
    result = subprocess.run(
        ["bash", "-c", extract], cwd=ROOT, capture_output=True, text=True, check=True
    )
    assert result.stdout.strip() == quick_start_commands()[1]
    assert 'bash -c "$test_command"' in ci
    assert "python3 bootstrap.py --package" in ci  # the bundle's tools, from the same lists
    commands = [line for line in ci.splitlines() if not line.lstrip().startswith("#")]
    assert not [line for line in commands if "apt-get" in line or "libxcb" in line]


def test_the_readme_lists_the_packages_bootstrap_installs() -> None:
    readme = " ".join((ROOT / "README.md").read_text(encoding="utf-8").split())
    listed = readme.split("On Debian or Ubuntu they are: ```text", 1)[1].split("```", 1)[0]
    names = set(listed.split())
    assert "python3-venv" in names
    for need in bootstrap.RUN:  # each by one of its names (libglib2.0-0 or ...t64)
        assert names & set(need.debian), need.debian
    assert len(names) == len(bootstrap.RUN) + 1
    tests = " ".join(n.debian[0] for n in bootstrap.TEST)
    assert f"The test suite adds `{tests}`" in readme
    bundle = " ".join(n.debian[0] for n in bootstrap.PACKAGE if n.debian[0] not in tests.split())
    assert f"The bundle build adds `{bundle}`" in readme


# ------------------------------------------------------------------------- its decisions


def test_root_runs_apt_itself_sudo_asks_only_on_a_terminal_and_never_waits_elsewhere() -> None:
    assert bootstrap.root_prefix(0, interactive=False, sudo=None) == []
    assert bootstrap.root_prefix(1000, interactive=True, sudo="/usr/bin/sudo") == ["sudo"]
    assert bootstrap.root_prefix(1000, interactive=False, sudo="/usr/bin/sudo") == ["sudo", "-n"]
    assert bootstrap.root_prefix(1000, interactive=False, sudo=None) is None


UBUNTU_24_04_POLICY = """\
libglib2.0-0t64:
  Installed: (none)
  Candidate: 2.80.0-6ubuntu3.4
  Version table:
     2.80.0-6ubuntu3.4 500
libglib2.0-0:
  Installed: (none)
  Candidate: (none)
  Version table:
libpulse0:
  Installed: (none)
  Candidate: 1:16.1+dfsg1-2ubuntu10
"""
# Debian 12 has no ...t64 package: apt-cache says so on stderr and lists only the others.
DEBIAN_12_POLICY = """\
libglib2.0-0:
  Installed: (none)
  Candidate: 2.74.6-2+deb12u5
libpulse0:
  Installed: (none)
  Candidate: 16.1+dfsg1-2+b1
"""


def test_the_renamed_t64_packages_are_picked_where_they_exist() -> None:
    groups = [["libglib2.0-0t64", "libglib2.0-0"], ["libpulse0"]]
    ubuntu = bootstrap.parse_candidates(UBUNTU_24_04_POLICY)
    assert bootstrap.choose(groups, ubuntu) == ["libglib2.0-0t64", "libpulse0"]
    debian = bootstrap.parse_candidates(DEBIAN_12_POLICY)
    assert bootstrap.choose(groups, debian) == ["libglib2.0-0", "libpulse0"]


def test_installed_packages_are_read_from_dpkg_with_or_without_an_architecture() -> None:
    listing = "libegl1:amd64 ii \nlibgl1 un \npulseaudio ii \nlibpulse0 rc \n"
    assert bootstrap.parse_installed(listing) == {"libegl1", "pulseaudio"}


def test_without_apt_it_names_each_missing_library_and_program_exactly() -> None:
    missing = [
        n
        for n in bootstrap.RUN + bootstrap.TEST
        if n.debian[0] in ("libxcb-cursor0", "pulseaudio-utils")
    ]
    dnf = bootstrap.explain_elsewhere(missing, "dnf")
    assert "libxcb-cursor.so.0" in dnf and "the program parec" in dnf
    assert "sudo dnf install 'libxcb-cursor.so.0()(64bit)' /usr/bin/parec" in dnf
    pacman = bootstrap.explain_elsewhere(missing, "pacman")
    assert "pacman -F" in pacman and "usr/bin/parec" in pacman


# ------------------------------------------------------------------ a run, with apt played


FAKE_TOOLS = {
    # dpkg-query -W -f=FORMAT NAMES...: the names listed in $FAKE_APT/installed are installed.
    "dpkg-query": """
        import os, sys
        state = os.environ["FAKE_APT"]
        installed = set(open(state + "/installed").read().split())
        for name in [a for a in sys.argv[1:] if not a.startswith("-")]:
            print(name, "ii " if name in installed else "un ")
    """,
    # apt-cache policy NAMES...: a candidate for every name but the ...t64 ones (Debian 12).
    "apt-cache": """
        import sys
        for name in sys.argv[2:]:
            if not name.endswith("t64"):
                print(name + ":\\n  Installed: (none)\\n  Candidate: 1.0")
    """,
    # apt-get: records its arguments; install marks the packages installed.
    "apt-get": """
        import os, sys
        state = os.environ["FAKE_APT"]
        with open(state + "/calls", "a") as log:
            log.write(" ".join(sys.argv[1:]) + "\\n")
        if "install" in sys.argv:
            names = [a for a in sys.argv[sys.argv.index("install") + 1:] if not a.startswith("-")]
            with open(state + "/installed", "a") as installed:
                installed.write(" ".join(names) + "\\n")
    """,
    # sudo [-n] COMMAND...: runs it (the fake apt-get), as if allowed without a password.
    "sudo": """
        import os, sys
        args = [a for a in sys.argv[1:] if a != "-n"]
        os.execvp(args[0], args)
    """,
}


@pytest.fixture
def checkout(tmp_path: Path) -> tuple[Path, dict[str, str]]:
    """A copy of bootstrap.py beside a tiny calftimer package, and apt played by fakes."""
    repo = tmp_path / "repo"
    (repo / "calftimer").mkdir(parents=True)
    shutil.copy(ROOT / "bootstrap.py", repo)
    (repo / "calftimer" / "__init__.py").write_text('"""A stand-in."""\n', encoding="utf-8")
    (repo / "pyproject.toml").write_text(
        textwrap.dedent(
            """
            [build-system]
            requires = ["setuptools>=77"]
            build-backend = "setuptools.build_meta"

            [project]
            name = "calftimer"
            version = "0.0.1"

            [project.optional-dependencies]
            test = []

            [tool.setuptools.packages.find]
            include = ["calftimer*"]
            """
        ),
        encoding="utf-8",
    )
    tools = tmp_path / "bin"
    tools.mkdir()
    for name, body in FAKE_TOOLS.items():
        tool = tools / name
        tool.write_text(f"#!{sys.executable}\n" + textwrap.dedent(body), encoding="utf-8")
        tool.chmod(0o755)
    state = tmp_path / "apt"
    state.mkdir()
    (state / "installed").write_text("espeak-ng\n", encoding="utf-8")
    env = dict(os.environ, PATH=f"{tools}{os.pathsep}{os.environ['PATH']}", FAKE_APT=str(state))
    return repo, env


def run_bootstrap(repo: Path, env: dict[str, str], *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, str(repo / "bootstrap.py"), *args],
        cwd=repo,
        env=env,
        stdin=subprocess.DEVNULL,  # as in CI: nobody to answer
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )


@pytest.mark.slow
@pytest.mark.skipif(sys.platform != "linux", reason="apt is Debian's and Ubuntu's")
def test_one_run_installs_what_is_missing_and_a_second_run_does_nothing(checkout) -> None:
    repo, env = checkout
    calls = Path(env["FAKE_APT"]) / "calls"
    with open(Path(env["FAKE_APT"]) / "installed", "a") as installed:
        installed.write("pipewire-pulse\n")  # a desktop whose sound server is PipeWire

    first = run_bootstrap(repo, env, "--test")
    assert first.returncode == 0, first.stdout + first.stderr
    update, install = calls.read_text().splitlines()
    assert update == "-q update"
    # --no-remove: apt must never take anything away (as pulseaudio would take PipeWire).
    assert install.startswith(
        "install -y -q --no-install-recommends --no-remove -oDPkg::Lock::Timeout="
    )
    asked = install.split()[6:]
    if bootstrap.distro_python_on_apt():
        # Debian's own python3 makes no venv without this: it comes with the rest, before
        # the venv is made.
        assert asked.pop(0) == bootstrap.venv_package()
    # Everything the app and the tests need that was not there, by the names this release has.
    assert "espeak-ng" not in asked  # installed already
    assert "libglib2.0-0" in asked and "libglib2.0-0t64" not in asked
    assert {"libpulse0", "libxcb-cursor0", "pulseaudio-utils", "xvfb"} <= set(asked)
    # ... but not pulseaudio beside PipeWire, and it says why.
    assert "pulseaudio" not in asked
    assert "pulseaudio is not installed: it would replace pipewire-pulse" in first.stdout
    assert len(asked) == len(bootstrap.wanted(["run", "test"])) - 2
    probe = subprocess.run(
        [
            str(repo / ".venv" / "bin" / "python"),
            "-I",  # not from the current folder
            "-c",
            "import calftimer; print(calftimer.__file__)",
        ],
        capture_output=True,
        text=True,
        check=True,
    )
    assert Path(probe.stdout.strip()) == repo / "calftimer" / "__init__.py"  # editable
    assert first.stdout.rstrip().endswith("bootstrap: ready")

    started = time.monotonic()
    again = run_bootstrap(repo, env, "--test")
    seconds = time.monotonic() - started
    assert again.returncode == 0, again.stdout + again.stderr
    assert calls.read_text().splitlines() == [update, install]  # apt was not run again
    assert "calftimer is installed in .venv already (with test)" in again.stdout
    assert seconds < 5, f"a second run took {seconds:.1f} s"
    stamp = json.loads((repo / ".venv" / bootstrap.STAMP_NAME).read_text())
    assert stamp["extras"] == ["test"]


@pytest.mark.slow
@pytest.mark.skipif(sys.platform != "linux", reason="apt is Debian's and Ubuntu's")
def test_when_apt_fails_it_says_what_to_run_sets_up_the_rest_and_fails(checkout) -> None:
    repo, env = checkout
    with open(Path(env["FAKE_APT"]) / "installed", "a") as installed:
        installed.write(bootstrap.venv_package() + "\n")  # venv works; the rest is missing
    failing = Path(env["PATH"].split(os.pathsep)[0]) / "apt-get"
    failing.write_text(f"#!{sys.executable}\nimport sys\nsys.exit(100)\n", encoding="utf-8")
    result = run_bootstrap(repo, env)
    assert result.returncode == 1
    out = result.stdout
    assert re.search(r"sudo apt-get update && sudo apt-get install [a-z0-9.+ -]*libpulse0", out)
    assert (repo / ".venv").is_dir() and "installing calftimer" in out  # venv and pip went on
    assert "still missing from the system" in out.splitlines()[-1]
