"""What installers and desktops rely on: the icons, the launcher entry, the AppStream data,
``calftimer install-desktop`` and ``calftimer --self-check``.

The bundle itself is built and smoke-tested by ``packaging/build.py`` (run by ``.ci/run``), not
here: it takes half a minute and needs PyInstaller.
"""

from __future__ import annotations

import configparser
import contextlib
import json
import os
import re
import shlex
import shutil
import signal
import struct
import subprocess
import sys
import time
import wave
import xml.etree.ElementTree as ElementTree
from collections.abc import Iterator
from pathlib import Path

import pytest

from calftimer import APP_ID, __version__
from calftimer.app import main
from calftimer.core.programs import BUILTIN_BY_ID
from calftimer.desktop_install import MARK, desktop_entry_text, launch_command
from calftimer.resources import ICON_SIZES, icon_files, icons_folder

ROOT = Path(__file__).resolve().parents[1]
DESKTOP = ROOT / "calftimer" / "resources" / "desktop"
DESKTOP_FILE = DESKTOP / f"{APP_ID}.desktop"
METAINFO = DESKTOP / f"{APP_ID}.metainfo.xml"


def png_size(data: bytes) -> tuple[int, int]:
    assert data[:8] == b"\x89PNG\r\n\x1a\n", "not a PNG"
    return struct.unpack(">II", data[16:24])


def desktop_entry(text: str) -> configparser.ConfigParser:
    parser = configparser.ConfigParser(interpolation=None, strict=True)
    parser.optionxform = str  # keys are case-sensitive in desktop files
    parser.read_string(text)
    return parser


# ------------------------------------------------------------------------------------- icons


def test_every_icon_size_is_a_png_of_that_size_with_a_transparent_corner() -> None:
    files = icon_files()
    assert sorted(files) == [16, 24, 32, 48, 64, 128, 256, 512]
    for size, path in files.items():
        data = path.read_bytes()
        assert png_size(data) == (size, size), path
    from PySide6.QtGui import QImage

    image = QImage(str(files[64]))
    assert image.pixelColor(0, 0).alpha() == 0  # rounded tile: the corner shows the desktop
    assert image.pixelColor(32, 32).alpha() == 255


FIND_SOUNDS_WITHOUT_QT = """
import json, sys
from calftimer.core.cues import SOUND_NAMES
from calftimer.resources import sounds_folder, voice_folder

names = set(SOUND_NAMES.values())
found = {
    theme: sorted(n for n in names if (sounds_folder(theme) / f"{n}.wav").is_file())
    for theme in ("standard", "low")
}
index = json.loads((voice_folder() / "index.json").read_text(encoding="utf-8"))
clips = sum((voice_folder() / f"{key}.wav").is_file() for key in index["ms"])
print(json.dumps({"found": found, "clips": clips, "of": len(index["ms"]),
                  "qt": sorted(m for m in sys.modules if m.startswith("PySide6"))}))
"""


@pytest.mark.slow
def test_the_sounds_and_the_voice_are_found_with_the_other_resources_without_qt() -> None:
    """The self-check, the packaging and the sound output find the cue sounds and the voice
    where they find the icons (``calftimer.resources``), without loading Qt."""
    from calftimer.core.cues import SOUND_NAMES

    result = subprocess.run(
        [sys.executable, "-c", FIND_SOUNDS_WITHOUT_QT],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
        cwd=ROOT,
    )
    assert result.returncode == 0, result.stderr
    report = json.loads(result.stdout)
    every = sorted(set(SOUND_NAMES.values()))
    assert report["found"] == {"standard": every, "low": every}
    assert report["clips"] == report["of"] > 0
    assert report["qt"] == []


@pytest.mark.slow
def test_make_icons_reproduces_the_shipped_icons(tmp_path) -> None:
    env = dict(os.environ, QT_QPA_PLATFORM="offscreen")
    subprocess.run(
        [sys.executable, str(ROOT / "resources" / "make_icons.py"), "--out", str(tmp_path)],
        check=True,
        capture_output=True,
        env=env,
        timeout=120,
    )
    for size, shipped in icon_files().items():
        fresh = tmp_path / "hicolor" / f"{size}x{size}" / "apps" / f"{APP_ID}.png"
        assert fresh.read_bytes() == shipped.read_bytes(), f"rerun resources/make_icons.py ({size})"
    assert (tmp_path / f"{APP_ID}.svg").read_bytes() == (
        icons_folder() / f"{APP_ID}.svg"
    ).read_bytes()
    for name in ("windows/calftimer.ico", "macos/calftimer.icns"):
        assert (tmp_path / name).read_bytes() == (ROOT / "packaging" / name).read_bytes(), name


def test_windows_ico_holds_every_size_up_to_256_as_png() -> None:
    data = (ROOT / "packaging" / "windows" / "calftimer.ico").read_bytes()
    reserved, kind, count = struct.unpack("<HHH", data[:6])
    assert (reserved, kind) == (0, 1)
    sizes = []
    for i in range(count):
        width, _h, _c, _r, _planes, _bpp, length, offset = struct.unpack(
            "<BBBBHHII", data[6 + 16 * i : 22 + 16 * i]
        )
        image = data[offset : offset + length]
        assert png_size(image)[0] == (width or 256)
        sizes.append(width or 256)
    assert sizes == [16, 24, 32, 48, 64, 128, 256]


def test_macos_icns_holds_retina_sizes_up_to_1024() -> None:
    data = (ROOT / "packaging" / "macos" / "calftimer.icns").read_bytes()
    assert data[:4] == b"icns" and struct.unpack(">I", data[4:8])[0] == len(data)
    entries, at = {}, 8
    while at < len(data):
        kind, length = data[at : at + 4].decode(), struct.unpack(">I", data[at + 4 : at + 8])[0]
        entries[kind] = png_size(data[at + 8 : at + length])[0]
        at += length
    assert entries["ic10"] == 1024 and entries["ic09"] == 512 and entries["ic07"] == 128
    assert entries["ic11"] == 32 and entries["icp4"] == 16


# ------------------------------------------------------------------- launcher and AppStream


def test_desktop_entry_names_the_app_its_icon_and_a_foundation_session_action() -> None:
    entry = desktop_entry(DESKTOP_FILE.read_text(encoding="utf-8"))
    main_group = entry["Desktop Entry"]
    assert main_group["Type"] == "Application"
    assert main_group["Exec"] == "calftimer"
    assert main_group["Icon"] == APP_ID
    assert "Utility" in main_group["Categories"].split(";")
    assert {"calf", "running", "workout"} <= set(main_group["Keywords"].split(";"))
    action_ids = [a for a in main_group["Actions"].split(";") if a]
    assert action_ids == ["start-foundation"]
    action = entry["Desktop Action start-foundation"]
    assert action["Name"] == "Start foundation session"
    assert action["Exec"] == "calftimer --start foundation"
    assert "foundation" in BUILTIN_BY_ID  # the action starts a program that exists


def test_metainfo_matches_the_app_its_version_and_its_screenshots() -> None:
    root = ElementTree.parse(METAINFO).getroot()
    assert root.get("type") == "desktop-application"
    assert root.findtext("id") == APP_ID
    assert root.findtext("launchable") == f"{APP_ID}.desktop"
    assert root.find("content_rating").get("type") == "oars-1.1"
    # The newest release is this version: bump both together.
    assert root.find("releases/release").get("version") == __version__
    shots = root.findall("screenshots/screenshot/image")
    assert len(shots) >= 3
    for image in shots:
        name = image.text.rsplit("/", 1)[-1]
        local = ROOT / "docs" / "screenshots" / name
        assert local.exists(), f"{name} is announced but not in docs/screenshots"
        assert png_size(local.read_bytes()) == (int(image.get("width")), int(image.get("height")))
        # The addresses point into the release's tag (docs/packaging.md, "Releasing").
        assert image.text.startswith("https://") and f"/v{__version__}/" in image.text


def tool_or_skip(name: str) -> str:
    path = shutil.which(name)
    if path is None:
        pytest.skip(f"{name} is not installed (.ci/run installs it)")
    return path


def test_desktop_file_validate_accepts_the_entry_as_installed(tmp_path) -> None:
    validate = tool_or_skip("desktop-file-validate")
    installed = tmp_path / f"{APP_ID}.desktop"
    text = desktop_entry_text(DESKTOP_FILE.read_text(encoding="utf-8"), ["/opt/my apps/calftimer"])
    installed.write_text(text, encoding="utf-8")
    for path in (DESKTOP_FILE, installed):
        result = subprocess.run([validate, str(path)], capture_output=True, text=True, timeout=60)
        assert result.returncode == 0 and not result.stdout.strip(), result.stdout


def test_appstreamcli_validates_the_metainfo() -> None:
    appstreamcli = tool_or_skip("appstreamcli")
    result = subprocess.run(
        [appstreamcli, "validate", "--no-net", str(METAINFO)],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    # Errors and warnings fail; an "info" about a tag newer than this appstreamcli is fine.
    assert not [line for line in result.stdout.splitlines() if line[:2] in ("E:", "W:")]


def required_tool(name: str) -> str:
    """A program the test suite needs for real (``python3 bootstrap.py --test`` installs it)."""
    path = shutil.which(name)
    if path is None:
        pytest.fail(f"{name} is not installed: python3 bootstrap.py --test installs it")
    return path


@contextlib.contextmanager
def xvfb_display() -> Iterator[str]:
    """A private X server; yields its DISPLAY (Xvfb picks a free number and tells it)."""
    xvfb = required_tool("Xvfb")
    read_end, write_end = os.pipe()
    server = subprocess.Popen(
        # -noreset: a server resetting after its last client left drops one that connects then.
        [
            xvfb,
            "-displayfd",
            str(write_end),
            "-nolisten",
            "tcp",
            "-noreset",
            "-screen",
            "0",
            "1280x800x24",
        ],
        pass_fds=(write_end,),
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    os.close(write_end)
    try:
        with os.fdopen(read_end, "rb") as pipe:
            number = pipe.readline().strip().decode()  # written once the server is ready
        if not number:
            pytest.fail("Xvfb did not start")
        yield f":{number}"
    finally:
        server.terminate()
        try:
            server.wait(10)
        except subprocess.TimeoutExpired:
            server.kill()
            server.wait()


@pytest.mark.slow
def test_under_python_dash_m_the_window_class_matches_the_launcher_entry(tmp_path) -> None:
    """Desktops group a window with its launcher entry by WM_CLASS (StartupWMClass); under
    ``python -m calftimer`` Qt used to name it after argv[0], "__main__.py"."""
    startup_class = desktop_entry(DESKTOP_FILE.read_text(encoding="utf-8"))["Desktop Entry"][
        "StartupWMClass"
    ]
    xwininfo = required_tool("xwininfo")
    with xvfb_display() as display:
        env = {k: v for k, v in os.environ.items() if not k.startswith(("CALFTIMER_", "PULSE"))}
        env.update(DISPLAY=display, QT_QPA_PLATFORM="xcb", PULSE_SERVER="unix:/nonexistent")
        app = subprocess.Popen(
            [sys.executable, "-m", "calftimer", "--data-dir", str(tmp_path)],
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
            text=True,
        )
        try:
            classes: list[tuple[str, str]] = []
            deadline = time.monotonic() + 60
            while not classes and app.poll() is None and time.monotonic() < deadline:
                tree = subprocess.run(
                    [xwininfo, "-root", "-tree", "-display", display],
                    capture_output=True,
                    text=True,
                    timeout=30,
                    check=False,
                ).stdout
                # 0x200007 "calftimer": ("calftimer" "calftimer")  1100x720+0+0  +0+0
                classes = re.findall(r'"calftimer": \("([^"]*)" "([^"]*)"\)', tree)
                if not classes:
                    time.sleep(0.05)  # the window is not mapped yet: look again
            assert classes == [(startup_class, startup_class)], tree
            app.send_signal(signal.SIGINT)  # and it quits cleanly on Ctrl+C, as from the menu
            _out, err = app.communicate(timeout=30)
        finally:
            if app.poll() is None:
                app.kill()
                app.communicate()
    assert app.returncode == 0, err


# -------------------------------------------------------------------------- install-desktop


def installed_files(share: Path) -> list[str]:
    return sorted(str(p.relative_to(share)) for p in share.rglob("*") if p.is_file())


def test_install_desktop_puts_entry_icons_and_metainfo_in_place_and_uninstall_removes_them(
    tmp_path, capsys, monkeypatch
) -> None:
    monkeypatch.setattr(sys, "argv", [str(tmp_path / "no such launcher")])
    assert main(["install-desktop", "--prefix", str(tmp_path)]) == 0
    share = tmp_path / "share"
    files = installed_files(share)
    assert f"applications/{APP_ID}.desktop" in files
    assert f"metainfo/{APP_ID}.metainfo.xml" in files
    assert f"icons/hicolor/scalable/apps/{APP_ID}.svg" in files
    for n in ICON_SIZES:
        assert f"icons/hicolor/{n}x{n}/apps/{APP_ID}.png" in files
    assert len(files) == 3 + len(ICON_SIZES)  # and nothing else, no caches
    entry = desktop_entry((share / "applications" / f"{APP_ID}.desktop").read_text())
    # Not on PATH here: the entry runs this interpreter with -m calftimer, by absolute path.
    assert entry["Desktop Entry"]["Exec"] == f"{os.path.abspath(sys.executable)} -m calftimer"
    assert entry["Desktop Action start-foundation"]["Exec"].endswith(
        "-m calftimer --start foundation"
    )
    assert "calftimer install-desktop --uninstall" in capsys.readouterr().out

    assert main(["install-desktop", "--prefix", str(tmp_path)]) == 0  # again: replaces its own
    assert main(["install-desktop", "--prefix", str(tmp_path), "--uninstall"]) == 0
    assert installed_files(share) == []


def bare_python(folder: Path, with_libraries: bool) -> Path:
    """A virtual environment where calftimer is not installed, as in a source checkout; with
    ``with_libraries``, this environment's site-packages (PySide6, ...) are on its path, but
    not calftimer's own install (its .pth files are not read from there)."""
    subprocess.run(
        [sys.executable, "-m", "venv", "--without-pip", str(folder)], check=True, timeout=120
    )
    python = folder / "bin" / "python"
    if with_libraries:
        site_dir = subprocess.run(
            [str(python), "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"],
            capture_output=True,
            text=True,
            check=True,
        ).stdout.strip()
        import site

        libraries = "\n".join(site.getsitepackages())
        Path(site_dir, "libraries.pth").write_text(libraries + "\n", encoding="utf-8")
    return python


@pytest.mark.slow
@pytest.mark.skipif(sys.platform != "linux", reason="install-desktop is for Linux desktops")
def test_install_desktop_from_a_source_checkout_writes_a_launcher_that_starts_from_home(
    tmp_path,
) -> None:
    """``python -m calftimer install-desktop`` run in a checkout that was never installed: the
    launcher starts calftimer in the home folder, where it used to fail with "No module named
    calftimer"."""
    python = bare_python(tmp_path / "venv", with_libraries=True)
    home = tmp_path / "home"
    home.mkdir()
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH",)}
    env.update(HOME=str(home), PULSE_SERVER="unix:/nonexistent", QT_QPA_PLATFORM="offscreen")
    env.pop("XDG_DATA_HOME", None)
    installed = subprocess.run(
        [str(python), "-m", "calftimer", "install-desktop"],
        cwd=ROOT,  # the checkout: here calftimer imports
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert installed.returncode == 0, installed.stderr
    entry_file = home / ".local" / "share" / "applications" / f"{APP_ID}.desktop"
    command = shlex.split(desktop_entry(entry_file.read_text())["Desktop Entry"]["Exec"])
    # As the launcher starts it: in the home folder. The self-check runs the whole app.
    started = subprocess.run(
        [*command, "--self-check"],
        cwd=home,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert started.returncode == 0, started.stdout + started.stderr
    assert "self-check passed" in started.stdout


@pytest.mark.slow
@pytest.mark.skipif(sys.platform != "linux", reason="install-desktop is for Linux desktops")
def test_install_desktop_refuses_a_python_that_cannot_run_calftimer_and_says_what_to_run(
    tmp_path,
) -> None:
    python = bare_python(tmp_path / "venv", with_libraries=False)  # no PySide6 at all
    home = tmp_path / "home"
    home.mkdir()
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "XDG_DATA_HOME")}
    env["HOME"] = str(home)
    result = subprocess.run(
        [str(python), "-m", "calftimer", "install-desktop"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert result.returncode == 1
    assert "lacks PySide6, pyqtgraph, platformdirs" in result.stderr
    assert ".venv/bin/calftimer install-desktop" in result.stderr
    assert "nothing was changed" in result.stderr and "Traceback" not in result.stderr
    assert list(home.rglob("*")) == []


def test_install_desktop_never_overwrites_an_entry_it_did_not_write(tmp_path, capsys) -> None:
    share = tmp_path / "share"
    foreign = share / "applications" / f"{APP_ID}.desktop"
    foreign.parent.mkdir(parents=True)
    foreign.write_text("[Desktop Entry]\nType=Application\nName=Mine\nExec=mine\n")
    assert main(["install-desktop", "--prefix", str(tmp_path)]) == 1
    err = capsys.readouterr().err
    assert str(foreign) in err and "nothing was changed" in err
    assert installed_files(share) == [f"applications/{APP_ID}.desktop"]
    # Uninstalling leaves that entry, and the icons it may name, alone.
    icon = share / "icons" / "hicolor" / "48x48" / "apps" / f"{APP_ID}.png"
    icon.parent.mkdir(parents=True)
    icon.write_bytes(b"theirs")
    assert main(["install-desktop", "--prefix", str(tmp_path), "--uninstall"]) == 1
    assert "nothing was removed" in capsys.readouterr().err
    assert foreign.read_text().startswith("[Desktop Entry]\nType=Application\nName=Mine")
    assert icon.read_bytes() == b"theirs"


def test_exec_paths_with_spaces_and_percent_signs_are_quoted_as_the_spec_asks() -> None:
    template = DESKTOP_FILE.read_text(encoding="utf-8")
    text = desktop_entry_text(template, ["/home/a b/100%/calftimer"])
    entry = desktop_entry(text)
    assert entry["Desktop Entry"]["Exec"] == '"/home/a b/100%%/calftimer"'
    assert entry["Desktop Action start-foundation"]["Exec"] == (
        '"/home/a b/100%%/calftimer" --start foundation'
    )
    assert entry["Desktop Entry"]["X-Calftimer-Installed"] == "true"
    # A backslash is escaped for the quoting, then again for the string value (the spec's
    # four backslashes for one).
    backslash = desktop_entry(desktop_entry_text(template, ["/opt/a\\b/calftimer"]))
    assert backslash["Desktop Entry"]["Exec"] == '"/opt/a\\\\\\\\b/calftimer"'
    assert MARK not in entry["Desktop Action start-foundation"]


def test_the_launch_command_of_a_bundle_a_script_and_python_dash_m(tmp_path, monkeypatch) -> None:
    script = tmp_path / "venv" / "bin" / "calftimer"
    script.parent.mkdir(parents=True)
    script.write_text("#!/bin/sh\n")
    assert launch_command(str(script), "/usr/bin/python3") == [str(script)]
    # A venv's python is a symlink to the base interpreter: keep the venv's path.
    link = tmp_path / "venv" / "bin" / "python"
    link.symlink_to(sys.executable)
    assert launch_command("-m", str(link)) == [str(link), "-m", "calftimer"]
    monkeypatch.setattr(sys, "frozen", True, raising=False)
    assert launch_command("ignored", str(tmp_path / "dist" / "calftimer")) == [
        str(tmp_path / "dist" / "calftimer")
    ]


# ------------------------------------------------------------------------------ self-check


@pytest.mark.slow
def test_self_check_passes_in_one_line_and_leaves_the_users_folders_alone(tmp_path) -> None:
    home = tmp_path / "home"
    home.mkdir()
    env = {k: v for k, v in os.environ.items() if not k.startswith(("CALFTIMER_", "XDG_", "PULSE"))}
    env.update(HOME=str(home), QT_QPA_PLATFORM="xcb", PULSE_SERVER="unix:/nonexistent")
    result = subprocess.run(
        [sys.executable, "-m", "calftimer", "--self-check"],
        capture_output=True,
        text=True,
        env=env,
        timeout=120,
        check=False,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    lines = result.stdout.splitlines()
    assert len(lines) == 1
    assert lines[0].startswith(f"calftimer {__version__} self-check passed in ")
    for part in ("4 programs", "a set written and read back", "101 voice clips", "history chart"):
        assert part in lines[0]
    assert result.stderr == ""  # Qt's chatter is kept for a failure report
    # It ran offscreen although asked for xcb, and wrote nothing under the user's home.
    assert list(home.rglob("*")) == []


def test_self_check_names_the_step_and_the_file_that_failed(tmp_path, monkeypatch, capsys) -> None:
    from calftimer import resources, self_check

    broken = tmp_path / "standard"
    shutil.copytree(resources.sounds_folder("standard"), broken)
    with wave.open(str(broken / "go.wav"), "wb") as wav:  # valid WAV, wrong rate
        wav.setnchannels(1)
        wav.setsampwidth(2)
        wav.setframerate(22_050)
        wav.writeframes(b"\x00\x00" * 100)
    monkeypatch.setattr(resources, "sounds_folder", lambda _theme: broken)
    lines: list[str] = []
    assert self_check.run_self_check(lines.append) == 1
    assert lines == [
        f"calftimer {__version__} self-check FAILED at sound files: "
        f"{broken / 'go.wav'}: must be 16-bit mono 48 kHz audio"
    ]


# ------------------------------------------------------------------------------ the wheel


@pytest.mark.slow
def test_the_wheel_states_its_license_as_an_spdx_expression_with_the_license_file(
    tmp_path,
) -> None:
    """pyproject.toml's ``license = {text = ...}`` table is deprecated and setuptools will
    refuse it: the license is the SPDX expression and the LICENSE file ships in the wheel."""
    import zipfile

    built = subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "-q", "--no-deps", "-w", str(tmp_path), str(ROOT)],
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert built.returncode == 0, built.stdout + built.stderr
    (wheel,) = tmp_path.glob("calftimer-*.whl")
    with zipfile.ZipFile(wheel) as archive:
        names = archive.namelist()
        info = next(n.split("/")[0] for n in names if n.endswith(".dist-info/METADATA"))
        metadata = archive.read(f"{info}/METADATA").decode()
        shipped_license = archive.read(f"{info}/licenses/LICENSE").decode()
    assert "License-Expression: MIT" in metadata.splitlines()
    assert not [line for line in metadata.splitlines() if line.startswith("License:")]
    assert shipped_license == (ROOT / "LICENSE").read_text(encoding="utf-8")
    assert shipped_license.startswith("MIT License")
    catalogs = sorted(ROOT.glob("calftimer/locale/*/LC_MESSAGES/calftimer.mo"))
    assert catalogs, "the pseudo-locale's catalog at least"
    missing = [str(c.relative_to(ROOT)) for c in catalogs]
    assert [c for c in missing if c not in names] == [], "the translations ship in the wheel"


# ---------------------------------------------------------------------- the PyInstaller spec


class Recorder:
    """Stands in for PyInstaller's Analysis, PYZ, EXE, COLLECT and BUNDLE: keeps the call."""

    calls: dict[str, Recorder]

    def __init__(self, kind: str, *args: object, **kwargs: object) -> None:
        self.kind, self.args, self.kwargs = kind, args, kwargs
        self.binaries: list[tuple[str, str, str]] = []
        self.datas: list[tuple[str, str, str]] = []
        self.pure = self.scripts = []
        Recorder.calls[kind] = self


def run_spec(monkeypatch, platform: str) -> dict[str, object]:
    """Execute packaging/calftimer.spec as PyInstaller would, as if on ``platform``."""
    import types

    Recorder.calls = {}
    monkeypatch.setattr(sys, "platform", platform)
    version_info = types.ModuleType("PyInstaller.utils.win32.versioninfo")
    for name in (
        "FixedFileInfo",
        "StringFileInfo",
        "StringStruct",
        "StringTable",
        "VarFileInfo",
        "VarStruct",
        "VSVersionInfo",
    ):
        setattr(version_info, name, lambda *a, _name=name, **k: (_name, a, k))
    monkeypatch.setitem(sys.modules, "PyInstaller.utils.win32.versioninfo", version_info)
    namespace: dict[str, object] = {"SPECPATH": str(ROOT / "packaging")}
    for kind in ("Analysis", "PYZ", "EXE", "COLLECT", "BUNDLE"):
        namespace[kind] = lambda *a, _kind=kind, **k: Recorder(_kind, *a, **k)
    spec = ROOT / "packaging" / "calftimer.spec"
    exec(compile(spec.read_text(encoding="utf-8"), str(spec), "exec"), namespace)
    return namespace


def test_spec_prunes_what_calftimer_never_loads_and_keeps_what_it_does(monkeypatch) -> None:
    keep = run_spec(monkeypatch, "linux")["keep"]
    dropped = [
        "PySide6/Qt/translations/qtbase_ja.qm",  # a language calftimer has no catalog for
        "PySide6/Qt/plugins/platforminputcontexts/libqtvirtualkeyboardplugin.so",
        "PySide6/Qt/lib/libQt6VirtualKeyboard.so.6",
        "libQt6VirtualKeyboard.so.6",
        "PySide6/Qt/lib/libQt6Quick.so.6",
        "PySide6/Qt/plugins/multimedia/libffmpegmediaplugin.so",
        "PySide6/Qt/lib/libavcodec.so.61",
        "PySide6/Qt/plugins/platformthemes/libqgtk3.so",
        "libgtk-3.so.0",
        "libbz2.so.1",
        "PySide6/Qt/lib/libQt6EglFsKmsSupport.so.6",
        "PySide6/opengl32sw.dll",
    ]
    kept = [
        "PySide6/Qt/lib/libQt6Core.so.6",
        "PySide6/Qt/lib/libQt6Multimedia.so.6",
        "PySide6/Qt/lib/libQt6TextToSpeech.so.6",
        "PySide6/Qt/lib/libQt6OpenGL.so.6",  # pyqtgraph's curves import QtOpenGL
        "PySide6/Qt/plugins/texttospeech/libqtexttospeech_speechd.so",
        "PySide6/Qt/plugins/platforms/libqxcb.so",
        "PySide6/Qt/plugins/platforms/libqwayland.so",
        "PySide6/Qt/plugins/platforms/libqoffscreen.so",  # the self-check
        "PySide6/Qt/plugins/platformthemes/libqxdgdesktopportal.so",
        "PySide6/Qt/plugins/imageformats/libqsvg.so",
        "libbz2.so.1.0",
        "libpulse.so.0",
        "calftimer/resources/sounds/standard/go.wav",
    ]
    assert [path for path in dropped if keep((path, "", "BINARY"))] == []
    assert [path for path in kept if not keep((path, "", "BINARY"))] == []


def test_spec_bundles_our_catalogs_and_qts_own_for_each_shipped_language(monkeypatch) -> None:
    from calftimer.core import i18n

    german = i18n.Language("de", "Deutsch", ",", ".", "de")
    monkeypatch.setattr(i18n, "SHIPPED", (*i18n.SHIPPED, german))
    namespace = run_spec(monkeypatch, "linux")
    keep = namespace["keep"]
    assert keep(("PySide6/Qt/translations/qtbase_de.qm", "", "DATA"))
    assert not keep(("PySide6/Qt/translations/qtbase_ja.qm", "", "DATA"))
    assert not keep(("PySide6/Qt/translations/designer_de.qm", "", "DATA"))
    datas = Recorder.calls["Analysis"].kwargs["datas"]
    catalogs = {dest for _source, dest in datas if "locale" in dest}
    expected = {
        str(mo.parent.relative_to(ROOT))
        for mo in ROOT.glob("calftimer/locale/*/LC_MESSAGES/calftimer.mo")
        if "qps" not in mo.parts
    }
    assert catalogs == expected  # every real language, never the pseudo-locale


def test_spec_branches_give_each_system_its_icon_bundle_id_and_high_dpi_settings(
    monkeypatch,
) -> None:
    run_spec(monkeypatch, "linux")
    linux = Recorder.calls
    assert "BUNDLE" not in linux and linux["EXE"].kwargs["icon"] is None
    assert linux["EXE"].kwargs["version"] is None
    assert linux["COLLECT"].kwargs["name"] == "calftimer"  # onedir: a folder, not one file
    assert linux["EXE"].kwargs["exclude_binaries"] is True
    shipped = {dest for _src, dest in linux["Analysis"].kwargs["datas"]}
    assert {"calftimer/resources/sounds", "calftimer/resources/voice"} <= shipped
    assert {"calftimer/resources/icons", "calftimer/resources/desktop"} <= shipped

    run_spec(monkeypatch, "win32")
    windows = Recorder.calls["EXE"].kwargs
    assert str(windows["icon"]).endswith("calftimer.ico") and Path(windows["icon"]).exists()
    assert windows["console"] is False
    kind, _args, fields = windows["version"]
    assert kind == "VSVersionInfo" and fields["ffi"][2]["filevers"] == (0, 1, 0, 0)

    run_spec(monkeypatch, "darwin")
    bundle = Recorder.calls["BUNDLE"].kwargs
    assert bundle["bundle_identifier"] == APP_ID and bundle["name"] == "calftimer.app"
    assert Path(bundle["icon"]).exists() and bundle["icon"].endswith(".icns")
    assert bundle["info_plist"]["NSHighResolutionCapable"] is True
    assert bundle["info_plist"]["CFBundleShortVersionString"] == __version__
    assert Recorder.calls["EXE"].kwargs["strip"] is False  # stripping breaks the signature
    assert Recorder.calls["EXE"].kwargs["codesign_identity"] is None  # unsigned by default

    monkeypatch.setenv("CALFTIMER_CODESIGN_IDENTITY", "Developer ID Application: X (TEAM1)")
    run_spec(monkeypatch, "darwin")
    signed = Recorder.calls["EXE"].kwargs
    assert signed["codesign_identity"] == "Developer ID Application: X (TEAM1)"
    assert Path(signed["entitlements_file"]).exists()
