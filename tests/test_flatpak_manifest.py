"""The Flatpak manifest builds what we test, from pinned and hashed sources, with no more access
than the app needs.

Offline and standard library only: it reads packaging/flatpak/ and pyproject.toml. What it cannot
check here is a real build, which needs Flathub (see packaging/flatpak/README.md).
"""

from __future__ import annotations

import json
import operator
import re
import shlex
import struct
import sys
import tomllib
from collections.abc import Callable, Iterator
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest

ROOT = Path(__file__).resolve().parents[1]
FLATPAK = ROOT / "packaging" / "flatpak"
APP_ID = "io.github.calftimer.CalfTimer"
MANIFEST = FLATPAK / f"{APP_ID}.json"
DEPS = FLATPAK / "python3-deps.json"
SCRIPT = FLATPAK / "update_python_deps.py"
PYPI_FILES = "https://files.pythonhosted.org/packages/"
ARCHES = {"x86_64", "aarch64"}
ICON_SIZES = (16, 24, 32, 48, 64, 128, 256, 512)

# Why each is there: packaging/flatpak/README.md. No network, no home or host files.
ALLOWED_FINISH_ARGS = {
    "--share=ipc",
    "--socket=wayland",
    "--socket=fallback-x11",
    "--device=dri",
    "--socket=pulseaudio",
    "--filesystem=xdg-run/speech-dispatcher:ro",
}

# The CPython of each org.kde.Platform branch (that of the freedesktop SDK it is built on):
# compiled wheels (numpy) must carry its tag. Add a row when moving to a new branch.
RUNTIME_PYTHON = {
    "6.8": (3, 12),  # freedesktop 24.08
    "6.10": (3, 13),  # freedesktop 25.08
    "6.11": (3, 13),  # freedesktop 25.08
}

# PySide6 comes from the BaseApp, whose branch X.Y ships PySide6 X.Y (its latest patch release).
FROM_BASEAPP = {"pyside6-essentials", "pyside6-addons"}

Version = tuple[int, ...]
COMPARE: dict[str, Callable[[Version, Version], bool]] = {
    ">=": operator.ge,
    "<=": operator.le,
    "==": operator.eq,
    "!=": operator.ne,
    ">": operator.gt,
    "<": operator.lt,
}


def version(text: str) -> Version:
    return tuple(int(part) for part in text.split("."))


def compare(left: str, op: str, right: str) -> bool:
    a, b = version(left), version(right)
    width = max(len(a), len(b))
    return COMPARE[op](a + (0,) * (width - len(a)), b + (0,) * (width - len(b)))


def satisfies(candidate: str, specifiers: str) -> bool:
    for spec in filter(None, (part.strip() for part in specifiers.split(","))):
        match = re.fullmatch(r"(>=|<=|==|!=|>|<)\s*([\d.]+)", spec)
        assert match, f"this test cannot read the specifier {spec!r}: teach it"
        if not compare(candidate, match[1], match[2]):
            return False
    return True


def marker_holds(marker: str | None, python: Version) -> bool:
    """Whether ``marker`` holds in the Flatpak: on Linux, with the runtime's ``python``."""
    if not marker:
        return True
    return all(_clause_holds(clause.strip(), python) for clause in marker.split(" and "))


def _clause_holds(clause: str, python: Version) -> bool:
    match = re.fullmatch(r"python_version\s*(>=|<=|==|!=|>|<)\s*['\"]([\d.]+)['\"]", clause)
    if match:
        return compare(".".join(map(str, python)), match[1], match[2])
    match = re.fullmatch(r"sys_platform\s*(==|!=)\s*['\"]([a-z0-9]+)['\"]", clause)
    assert match, f"this test cannot read the marker clause {clause!r}: teach it"
    return (match[2] == "linux") == (match[1] == "==")


def normalized(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()


def load(path: Path) -> Any:
    return json.loads(path.read_text(encoding="utf-8"))


@pytest.fixture(scope="module")
def manifest() -> dict[str, Any]:
    return load(MANIFEST)


@pytest.fixture(scope="module")
def deps() -> dict[str, Any]:
    return load(DEPS)


@pytest.fixture(scope="module")
def pyproject() -> dict[str, Any]:
    return tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))


@pytest.fixture(scope="module")
def script() -> ModuleType:
    # Compiled here rather than imported: no bytecode cache is written to (or read from)
    # packaging/flatpak/.
    module = ModuleType("update_python_deps")
    module.__file__ = str(SCRIPT)
    sys.modules[module.__name__] = module  # dataclasses look their module up while being made
    try:
        exec(compile(SCRIPT.read_text(encoding="utf-8"), SCRIPT, "exec"), module.__dict__)
    finally:
        del sys.modules[module.__name__]
    return module


@pytest.fixture(scope="module")
def runtime_python(manifest: dict[str, Any]) -> Version:
    branch = manifest["runtime-version"]
    assert branch in RUNTIME_PYTHON, f"which CPython does org.kde.Platform {branch} have?"
    return RUNTIME_PYTHON[branch]


def all_modules(modules: list[Any]) -> Iterator[dict[str, Any]]:
    for module in modules:
        if isinstance(module, str):
            yield from all_modules([load(FLATPAK / module)])
        else:
            yield module
            yield from all_modules(module.get("modules", []))


def app_module(manifest: dict[str, Any]) -> dict[str, Any]:
    (module,) = (m for m in manifest["modules"] if isinstance(m, dict) and m["name"] == "calftimer")
    return module


def pin_of(module: dict[str, Any]) -> tuple[str, str]:
    """The name==version a dependency module's pip command installs."""
    (command,) = module["build-commands"]
    name, _, pinned = shlex.split(command)[-1].partition("==")
    return normalized(name), pinned


def wheel_name(url: str) -> str:
    return url.rsplit("/", 1)[-1]


def test_the_manifest_is_the_apps_and_runs_its_gui_script(
    manifest: dict[str, Any], pyproject: dict[str, Any]
) -> None:
    assert manifest["id"] == APP_ID == MANIFEST.stem
    scripts = pyproject["project"]["gui-scripts"]
    assert scripts.get(manifest["command"]) == "calftimer.app:main"


def test_it_builds_on_the_kde_runtime_with_the_pyside_baseapp(manifest: dict[str, Any]) -> None:
    assert manifest["runtime"] == "org.kde.Platform"
    assert manifest["sdk"] == "org.kde.Sdk"
    assert manifest["base"] == "io.qt.PySide.BaseApp"
    assert manifest["base-version"] == manifest["runtime-version"]


def test_it_runs_the_baseapps_cleanup_without_webengine_and_keeps_numpy(
    manifest: dict[str, Any],
) -> None:
    env = manifest["build-options"]["env"]
    assert env.get("BASEAPP_REMOVE_WEBENGINE") == "1"
    # The BaseApp's cleanup would pip-uninstall numpy, which pyqtgraph needs.
    assert "BASEAPP_DISABLE_NUMPY" not in env
    assert "/app/cleanup-BaseApp.sh" in manifest["cleanup-commands"]


def test_it_asks_for_exactly_the_permissions_the_app_needs(manifest: dict[str, Any]) -> None:
    finish_args = manifest["finish-args"]
    assert len(finish_args) == len(set(finish_args)), "a permission is listed twice"
    assert set(finish_args) - ALLOWED_FINISH_ARGS == set(), "a permission we do not need"
    assert ALLOWED_FINISH_ARGS - set(finish_args) == set(), "a permission the app needs"


def test_nothing_is_built_with_network_access(manifest: dict[str, Any]) -> None:
    """Flathub builds offline: everything must come from the listed sources."""
    options = [manifest.get("build-options", {})]
    options += [m.get("build-options", {}) for m in all_modules(manifest["modules"])]
    for option in options:
        assert "--share=network" not in option.get("build-args", [])


def test_every_dependency_is_a_hashed_wheel_from_pypi_of_the_pinned_version(
    deps: dict[str, Any],
) -> None:
    modules = list(all_modules([deps]))[1:]
    assert modules, "no dependency modules"
    for module in modules:
        name, pinned = pin_of(module)
        (command,) = module["build-commands"]
        for option in ("--no-index", "--no-deps", "--no-build-isolation", "--prefix=/app"):
            assert option in shlex.split(command), f"{module['name']}: {option} missing"
        assert module["sources"], f"{module['name']} has no source"
        for source in module["sources"]:
            assert source["type"] == "file"
            assert source["url"].startswith(PYPI_FILES), source["url"]
            assert re.fullmatch(r"[0-9a-f]{64}", source["sha256"]), source["url"]
            filename = wheel_name(source["url"])
            assert filename.endswith(".whl"), f"{filename}: Flathub builds have no compilers set up"
            wheel, wheel_version = filename.split("-")[:2]
            assert (normalized(wheel), wheel_version) == (name, pinned), filename


def test_compiled_wheels_fit_the_runtimes_python_on_every_arch(
    deps: dict[str, Any], runtime_python: Version, script: ModuleType
) -> None:
    tag = "cp{}{}".format(*runtime_python)
    assert tag == script.PYTHON_TAG, "update_python_deps.PYTHON_TAG"
    numpy = [m for m in all_modules([deps]) if m["name"] == "python3-numpy"]
    assert len(numpy) == 1, "numpy (needed by pyqtgraph) is not pinned"
    for module in all_modules([deps]):
        compiled = [s for s in module.get("sources", []) if "-none-any.whl" not in s["url"]]
        if not compiled:
            continue
        arches = [arch for source in compiled for arch in source.get("only-arches", [])]
        assert sorted(arches) == sorted(ARCHES), f"{module['name']}: one wheel per arch"
        for source in compiled:
            filename = wheel_name(source["url"])
            (arch,) = source["only-arches"]
            assert f"-{tag}-{tag}-" in filename, f"{filename} is not for {tag}"
            assert "manylinux" in filename and filename.endswith(f"_{arch}.whl"), filename


def test_the_pins_satisfy_pyproject(
    manifest: dict[str, Any],
    deps: dict[str, Any],
    pyproject: dict[str, Any],
    runtime_python: Version,
) -> None:
    pins = dict(pin_of(m) for m in list(all_modules([deps]))[1:])
    pyside = manifest["runtime-version"]  # the BaseApp's PySide6 branch
    for requirement in pyproject["project"]["dependencies"]:
        match = re.fullmatch(r"\s*([A-Za-z0-9_.-]+)\s*([^;]*?)\s*(?:;\s*(.*?)\s*)?", requirement)
        assert match, requirement
        name, specifiers, marker = normalized(match[1]), match[2], match[3]
        if not marker_holds(marker, runtime_python):
            continue
        if name in FROM_BASEAPP:
            assert satisfies(pyside, specifiers), f"BaseApp {pyside} does not fit {requirement}"
        else:
            assert name in pins, f"{name} is a dependency but not in {DEPS.name}"
            assert satisfies(pins[name], specifiers), f"{name} {pins[name]}: {requirement}"


def test_the_committed_deps_are_what_the_script_writes(
    deps: dict[str, Any], script: ModuleType
) -> None:
    """So the pins in update_python_deps.py and python3-deps.json cannot drift apart."""
    wheels = {}
    for module in list(all_modules([deps]))[1:]:
        name = module["name"].removeprefix("python3-")
        wheels[name] = [
            script.Wheel(
                wheel_name(s["url"]), s["url"], s["sha256"], (s.get("only-arches") or [None])[0]
            )
            for s in module["sources"]
        ]
    assert script.render(wheels) == DEPS.read_text(encoding="utf-8")


def test_the_app_is_built_from_this_repository(manifest: dict[str, Any]) -> None:
    module = app_module(manifest)
    (source,) = module["sources"]
    assert source["type"] == "dir"
    assert (MANIFEST.parent / source["path"]).resolve() == ROOT
    assert ".git" in source.get("skip", [])
    installs = [c for c in module["build-commands"] if c.startswith("pip3 ")]
    assert installs == [
        "pip3 install --verbose --no-index --no-deps --no-build-isolation --prefix=/app ."
    ]


def png_size(path: Path) -> tuple[int, int]:
    header = path.read_bytes()[:24]
    assert header[:8] == b"\x89PNG\r\n\x1a\n", f"{path} is not a PNG"
    width, height = struct.unpack(">II", header[16:24])
    return width, height


def test_the_desktop_integration_files_exist_and_go_where_desktops_look(
    manifest: dict[str, Any],
) -> None:
    installed = {}
    for command in app_module(manifest)["build-commands"]:
        words = shlex.split(command)
        if words[0] == "install":
            assert words[1] == "-Dm644", command
            installed[words[3]] = words[2]
    share = "/app/share"
    expected = {
        f"{share}/applications/{APP_ID}.desktop",
        f"{share}/metainfo/{APP_ID}.metainfo.xml",
        f"{share}/icons/hicolor/scalable/apps/{APP_ID}.svg",
    } | {f"{share}/icons/hicolor/{n}x{n}/apps/{APP_ID}.png" for n in ICON_SIZES}
    assert set(installed) == expected
    missing = sorted(source for source in installed.values() if not (ROOT / source).is_file())
    assert not missing, f"the manifest installs files the repository lacks: {missing}"
    for destination, source in installed.items():
        size = re.search(r"/(\d+)x(\d+)/apps/", destination)
        if size:
            assert png_size(ROOT / source) == (int(size[1]), int(size[2])), source
