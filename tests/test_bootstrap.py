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
    # apt-get: records its arguments; install marks the packages installed. For the private
    # PipeWire: indextargets names a Debian mirror, update records the sources it was given,
    # --print-uris lists one library the system lacks, download writes the .deb files.
    "apt-get": """
        import os, sys
        from pathlib import Path
        state = os.environ["FAKE_APT"]
        args = sys.argv[1:]
        with open(state + "/calls", "a") as log:
            log.write(" ".join(args) + "\\n")
        options = dict(a[2:].split("=", 1) for a in args if a.startswith("-o") and "=" in a)
        if "indextargets" in args:
            print("http://deb.example/debian/ bookworm")
            print("http://deb.example/debian-security/ bookworm-security")
        elif "update" in args and "Dir::Etc::sourceparts" in options:
            sources = sorted(p.name for p in Path(options["Dir::Etc::sourceparts"]).iterdir())
            with open(state + "/calls", "a") as log:
                log.write("sources: " + " ".join(sources) + "\\n")
        elif "--print-uris" in args:
            print("'http://deb.example/l/liblua5.4-0_5.4.4-3_amd64.deb' "
                  "liblua5.4-0_5.4.4-3_amd64.deb 137064 SHA256:00")
        elif "download" in args:
            for wanted in [a for a in args[args.index("download") + 1:] if "=" in a]:
                name, version = wanted.split("=")
                Path(f"{name}_{version.replace(':', '%3a')}_amd64.deb").write_text(name)
        elif "install" in args:
            names = [a for a in args[args.index("install") + 1:] if not a.startswith("-")]
            with open(state + "/installed", "a") as installed:
                installed.write(" ".join(names) + "\\n")
    """,
    # apt-config shell ...: the system's sources are the ones in $FAKE_APT/etc.
    "apt-config": """
        import os
        etc = os.environ["FAKE_APT"] + "/etc"
        print(f"LIST='{etc}/sources.list'")
        print(f"PARTS='{etc}/sources.list.d/'")
    """,
    # dpkg-deb -x DEB DIR: unpacks what the private PipeWire's packages would hold.
    "dpkg-deb": """
        import sys
        from pathlib import Path
        deb, root = Path(sys.argv[2]), Path(sys.argv[3])
        holds = {
            "pipewire-bin": ["usr/bin/pipewire", "usr/bin/pw-record", "usr/bin/pw-play",
                             "usr/bin/pw-dump", "usr/bin/pw-metadata"],
            "wireplumber": ["usr/bin/wireplumber"],
            "libpipewire-0.3-0": ["usr/lib/x86_64-linux-gnu/libpipewire-0.3.so.0"],
        }
        for path in holds.get(deb.name.split("_")[0], ["usr/share/doc/" + deb.name]):
            (root / path).parent.mkdir(parents=True, exist_ok=True)
            (root / path).write_text("")
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
    (state / "etc" / "sources.list.d").mkdir(parents=True)
    (state / "etc" / "sources.list.d" / "debian.sources").write_text(SYSTEM_SOURCES)
    env = dict(os.environ, PATH=f"{tools}{os.pathsep}{os.environ['PATH']}", FAKE_APT=str(state))
    env.pop(bootstrap.PIPEWIRE_KIT_ENV, None)
    return repo, env


SYSTEM_SOURCES = "Types: deb\nURIs: http://deb.example/debian\nSuites: bookworm\nComponents: main\n"


def system_calls(calls: Path) -> list[str]:
    """apt-get's calls on the system itself (not those for the private PipeWire)."""
    return [
        c
        for c in calls.read_text().splitlines()
        if "Dir::State::Lists" not in c and not c.startswith("sources:")
    ]


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
    update, install = system_calls(calls)
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
    assert system_calls(calls) == [update, install]  # apt was not run again
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


# --------------------------------------------------------- the real-audio tests' PipeWire


def test_the_packages_apt_would_download_are_read_with_their_versions() -> None:
    output = (
        "'http://deb.example/pool/libsndfile1_1.2.0-1_amd64.deb' libsndfile1_1.2.0-1_amd64.deb "
        "198160 SHA256:aa\n"
        "'http://deb.example/pool/libfoo_2%3a1.0-3_amd64.deb' libfoo_2%3a1.0-3_amd64.deb 10 "
        "SHA256:bb\n"
    )
    assert bootstrap.parse_print_uris(output) == {"libsndfile1": "1.2.0-1", "libfoo": "2:1.0-3"}


def test_pipewire_versions_are_compared_by_their_upstream_numbers() -> None:
    assert bootstrap.version_tuple("1.4.2-1~bpo12+1") == (1, 4, 2)
    assert bootstrap.version_tuple("0.3.65-3+deb12u1") == (0, 3, 65)
    assert bootstrap.version_tuple("1:16.1+dfsg1-2") == (16, 1)
    # Debian 12's own is too old for Qt 6.11; bookworm-backports' is not.
    assert bootstrap.version_tuple("0.3.65-3+deb12u1") < bootstrap.PIPEWIRE_MIN_VERSION
    assert bootstrap.version_tuple("1.4.2-1~bpo12+1") >= bootstrap.PIPEWIRE_MIN_VERSION


def test_backports_are_taken_from_the_mirror_the_system_uses_for_its_release() -> None:
    targets = (
        "http://deb.debian.org/debian-security/ bookworm-security\n"
        "http://mirror.example/debian/ bookworm\n"
        "http://mirror.example/debian/ bookworm-updates\n"
    )
    source = bootstrap.backports_source(targets, "bookworm", "/usr/share/keyrings/k.gpg")
    assert source.splitlines() == [
        "Types: deb",
        "URIs: http://mirror.example/debian/",
        "Suites: bookworm-backports",
        "Components: main",
        "Signed-By: /usr/share/keyrings/k.gpg",
    ]
    assert bootstrap.backports_source(targets, "trixie", None) == ""


@pytest.mark.slow
@pytest.mark.skipif(sys.platform != "linux", reason="apt is Debian's and Ubuntu's")
def test_the_test_set_fetches_a_private_pipewire_without_installing_or_changing_sources(
    checkout,
) -> None:
    repo, env = checkout
    state = Path(env["FAKE_APT"])
    first = run_bootstrap(repo, env, "--test")
    assert first.returncode == 0, first.stdout + first.stderr
    kit = repo / ".cache" / "pipewire"
    described = json.loads((kit / "kit.json").read_text())
    assert described["pipewire"] == "1.0" and described["wireplumber"] == "1.0"
    assert (kit / "root" / "usr" / "bin" / "pw-record").exists()
    assert described["libdir"] == "usr/lib/x86_64-linux-gnu"

    calls = (state / "calls").read_text().splitlines()
    private = [c for c in calls if "Dir::State::Lists" in c]
    # Every apt call for it works on apt state of its own, in the kit's folder being made ...
    lists = {re.search(r"-oDir::State::Lists=(\S+)", c).group(1) for c in private}  # type: ignore[union-attr]
    assert len(lists) == 1 and Path(lists.pop()).parent.parent.parent == kit.parent
    # ... never installs: it resolves (--print-uris) and downloads ...
    verbs = [next(a for a in c.split() if not a.startswith("-")) for c in private]
    assert "install" not in [
        v for v, c in zip(verbs, private, strict=True) if "--print-uris" not in c
    ]
    download = next(c for c in private if " download " in c)
    asked = {a.split("=")[0] for a in download.split() if "=" in a and not a.startswith("-")}
    assert {"pipewire", "pipewire-bin", "libpipewire-0.3-0", "wireplumber"} <= asked
    assert "liblua5.4-0" in asked  # a library the system lacks, from the resolved closure
    assert "libpipewire-0.3-0t64" not in asked  # the name this release has
    # ... with the system's own sources copied, and on Debian its backports added beside them.
    debian = bootstrap.os_release().get("ID") == "debian"
    seen = next(c for c in calls if c.startswith("sources:")).split()[1:]
    assert seen == (["calftimer-backports.sources"] if debian else []) + ["debian.sources"]
    assert (state / "etc" / "sources.list.d" / "debian.sources").read_text() == SYSTEM_SOURCES
    assert sorted(p.name for p in (state / "etc" / "sources.list.d").iterdir()) == [
        "debian.sources"
    ]
    if debian:  # the backports' versions are the ones wanted
        codename = bootstrap.os_release()["VERSION_CODENAME"]
        resolve = next(c for c in private if "--print-uris" in c)
        assert f"-t {codename}-backports" in resolve
    # Its private apt lists are not kept; the packages are.
    assert not (kit / "apt").exists() and (kit / "debs").is_dir()

    again = run_bootstrap(repo, env, "--test")
    assert again.returncode == 0, again.stdout + again.stderr
    assert (state / "calls").read_text().splitlines() == calls  # nothing fetched again
    assert "WirePlumber 1.0 for the real-audio tests are in" in again.stdout


@pytest.mark.slow
@pytest.mark.skipif(sys.platform != "linux", reason="apt is Debian's and Ubuntu's")
def test_when_pipewire_cannot_be_fetched_it_says_so_in_one_line_and_fails(checkout) -> None:
    repo, env = checkout
    tools = Path(env["PATH"].split(os.pathsep)[0])
    (tools / "apt-cache").write_text(f"#!{sys.executable}\n", encoding="utf-8")  # no candidates
    result = run_bootstrap(repo, env, "--test")
    assert result.returncode == 1
    last = result.stdout.splitlines()[-1]
    assert last.startswith("bootstrap: still missing: no private PipeWire for the real-audio")
    assert "the apt sources offer no pipewire-bin" in last
    assert not (repo / ".cache" / "pipewire").exists()
    assert [p.name for p in (repo / ".cache").iterdir()] == [".pipewire.lock"]  # no debris
